// Validates Kubernetes objects (a YAML stream: kubectl kustomize's output) against the
// OpenAPI schemas of Kubernetes itself, as packaged by kubernetes-models. Each object is
// printed on one line; unknown fields, wrong types and missing required fields fail.
// usage: node check.mjs [--json OUT] FILE.yaml…   (exit 1 when an object is invalid, 2 on
// bad input); --json also writes the objects, as a JSON array, to OUT (for the tests).
import { readFileSync, writeFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

async function modelOf(apiVersion, kind) {
  // "v1" is the core group (kubernetes-models/v1), "apps/v1" → kubernetes-models/apps/v1
  if (!/^([a-z0-9.-]+\/)?v[0-9]+((alpha|beta)[0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z]+$/.test(kind)) return null;
  try {
    return (await import(`kubernetes-models/${apiVersion}/${kind}`))[kind];
  } catch {
    return null;
  }
}

// The schemas do not forbid unknown fields (the API server does: strict field
// validation). The schema's own validator is run on a proxy of the object that notes every
// field it reads; a field it never reads is one the schema does not know: a typo.
async function schemaOf(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  const name = group.split(".")[0].replace(/^./, (c) => c.toUpperCase());
  const ver = version.replace(/^./, (c) => c.toUpperCase());
  try {
    return (await import(`kubernetes-models/_schemas/IoK8sApi${name}${ver}${kind}`)).validate;
  } catch {
    return null;
  }
}

function unknownFields(obj, validate) {
  const read = new Set();
  const wrap = (v, path) => v === null || typeof v !== "object" ? v : new Proxy(v, {
    get(target, key) {
      if (typeof key === "string" && Object.prototype.hasOwnProperty.call(target, key)) {
        read.add(`${path}.${key}`);
        return wrap(target[key], `${path}.${key}`);
      }
      return target[key];
    },
  });
  validate(wrap(obj, ""));
  const unknown = [];
  const walk = (v, path) => {
    if (v === null || typeof v !== "object") return;
    for (const key of Object.keys(v)) {
      const p = `${path}.${key}`;
      if (!read.has(p)) unknown.push(p.slice(1));
      else walk(v[key], p);
    }
  };
  walk(obj, "");
  return unknown;
}

let bad = 0, count = 0;
const args = process.argv.slice(2), all = [];
const jsonOut = args[0] === "--json" ? (args.shift(), args.shift()) : null;
for (const file of args) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.error(`k8scheck: ${file}: ${doc.errors[0].message.split("\n")[0]}`);
      process.exit(2);
    }
    const obj = doc.toJS();
    if (obj === null) continue;
    count++;
    all.push(obj);
    const what = `${obj.kind ?? "?"} ${obj.metadata?.name ?? "?"} (${obj.apiVersion ?? "?"})`;
    const Model = await modelOf(String(obj.apiVersion), String(obj.kind));
    if (!Model) {
      console.log(`FAIL ${what}: not a Kubernetes kind this schema set knows`);
      bad++;
      continue;
    }
    try {
      const m = new Model(obj);
      m.validate();
      const schema = await schemaOf(String(obj.apiVersion), String(obj.kind));
      if (!schema) throw new Error("no schema validator for this kind");
      const extra = unknownFields(obj, schema).filter((p) => p !== "apiVersion" && p !== "kind");
      if (extra.length) throw new Error(`unknown field ${extra.join(", ")}`);
      console.log(`ok   ${what}`);
    } catch (e) {
      console.log(`FAIL ${what}: ${String(e.message).split("\n").slice(0, 3).join("; ")}`);
      bad++;
    }
  }
}
if (!count) {
  console.error("k8scheck: no object to check");
  process.exit(2);
}
console.log(`k8scheck: ${count - bad} of ${count} objects valid`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(all));
process.exit(bad ? 1 : 0);
