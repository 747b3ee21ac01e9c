"""The container recipe, compose file, .env.example, systemd unit and CI workflow agree
with each other and with what config.lua reads; the shell scripts pass shellcheck."""
import glob
import os
import re
import shutil
import subprocess
import tempfile
import unittest

from common import ROOT, BINARY


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


SPEC_VARIABLES = ["PLANE_API_TOKEN", "PLANE_BASE_URL", "PLANE_APP_URL", "PLANE_WORKSPACE", "PLANE_PROJECT_ID",
                  "TEAMS_WEBHOOK_URL", "NOTIFICATION_HOUR", "NOTIFICATION_DAYS", "TZ", "MAX_RETRIES",
                  "PLANE_RATE_LIMIT", "STATE_FILE", "LOG_LEVEL", "LOG_FILE", "DIGEST_LIMIT"]


class TestPackaging(unittest.TestCase):
    def config_variables(self):
        return set(re.findall(r'env\("([A-Z_]+)"', read("config.lua")))

    def test_env_example_has_every_variable_with_a_comment(self):
        text = read(".env.example")
        for var in SPEC_VARIABLES + ["METRICS_FILE"]:
            with self.subTest(var=var):
                m = re.search(rf"^#?{var}=", text, re.M)
                self.assertIsNotNone(m, f"{var} missing from .env.example")
                before = text[:m.start()].rstrip("\n").splitlines()
                self.assertTrue(before and before[-1].startswith("#"), f"{var} has no comment above it")
        names = set(re.findall(r"^#?([A-Z_]+)=", text, re.M))
        self.assertLessEqual(names, self.config_variables(), "a variable config.lua does not read")

    def test_dockerfile(self):
        text = read("Dockerfile")
        self.assertRegex(text, r"FROM debian:\$\{DEBIAN\} AS build")
        self.assertRegex(text, r"FROM debian:\$\{DEBIAN\}-slim")
        self.assertIn('ARG DEBIAN=bookworm', text)
        self.assertRegex(text, r"\nUSER 10001:10001\n")
        self.assertIn("STOPSIGNAL SIGTERM", text)
        self.assertRegex(text, r'HEALTHCHECK .*\n\s+CMD \["plane-teams", "status"\]')
        self.assertIn('VOLUME ["/data"]', text)
        packages = re.search(r'ARG RUNTIME_PACKAGES="(.*)"', text).group(1).split()
        self.assertEqual(sorted(packages), sorted(["liblua5.4-0", "lua-cjson", "libuv1", "libcurl4",
                                                   "ca-certificates", "tzdata"]))
        for run in re.findall(r"apt-get install[^\n]*", text):
            self.assertIn("--no-install-recommends", run)
        self.assertEqual(text.count("rm -rf /var/lib/apt/lists/*"), text.count("apt-get update"))
        # every file the image copies is in the repository
        for src in re.findall(r"^COPY (?!--from)(\S+)", text, re.M):
            self.assertTrue(os.path.exists(os.path.join(ROOT, src)), src)

    def test_compose(self):
        text = read("docker-compose.yml")
        self.assertIn("restart: unless-stopped", text)
        self.assertIn("env_file: .env", text)
        self.assertIn("read_only: true", text)
        self.assertIn("plane-teams-data:/data", text)
        for secret in ("plane_api_token", "teams_webhook_url"):
            self.assertIn(f"/run/secrets/{secret}", text)
            self.assertIn(f"file: ./secrets/{secret}", text)
        for var in re.findall(r"^\s+([A-Z_]+):", text, re.M):
            known = self.config_variables()
            self.assertTrue(var in known or (var.endswith("_FILE") and var[:-5] in known), var)

    def test_systemd_unit(self):
        text = read("dist", "plane-teams.service")
        self.assertIn("ExecReload=/bin/kill -HUP $MAINPID", text)
        self.assertIn("Restart=on-failure", text)
        self.assertIn("DynamicUser=yes", text)
        self.assertIn("StateDirectory=plane-teams", text)
        for secret in ("plane_api_token", "teams_webhook_url"):
            self.assertIn(f"LoadCredential={secret}:", text)
            self.assertIn(f"_FILE=%d/{secret}", text)
        if not shutil.which("systemd-analyze"):
            self.skipTest("systemd-analyze is not installed")
        with tempfile.TemporaryDirectory() as d:
            unit = os.path.join(d, "plane-teams.service")
            with open(unit, "w") as f:
                f.write(text.replace("/usr/local/bin/plane-teams", BINARY))
            p = subprocess.run(["systemd-analyze", "verify", unit], capture_output=True, text=True)
            problems = [l for l in p.stderr.splitlines() if "plane-teams.service" in l]
            self.assertEqual(problems, [], p.stderr)

    def test_ci_workflow(self):
        text = read(".github", "workflows", "ci.yml")
        self.assertIn("make test", text)
        self.assertIn("aquasecurity/trivy-action", text)
        self.assertIn("docker/build-push-action", text)
        self.assertIn("startsWith(github.ref, 'refs/tags/v')", text)
        self.assertNotIn("\t", text)

    @unittest.skipUnless(shutil.which("shellcheck"), "shellcheck is not installed (Debian package shellcheck)")
    def test_shell_scripts_pass_shellcheck(self):
        scripts = [os.path.join(ROOT, ".ci", "run")] + sorted(
            p for p in glob.glob(os.path.join(ROOT, "**", "*.sh"), recursive=True) if "node_modules" not in p)
        self.assertGreaterEqual(len(scripts), 4)
        p = subprocess.run(["shellcheck", "-x", *scripts], capture_output=True, text=True, cwd=ROOT)
        self.assertEqual(p.returncode, 0, p.stdout)
