// TypeScript types for each service's API, generated from the OpenAPI snapshots that the
// contract check keeps honest. `--check` fails when a committed file is out of date.
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";

const here = dirname(fileURLToPath(import.meta.url));
const snapshots = join(here, "..", "..", "contracts", "openapi");
const out = join(here, "..", "src", "api", "schema");
const services = ["ingest", "registry", "cost", "budget", "notification"];
const check = process.argv.includes("--check");
let stale = [];

for (const service of services) {
  const spec = JSON.parse(readFileSync(join(snapshots, `${service}.json`), "utf8"));
  const text =
    `// Generated from contracts/openapi/${service}.json by scripts/gen-api.mjs. Do not edit.\n` +
    astToString(await openapiTS(spec));
  const target = join(out, `${service}.ts`);
  if (check) {
    if (!existsSync(target) || readFileSync(target, "utf8") !== text) stale.push(target);
  } else {
    writeFileSync(target, text);
  }
}
if (stale.length) {
  console.error(`out of date (run npm run gen:api): ${stale.join(", ")}`);
  process.exit(1);
}
console.log(check ? "API types are up to date" : "API types written");
