"""The command line: help, version, usage errors and their exit codes."""
from common import Case


class TestCli(Case):
    def test_help_and_version(self):
        p = self.run_pt("--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: plane-teams", p.stdout)
        for cmd in ("run", "once", "preview", "check", "status"):
            self.assertIn(cmd, p.stdout)
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
