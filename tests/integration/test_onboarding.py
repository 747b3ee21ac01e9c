"""The first ten minutes: `discover`, `check --online`, and the three Plane API generations
(issues/ only before v1.1.0, both, work-items/ only) giving the same card."""
import json
import re
import shutil

from common import NetCase, TOKEN, envelope_rows
from fake_plane import FakePlane
from loopback import Loopback, QuietHandler

DEF, FR, TWO = ("d0000000-0000-4000-8000-000000000001", "f0000000-0000-4000-8000-000000000002",
                "70000000-0000-4000-8000-000000000003")


def sid(project, n):
    return "%s-%012d" % (project[:23], 100 + n)


def project(pid, identifier, name, states, issues):
    """states: [(name, group)]; issues: [(seq, priority, state name)]."""
    st = [{"id": sid(pid, i), "name": n, "color": "#60646C", "group": g, "sequence": 15000 + 10000 * i,
           "description": "", "default": i == 0} for i, (n, g) in enumerate(states)]
    by_name = {s["name"]: s["id"] for s in st}
    prefix = {DEF: "1", FR: "2", TWO: "3"}[pid]  # issue ids order DEF < FR < TWO on ties
    items = [{"id": "%s0000000-0000-4000-8000-%012d" % (prefix, seq), "name": f"{identifier} issue {seq}",
              "priority": prio, "sequence_id": seq, "state": by_name[state], "project": pid,
              "created_at": "2026-11-%02dT09:00:00.000000Z" % seq, "updated_at": "2026-11-20T09:00:00.000000Z",
              "assignees": [], "labels": [], "target_date": None, "parent": None}
             for seq, prio, state in issues]
    return {"id": pid, "identifier": identifier, "name": name, "states": st, "issues": items}


def three_projects():
    """Plane's default states; French names; a project with two "started" states."""
    return {"workspace": "acme", "projects": [
        project(DEF, "DEF", "Defaults", [("Backlog", "backlog"), ("Todo", "unstarted"), ("In Progress", "started"),
                                         ("Done", "completed"), ("Cancelled", "cancelled")],
                [(1, "high", "In Progress"), (2, "high", "Todo"), (3, "urgent", "Backlog"), (4, "urgent", "Done"),
                 (5, "medium", "Cancelled")]),
        project(FR, "FR", "Français", [("Backlog", "backlog"), ("A faire", "unstarted"), ("En cours", "started"),
                                       ("Terminé", "completed"), ("Annulé", "cancelled")],
                [(1, "high", "En cours"), (2, "urgent", "A faire"), (3, "low", "Backlog"), (4, "high", "Terminé")]),
        project(TWO, "TWO", "Two started", [("Backlog", "backlog"), ("Todo", "unstarted"), ("In Progress", "started"),
                                            ("In Review", "started"), ("Done", "completed"),
                                            ("Cancelled", "cancelled")],
                [(1, "high", "In Progress"), (2, "high", "In Review"), (3, "medium", "Todo"), (4, "none", "Backlog")]),
    ]}


# The card the shipped config.lua gives for the three projects, worked out by hand:
# "En cours" picks DEF's In Progress (group), FR's En cours (name), TWO's In Progress and
# In Review (group, both rank 1); "A faire": Todo, A faire, Todo; "Backlog": by name.
# Order: priority, then that rank, then the number, then the id.
EXPECTED = ["FR-2", "DEF-3", "DEF-1", "FR-1", "TWO-1", "TWO-2", "DEF-2", "TWO-3", "FR-3", "TWO-4"]

ALL = ",".join((DEF, FR, TWO))


def keys(envelope_text):
    env = json.loads(envelope_text)
    return [re.search(r"/browse/([A-Z]+-\d+)/", row[4]).group(1) for row in envelope_rows(env)]


def paste(config_text, fragment):
    """What a user does with discover's fragment: it replaces the projects and states lines."""
    text, n = re.subn(r'^  projects = env\("PLANE_PROJECT_ID"\),.*\n', lambda m: fragment, config_text, flags=re.M)
    assert n == 1
    text, n = re.subn(r"^  -- Which states make the card.*?\n(  --.*\n)*  states = \{\n(    .*\n)*  \},\n", "",
                      text, count=1, flags=re.M)
    assert n == 1, "the shipped states were not found"
    return text


class TestDiscover(NetCase):
    @property
    def data(self):  # a fresh copy for each fake Plane: tests change theirs
        return three_projects()

    def discover(self, *args, **extra):
        return self.run_pt("discover", *args, env=self.env(PLANE_PROJECT_ID=None, TEAMS_WEBHOOK_URL=None, **extra))

    def test_lists_every_project_and_its_states_in_plane_order(self):
        p = self.discover()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("workspace acme: 3 projects the API key can read", p.stdout)
        for proj in self.data["projects"]:
            self.assertRegex(p.stdout, r"\n%s  %s  %s\n" % (proj["identifier"], proj["name"], proj["id"]))
            block = p.stdout.split(proj["id"] + "\n", 1)[1].split("\n\n", 1)[0].splitlines()
            self.assertEqual([line.split()[-1] for line in block], [s["id"] for s in proj["states"]])
            for line, s in zip(block, proj["states"]):
                self.assertRegex(line, r"^  %s +%s +%s$" % (re.escape(s["name"]), s["group"], s["id"]))
        self.assertIn("Open issues are not counted here", p.stdout)
        # only the projects list and the states were read, never an issue
        self.assertEqual(self.plane.count("/work-items/") + self.plane.count("/issues/"), 0)
        self.assertNoSecrets(p.stdout, p.stderr)

    def test_the_fragment_gives_the_card_of_the_shipped_configuration(self):
        p = self.discover()
        self.assertEqual(p.returncode, 0, p.stderr)
        fragment = p.stdout[p.stdout.index("-- config.lua:"):]
        self.assertIn('projects = "%s", -- DEF, FR, TWO' % ALL, fragment)
        self.assertIn("-- 1: DEF In Progress (by group); FR En cours (by name); TWO In Progress, In Review (by group)",
                      fragment)
        # the shipped ids belong to the example workspace: they pick nothing here
        self.assertNotIn("id = ", fragment)
        shipped = self.once("--dry-run", PLANE_PROJECT_ID=ALL)
        self.assertEqual(shipped.returncode, 0, shipped.stderr)
        self.assertEqual(keys(shipped.stdout), EXPECTED)
        with open(self.path("config.lua"), encoding="utf-8") as f:
            self.write("pasted.lua", paste(f.read(), fragment))
        pasted = self.run_pt("-c", "pasted.lua", "once", "--dry-run", env=self.env(PLANE_PROJECT_ID=None))
        self.assertEqual(pasted.returncode, 0, pasted.stderr)
        self.assertEqual(keys(pasted.stdout), EXPECTED)
        self.assertEqual(pasted.stdout, shipped.stdout)

    def test_json_says_the_same(self):
        p = self.discover("--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual(out["workspace"], "acme")
        self.assertEqual([(x["identifier"], x["name"], x["id"]) for x in out["projects"]],
                         [(x["identifier"], x["name"], x["id"]) for x in self.data["projects"]])
        self.assertEqual(out["projects"][2]["states"],
                         [{"id": s["id"], "name": s["name"], "group": s["group"]} for s in self.data["projects"][2]["states"]])
        self.assertEqual(out["chosen"], [DEF, FR, TWO])
        first = out["states"][0]
        self.assertEqual((first["name"], first["group"]), ("En cours", "started"))
        self.assertEqual([(x["project"], x["by"], x["states"]) for x in first["picks"]],
                         [(DEF, "group", [sid(DEF, 2)]), (FR, "name", [sid(FR, 2)]),
                          (TWO, "group", [sid(TWO, 2), sid(TWO, 3)])])
        self.assertIn('projects = "%s"' % ALL, out["fragment"])

    def test_projects_chosen_by_identifier_or_by_the_configuration(self):
        p = self.discover("--projects", "fr,%s" % TWO)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('projects = "%s,%s", -- FR, TWO' % (FR, TWO), p.stdout)
        self.assertIn("DEF  Defaults", p.stdout)  # still listed
        p = self.run_pt("discover", env=self.env(PLANE_PROJECT_ID=DEF))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('projects = "%s", -- DEF\n' % DEF, p.stdout)
        stale = "e0000000-0000-4000-8000-000000000009"
        p = self.run_pt("discover", env=self.env(PLANE_PROJECT_ID=stale))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn('the configured projects: no project "%s" among the 3' % stale, p.stderr)
        self.assertIn('projects = "%s", -- DEF, FR, TWO' % ALL, p.stdout)
        p = self.discover("--projects", "NOPE")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn('no project "NOPE" among the 3 the API key sees in workspace acme (DEF, FR, TWO)', p.stderr)

    def test_needs_only_the_token_base_url_and_workspace(self):
        env = self.env(PLANE_PROJECT_ID=None, TEAMS_WEBHOOK_URL=None)
        shutil.rmtree(self.path("scripts"))  # not the scripts either
        p = self.run_pt("discover", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        env.pop("PLANE_API_TOKEN")
        p = self.run_pt("discover", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("plane_api_token", p.stderr)
        self.assertIn("is required", p.stderr)

    def test_pages_through_a_long_projects_list(self):
        self.plane.data["projects"] += [project(DEF, "P%d" % i, "Project %d" % i, [("Todo", "unstarted")], [])
                                        for i in range(105)]
        for i, proj in enumerate(self.plane.data["projects"][3:]):
            proj["id"] = "a0000000-0000-4000-8000-%012d" % i
        self.plane.rate_limit = 1000
        self.plane.max_per_page = 100  # a server that pages the 108 projects by 100
        p = self.discover("--projects", "DEF", PLANE_RATE_LIMIT="1000")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("workspace acme: 108 projects", p.stdout)
        self.assertIn("P104  Project 104", p.stdout)
        lists = [r for r in self.plane.requests if r[1] == "/api/v1/workspaces/acme/projects/"]
        self.assertEqual([r[2]["per_page"] for r in lists], [["1000"], ["100"], ["100"]])  # one refused
        self.assertEqual(lists[2][2].get("cursor"), ["100:1:0"])


class HtmlServer(Loopback):
    """A web server where Plane's API is not: every GET gets an HTML page."""

    def __init__(self, status):
        self.status = status
        super().__init__()
        self.url = f"http://127.0.0.1:{self.port}"

    def _handler(self):
        status = self.status

        class Handler(QuietHandler):
            def do_GET(self):
                body = b"<!DOCTYPE html><html><body>Plane</body></html>"
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


class TestDiscoverErrors(NetCase):
    def one_line(self, p, *fragments):
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        lines = p.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, p.stderr)
        for f in fragments:
            self.assertIn(f, lines[0])
        self.assertEqual(p.stdout, "")
        self.assertNoSecrets(p.stderr)

    def discover(self, **extra):
        return self.run_pt("discover", env=self.env(PLANE_PROJECT_ID=None, **extra))

    def test_a_rejected_key(self):
        self.one_line(self.discover(PLANE_API_TOKEN="plane_api_ffffffffffffffffffffffffffffffff"),
                      "Plane rejected the API key (403 Given API token is not valid)", "check plane_api_token")

    def test_a_key_that_does_not_arrive(self):
        self.plane.force(401, body={"detail": "Authentication credentials were not provided."})
        self.one_line(self.discover(), "Plane did not receive the API key (401", "set plane_api_token")

    def test_a_wrong_workspace_slug(self):
        self.one_line(self.discover(PLANE_WORKSPACE="acme-typo"),
                      "Plane denied access to the workspace (403", "/workspaces/acme-typo/projects/",
                      "check the workspace slug")
        self.plane.force(404, body={"error": "Page not found."})
        self.one_line(self.discover(), "Plane denied access to the workspace (404 Page not found.)",
                      "check the workspace slug")

    def test_a_web_server_that_is_not_the_api(self):
        for status in (200, 404):
            with self.subTest(status=status):
                web = HtmlServer(status).start()
                try:
                    self.one_line(self.discover(PLANE_BASE_URL=web.url + "/plane"), "an HTML page",
                                  "plane_base_url must be the address that serves Plane's /api/v1/")
                finally:
                    web.stop()


class TestCheckOnline(NetCase):
    @property
    def data(self):  # a fresh copy for each fake Plane: tests change theirs
        return three_projects()

    def check(self, *args, **extra):
        values = dict(PLANE_PROJECT_ID=ALL)
        values.update(extra)
        return self.run_pt("check", "--online", *args, env=self.env(**values))

    def test_shows_what_each_configured_state_picks_in_each_project(self):
        p = self.check()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        out = p.stdout
        self.assertIn("check: ok\n", out)  # everything `check` does comes first
        self.assertLess(out.index("check: ok"), out.index("online: digest main"))
        self.assertIn("project DEF Defaults (%s): read 5 states, 5 issues (3 open)" % DEF, out)
        self.assertIn('state 1 "En cours" (started) picks In Progress (by group)', out)
        self.assertIn('state 1 "En cours" (started) picks En cours (by name)', out)
        self.assertIn('state 1 "En cours" (started) picks In Progress, In Review (by group)', out)
        self.assertIn('state 3 "Backlog" (backlog) picks Backlog (by name)', out)
        self.assertIn("today: 4 issues in the picked states", out)
        self.assertIn("webhook: Workflows", out)
        self.assertTrue(out.rstrip().endswith("check --online: ok"), out)
        self.assertEqual(self.teams.requests, [])  # never posts
        self.assertNoSecrets(p.stdout, p.stderr)

    def test_warns_about_a_state_that_picks_nothing_and_an_empty_project(self):
        self.plane.data["projects"][1]["issues"] = [i for i in self.plane.data["projects"][1]["issues"]
                                                   if i["sequence_id"] == 4]  # FR: only a done one
        cfg = self.path("config.lua")
        with open(cfg, encoding="utf-8") as f:
            text = f.read()
        text = re.sub(r"  states = \{\n(    .*\n)*  \},\n",
                      '  states = { { name = "En cours", group = "started" }, { name = "Blocked" } },\n', text)
        self.write("config.lua", text)
        p = self.check()
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn('warning: state 2 "Blocked" picks nothing in DEF (its states: Backlog, Todo, In Progress, '
                      'Done, Cancelled)', p.stdout)
        self.assertIn("warning: FR would show nothing on today's card", p.stdout)
        self.assertIn("not picked, though open: Backlog (backlog), Todo (unstarted)", p.stdout)
        self.assertIn("check --online: ok, with 4 warnings (above)", p.stdout)

    def test_a_project_the_key_cannot_read_exits_1(self):
        other = "e0000000-0000-4000-8000-000000000009"
        p = self.check(PLANE_PROJECT_ID=ALL + "," + other)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn("project %s: FAILED: Plane denied access (403" % other, p.stdout)
        self.assertIn('state 1 "En cours" (started) picks En cours (by name)', p.stdout)  # the others still shown
        self.assertIn("check --online: FAILED: 1 project could not be read", p.stdout)
        p = self.check(PLANE_API_TOKEN="plane_api_ffffffffffffffffffffffffffffffff")
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stdout.count("Plane rejected the API key (403 Given API token is not valid)"), 3)
        self.assertEqual(self.teams.requests, [])

    def test_a_configuration_error_exits_2_before_any_request(self):
        p = self.check(NOTIFICATION_HOUR="25:00")
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        self.assertEqual(self.plane.requests, [])

    def test_names_the_webhook_kind_from_its_host(self):
        cases = [
            ("https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?sig=S3cr3tS1gnature",
             "webhook: Workflows: a Power Automate Workflows webhook (prod-12.westeurope.logic.azure.com)"),
            ("https://default1.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/x?sig=S3cr3tS1gnature",
             "webhook: Workflows"),
            ("https://acme.webhook.office.com/webhookb2/x?sig=S3cr3tS1gnature",
             "webhook: legacy connector: an Office 365 connector (acme.webhook.office.com): retired"),
            ("https://relay.example.com/hook?sig=S3cr3tS1gnature", "webhook: unknown"),
        ]
        for url, line in cases:
            with self.subTest(url=url):
                p = self.check(TEAMS_WEBHOOK_URL=url)
                self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
                self.assertIn(line, p.stdout)
                self.assertNoSecrets(p.stdout, p.stderr)


class TestApiGenerations(NetCase):
    """Plane before v1.1.0 serves issues/ only; v1.1.0 and later both; a future one may
    serve work-items/ only. Each gives the same card."""
    @property
    def data(self):  # a fresh copy for each fake Plane: tests change theirs
        return three_projects()

    def card(self, api):
        self.plane.stop()
        self.plane = FakePlane(three_projects(), tokens=(TOKEN,), api=api).start()
        p = self.once("--dry-run", PLANE_PROJECT_ID=ALL, PLANE_APP_URL="https://app.plane.so")
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def test_three_generations_give_the_same_card(self):
        cards = {}
        for api in ("issues", "both", "work-items"):
            p = self.card(api)
            cards[api] = p.stdout
            self.assertEqual(keys(p.stdout), EXPECTED)
            issues, items = self.plane.count("/issues/"), self.plane.count("/work-items/")
            if api == "issues":
                # a 404 on work-items/ (one per project already asked, at most), then issues/
                self.assertGreaterEqual(items, 1)
                self.assertLessEqual(items, 3)
                self.assertEqual(issues, 3)
                self.assertEqual(p.stderr.count("using issues/ from now on"), 1, p.stderr)
            else:
                self.assertEqual((items, issues), (3, 0))
        self.assertEqual(cards["issues"], cards["both"])
        self.assertEqual(cards["work-items"], cards["both"])

    def test_check_online_on_an_old_server(self):
        self.plane.stop()
        self.plane = FakePlane(three_projects(), tokens=(TOKEN,), api="issues").start()
        p = self.run_pt("check", "--online", env=self.env(PLANE_PROJECT_ID=ALL))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("today: 4 issues in the picked states", p.stdout)
