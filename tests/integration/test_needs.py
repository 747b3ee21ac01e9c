"""The scripts' needs (M.needs): labels, the current cycle and modules fetched only when
a script asks, against the fake Plane; what check, --save and preview do with them."""
import json
import os
import signal

import test_daemon
from common import NetCase, envelope_rows, base_env, synthetic

# A transform that keeps only the current cycle's issues and appends each row's label
# names, on top of the shipped transform (kept beside it as base.lua).
SPRINT = '''
local base = require("base")
local M = { needs = { labels = true, cycles = true } }
function M.transform(issues, ctx)
  local kept, by_id = {}, {}
  for _, issue in ipairs(issues) do
    if issue.cycle then kept[#kept + 1] = issue end
    by_id[issue.id] = issue
  end
  local rows, total = base.transform(kept, ctx)
  for _, row in ipairs(rows) do
    local names = by_id[row.id].label_names
    if #names > 0 then row.name = row.name .. " [" .. table.concat(names, ", ") .. "]" end
  end
  return rows, total
end
return M
'''

WEB = "4af68566-94a4-4eb3-94aa-50dc9427067b"
GUARDED = SPRINT.replace("by_id[row.id].label_names", "by_id[row.id].label_names or {}")


def requests_of(plane):
    return sorted((r[1], tuple(sorted((k, tuple(v)) for k, v in r[2].items()))) for r in plane.requests)


class NeedsCase(NetCase):
    def use_scripts(self, transform=SPRINT, card=None):
        os.replace(self.path("scripts", "transform.lua"), self.path("scripts", "base.lua"))
        self.write("scripts/transform.lua", transform)
        if card is not None:
            self.write("scripts/card.lua", card)


class TestNeedsFetch(NeedsCase):
    def test_current_cycle_and_labels_reach_the_card(self):
        self.use_scripts()
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [r[2] for r in self.posted_rows()]
        # the current cycles' open issues only (Sprint 48 in WEB, Semaine 49 in OPS), labels appended
        # (OPS-7 of Semaine 49 is done; WEB-27's long name is cut before its labels)
        self.assertEqual(names, [
            "Rotate the database credentials [sécurité]",
            "Corriger la redirection après connexion [bug, frontend]",
            "Nightly backup check fails on Sundays [infra, toil]",
            "Formulaire de contact : les e-mails accentués sont rejetés [bug, frontend]",
            names[4],
            "Réduire le poids des images de la page d'accueil [frontend]",
        ])
        self.assertTrue(names[4].startswith("Accessibilité : contraste des boutons"))
        # labels paginated like issues; the current view once per project; cycle-issues ids only
        labels = [r for r in self.plane.requests if r[1].endswith("/labels/")]
        self.assertEqual(len(labels), 2)
        self.assertEqual(labels[0][2]["per_page"], ["1000"])
        cycles = [r for r in self.plane.requests if r[1].endswith("/cycles/")]
        self.assertEqual([r[2]["cycle_view"] for r in cycles], [["current"], ["current"]])
        items = [r for r in self.plane.requests if r[1].endswith("/cycle-issues/")]
        self.assertEqual(len(items), 2)
        self.assertEqual(items[0][2]["fields"], ["id"])
        self.assertEqual(self.plane.count("/modules/"), 0)

    def test_without_needs_the_requests_are_exactly_todays(self):
        self.assertEqual(self.once("--dry-run").returncode, 0)
        plain = requests_of(self.plane)
        self.plane.requests.clear()
        self.use_scripts(SPRINT.replace("{ labels = true, cycles = true }", "{ labels = false }"))
        self.assertEqual(self.once("--dry-run").returncode, 0)
        self.assertEqual(requests_of(self.plane), plain)
        # today's: per project its object, states, work items and members, nothing else
        base = "/api/v1/workspaces/acme/projects/"
        self.assertEqual(sorted(r[0] for r in plain), sorted(
            base + pid + "/" + what for pid in self.projects.split(",")
            for what in ("", "states/", "work-items/", "members/")))

    def test_modules_of_open_modules_only(self):
        self.use_scripts('''
local base = require("base")
local M = { needs = { modules = true } }
function M.transform(issues, ctx)
  local rows, total = base.transform(issues, ctx)
  local by_id = {}
  for _, issue in ipairs(issues) do by_id[issue.id] = issue end
  for _, row in ipairs(rows) do
    local i = by_id[row.id]
    row.name = row.name .. " {" .. table.concat(i.module_names, "+") .. "}"
    assert(i.label_names == nil and i.cycle == nil)
  end
  for _, row in ipairs(rows) do
    if row.key == "WEB-12" then
      local mods = {}
      for _, m in ipairs(ctx.projects[row.project].modules) do mods[#mods + 1] = m.name .. "=" .. m.status end
      row.name = row.name .. " " .. table.concat(mods, ",")
    end
  end
  return rows, total
end
return M
''')
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        names = [r[2] for r in self.posted_rows()]
        self.assertIn("Corriger la redirection après connexion {Refonte de la connexion} Refonte de la "
                      "connexion=in-progress,Site en allemand=planned,Noël 2025=completed", names)
        self.assertIn("Rotate the database credentials {Sécurité Q4}", names)
        self.assertIn("Nightly backup check fails on Sundays {}", names)
        items = sorted(r[1].split("/modules/")[1] for r in self.plane.requests if r[1].endswith("/module-issues/"))
        self.assertEqual(len(items), 3)  # not the completed module's
        self.assertFalse(any(i.startswith("30d01e00-0003") for i in items))

    def test_a_refused_need_is_one_warning_and_the_card_goes_out(self):
        self.use_scripts(GUARDED)
        self.plane.deny = {"labels"}
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        warns = [l for l in self.log_lines() if l["level"] == "warning"]
        self.assertEqual(len(warns), 2, warns)  # one per project
        self.assertIn("Plane answered 403 You do not have permission to perform this action. at GET "
                      "/api/v1/workspaces/acme/projects/", warns[0]["msg"])
        self.assertIn("the card goes out without the labels the scripts' needs ask for (needs.labels)",
                      warns[0]["msg"])
        self.assertEqual(warns[0]["need"], "labels")
        self.assertEqual(len(self.teams.accepted), 1)
        # without the labels, label_names is nil; the cycle filter still applies (6 rows)
        rows = self.posted_rows()
        self.assertEqual(len(rows), 6)
        self.assertFalse(any("[" in r[2] for r in rows))

    def test_a_404_on_a_cycle_drops_the_cycle_data_with_a_warning(self):
        self.use_scripts(GUARDED)
        self.plane.force(status=404, body={"error": "The required object does not exist."}, match="/cycle-issues/")
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        warns = [l for l in self.log_lines() if l["level"] == "warning"]
        self.assertEqual(len(warns), 1, warns)
        self.assertIn("(needs.cycles)", warns[0]["msg"])
        self.assertEqual(len(self.teams.accepted), 1)

    def test_a_server_error_on_a_need_is_retried_then_fails_like_the_others(self):
        self.use_scripts()
        self.plane.force(status=500, match="/labels/", times=20)
        p = self.once(MAX_RETRIES="1")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("/labels/", p.stderr)
        self.assertEqual(len(self.teams.accepted), 0)

    def test_save_keeps_the_needs_and_preview_replays_them(self):
        self.use_scripts()
        p = self.once("--dry-run", "--save", "sync.json", "--output", "card.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("sync.json"), encoding="utf-8") as f:
            saved = json.load(f)
        self.assertEqual(saved["format"], "plane-teams sync 2")
        web = next(pr for pr in saved["projects"] if pr["identifier"] == "WEB")
        self.assertEqual([l["name"] for l in web["labels"]], ["bug", "frontend", "contenu", "a11y"])
        self.assertEqual([c["name"] for c in web["cycles"]], ["Sprint 48"])
        self.assertEqual(len(web["cycles"][0]["issues"]), 4)
        self.assertNotIn("api", json.dumps(saved).lower().replace("/api/v1", ""))
        p = self.run_pt("preview", "--issues", "sync.json", "--output", "again.json",
                        env=base_env(PLANE_API_TOKEN=None, TEAMS_WEBHOOK_URL=None, PLANE_PROJECT_ID=None))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("card.json"), encoding="utf-8") as f:
            first = envelope_rows(json.load(f))
        with open(self.path("again.json"), encoding="utf-8") as f:
            again = envelope_rows(json.load(f))
        self.assertEqual([r[2] for r in again], [r[2] for r in first])
        self.assertTrue(any("[bug, frontend]" in r[2] for r in again))

    def test_check_online_lists_the_requests_the_needs_add(self):
        self.use_scripts()
        p = self.run_pt("check", "--online", env=self.env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("the scripts' needs add to each sync:", p.stdout)
        self.assertIn(f"GET /api/v1/workspaces/acme/projects/{WEB}/labels/ (needs.labels, every page)", p.stdout)
        self.assertIn(f"GET /api/v1/workspaces/acme/projects/{WEB}/cycles/?cycle_view=current (needs.cycles)",
                      p.stdout)
        self.assertNotIn("needs.modules", p.stdout)
        self.assertEqual(self.plane.count("/labels/"), 0)  # listed, not sent


class TestNeedsPages(NeedsCase):
    @property
    def data(self):  # 250 issues, 240 of them in the current cycle: three pages of cycle-issues
        d = synthetic(projects=1, issues_per_project=250)
        p = d["projects"][0]
        p["labels"] = [{"id": "1abe1abe-0000-4000-8000-%012d" % n, "name": f"l{n}"} for n in range(150)]
        p["issues"][0]["labels"] = [p["labels"][149]["id"], p["labels"][0]["id"]]
        p["cycles"] = [{"id": "c7c1e000-0000-4000-8000-000000000001", "name": "Now", "current": True,
                        "issues": [i["id"] for i in p["issues"][10:]]},
                       {"id": "c7c1e000-0000-4000-8000-000000000002", "name": "Before",
                        "start_date": "2020-01-01", "end_date": "2020-01-14", "issues": [p["issues"][0]["id"]]}]
        return d

    def test_every_page_of_labels_and_cycle_issues_is_read(self):
        self.plane.max_per_page = 100
        self.use_scripts('''
local base = require("base")
local M = { needs = { labels = true, cycles = true } }
function M.transform(issues, ctx)
  local n, first = 0, nil
  for _, issue in ipairs(issues) do
    if issue.cycle then n = n + 1 end
    if #(issue.label_names or {}) == 2 then first = issue end
  end
  local rows = base.transform(issues, ctx)
  rows[1].name = string.format("%d in the cycle; %s", n, first and table.concat(first.label_names, ",") or "-")
  return rows, #issues
end
return M
''')
        p = self.once("--dry-run", "--output", "card.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("card.json"), encoding="utf-8") as f:
            rows = envelope_rows(json.load(f))
        open_in_cycle = sum(1 for i in self.plane.data["projects"][0]["issues"][10:]
                            if i["state"] in {s["id"] for s in self.plane.data["projects"][0]["states"]
                                              if s["group"] in ("backlog", "unstarted", "started")})
        self.assertEqual(rows[0][2], f"{open_in_cycle} in the cycle; l149,l0")
        # pages of 100 (the server's maximum; a first ask for 1,000 may be refused once)
        def pages(what):
            return sum(1 for r in self.plane.requests if r[1].endswith(what) and r[2].get("per_page") == ["100"])
        self.assertEqual(pages("/labels/"), 2)
        self.assertEqual(pages("/cycle-issues/"), 3)  # the current cycle's only
        self.assertFalse(any("c7c1e000-0000-4000-8000-000000000002" in r[1] for r in self.plane.requests))


class TestNeedsDeclared(NeedsCase):
    def test_an_unknown_need_is_a_script_error_naming_key_and_script(self):
        self.use_scripts(SPRINT.replace("cycles = true", "sprints = true"))
        p = self.run_pt("check", env=self.env())
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("scripts/transform.lua: M.needs has an unknown key 'sprints' (known: labels, cycles, modules)",
                      p.stderr)

    def test_card_needs_count_and_a_bad_value_is_an_error(self):
        with open(self.path("scripts", "card.lua"), encoding="utf-8") as f:
            card = f.read()
        self.write("scripts/card.lua", card.replace("local M = {}", "local M = { needs = { modules = 1 } }", 1))
        p = self.run_pt("check", env=self.env())
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("scripts/card.lua: M.needs.modules is number, expected true or false", p.stderr)
        self.write("scripts/card.lua", card.replace("local M = {}", "local M = { needs = { modules = true } }", 1))
        self.assertEqual(self.once("--dry-run").returncode, 0)
        self.assertEqual(self.plane.count("/modules/"), 2 + 3)  # two lists, three open modules

    def test_check_runs_the_scripts_on_the_sample_with_the_needs_data(self):
        self.use_scripts(SPRINT.replace("cycles = true }", "cycles = true, modules = true }").replace(
            "return rows, total\nend", '''
  local web = ctx.projects["0f1e2d3c-4b5a-4697-8877-665544332211"]
  assert(web.current_cycle.name == "Sprint 48" and web.current_cycle.end_date == "2026-01-14")
  assert(#web.labels == 2 and web.labels[1].color == "#e5484d")
  assert(web.modules[1].name == "Connexion")
  for _, issue in ipairs(issues) do assert(issue.updated_at and issue.module_names) end
  return rows, total
end''', 1))
        p = self.run_pt("check", env=self.env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("check: ok", p.stdout)
        # a script that declares no need sees none of it, on the sample as in a sync
        self.write("scripts/transform.lua", '''
local base = require("base")
return { transform = function(issues, ctx)
  for _, i in ipairs(issues) do assert(i.label_names == nil and i.cycle == nil and i.module_names == nil) end
  for _, p in pairs(ctx.projects) do assert(p.labels == nil and p.current_cycle == nil and p.modules == nil) end
  return base.transform(issues, ctx)
end }
''')
        p = self.run_pt("check", env=self.env())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


class TestNeedsReload(test_daemon.DaemonCase, NeedsCase):
    def test_a_reload_with_an_unknown_need_keeps_the_old_scripts(self):
        self.use_scripts()
        d = self.daemon("2026-11-26 07:00:00", TZ="Europe/Paris")
        d.wait_for("running")
        self.write("scripts/transform.lua", SPRINT.replace("labels = true", "label = true"))
        d.signal(signal.SIGHUP)
        d.wait_for("reload failed, keeping the running configuration and scripts")
        self.assertIn("M.needs has an unknown key 'label'", d.text())
        d.set_clock("2026-11-26 08:00:00")
        self.wait_posted(d, 1)
        self.assertEqual(self.plane.count("/cycles/") >= 2, True)  # the old scripts' needs
        self.assertEqual(d.stop(), 0)
