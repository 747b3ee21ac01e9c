"""Hostile input from Plane, Teams, the environment and the files: each is refused with one
line or handled, and no secret leaks."""
import json
import os
import time

from common import Case, NetCase, TOKEN, base_env, envelope_rows


class TestHostileSettings(NetCase):
    def test_credentials_in_the_base_url_never_reach_links_or_output(self):
        url = self.plane.url.replace("http://", "http://admin:s3cr3tpw@")
        p = self.once("--dry-run", PLANE_BASE_URL=url, LOG_LEVEL="debug")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = envelope_rows(json.loads(p.stdout))
        self.assertEqual(len(rows), 10)
        for r in rows:
            self.assertNotIn("admin", r[4])
            self.assertTrue(r[4].startswith(self.plane.url + "/acme/"), r[4])
        self.assertNotIn("s3cr3tpw", p.stdout + p.stderr)
        c = self.run_pt("check", env=self.env(PLANE_BASE_URL=url))
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn("plane_base_url: http://(redacted)@127.0.0.1:", c.stdout)
        self.assertIn("plane_app_url: " + self.plane.url + "\n", c.stdout)
        self.assertNotIn("s3cr3tpw", c.stdout + c.stderr)

    def test_a_key_with_a_line_break_is_refused_before_any_request(self):
        p = self.run_pt("check", env=self.env(PLANE_API_TOKEN="plane_api_abc\r\nX-Injected: yes"))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("plane_api_token holds a control character (byte 14)", p.stderr)
        self.assertNotIn("X-Injected", p.stderr)
        p = self.once(PLANE_API_TOKEN="plane_api_abc\nX-Injected: yes")
        self.assertEqual(p.returncode, 2)
        self.assertEqual(self.plane.requests, [])

    def test_a_key_that_is_too_long_is_refused_and_never_cut(self):
        key = self.write("key", "plane_api_" + "a" * 2000)
        p = self.run_pt("check", env=self.env(PLANE_API_TOKEN=None, PLANE_API_TOKEN_FILE=key))
        self.assertEqual(p.returncode, 2)
        self.assertIn("plane_api_token is 2010 characters long, more than the 1000 accepted", p.stderr)
        self.assertIn("(set by PLANE_API_TOKEN_FILE)", p.stderr)
        self.assertNotIn("aaaa", p.stderr)

    def test_a_webhook_with_a_control_character_is_refused(self):
        p = self.run_pt("check", env=self.env(TEAMS_WEBHOOK_URL=self.teams.url + "\x01"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("teams_webhook_url holds a control character", p.stderr)
        self.assertNotIn("S3cr3t", p.stderr)

    def test_the_whole_key_reaches_plane(self):
        p = self.once("--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual({r[3]["X-API-Key"] for r in self.plane.requests}, {TOKEN})


class TestHostilePlane(NetCase):
    def test_invalid_utf8_in_a_name_is_replaced_and_the_card_goes_out(self):
        self.plane.data["projects"][1]["issues"][0]["name"] = "NAME_WITH_BAD_BYTES"
        real = self.plane.answer

        def answer(method, path, query, headers, started=None):  # raw Latin-1 bytes in the page
            status, body, extra = real(method, path, query, headers, started)
            if status == 200 and isinstance(body, dict) and path.endswith("/work-items/"):
                body = json.dumps(body).encode().replace(b"NAME_WITH_BAD_BYTES", b"caf\xe9 cr\xe8me")
            return status, body, extra

        self.plane.answer = answer
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("caf\ufffd cr\ufffdme", [r[2] for r in self.posted_rows()])

    def test_a_cursor_that_comes_back_ends_the_sync_at_once(self):
        page = {"results": [], "next_page_results": True, "next_cursor": "100:1:0", "count": 0}
        self.plane.force(200, body=page, times=5, match="/work-items/")
        t0 = time.monotonic()
        p = self.once(PLANE_PROJECT_ID=self.plane.data["projects"][0]["id"])
        self.assertEqual(p.returncode, 1)
        self.assertLess(time.monotonic() - t0, 30)
        self.assertIn('the server sent the cursor "100:1:0" again after 2 pages', p.stderr)
        self.assertEqual(self.plane.count("/work-items/"), 2)

    def test_a_cursor_is_sent_encoded(self):
        page = {"results": [], "next_page_results": True, "next_cursor": "x&per_page=1 #", "count": 0}
        self.plane.force(200, body=page, times=1, match="/work-items/")
        self.once("--dry-run", PLANE_PROJECT_ID=self.plane.data["projects"][0]["id"])
        second = [r for r in self.plane.requests if r[1].endswith("/work-items/")][1]
        self.assertEqual(second[2]["cursor"], ["x&per_page=1 #"])
        self.assertEqual(second[2]["per_page"], ["1000"])  # not a cursor that names a page size


class TestHostileTeams(NetCase):
    def test_any_2xx_counts_as_posted(self):
        for status in (200, 201, 204):
            with self.subTest(status=status):
                self.teams.force(status)
                p = self.once("--force")
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertEqual(self.state()["last_sync_status"], "success")
        n = len(self.teams.requests)
        p = self.once()  # posted today: nothing more
        self.assertEqual(p.returncode, 0)
        self.assertEqual(len(self.teams.requests), n)

    def test_retry_after_is_a_minimum(self):
        self.teams.force(429, headers={"Retry-After": "2"})
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.times), 2)
        self.assertGreaterEqual(self.teams.times[1] - self.teams.times[0], 2.0)


class TestHostileScripts(Case):
    def test_a_script_that_changes_ctx_projects_changes_nothing_for_the_next_digest(self):
        """ctx.projects is a copy: a transform that renames every state it is shown (and
        moves the lists away) leaves the host's own tables, the built-in sample's states
        included, as they were, so the next digest's self-check sees the same issues."""
        os.rename(self.path("scripts", "transform.lua"), self.path("scripts", "real_transform.lua"))
        self.write("scripts/transform.lua", """
local real = require("real_transform")
local M = {}
function M.transform(issues, ctx)
  local rows, total = real.transform(issues, ctx)
  for _, p in pairs(ctx.projects) do
    for _, s in ipairs(p.states) do s.id, s.name, s.group = "renamed", "renamed", "renamed" end
    p.renamed_states, p.states = p.states, {}
  end
  return rows, total
end
return M
""")
        self.write("multi.lua", """
return {
  plane_api_token = "plane_api_0123456789abcdef", workspace = "acme",
  teams_webhook_url = "https://example.webhook.office.com/x",
  digests = {
    { name = "first", projects = "4af68566-94a4-4eb3-94aa-50dc9427067b" },
    { name = "second", projects = "4af68566-94a4-4eb3-94aa-50dc9427067b" },
  },
}
""")
        p = self.run_pt("-c", "multi.lua", "check", env=base_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        for name in ("first", "second"):
            self.assertIn("self-check %s: the scripts turned the built-in sample (7 issues) into 6 rows of 6 matching"
                          % name, p.stdout)

    def test_the_date_module_is_read_only_for_the_scripts(self):
        text = open(self.path("scripts", "transform.lua"), encoding="utf-8").read()
        self.write("scripts/transform.lua", text.replace('local dates = require("pt.dates")',
                                                         'local dates = require("pt.dates")\ndates.parse = nil', 1))
        p = self.run_pt("check", env=base_env())
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("pt.dates is read-only (field 'parse')", p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
