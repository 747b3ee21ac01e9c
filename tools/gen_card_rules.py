#!/usr/bin/env python3
"""Generates host/card_rules.lua from Microsoft's strict Adaptive Card 1.2.0 schema
(tools/cardcheck/adaptive-card-1.2.0.schema.json): for every element and action type,
the properties it may have, what each may hold, and what it needs. The properties that
several types have alike (the actions', the elements', the containers'...) are written
once, as named groups, and each type is its groups plus its own properties.

usage: tools/gen_card_rules.py [--check]   (--check: fail if host/card_rules.lua is stale)
"""
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCHEMA = os.path.join(ROOT, "tools", "cardcheck", "adaptive-card-1.2.0.schema.json")
OUT = os.path.join(ROOT, "host", "card_rules.lua")

defs = json.load(open(SCHEMA, encoding="utf-8"))["definitions"]


def own(name):
    """The object form of a definition: TextRun is "a string or an object", the object
    form being the element."""
    d = defs.get(name, {})
    for alt in d.get("anyOf", []):
        if alt.get("type") == "object" and "type" in alt.get("properties", {}):
            return alt
    return d


def concrete(name):
    p = defs.get(name, {}).get("properties", {})
    return "type" in p and "enum" in p["type"]


def element(name):
    """A type that appears in a card by its "type", TextRun included."""
    p = own(name).get("properties", {})
    return "type" in p and "enum" in p["type"]


def ref_name(ref):
    return ref.split("/")[-1]


def implementations(name):
    """The concrete types an ImplementationsOf.X (or a concrete type) stands for."""
    if element(name):
        return [name]
    out = []
    for alt in defs[name].get("anyOf", []):
        for part in alt.get("allOf", []):
            out += implementations(ref_name(part["$ref"]))
        if "$ref" in alt:
            out += implementations(ref_name(alt["$ref"]))
    return out


def compile_spec(p):
    if "$ref" in p:
        name = ref_name(p["$ref"])
        if concrete(name) or name.startswith("ImplementationsOf."):
            types = sorted(set(implementations(name)))
            if name.startswith("ImplementationsOf."):
                NAMED.setdefault(tuple(types), local_name(name))
            return {"types": types}
        return compile_spec(defs[name])
    if "anyOf" in p:
        opts = [compile_spec(a) for a in p["anyOf"]]
        enums = [o for o in opts if "enum" in o]
        if enums and len(enums) == len([o for o in opts if "enum" in o or "pattern" in o]) and all(
                "enum" in o or o == {"any": True} for o in opts):
            return {"enum": sorted({v for o in enums for v in o["enum"]})}
        opts = [o for o in opts if o != {"any": True}]
        return opts[0] if len(opts) == 1 else {"anyof": opts}
    if "enum" in p:
        return {"enum": sorted({v.lower() for v in p["enum"]})}
    if "pattern" in p:
        return {"any": True}
    t = p.get("type")
    if t == "array":
        return {"array": compile_spec(p.get("items", {}))}
    if t in ("string", "boolean", "number", "integer", "object", "null"):
        return {"t": "number" if t == "integer" else t}
    return {"any": True}


def props_of(name):
    """Own properties merged over the inherited ones (allOf chains)."""
    d = own(name)
    merged = {}
    for part in d.get("allOf", []):
        merged.update(props_of(ref_name(part["$ref"])))
    for k, v in d.get("properties", {}).items():
        if v or k not in merged:
            merged[k] = v
    return merged


# Lists of element types the schema names (ImplementationsOf.X): each becomes one named
# local of the generated file, written once and referred to by name.
NAMED = {}


def local_name(schema_name):
    """ImplementationsOf.ToggleableItem -> TOGGLEABLE_ITEM_TYPES (ISelectAction -> SELECT_ACTION_TYPES)"""
    base = re.sub(r"^I(?=[A-Z][a-z])", "", schema_name.split(".", 1)[1])
    return re.sub(r"(?<=[a-z])(?=[A-Z])", "_", base).upper() + "_TYPES"


def lua(v):
    """A Lua constructor for v, on one line."""
    if isinstance(v, list) and all(isinstance(x, str) for x in v) and tuple(v) in NAMED:
        return NAMED[tuple(v)]
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "{ " + ", ".join(lua(x) for x in v) + " }" if v else "{}"
    return "{ " + ", ".join(f"{key(k)} = {lua(v[k])}" for k in sorted(v)) + " }"


def key(k):
    return k if k.isidentifier() else "[" + json.dumps(k) + "]"


def wrapped(items, indent, width=100):
    """items separated by commas, on lines of at most width characters."""
    lines, line = [], indent
    for item in items:
        if len(line) + len(item) + 2 > width and line.strip():
            lines.append(line.rstrip())
            line = indent
        line += item + ", "
    lines.append(line.rstrip())
    return lines


# Names of the shared groups of properties that no ImplementationsOf.X names, keyed by the
# types that share them; a group not listed here is named after its properties.
GROUP_NAMES = {
    ("ActionSet", "ColumnSet", "Container", "FactSet", "ImageSet", "Input.ChoiceSet",
     "Input.Date", "Input.Number", "Input.Text", "Input.Time", "Input.Toggle", "Media",
     "RichTextBlock", "TextBlock"): "BLOCK_PROPS",
    ("AdaptiveCard", "Column", "ColumnSet", "Container"): "BACKGROUND_PROPS",
    ("Column", "ColumnSet", "Container"): "CONTAINER_PROPS",
    ("Input.Date", "Input.Time"): "DATE_TIME_PROPS",
    ("TextBlock", "TextRun"): "TEXT_PROPS",
}


def shared_groups(rules):
    """The groups of properties that several types have alike (same name, same rule): each
    (property, rule) pair goes to the group of exactly the types that have it. A group is
    named once if it is shared by two types or more and holds two properties or more, or
    is shared by ten types or more. Returns {types: [property, ...]}."""
    holders = {}
    for name in sorted(rules):
        for prop, spec in rules[name]["props"].items():
            holders.setdefault((prop, lua(spec)), []).append(name)
    groups = {}
    for (prop, _), types in holders.items():
        groups.setdefault(tuple(types), []).append(prop)
    return {types: sorted(props) for types, props in groups.items()
            if len(types) >= 2 and (len(props) >= 2 or len(types) >= 10)}


# The shared groups of the rules being written: {types: [property, ...]}.
SHARED = {}


def group_name(types):
    for schema_name in sorted(defs):
        if schema_name.startswith("ImplementationsOf.") and \
                tuple(sorted(set(implementations(schema_name)))) == types:
            return local_name(schema_name)[:-len("_TYPES")] + "_PROPS"
    if types in GROUP_NAMES:
        return GROUP_NAMES[types]
    props = sorted(SHARED[types])
    return "_".join(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", p).upper() for p in props) + "_PROPS"


def parents(types, within):
    """The narrowest groups whose types include all of types (a transitive reduction: a
    group that another chosen one already brings in is left out)."""
    over = [g for g in within if set(types) <= set(g) and g != types]
    return sorted((g for g in over if not any(set(h) < set(g) for h in over)),
                  key=lambda g: (len(g), g))


def composed(head, bases, own, indent):
    """One table built from the named groups bases plus its own properties own."""
    lines = [f"{indent}{head}with({', '.join(group_name(b) for b in bases)}, {{"
             if bases else f"{indent}{head}{{"]
    lines += [f"{indent}  {key(p)} = {lua(spec)}," for p, spec in own]
    lines.append(f"{indent}}}" + (")" if bases else ""))
    return lines


WITH = """-- The properties of several groups and of one type, in one new table.
local function with(...)
  local props = {}
  for i = 1, select("#", ...) do
    for k, v in pairs((select(i, ...))) do props[k] = v end
  end
  return props
end
"""


def rules_lua(rules):
    """The named lists of types, the named groups of shared properties, then one block per
    type: its groups and its own properties."""
    SHARED.clear()
    SHARED.update(shared_groups(rules))
    out = []
    for types, name in sorted(NAMED.items(), key=lambda kv: kv[1]):
        out.append(f"local {name} = {{")
        out += wrapped([json.dumps(t) for t in types], "  ")
        out.append("}")
    out += WITH.rstrip("\n").split("\n")
    spec_of = {(t, p): rules[t]["props"][p] for types, props in SHARED.items()
               for t in types for p in props}
    for types in sorted(SHARED, key=lambda g: (-len(g), group_name(g))):
        bases = parents(types, SHARED)
        own = [(p, spec_of[(types[0], p)]) for p in SHARED[types]]
        comment = wrapped(types, "-- ", 92)
        out += comment[:-1] + [comment[-1].rstrip(",")]
        out += composed(f"local {group_name(types)} = ", bases, own, "")
    out += ["", "return {"]
    for name in sorted(rules):
        r = rules[name]
        member = [g for g in SHARED if name in g]
        bases = parents((name,), member)
        inherited = {p for g in member for p in SHARED[g]}
        own = [(p, r["props"][p]) for p in sorted(r["props"]) if p not in inherited]
        lines = composed(f"{key(name)} = {{ required = {lua(r['required'])}, props = ", bases,
                         own, "  ")
        lines[-1] += " },"
        out += lines
    out.append("}")
    return "\n".join(out) + "\n"


def generate():
    rules = {}
    for name in sorted(defs):
        if not element(name):
            continue
        props = {k: compile_spec(v) for k, v in props_of(name).items() if k != "type"}
        rules[name] = {"props": props, "required": sorted(own(name).get("required", []))}
    head = ("-- Generated by tools/gen_card_rules.py from Microsoft's Adaptive Card 1.2.0 schema.\n"
            "-- Do not edit: regenerate. For every element and action type: the properties it may\n"
            "-- have (t: JSON type, enum: allowed values, lower case; types: element types;\n"
            "-- array: items; anyof: alternatives; any: anything) and what it needs. What several\n"
            "-- types have alike is one named group (after the types that share it).\n")
    return head + rules_lua(rules)


def main():
    text = generate()
    if "--check" in sys.argv:
        with open(OUT, encoding="utf-8") as f:
            if f.read() != text:
                print("host/card_rules.lua is stale: run tools/gen_card_rules.py")
                return 1
        print("host/card_rules.lua matches the schema")
        return 0
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
