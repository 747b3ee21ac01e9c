#!/usr/bin/env node
// Checks Teams message envelopes the way Teams would see them:
//  1. the envelope's shape (type, attachments, contentType, contentUrl: null);
//  2. the card against Microsoft's strict Adaptive Card 1.2.0 JSON schema (msteams exempted);
//  3. the card parsed and validated by Microsoft's own renderer (adaptivecards), targeting 1.2;
//  4. the encoded size against the budget.
// Input: files holding one envelope, or JSON lines of envelopes ("-" for stdin).
// Prints one line per problem ("file:line: path: message") and exits 1 when there is any.
"use strict";
const fs = require("fs");
const path = require("path");
const AC = require("adaptivecards/dist/adaptivecards.js");
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

const BUDGET = Number(process.env.CARD_BUDGET || 24000);

function makeSchemaCheck() {
  const schema = JSON.parse(fs.readFileSync(path.join(__dirname, "adaptive-card-1.2.0.schema.json"), "utf8"));
  schema.$id = schema.id;
  delete schema.id;
  delete schema.$schema;
  const ajv = new Ajv({ strict: false, allErrors: true, verbose: true });
  ajv.addMetaSchema(require("ajv/dist/refs/json-schema-draft-06.json"));
  addFormats(ajv);
  return ajv.compile(schema);
}
const schemaCheck = makeSchemaCheck();

function envelopeProblems(env) {
  const out = [];
  const keys = (o, allowed, where) => {
    for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push(`${where}: unknown property "${k}"`);
  };
  if (!env || typeof env !== "object" || Array.isArray(env)) return ["envelope: not a JSON object"];
  keys(env, ["type", "attachments"], "envelope");
  if (env.type !== "message") out.push(`envelope.type: "${env.type}", expected "message"`);
  if (!Array.isArray(env.attachments) || env.attachments.length !== 1) {
    out.push("envelope.attachments: expected a list of one attachment");
    return out;
  }
  const a = env.attachments[0];
  keys(a, ["contentType", "contentUrl", "content"], "attachments[0]");
  if (a.contentType !== "application/vnd.microsoft.card.adaptive")
    out.push(`attachments[0].contentType: "${a.contentType}", expected the adaptive card type`);
  if (!("contentUrl" in a) || a.contentUrl !== null) out.push("attachments[0].contentUrl: must be present and null");
  const c = a.content;
  if (!c || typeof c !== "object" || Array.isArray(c)) {
    out.push("attachments[0].content: not an object");
    return out;
  }
  if (c.type !== "AdaptiveCard") out.push(`content.type: "${c.type}", expected "AdaptiveCard"`);
  if (c.version !== "1.2") out.push(`content.version: "${c.version}", expected "1.2"`);
  if (c.msteams !== undefined) {
    keys(c.msteams, ["width", "entities"], "content.msteams");
    if (c.msteams.entities !== undefined) mentionProblems(c, out);
  }
  return out;
}

// msteams.entities as Microsoft documents them for incoming webhooks: mentions
// {type: "mention", text: "<at>Name</at>", mentioned: {id, name}}, each text found verbatim
// in a TextBlock of the card (Teams reads mentions nowhere else).
function mentionProblems(c, out) {
  const ents = c.msteams.entities;
  if (!Array.isArray(ents)) return out.push("content.msteams.entities: expected a list");
  const texts = [];
  (function walk(v) {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== "object") return;
    if (v.type === "TextBlock" && typeof v.text === "string") texts.push(v.text);
    for (const k of Object.keys(v)) if (k !== "msteams") walk(v[k]);
  })(c.body);
  ents.forEach((e, i) => {
    const where = `content.msteams.entities[${i}]`;
    if (!e || typeof e !== "object" || Array.isArray(e)) return out.push(`${where}: expected an object`);
    for (const k of Object.keys(e)) if (!["type", "text", "mentioned"].includes(k)) out.push(`${where}: unknown property "${k}"`);
    if (e.type !== "mention") out.push(`${where}.type: expected "mention"`);
    if (typeof e.text !== "string" || !/^<at>.+<\/at>$/.test(e.text)) out.push(`${where}.text: expected <at>Name</at>`);
    else if (!texts.some((t) => t.includes(e.text))) out.push(`${where}.text: in no TextBlock`);
    const m = e.mentioned;
    if (!m || typeof m !== "object" || typeof m.id !== "string" || !m.id || typeof m.name !== "string")
      out.push(`${where}.mentioned: expected {id, name}`);
  });
  return out;
}

const schemaDefs = JSON.parse(fs.readFileSync(path.join(__dirname, "adaptive-card-1.2.0.schema.json"), "utf8")).definitions;
const isElementDef = (name) => !!(schemaDefs[name] && schemaDefs[name].properties && schemaDefs[name].properties.type);

function at(root, pointer) {
  let v = root;
  for (const part of pointer.split("/").slice(1)) {
    if (v === null || typeof v !== "object") return undefined;
    v = v[part.replace(/~1/g, "/").replace(/~0/g, "~")];
  }
  return v;
}

// ajv reports every anyOf branch that failed; keep only the errors of the branch whose
// definition matches the element's own "type", plus errors about values (enums).
function schemaProblems(card) {
  const { msteams, ...rest } = card; // the Teams extension is not in the schema
  if (schemaCheck(rest)) return [];
  const seen = new Set();
  const out = [];
  for (const e of schemaCheck.errors) {
    const ps = e.parentSchema || {};
    const def = ps.properties && ps.properties.type && ps.properties.type.enum ? ps.properties.type.enum[0] : null;
    const here = at(rest, e.instancePath);
    const parent = at(rest, e.instancePath.split("/").slice(0, -1).join("/"));
    const ownType = (o) => (o && typeof o === "object" ? o.type || (o === rest ? "AdaptiveCard" : undefined) : undefined);
    let msg = null;
    if (e.keyword === "additionalProperties" && ownType(here) === def)
      msg = `content${e.instancePath}: ${def} has no property "${e.params.additionalProperty}" in Adaptive Card 1.2`;
    else if (e.keyword === "required" && ownType(here) === def)
      msg = `content${e.instancePath}: ${def} needs "${e.params.missingProperty}"`;
    else if (e.keyword === "type" && e.params.type !== "null" && !e.instancePath.endsWith("/type") && ownType(parent))
      msg = `content${e.instancePath}: ${e.message}`;
    else if (e.keyword === "enum" && !e.instancePath.endsWith("/type") && !def && ownType(parent) &&
             isElementDef(ownType(parent)) && e.instancePath.split("/").pop() in (schemaDefs[ownType(parent)].properties || {}))
      msg = `content${e.instancePath}: "${here}" is not one of ${e.params.allowedValues.join(", ")}`;
    if (msg && !seen.has(msg)) seen.add(msg), out.push(msg);
  }
  if (out.length === 0) out.push(`content: does not match the Adaptive Card 1.2 schema (${schemaCheck.errors[0].message} at ${schemaCheck.errors[0].instancePath || "/"})`);
  return out;
}

// What Teams webhooks refuse although Adaptive Card 1.2 has it.
function teamsProblems(card) {
  const out = [];
  (function walk(v, where) {
    if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${where}/${i}`));
    if (!v || typeof v !== "object") return;
    if (v.type === "Action.Submit") out.push(`content${where}: Action.Submit does not work in Teams webhook cards`);
    for (const [k, x] of Object.entries(v)) walk(x, `${where}/${k}`);
  })(card, "");
  return out;
}

function rendererProblems(card) {
  const ctx = new AC.SerializationContext(AC.Versions.v1_2);
  const ac = new AC.AdaptiveCard();
  ac.parse(card, ctx);
  const out = [];
  for (let i = 0; i < ctx.eventCount; i++) {
    const e = ctx.getEventAt(i);
    out.push(`renderer: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  }
  for (const e of ac.validateProperties().validationEvents)
    out.push(`renderer: ${AC.ValidationEvent[e.event]}: ${e.message}`);
  return out;
}

function problems(raw) {
  let env;
  try {
    env = JSON.parse(raw);
  } catch (e) {
    return [`not JSON: ${e.message}`];
  }
  const out = envelopeProblems(env);
  const size = Buffer.byteLength(raw, "utf8");
  if (size > BUDGET) out.push(`envelope: ${size} bytes, over the budget of ${BUDGET}`);
  const card = env && env.attachments && env.attachments[0] && env.attachments[0].content;
  if (card && typeof card === "object") out.push(...schemaProblems(card), ...teamsProblems(card), ...rendererProblems(card));
  return out;
}

function main(args) {
  let cards = 0, bad = 0;
  for (const file of args.length ? args : ["-"]) {
    const text = fs.readFileSync(file === "-" ? 0 : file, "utf8");
    const trimmed = text.trim();
    const units = trimmed.startsWith("{") && !trimmed.includes("\n{") ? [[1, trimmed]]
      : trimmed.split("\n").map((l, i) => [i + 1, l]).filter(([, l]) => l.trim());
    for (const [line, raw] of units) {
      cards++;
      const p = problems(raw);
      if (p.length) bad++;
      for (const m of p) console.log(`${file}:${line}: ${m}`);
    }
  }
  console.log(`cardcheck: ${cards} card(s) checked, ${bad} with problems`);
  return bad ? 1 : 0;
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
module.exports = { problems };
