"""The command line: help, version, usage errors and their exit codes."""
from common import Case


class TestCli(Case):
    def test_help_and_version(self):
        p = self.run_pt("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: plane-teams", p.stdout)
        for cmd in ("run", "once", "preview", "check", "status"):
            self.assertIn(cmd, p.stdout)
        self.assertIn("check [--online]", p.stdout)
        self.assertIn("discover [--json] [--projects LIST]", p.stdout)
        v = self.run_pt("--version")
        self.assertEqual(v.returncode, 0)
        self.assertRegex(v.stdout, r"^plane-teams \d+\.\d+\.\d+\n$")

    def test_usage_errors_exit_2(self):
        cases = [
            (("frobnicate",), "unknown command 'frobnicate'"),
            (("--bogus",), "unknown option --bogus"),
            (("-c",), "option -c needs a value"),
            (("check", "--force"), "--force and --dry-run go with 'once'"),
            (("preview",), "preview needs --issues FILE"),
            (("check", "extra"), "unexpected argument 'extra'"),
            (("once", "--online"), "--online goes with 'check', not 'once'"),
            (("check", "--json"), "--json and --projects go with 'discover', not 'check'"),
            (("--projects", "WEB"), "--json and --projects go with 'discover', not 'run'"),
            (("discover", "--projects"), "option --projects needs a value"),
        ]
        for args, msg in cases:
            with self.subTest(args=args):
                p = self.run_pt(*args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertIn(msg, p.stderr)

    def test_missing_config_file(self):
        p = self.run_pt("-c", "nope.lua", "check")
        self.assertEqual(p.returncode, 2)
        self.assertIn("cannot read the configuration file nope.lua", p.stderr)

    def test_config_from_environment_variable(self):
        self.write("other.lua", "return { workspace = 'x', huh = 1 }")
        from common import base_env
        p = self.run_pt("check", env=base_env(PLANE_TEAMS_CONFIG="other.lua"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("other.lua: unknown key 'huh'", p.stderr)


class TestOnboardingCommands(Case):
    """discover and check --online on the command line (their behaviour against a fake
    Plane: test_onboarding.py)."""

    def test_discover_needs_the_token_but_not_the_projects_nor_the_webhook(self):
        from common import base_env
        env = base_env(PLANE_PROJECT_ID=None, TEAMS_WEBHOOK_URL=None, PLANE_API_TOKEN=None,
                       PLANE_BASE_URL="http://127.0.0.1:9")
        p = self.run_pt("discover", env=env)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("plane_api_token is required", p.stderr)
        # with the token, the next problem is the network (nothing listens on port 9)
        env["PLANE_API_TOKEN"] = "plane_api_0123456789abcdef0123456789abcdef"
        env["MAX_RETRIES"] = "0"
        p = self.run_pt("discover", env=env)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("cannot reach Plane", p.stderr)

    def test_check_online_is_a_configuration_error_without_projects(self):
        from common import base_env
        p = self.run_pt("check", "--online", env=base_env(PLANE_PROJECT_ID=None))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("projects is required", p.stderr)
        self.assertIn("plane-teams discover", p.stderr)
