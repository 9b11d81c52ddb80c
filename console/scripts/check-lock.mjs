// The lock file must name no registry: installs resolve against whatever registry the
// machine is configured for, and the lock only pins versions and integrity hashes.
import { readFileSync } from "node:fs";

const lock = JSON.parse(readFileSync(new URL("../package-lock.json", import.meta.url), "utf8"));
const bad = [];
for (const [path, entry] of Object.entries(lock.packages ?? {})) {
  if (entry.resolved) bad.push(`${path}: resolved ${entry.resolved}`);
  if (path && !entry.link && !entry.integrity) bad.push(`${path}: no integrity hash`);
}
// Funding links are the only addresses a lock may carry; any other one (a tarball URL
// from a registry, a git remote) would tie installs to one place.
const withoutFunding = JSON.stringify(lock, (key, value) => (key === "funding" ? undefined : value));
if (/https?:\/\/|git\+ssh:/.test(withoutFunding)) bad.push("an address appears in the lock");
if (bad.length) {
  console.error(bad.slice(0, 20).join("\n"));
  process.exit(1);
}
console.log(`package-lock.json: ${Object.keys(lock.packages).length - 1} packages, no addresses`);
