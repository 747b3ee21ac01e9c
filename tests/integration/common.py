"""Shared helpers for the integration tests: run the real binary in a scratch folder."""
import json
import os
import shutil
import subprocess
import tempfile
import unittest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BINARY = os.environ.get("PT_BINARY", os.path.join(ROOT, "build", "plane-teams"))
TOKEN = "plane_api_0123456789abcdef0123456789abcdef"
WEBHOOK_SECRET = "sig=S3cr3tS1gnature"
PROJECT = "4af68566-94a4-4eb3-94aa-50dc9427067b"
PROJECT2 = "b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13"

# Variables a test run must not inherit from the developer's shell.
SCRUB = ["PLANE_API_TOKEN", "PLANE_API_TOKEN_FILE", "PLANE_BASE_URL", "PLANE_APP_URL",
         "PLANE_WORKSPACE", "PLANE_PROJECT_ID", "TEAMS_WEBHOOK_URL", "TEAMS_WEBHOOK_URL_FILE",
         "NOTIFICATION_HOUR", "NOTIFICATION_DAYS", "TZ", "MAX_RETRIES", "PLANE_RATE_LIMIT",
         "STATE_FILE", "LOG_LEVEL", "LOG_FILE", "DIGEST_LIMIT", "PLANE_TEAMS_CONFIG", "METRICS_FILE",
         "CARD_LANGUAGE", "NOTIFICATION_HOLIDAYS"]


def record_cards(*texts):
    """Keep every envelope the binary produced, for the Adaptive Cards checker (run.py).
    PT_CARD_LOG is read at each call: run.py gives each worker process its own file."""
    card_log = os.environ.get("PT_CARD_LOG")
    if not card_log:
        return
    with open(card_log, "a", encoding="utf-8") as f:
        for text in texts:
            if isinstance(text, bytes):
                text = text.decode("utf-8", "replace")
            for line in text.splitlines():
                if line.startswith('{"type":"message"'):
                    f.write(line + "\n")


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in SCRUB}
    env.update({
        "PLANE_API_TOKEN": TOKEN,
        "PLANE_WORKSPACE": "acme",
        "PLANE_PROJECT_ID": PROJECT,
        "TEAMS_WEBHOOK_URL": "https://example.webhook.office.com/webhookb2/x?" + WEBHOOK_SECRET,
        "LOG_FILE": "",
        # sanitizer builds: fail loudly on leaks and errors
        "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:exitcode=99",
        "UBSAN_OPTIONS": "halt_on_error=1:print_stacktrace=1:exitcode=98",
    })
    for k, v in extra.items():
        if v is None:
            env.pop(k, None)
        else:
            env[k] = v
    return env


class Case(unittest.TestCase):
    """A scratch folder with a copy of config.lua and scripts/."""

    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pt-it-")
        shutil.copy(os.path.join(ROOT, "config.lua"), self.path("config.lua"))
        shutil.copytree(os.path.join(ROOT, "scripts"), self.path("scripts"))

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def path(self, *parts):
        return os.path.join(self.dir, *parts)

    def write(self, name, text):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def run_pt(self, *args, env=None, timeout=60, input=None):
        proc = subprocess.run([BINARY, *args], cwd=self.dir, env=env or base_env(),
                              capture_output=True, text=True, timeout=timeout, input=input)
        self.assertNotIn("ERROR: AddressSanitizer", proc.stderr)
        self.assertNotIn("ERROR: LeakSanitizer", proc.stderr)
        self.assertNotIn("runtime error:", proc.stderr)
        self.assertNotIn(proc.returncode, (98, 99), proc.stderr)
        record_cards(proc.stdout)
        return proc

    def assertNoSecrets(self, *texts):
        for t in texts:
            self.assertNotIn(TOKEN, t)
            self.assertNotIn("S3cr3tS1gnature", t)


def block_text(el):
    """The text of a TextBlock, or of a RichTextBlock's runs put together."""
    if el.get("type") == "RichTextBlock":
        return "".join(r if isinstance(r, str) else r.get("text", "") for r in el["inlines"])
    return el.get("text", "")


def envelope_rows(envelope):
    """The ColumnSet rows of an envelope: (rank text, priority text, name, detail, url);
    detail is "state · key · assignees · due" as plain text."""
    card = envelope["attachments"][0]["content"]
    rows = []
    for el in card["body"]:
        if el.get("type") == "ColumnSet":
            cols = el["columns"]
            items = cols[2]["items"]
            rows.append((block_text(cols[0]["items"][0]), block_text(cols[1]["items"][0]),
                         block_text(items[0]), block_text(items[1]) if len(items) > 1 else "",
                         el["selectAction"]["url"]))
    return rows


def load_json(text):
    return json.loads(text)


# ---- fake servers in this process ----------------------------------------------
import sys as _sys
_sys.path.insert(0, os.path.join(ROOT, "tests", "fakes"))
from fake_plane import FakePlane, synthetic  # noqa: E402
from fake_teams import FakeTeams, wrapped_error  # noqa: E402

EXAMPLE_DATA = os.path.join(ROOT, "examples", "plane-data.json")


def example_data():
    with open(EXAMPLE_DATA, encoding="utf-8") as f:
        return json.load(f)


class NetCase(Case):
    """A Case with a fake Plane and a fake Teams on loopback, and an env pointing at them."""
    data = None  # a dict like examples/plane-data.json; None: the example data

    def setUp(self):
        super().setUp()
        self.plane = FakePlane(self.data or example_data(), tokens=(TOKEN,)).start()
        self.teams = FakeTeams().start()
        self.projects = ",".join(p["id"] for p in self.plane.data["projects"])

    def tearDown(self):
        self.plane.stop()
        self.teams.stop()
        record_cards(*(raw for _, raw in self.teams.requests))
        super().tearDown()

    def env(self, **extra):
        values = dict(PLANE_BASE_URL=self.plane.url, TEAMS_WEBHOOK_URL=self.teams.url,
                      PLANE_PROJECT_ID=self.projects, STATE_FILE=self.path("state.json"),
                      LOG_FILE=self.path("logs", "plane-teams.log"), MAX_RETRIES="3")
        values.update(extra)
        return base_env(**values)

    def once(self, *args, timeout=120, **extra):
        return self.run_pt("once", *args, env=self.env(**extra), timeout=timeout)

    def state(self):
        with open(self.path("state.json"), encoding="utf-8") as f:
            return json.load(f)

    def log_lines(self):
        p = self.path("logs", "plane-teams.log")
        if not os.path.exists(p):
            return []
        with open(p, encoding="utf-8") as f:
            return [json.loads(line) for line in f]

    def posted_rows(self, n=-1):
        return envelope_rows(self.teams.accepted[n])


# ---- the daemon under a moved clock (libfaketime) ------------------------------
import glob as _glob
import signal as _signal
import subprocess as _sp
import time as _time

FAKETIME_LIB = next(iter(sorted(_glob.glob("/usr/lib/*/faketime/libfaketime.so.1"))), None)


def wait_until(what, timeout=30, message="the condition"):
    """Poll what() until it is true; fail after timeout seconds."""
    end = _time.monotonic() + timeout
    while not what():
        if _time.monotonic() > end:
            raise AssertionError(f"timed out waiting for {message}")
        _time.sleep(0.05)


class Daemon:
    """plane-teams run with a fake clock read from a file the test can rewrite.

    speed moves the monotonic clock too (libfaketime), so the daemon's HTTP timeouts (10 s to
    connect, 30 s a request) last 10/speed and 30/speed real seconds: at 60, a fake that a
    loaded machine keeps from answering for half a second is a genuine timeout. Let a daemon
    talk to the fakes at speed 1, and use a fast clock (or set_clock) where it only waits."""

    def __init__(self, case, start, speed=60, env=None, args=()):
        self.case = case
        self.clock = case.path("clock.txt")
        self.set_clock(start, speed)
        self.log = case.path("daemon.err")
        e = dict(env or case.env())
        e.update({"LD_PRELOAD": FAKETIME_LIB, "FAKETIME_TIMESTAMP_FILE": self.clock,
                  "FAKETIME_NO_CACHE": "1",
                  "ASAN_OPTIONS": e.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0"})
        self.err = open(self.log, "w")
        self.proc = _sp.Popen([BINARY, *args, "run"], cwd=case.dir, env=e, stdout=_sp.DEVNULL, stderr=self.err)

    def set_clock(self, start, speed=60):
        with open(self.clock + ".tmp", "w") as f:
            f.write(f"@{start} x{speed}\n")
        os.replace(self.clock + ".tmp", self.clock)

    def text(self):
        with open(self.log, encoding="utf-8") as f:
            return f.read()

    def wait_for(self, what, timeout=30):
        """Wait until what() is true (a callable) or the text appears in the log."""
        end = _time.monotonic() + timeout
        while _time.monotonic() < end:
            if (what() if callable(what) else what in self.text()):
                return True
            if self.proc.poll() is not None:
                break
            _time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {what!r}; daemon log:\n{self.text()}")

    def checks(self):
        """How many times the scheduler checked what was due (logged at LOG_LEVEL=debug)."""
        return self.text().count("schedule checked")

    def wait_checks(self, n, timeout=30):
        """Wait until the scheduler has checked n more times: it had its chances to act."""
        start = self.checks()
        self.wait_for(lambda: self.checks() >= start + n, timeout)

    def wait_checked_after(self, text, timeout=30):
        """Wait for a check of the schedule logged after the first line holding text: the
        check that follows that event (a sync's end is followed by one at once)."""
        def checked():
            lines = self.text().splitlines()
            at = next((i for i, line in enumerate(lines) if text in line), None)
            return at is not None and any("schedule checked" in line for line in lines[at + 1:])
        self.wait_for(checked, timeout)

    def wait_checked_at(self, at, timeout=30):
        """Wait for a check of the schedule at fake time `at` ("YYYY-MM-DD HH:MM:SS") or later."""
        self.wait_for(lambda: any(line[:19] >= at for line in self.text().splitlines()
                                  if "schedule checked" in line), timeout)

    def cpu_seconds(self):
        """User and system CPU time the daemon has used so far."""
        with open(f"/proc/{self.proc.pid}/stat", encoding="utf-8") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def signal(self, sig):
        if sig in (_signal.SIGTERM, _signal.SIGINT):
            self.stopping = True  # stop() then only waits: a second signal means "now"
        self.proc.send_signal(sig)

    def stop(self, timeout=20):
        """SIGTERM (unless the test sent a stop signal already), then the exit code."""
        if self.proc.poll() is None and not getattr(self, "stopping", False):
            self.proc.send_signal(_signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            self.err.close()
        text = self.text()
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            if bad in text:
                raise AssertionError(f"sanitizer report:\n{text}")
        return rc

    def kill9(self):
        self.proc.kill()
        self.proc.wait()
        self.err.close()
