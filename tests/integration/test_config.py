"""Configuration through the shipped config.lua: every bad value exits 2 with a
message that names the setting, and secrets are never printed."""
import os

from common import Case, base_env, TOKEN


class TestConfigErrors(Case):
    def check_fails(self, *msgs, **env):
        p = self.run_pt("check", env=base_env(**env))
        self.assertEqual(p.returncode, 2, p.stdout + p.stderr)
        for msg in msgs:
            self.assertIn(msg, p.stderr)
        self.assertEqual(len(p.stderr.strip().splitlines()), 1, p.stderr)
        self.assertNoSecrets(p.stdout, p.stderr)
        return p

    def test_missing_token(self):
        p = self.check_fails("plane_api_token is required: the Plane API key", PLANE_API_TOKEN=None)
        self.assertNotIn("set by", p.stderr)  # nothing set it

    def test_missing_workspace_and_projects(self):
        self.check_fails("workspace is required", PLANE_WORKSPACE=None)
        self.check_fails("projects is required", PLANE_PROJECT_ID=None)

    def test_missing_webhook(self):
        self.check_fails("teams_webhook_url is required to post", TEAMS_WEBHOOK_URL=None)

    def test_bad_hour(self):
        for value in ("25", "8h", "24:00", "08:61", "noon"):
            with self.subTest(value=value):
                self.check_fails(f'hour = "{value}" is not a time of day; use H or HH:MM on a 24 h clock, '
                                 f'e.g. 8 or 08:30 (set by NOTIFICATION_HOUR)', NOTIFICATION_HOUR=value)

    def test_unknown_language(self):
        p = self.check_fails('config.lua: language = "de" is not a language of ./scripts/card.lua (it has: en, fr)',
                             CARD_LANGUAGE="de")
        self.assertNotIn("self-check", p.stderr)
        self.check_fails('language = "en us" is not a language name', CARD_LANGUAGE="en us")
        # preview and once refuse it the same way, before any request
        for args in (["preview", "--issues", os.path.join(os.path.dirname(__file__), "..", "..", "examples",
                                                          "issues.json")], ["once", "--dry-run"]):
            p = self.run_pt(*args, env=base_env(CARD_LANGUAGE="de", PLANE_BASE_URL="http://127.0.0.1:9"))
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertIn('language = "de" is not a language of ./scripts/card.lua (it has: en, fr)', p.stderr)

    def test_a_language_added_to_card_lua_is_accepted(self):
        with open(self.path("scripts", "card.lua"), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("\n-- Teams cannot colour", "\nM.LANGUAGES.de = M.LANGUAGES.en\n-- Teams cannot colour", 1)
        self.write("scripts/card.lua", text)
        p = self.run_pt("check", env=base_env(CARD_LANGUAGE="de"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("language: de", p.stdout)

    def test_a_variable_is_named_only_when_it_set_the_value(self):
        self.write("multi.lua", 'return { workspace = env("PLANE_WORKSPACE"), hour = env("NOTIFICATION_HOUR", "8"),\n'
                   '  digests = { { name = "a", hour = "25" } } }\n')
        p = self.run_pt("-c", "multi.lua", "check", env=base_env(NOTIFICATION_HOUR="09:00"))
        self.assertEqual(p.returncode, 2)
        self.assertIn('digests[1]: hour = "25" is not a time of day', p.stderr)
        self.assertNotIn("set by", p.stderr)
        p = self.run_pt("-c", "multi.lua", "check", env=base_env(NOTIFICATION_HOUR="25"))
        self.assertIn('multi.lua: hour = "25" is not a time of day; use H or HH:MM on a 24 h clock, e.g. 8 or 08:30 '
                      '(set by NOTIFICATION_HOUR)', p.stderr)

    def test_control_bytes_in_a_value_are_escaped(self):
        p = self.check_fails('hour = "8\\x1b[31m" is not a time of day', NOTIFICATION_HOUR="8\x1b[31m")
        self.assertNotIn("\x1b", p.stderr)

    def test_bad_days(self):
        self.check_fails('days = "mon,funday" is not a list of days', NOTIFICATION_DAYS="mon,funday")

    def test_bad_holidays(self):
        self.check_fails('config.lua: holidays[2] = "2026-02-30" is not a date: February 2026 has 28 days '
                         '(set by NOTIFICATION_HOLIDAYS)', NOTIFICATION_HOLIDAYS="2026-12-25,2026-02-30")
        self.check_fails('config.lua: holidays[1] = "25/12/2026" is not a date; write YYYY-MM-DD, e.g. 2026-12-25 '
                         '(set by NOTIFICATION_HOLIDAYS)', NOTIFICATION_HOLIDAYS="25/12/2026")
        self.write("multi.lua", 'return { workspace = "acme", holidays = { "2026-12-25" },\n'
                   '  digests = { { name = "a", holidays = { "2026-12-24", "2026-12-31", "2027-13-01" } } } }\n')
        p = self.run_pt("-c", "multi.lua", "check", env=base_env())
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn('multi.lua: digests[1]: holidays[3] = "2027-13-01" is not a date: there is no month 13',
                      p.stderr)
        self.assertNotIn("set by", p.stderr)

    def test_unknown_timezone(self):
        # glibc would silently use UTC for this name: the daemon must refuse it
        self.check_fails('timezone = "Europe/Pariss" is not a known IANA time zone', TZ="Europe/Pariss")

    def test_non_uuid_project(self):
        self.check_fails('projects has "my-project", which is not a project UUID',
                         PLANE_PROJECT_ID="4af68566-94a4-4eb3-94aa-50dc9427067b,my-project")

    def test_webhook_must_be_https(self):
        p = self.check_fails("teams_webhook_url must use https", TEAMS_WEBHOOK_URL="http://example.com/hook?sig=S3cr3tS1gnature")
        self.assertIn("host here: example.com", p.stderr)

    def test_plain_http_webhook_allowed_on_loopback(self):
        for url in ("http://127.0.0.1:9/hook", "http://localhost:9/hook", "http://[::1]:9/hook"):
            with self.subTest(url=url):
                p = self.run_pt("check", env=base_env(TEAMS_WEBHOOK_URL=url))
                self.assertEqual(p.returncode, 0, p.stderr)

    def test_plain_http_plane_warns(self):
        p = self.run_pt("check", env=base_env(PLANE_BASE_URL="http://plane.internal"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("plane_base_url uses plain http to plane.internal", p.stderr)

    def test_bad_numbers(self):
        self.check_fails('max_retries = "lots" is not a whole number', MAX_RETRIES="lots")
        self.check_fails("limit = 0 is out of range", DIGEST_LIMIT="0")
        self.check_fails("rate_limit = -5 is out of range", PLANE_RATE_LIMIT="-5")

    def test_bad_log_level(self):
        self.check_fails('log_level = "loud" must be debug, info, warning or error', LOG_LEVEL="loud")

    def test_unknown_key(self):
        with open(self.path("config.lua")) as f:
            text = f.read()
        self.write("config.lua", text.replace("  empty = \"post\",", "  empty = \"post\",\n  notification_hour = 9,"))
        self.check_fails("config.lua: unknown key 'notification_hour'")

    def test_both_name_and_file(self):
        secret = self.write("token", TOKEN + "\n")
        self.check_fails("both PLANE_API_TOKEN and PLANE_API_TOKEN_FILE are set; set only one",
                         PLANE_API_TOKEN_FILE=secret)

    def test_unreadable_file(self):
        p = self.check_fails("PLANE_API_TOKEN_FILE: cannot read /nonexistent/token",
                             PLANE_API_TOKEN=None, PLANE_API_TOKEN_FILE="/nonexistent/token")
        self.assertIn("config.lua:7:", p.stderr)

    def test_syntax_error_names_file_and_line(self):
        self.write("config.lua", "return {\n  workspace = 'acme'\n  limit = 3,\n}\n")
        p = self.check_fails("the configuration file has a syntax error: ./config.lua:3:")
        self.assertIn("'}' expected", p.stderr)

    def test_a_syntax_error_quoting_a_line_break_stays_on_one_line(self):
        self.write("config.lua", '"\\\n\n')
        self.check_fails("the configuration file has a syntax error: ./config.lua:", "\\n")

    def test_a_script_error_with_line_breaks_stays_on_one_line(self):
        self.write("config.lua", 'error("first\\nsecond")\n')
        self.check_fails("./config.lua:1: first\\nsecond")

    def test_an_empty_state_file_with_several_digests(self):
        self.write("config.lua", 'return { workspace = "acme", state_file = "", digests = { {}, {} } }\n')
        self.check_fails("state_file must not be empty")

    def test_runtime_error_names_file_and_line(self):
        self.write("config.lua", "local t = nil\nreturn { workspace = t.slug }\n")
        self.check_fails("the configuration file ./config.lua failed: ./config.lua:2: attempt to index a nil value")

    def test_config_loop_is_stopped(self):
        self.write("config.lua", "while true do end\n")
        self.check_fails("(an endless loop?)")

    def test_config_loop_that_catches_the_limit_is_stopped(self):
        self.write("config.lua", "while true do pcall(function() while true do end end) end return {}\n")
        self.check_fails("./config.lua:1: stopped after", "(an endless loop?)")


class TestSecrets(Case):
    def test_file_secrets_and_redaction(self):
        token = self.write("token", TOKEN + "\n")
        hook = self.write("hook", "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/"
                                  "paths/invoke?api-version=2016-06-01&sig=S3cr3tS1gnature\r\n")
        p = self.run_pt("check", env=base_env(PLANE_API_TOKEN=None, TEAMS_WEBHOOK_URL=None,
                                              PLANE_API_TOKEN_FILE=token, TEAMS_WEBHOOK_URL_FILE=hook))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("plane_api_token: plane_api_…(redacted)", p.stdout)
        self.assertIn("teams_webhook_url: https://prod-01.westeurope.logic.azure.com/…(redacted)", p.stdout)
        self.assertNoSecrets(p.stdout, p.stderr)
        self.assertIn("check: ok", p.stdout)

    def test_check_prints_effective_settings(self):
        p = self.run_pt("check", env=base_env(NOTIFICATION_HOUR="7", NOTIFICATION_DAYS="mon,wed,fri",
                                              TZ="Europe/Paris", PLANE_BASE_URL="https://plane.example.com/api/v1/"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("schedule: 07:00 mon,wed,fri (Europe/Paris)", p.stdout)
        self.assertIn("holidays: (none)", p.stdout)
        # the binary runs no Node and knows no source tree: Microsoft's renderer is a test tool
        self.assertIn("card: Adaptive Card 1.2 elements and properties only (checked by the host)", p.stdout)
        self.assertNotIn("renderer", p.stdout + p.stderr)
        self.assertNotIn("make deps", p.stdout + p.stderr)
        self.assertIn("plane_base_url: https://plane.example.com\n", p.stdout)
        self.assertIn("plane_app_url: https://plane.example.com\n", p.stdout)
        self.assertIn("self-check main: the scripts turned the built-in sample (7 issues) into 6 rows", p.stdout)
        p = self.run_pt("check", env=base_env(NOTIFICATION_HOLIDAYS="2027-01-01, 2026-12-25"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("holidays: 2026-12-25, 2027-01-01\n", p.stdout)


class TestSeveralDigests(Case):
    def test_digests_inherit_and_override(self):
        self.write("multi.lua", f"""
return {{
  plane_api_token = env("PLANE_API_TOKEN"),
  workspace = "acme",
  teams_webhook_url = "https://example.webhook.office.com/x",
  hour = "09:15",
  holidays = {{ "2026-12-25", "2027-01-01" }},
  digests = {{
    {{ name = "web", projects = "{os.environ.get('X', '4af68566-94a4-4eb3-94aa-50dc9427067b')}" }},
    {{ name = "ops", projects = {{ "b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13" }}, hour = 7, timezone = "UTC", limit = 3,
       holidays = {{ "2026-05-01" }} }},
  }},
}}
""")
        p = self.run_pt("-c", "multi.lua", "check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("digest web:", p.stdout)
        self.assertIn("digest ops:", p.stdout)
        self.assertIn("schedule: 09:15 daily (system local time)", p.stdout)
        self.assertIn("schedule: 07:00 daily (UTC)", p.stdout)
        # a digest's own holidays replace the top-level list, as every other key does
        self.assertIn("schedule: 09:15 daily (system local time)\n  holidays: 2026-12-25, 2027-01-01\n", p.stdout)
        self.assertIn("schedule: 07:00 daily (UTC)\n  holidays: 2026-05-01\n", p.stdout)
        self.assertIn("state_file: .state.web.json", p.stdout)
        self.assertIn("self-check ops: the scripts turned the built-in sample (7 issues) into 3 rows of 6 matching",
                      p.stdout)


class TestOptions(Case):
    """options = { … } reaches the scripts as ctx.options, per digest, merged key by key."""

    def test_options_reach_each_digests_scripts(self):
        self.write("multi.lua", """
return {
  plane_api_token = env("PLANE_API_TOKEN"), workspace = "acme",
  projects = "4af68566-94a4-4eb3-94aa-50dc9427067b", teams_webhook_url = "https://example.webhook.office.com/x",
  options = { focus = "Ada", stale_days = 5, people = { "Ada", "Lin" } },
  digests = {
    { name = "web" },
    { name = "ops", options = { focus = "Lin", extra = true, ratio = 0.5 } },
  },
}
""")
        with open(self.path("scripts", "transform.lua"), encoding="utf-8") as f:
            text = f.read()
        probe = ('function M.transform(issues, ctx)\n  host.log("info", string.format("options of %s: focus=%s '
                 'stale_days=%s people=%s extra=%s ratio=%s", ctx.digest, ctx.options.focus, '
                 'math.type(ctx.options.stale_days) .. " " .. ctx.options.stale_days, '
                 'table.concat(ctx.options.people, "+"), tostring(ctx.options.extra), tostring(ctx.options.ratio)))\n'
                 '  ctx.options.focus = "changed"\n')
        self.write("scripts/transform.lua", text.replace("function M.transform(issues, ctx)\n", probe, 1))
        p = self.run_pt("-c", "multi.lua", "check")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("options of web: focus=Ada stale_days=integer 5 people=Ada+Lin extra=nil ratio=nil", p.stderr)
        self.assertIn("options of ops: focus=Lin stale_days=integer 5 people=Ada+Lin extra=true ratio=0.5", p.stderr)
        self.assertIn("digest web:", p.stdout)
        self.assertIn("  options: focus, people, stale_days\n", p.stdout)
        self.assertIn("  options: extra, focus, people, ratio, stale_days\n", p.stdout)

    def test_a_bad_option_is_a_configuration_error_with_its_path(self):
        self.write("multi.lua", 'return { workspace = "acme", digests = { { name = "a" }, '
                   '{ name = "b", options = { focus = function() end } } } }\n')
        p = self.run_pt("-c", "multi.lua", "check")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("multi.lua: digests[2].options.focus is a function: options hold strings, numbers, "
                      "booleans and tables of them", p.stderr)
        self.write("multi.lua", 'return { workspace = "acme", options = { people = { "Ada", { { { "deep" } } } } } }\n')
        p = self.run_pt("-c", "multi.lua", "check")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("multi.lua: options.people[2][1][1] is nested too deep", p.stderr)
