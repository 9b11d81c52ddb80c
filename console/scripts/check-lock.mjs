// The lock file holds no address at all: installs resolve against whatever registry the
// machine is configured for, and the lock pins only versions and integrity hashes.
// `.npmrc` keeps npm from writing `resolved`; npm still copies each package's `funding`
// links into the lock, so `--fix` removes them (run it after `npm install`).
import { readFileSync, writeFileSync } from "node:fs";

const path = new URL("../package-lock.json", import.meta.url);
const text = readFileSync(path, "utf8");
const lock = JSON.parse(text);

if (process.argv.includes("--fix")) {
  for (const entry of Object.values(lock.packages ?? {})) delete entry.funding;
  writeFileSync(path, JSON.stringify(lock, null, 2) + "\n");
  console.log("package-lock.json: funding links removed");
  process.exit(0);
}

const bad = [];
for (const [name, entry] of Object.entries(lock.packages ?? {})) {
  if (entry.resolved) bad.push(`${name}: resolved ${entry.resolved}`);
  if (entry.funding) bad.push(`${name}: funding links (npm run lock:clean)`);
  if (name && !entry.link && !entry.integrity) bad.push(`${name}: no integrity hash`);
}
if (/[a-z+]+:\/\//.test(text)) bad.push("an address (scheme://) appears in the lock");
if (bad.length) {
  console.error(bad.slice(0, 20).join("\n"));
  process.exit(1);
}
console.log(`package-lock.json: ${Object.keys(lock.packages).length - 1} packages, no addresses`);
