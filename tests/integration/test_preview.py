"""preview: the scripts on a saved issue list, offline, and what bad scripts do."""
import json
import os

from common import Case, ROOT, base_env, envelope_rows, block_text

EXAMPLE = os.path.join(ROOT, "examples", "issues.json")


def no_secrets_env(**extra):
    return base_env(PLANE_API_TOKEN=None, TEAMS_WEBHOOK_URL=None, PLANE_PROJECT_ID=None, **extra)


class TestPreview(Case):
    def preview(self, *args, env=None):
        return self.run_pt("preview", "--issues", EXAMPLE, *args, env=env or no_secrets_env())

    def test_example_page_renders_the_expected_rows(self):
        p = self.preview()
        self.assertEqual(p.returncode, 0, p.stderr)
        env = json.loads(p.stdout)
        self.assertEqual(env["type"], "message")
        att = env["attachments"][0]
        self.assertEqual(att["contentType"], "application/vnd.microsoft.card.adaptive")
        self.assertIn("contentUrl", att)
        self.assertIsNone(att["contentUrl"])
        card = att["content"]
        self.assertEqual(card["version"], "1.2")
        self.assertEqual(card["msteams"], {"width": "Full"})
        rows = envelope_rows(env)
        self.assertEqual(len(rows), 10)
        # urgent first (OPS #3 before WEB #12 by sequence_id), then high by state order
        self.assertEqual([r[2] for r in rows[:4]], [
            "Rotate the database credentials", "Corriger la redirection après connexion",
            "Disk usage alert on build-02", "Nightly backup check fails on Sundays"])
        self.assertEqual(rows[0][1], "🔴 URGENT")
        self.assertEqual(rows[0][3].split(" · ")[0], "In Progress")
        # identifiers are unknown in a saved page: links take the UUID form
        self.assertRegex(rows[0][4], r"^https://app\.plane\.so/acme/projects/[0-9a-f-]{36}/issues/[0-9a-f-]{36}$")
        # the done, cancelled and "En revue" issues are left out; 13 matched, 10 shown
        names = [r[2] for r in rows]
        self.assertNotIn("Ancien bandeau de Noël", names)
        self.assertNotIn("Relecture de l'article « Nos engagements 2027 »", names)
        self.assertEqual(block_text(card["body"][-1]), "+ 3 more")
        self.assertIn("13 matching, 10 on the card", p.stderr)

    def test_output_file_and_array_input(self):
        with open(EXAMPLE, encoding="utf-8") as f:
            issues = json.load(f)["results"][:3]
        src = self.write("three.json", json.dumps(issues))
        p = self.run_pt("preview", "--issues", src, "--output", "out.json", env=no_secrets_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        with open(self.path("out.json"), encoding="utf-8") as f:
            env = json.load(f)
        self.assertEqual(sorted(r[2] for r in envelope_rows(env)), sorted(i["name"] for i in issues))

    def test_bad_issue_files(self):
        cases = {
            "missing.json": "cannot read missing.json",
            "bad.json": "bad.json: the response is not valid JSON",
            "obj.json": "obj.json: expected a Plane page (an object with results) or a JSON array of issues",
            "noid.json": "noid.json: issue 1 is not an object with a string id",
        }
        self.write("bad.json", '{"results": [')
        self.write("obj.json", '{"issues": []}')
        self.write("noid.json", '[{"name": "x"}]')
        for name, msg in cases.items():
            with self.subTest(name=name):
                p = self.run_pt("preview", "--issues", name, env=no_secrets_env())
                self.assertEqual(p.returncode, 2)
                self.assertIn(msg, p.stderr)

    def test_nothing_matches_posts_the_empty_card(self):
        src = self.write("none.json", "[]")
        p = self.run_pt("preview", "--issues", src, env=no_secrets_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        card = json.loads(p.stdout)["attachments"][0]["content"]
        self.assertIsInstance(card["body"], list)
        self.assertIn("Nothing open", json.dumps(card, ensure_ascii=False))

    def test_nothing_matches_with_empty_skip(self):
        with open(self.path("config.lua")) as f:
            text = f.read()
        self.write("config.lua", text.replace('empty = "post"', 'empty = "skip"'))
        src = self.write("none.json", "[]")
        p = self.run_pt("preview", "--issues", src, env=no_secrets_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "")
        self.assertIn("nothing would be posted", p.stderr)


class TestSizeBudget(Case):
    def test_200_rows_of_500_character_names_fit(self):
        state = {"id": "daaf8056-e88d-40ba-b527-d58f3e518059", "name": "En cours", "group": "started"}
        issues = [{"id": f"00000000-0000-4000-8000-{n:012d}", "name": ("é" * 250 + "x" * 250),
                   "priority": "high", "sequence_id": n, "project": "p", "state": state} for n in range(200)]
        src = self.write("big.json", json.dumps(issues))
        p = self.run_pt("preview", "--issues", src, env=no_secrets_env(DIGEST_LIMIT="200"))
        self.assertEqual(p.returncode, 0, p.stderr)
        raw = p.stdout.rstrip("\n").encode("utf-8")
        self.assertLessEqual(len(raw), 24000)
        env = json.loads(raw)
        rows = envelope_rows(env)
        self.assertGreater(len(rows), 5)
        self.assertLess(len(rows), 200)
        self.assertEqual(rows[0][2], "é" * 200 + "…")
        body = env["attachments"][0]["content"]["body"]
        self.assertEqual(block_text(body[-1]), f"+ {200 - len(rows)} more")
        # one more row would not have fitted: the budget is used, not wasted
        self.assertGreater(len(raw) + len(json.dumps(body[1], ensure_ascii=False).encode()), 24000)


class TestBadScripts(Case):
    def replace_script(self, name, text):
        self.write(os.path.join("scripts", name), text)

    def preview_fails(self, *msgs):
        p = self.run_pt("preview", "--issues", EXAMPLE, env=no_secrets_env(), timeout=60)
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for m in msgs:
            self.assertIn(m, p.stderr)
        first = p.stderr.strip().splitlines()[-1]
        self.assertTrue(first.startswith("plane-teams: "), first)
        self.assertEqual(p.stdout, "")
        return p

    def test_transform_raises(self):
        self.replace_script("transform.lua", "local M = {}\nfunction M.transform(issues, ctx)\n"
                            "  error('no way')\nend\nreturn M\n")
        self.preview_fails("scripts/transform.lua:3: no way")

    def test_transform_returns_wrong_type(self):
        self.replace_script("transform.lua", "return { transform = function() return 'rows' end }\n")
        self.preview_fails("transform.lua returned string, expected a list of rows")

    def test_transform_loops_forever(self):
        self.replace_script("transform.lua", "return { transform = function() while true do end end }\n")
        self.preview_fails("(an endless loop?)", "scripts/transform.lua:1:")

    def test_card_returns_nothing(self):
        self.replace_script("card.lua", "return { card = function() end }\n")
        self.preview_fails("card() returned nil, expected a table (the Adaptive Card)")

    def test_card_with_a_function_inside(self):
        self.replace_script("card.lua", "return { card = function() return { type = 'AdaptiveCard', "
                            "version = '1.2', body = { { type = 'TextBlock', text = print } } } end }\n")
        self.preview_fails("card.lua returned a card that cannot be sent: card.body[1].text: a function value, which JSON cannot hold")

    def test_card_with_a_misspelt_property(self):
        with open(self.path("scripts", "card.lua"), encoding="utf-8") as f:
            text = f.read()
        self.replace_script("card.lua", text.replace('{ weight = "Bolder" }', '{ weigth = "Bolder" }'))
        self.preview_fails('card.body[2].columns[1].items[1].inlines[1]: TextRun has no property "weigth" in Adaptive Card 1.2')

    def test_script_syntax_error(self):
        self.replace_script("card.lua", "local M = {\nfunction M.card( end\n")
        self.preview_fails("cannot load the scripts:", "scripts/card.lua:2:")

    def test_script_missing(self):
        os.remove(self.path("scripts", "card.lua"))
        self.preview_fails("cannot load the scripts:", "cannot open ./scripts/card.lua")

    def test_script_without_the_function(self):
        self.replace_script("card.lua", "return { layout = function() end }\n")
        self.preview_fails("./scripts/card.lua must return a table with a function card (M.card is nil)")

    def test_a_script_cannot_switch_off_the_host_checks(self):
        # the scripts get their own copies of string, table and math, and cannot reach the
        # real string table through getmetatable(""): the host's card check still holds
        with open(self.path("scripts", "card.lua"), encoding="utf-8") as f:
            text = f.read()
        evil = ('string.lower = function() return "default" end\n'
                'table.concat = function() return "" end\n'
                'math.type = function() return "integer" end\n'
                'local mt = getmetatable("")\n'
                'if mt then mt.__index.lower = function() return "default" end end\n'
                'require("cjson").decode_max_depth(1)\n')
        self.replace_script("card.lua", evil + text.replace('color = p.color, weight = "Bolder"',
                                                            'color = "orange", weight = "Bolder"'))
        self.preview_fails('is not one of accent, attention', "card.lua returned a card that Teams cannot show")

    def test_a_script_cannot_catch_the_instruction_limit(self):
        self.replace_script("transform.lua", "return { transform = function()\n"
                            "  while true do pcall(function() while true do end end) end\nend }\n")
        self.preview_fails("(an endless loop?)", "scripts/transform.lua:2:")

    def test_a_looping_error_handler_is_stopped_too(self):
        self.replace_script("card.lua", "return { card = function()\n  while true do xpcall(function() "
                            "while true do end end, function() while true do end end) end\nend }\n")
        self.preview_fails("(an endless loop?)", "scripts/card.lua:2:")

    def test_a_card_script_that_spoils_the_rows_changes_nothing_the_host_reads(self):
        # the host takes the posted ids from transform's rows before card.lua runs
        with open(self.path("scripts", "card.lua"), encoding="utf-8") as f:
            text = f.read()
        self.replace_script("card.lua", text.replace(
            "function M.card(rows, ctx)", "function M.card(rows, ctx)\n  for _, r in ipairs(rows) do r.id = {} end"))
        p = self.run_pt("check", env=base_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("check: ok", p.stdout)

    def test_wrong_types_from_transform_name_the_field(self):
        self.replace_script("transform.lua", "return { transform = function() return { { id = {} } } end }\n")
        self.preview_fails("transform.lua returned row 1 without a string id (rows[1].id is table)")

    def test_a_transform_that_only_sorts_still_honours_the_states(self):
        self.replace_script("transform.lua", """return { transform = function(issues, ctx)
  table.sort(issues, function(a, b) return a.id < b.id end)
  local rows = {}
  for i = 1, math.min(ctx.limit, #issues) do
    local x = issues[i]
    rows[i] = { rank = i, id = x.id, name = x.name, priority = x.priority, state = x.state,
      url = ctx.app_url .. "/" .. x.id, project = x.project }
  end
  return rows
end }
""")
        p = self.run_pt("preview", "--issues", EXAMPLE, env=no_secrets_env(DIGEST_LIMIT="50"))
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [r[2] for r in envelope_rows(json.loads(p.stdout))]
        self.assertEqual(len(names), 13)  # the 13 issues whose state is configured
        self.assertNotIn("Ancien bandeau de Noël", names)  # done
        self.assertNotIn("Relecture de l'article « Nos engagements 2027 »", names)  # "En revue"

    def test_scripts_cannot_reach_io(self):
        self.replace_script("transform.lua", "return { transform = function() return io.open('/etc/passwd') end }\n")
        self.preview_fails("attempt to index a nil value (global 'io')")

    def test_scripts_can_require_a_helper_and_log(self):
        self.replace_script("util.lua", "return { twice = function(x) return x * 2 end }\n")
        with open(self.path("scripts", "transform.lua")) as f:
            text = f.read()
        self.replace_script("transform.lua", text.replace(
            "function M.transform(issues, ctx)",
            "local util = require('util')\nfunction M.transform(issues, ctx)\n"
            "  host.log('info', 'twice 21 is ' .. util.twice(21))"))
        p = self.run_pt("preview", "--issues", EXAMPLE, env=no_secrets_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertRegex(p.stderr, r"INFO  \./scripts/transform\.lua:\d+: twice 21 is 42")
