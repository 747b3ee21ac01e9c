#!/usr/bin/env python3
"""Run every Lua example of a page of the docs (make test-lua): each ```lua block is
extracted and run with busted, so that no example can rot.

  python3 tools/doc_examples.py docs/scripting.md [more.md …]

A block whose fence reads ```lua fragment is a piece of a larger script (it names
variables it does not define) and is only checked to be there; every other block runs:
  * a block with describe(…) is a spec: it runs as it is;
  * any other block runs inside a spec, where `ctx`, `issue` and `issues` are defined
    (tests/scripts/helpers.lua's builders), and `require("default")` is the shipped
    transform (the page's scripts/default.lua). When it returns a module, its transform runs
    on `issues` and its rows are checked as the host checks them; its card runs on rows
    (the module's own, else the shipped transform's) and must pass the host's card check.
The path given to busted is the tree's: scripts/, host/ and tests/scripts/."""
import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
SPECS = os.path.join(ROOT, "tests", "scripts")
LPATH = "../../scripts/?.lua;../../host/?.lua;./?.lua"
BUSTED = os.environ.get("BUSTED", "/usr/bin/busted")

WRAP = """local H = require("helpers")
local cjson = require("cjson")
local K = require("cardcheck")
local render = require("render")
package.preload["default"] = function() return require("transform") end -- the page's scripts/default.lua
describe("{where}", function()
  it("runs", function()
    local ctx = H.ctx({{ total = 2, holidays = {{ "2026-12-25" }} }})
    local issue = H.issue({{ priority = "high", target_date = "2026-12-02", updated_at = "2026-11-20T16:04:31.392710Z",
      assignee_names = {{ "Zoé Martin" }}, label_names = {{ "customer", "bug" }} }})
    local issues = {{ issue, H.issue({{ priority = "low", label_names = {{}} }}) }}
    local result = (function()
{body}
    end)()
    if type(result) ~= "table" then return end
    local rows
    if type(result.transform) == "function" then
      local total
      rows, total = result.transform(issues, ctx)
      render.check_rows(rows, total, ctx.limit, #issues)
    end
    if type(result.card) == "function" then
      if not rows then rows = require("transform").transform(issues, ctx) end
      local card = result.card(rows, ctx)
      local problem = K.check(cjson.decode(require("host.native").encode(card)))
      assert.is_nil(problem)
    end
  end)
end)
"""


def blocks(path):
    """(line, info, text) of each fenced lua block."""
    out, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if cur is None:
                m = re.match(r"^```lua(.*)$", line.rstrip("\n"))
                if m:
                    cur = (n, m.group(1).strip(), [])
            elif line.startswith("```"):
                out.append((cur[0], cur[1], "".join(cur[2])))
                cur = None
            else:
                cur[2].append(line)
    if cur is not None:
        raise SystemExit(f"{path}:{cur[0]}: a ```lua block is not closed")
    return out


def main(paths):
    ran = skipped = 0
    failed = []
    with tempfile.TemporaryDirectory(prefix="pt-docs-") as tmp:
        for path in paths:
            rel = os.path.relpath(path, ROOT)
            for line, info, text in blocks(path):
                if info == "fragment":
                    skipped += 1
                    continue
                if info:
                    raise SystemExit(f"{rel}:{line}: unknown mark '```lua {info}' (only 'fragment')")
                where = f"{rel}:{line}"
                spec = text if "describe(" in text else WRAP.format(where=where, body=text)
                name = os.path.join(tmp, f"doc_{len(failed) + ran}_{line}_spec.lua")
                with open(name, "w", encoding="utf-8") as f:
                    f.write(spec)
                proc = subprocess.run(["lua5.4", BUSTED, f"--lpath={LPATH}", name], cwd=SPECS,
                                      capture_output=True, text=True)
                ran += 1
                if proc.returncode != 0:
                    failed.append(where)
                    print(f"{where}: the example fails:\n{proc.stdout}{proc.stderr}", file=sys.stderr)
    print(f"doc examples: {ran} run, {skipped} fragments, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or [os.path.join(ROOT, "docs", "scripting.md")]))
