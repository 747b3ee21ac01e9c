"""The container recipe, compose file, .env.example, systemd unit and CI workflow agree
with each other and with what config.lua reads; the shell scripts pass shellcheck."""
import glob
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

from common import ROOT, BINARY, NetCase


def read(*parts):
    with open(os.path.join(ROOT, *parts), encoding="utf-8") as f:
        return f.read()


SPEC_VARIABLES = ["PLANE_API_TOKEN", "PLANE_BASE_URL", "PLANE_APP_URL", "PLANE_WORKSPACE", "PLANE_PROJECT_ID",
                  "TEAMS_WEBHOOK_URL", "NOTIFICATION_HOUR", "NOTIFICATION_DAYS", "TZ", "MAX_RETRIES",
                  "PLANE_RATE_LIMIT", "STATE_FILE", "LOG_LEVEL", "LOG_FILE", "DIGEST_LIMIT", "CARD_LANGUAGE"]


class TestPackaging(unittest.TestCase):
    def config_variables(self):
        return set(re.findall(r'env\("([A-Z_]+)"', read("config.lua")))

    def test_env_example_has_every_variable_with_a_comment(self):
        text = read(".env.example")
        for var in sorted(set(SPEC_VARIABLES) | self.config_variables()):  # every one config.lua reads
            with self.subTest(var=var):
                m = re.search(rf"^#?{var}=", text, re.M)
                self.assertIsNotNone(m, f"{var} missing from .env.example")
                before = text[:m.start()].rstrip("\n").splitlines()
                self.assertTrue(before and before[-1].startswith("#"), f"{var} has no comment above it")
        names = set(re.findall(r"^#?([A-Z_]+)=", text, re.M))
        self.assertLessEqual(names, self.config_variables(), "a variable config.lua does not read")

    def test_readme_lists_every_variable_of_the_shipped_config(self):
        text = read("README.md")
        for var in sorted(self.config_variables()):
            with self.subTest(var=var):
                self.assertRegex(text, rf"(?m)^\| `[^|]*\b{var}\b", f"{var} missing from README's table")

    def test_env_example_fits_the_image_and_the_systemd_unit(self):
        text = read(".env.example")
        # the image and the unit set these; an EnvironmentFile= line would override the unit's
        for var in ("STATE_FILE", "LOG_FILE"):
            self.assertNotRegex(text, rf"(?m)^{var}=", f"{var} is set: it would override the unit's path")
        self.assertRegex(text, r"(?m)^NOTIFICATION_DAYS=daily$", "a trial on a weekend must post")

    def test_no_state_or_lock_file_in_the_repository(self):
        if not shutil.which("git") or not os.path.exists(os.path.join(ROOT, ".git")):
            self.skipTest("not a git checkout")
        tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True).stdout.split()
        self.assertEqual([f for f in tracked if re.match(r"\.state.*\.json(\.lock)?$", os.path.basename(f))], [])
        for name in (".state.json", ".state.json.lock", ".env", "secrets/plane_api_token"):
            p = subprocess.run(["git", "check-ignore", "-q", name], cwd=ROOT)
            self.assertEqual(p.returncode, 0, f"{name} is not ignored by .gitignore")

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
        # `docker exec plane-teams plane-teams …` finds the scripts as `docker run` does:
        # from the working folder, not from a flag only the ENTRYPOINT has
        self.assertIn('ENTRYPOINT ["plane-teams"]', text)
        self.assertRegex(text, r"\nWORKDIR /app\n")
        self.assertIn("COPY scripts /app/scripts", text)

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
        # one volume for compose and the plain `docker run` of docs/docker.md
        self.assertRegex(text, r"(?m)^volumes:\n(?:\s*#.*\n)*  plane-teams-data:\n    name: plane-teams-data$")
        docs = read("docs", "docker.md")
        run = re.search(r"```sh\n(docker run -d --name plane-teams .*?)```", docs, re.S)
        self.assertIsNotNone(run, "docs/docker.md has no plain docker run example")
        for flag in ("--read-only", "--cap-drop=ALL", "--security-opt no-new-privileges",
                     "-v plane-teams-data:/data", "--env-file .env"):
            self.assertIn(flag, run.group(1))

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
            p = subprocess.run(["systemd-analyze", "security", "--offline=true", unit],
                               capture_output=True, text=True)
            m = re.search(r"Overall exposure level for plane-teams\.service: (\d+\.\d+) (\w+)", p.stdout)
            self.assertIsNotNone(m, p.stdout + p.stderr)
            self.assertLess(float(m.group(1)), 3.0, f"systemd-analyze security rates it {m.group(1)} {m.group(2)}")

    @unittest.skipUnless(shutil.which("shellcheck"), "shellcheck is not installed (Debian package shellcheck)")
    def test_shell_scripts_pass_shellcheck(self):
        scripts = [os.path.join(ROOT, ".ci", "run")] + sorted(
            p for p in glob.glob(os.path.join(ROOT, "**", "*.sh"), recursive=True) if "node_modules" not in p)
        self.assertGreaterEqual(len(scripts), 4)
        p = subprocess.run(["shellcheck", "-x", *scripts], capture_output=True, text=True, cwd=ROOT)
        self.assertEqual(p.returncode, 0, p.stdout)


def syscall_group(name):
    """The system calls of a systemd-analyze group, nested groups expanded."""
    out = subprocess.run(["systemd-analyze", "syscall-filter", name], capture_output=True, text=True).stdout
    calls = set()
    for line in out.splitlines()[1:]:
        line = line.strip()
        if line.startswith("@"):
            calls |= syscall_group(line)
        elif line and not line.startswith("#"):
            calls.add(line)
    return calls


RELEASE_BINARY = os.path.join(ROOT, "build", "plane-teams")


@unittest.skipUnless(shutil.which("strace") and shutil.which("systemd-analyze"),
                     "strace or systemd-analyze is not installed (Debian packages strace, systemd)")
@unittest.skipUnless(os.path.exists(RELEASE_BINARY), "build/plane-teams is not built (make build)")
class TestSystemdFilter(NetCase):
    """The unit's SystemCallFilter= kills the daemon on any other call: every call that
    check, status, once, once --dry-run and run (with a reload and a stop) make, traced
    against the fakes, is one the filter allows."""

    def setUp(self):
        super().setUp()
        # installed as the unit expects: away from a source tree, so `check` does not
        # start Node for the renderer check (a source-tree-only step)
        os.makedirs(self.path("bin"))
        self.binary = shutil.copy(RELEASE_BINARY, self.path("bin", "plane-teams"))

    def allowed(self):
        allow, deny = set(), set()
        for line in re.findall(r"(?m)^SystemCallFilter=(.*)$", read("dist", "plane-teams.service")):
            names = line.lstrip("~").split()
            target = deny if line.startswith("~") else allow
            for n in names:
                target |= syscall_group(n) if n.startswith("@") else {n}
        self.assertTrue(allow, "the unit has no SystemCallFilter= allow list")
        return allow - deny

    def traced(self, name, *args, env):
        out = self.path(f"{name}.trace")
        p = subprocess.run(["strace", "-f", "-qq", "-o", out, self.binary, "--scripts", self.path("scripts"),
                            *args], cwd=self.dir, env=env, capture_output=True, text=True, timeout=60)
        return out, p

    def test_every_system_call_is_allowed_by_the_unit(self):
        env = self.env(TZ="UTC", NOTIFICATION_HOUR="00:00")
        env["PLANE_TEAMS_CONFIG"] = self.path("config.lua")
        traces = []
        for name, args in (("check", ["check"]), ("once", ["once"]), ("status", ["status"]),
                           ("dry", ["once", "--dry-run"])):
            out, p = self.traced(name, *args, env=env)
            self.assertEqual(p.returncode, 0, p.stderr)
            traces.append(out)
        os.remove(self.path("state.json"))
        out = self.path("run.trace")
        err = open(self.path("run.err"), "w+")
        proc = subprocess.Popen(["strace", "-f", "-qq", "-o", out, self.binary, "--scripts", self.path("scripts"),
                                 "run"], cwd=self.dir, env=env, stdout=subprocess.DEVNULL, stderr=err)
        try:
            deadline = time.monotonic() + 30
            while len(self.teams.accepted) < 2 and time.monotonic() < deadline:
                time.sleep(0.1)
            self.assertEqual(len(self.teams.accepted), 2, "the daemon did not post")
            pid = int(re.search(r"running \(pid (\d+)\)", open(self.path("run.err")).read()).group(1))
            os.kill(pid, signal.SIGHUP)
            while "reloaded" not in open(self.path("run.err")).read() and time.monotonic() < deadline:
                time.sleep(0.1)
            os.kill(pid, signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=20), 0)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.close()
        traces.append(out)
        used = set()
        for t in traces:
            with open(t, encoding="utf-8", errors="replace") as f:
                used |= set(re.findall(r"(?m)^\d+\s+(?:<\.\.\. )?([a-z_0-9]+)[( ]", f.read()))
        self.assertGreater(len(used), 20)
        self.assertEqual(sorted(used - self.allowed()), [])
