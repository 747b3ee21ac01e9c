"""make demo (examples/demo.sh) leaves nothing running: not when it ends, not when it
fails, not when Ctrl-C or SIGTERM stops it half-way.

Each run gets its own process group (as a terminal gives a command); after the run, no
process of that group may remain. The fakes of a run are found the same way while it runs.
"""
import os
import signal
import subprocess
import time

from common import BINARY, ROOT, Case

DEMO = os.path.join(ROOT, "examples", "demo.sh")


def group_members(pgid):
    """(pid, command line) of every live process in process group pgid."""
    out = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", encoding="utf-8", errors="replace") as f:
                stat = f.read()
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] == "Z" or int(fields[2]) != pgid:
                continue
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        out.append((int(name), cmd))
    return out


class TestDemoCleansUp(Case):
    def start(self, binary):
        proc = subprocess.Popen(["bash", DEMO, binary], cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.addCleanup(self.kill_group, proc.pid)
        return proc

    def kill_group(self, pgid):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def fakes(self, pgid):
        return [cmd for _, cmd in group_members(pgid) if "fake_plane" in cmd or "fake_teams" in cmd]

    def assertNothingLeft(self, pgid):
        deadline = time.monotonic() + 5
        while group_members(pgid) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(group_members(pgid), [], "processes of the demo still running")

    def slow_binary(self):
        """A stand-in for plane-teams that stays in the middle of the demo until stopped."""
        marker = self.path("started")
        return self.write("slow-plane-teams", f"#!/bin/sh\ntouch {marker}\nexec sleep 60\n"), marker

    def interrupted(self, how):
        binary, marker = self.slow_binary()
        os.chmod(binary, 0o755)
        proc = self.start(binary)
        deadline = time.monotonic() + 30
        while not os.path.exists(marker) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        self.assertTrue(os.path.exists(marker), "the demo never reached plane-teams")
        running = self.fakes(proc.pid)
        self.assertEqual(len(running), 2, running)  # both fakes are up, half-way through
        how(proc)
        out, _ = proc.communicate(timeout=20)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertNothingLeft(proc.pid)

    def test_ctrl_c_stops_the_fakes(self):
        # a terminal's Ctrl-C: SIGINT to the whole foreground process group
        self.interrupted(lambda p: os.killpg(p.pid, signal.SIGINT))

    def test_sigterm_stops_the_fakes(self):
        # `kill PID`: SIGTERM to the script alone
        self.interrupted(lambda p: p.send_signal(signal.SIGTERM))

    def test_a_failing_run_stops_the_fakes(self):
        binary = self.write("failing-plane-teams", "#!/bin/sh\nexit 1\n")
        os.chmod(binary, 0o755)
        proc = self.start(binary)
        out, _ = proc.communicate(timeout=60)
        self.assertNotEqual(proc.returncode, 0, out)
        self.assertNothingLeft(proc.pid)

    def test_a_finished_run_stops_the_fakes(self):
        proc = self.start(BINARY)
        out, _ = proc.communicate(timeout=120)
        text = out.decode("utf-8", "replace")
        self.assertEqual(proc.returncode, 0, text)
        self.assertIn("== what Teams received", text)
        self.assertNothingLeft(proc.pid)
