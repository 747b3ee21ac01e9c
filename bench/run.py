#!/usr/bin/env python3
"""plane-teams benchmarks (SPEC §10), against the fake Plane and fake Teams on loopback.

usage: bench/run.py --binary build/plane-teams [--runs 3] [--quick] [--callgrind]

Prints a table: each figure is the median of the runs, with the spread (min–max).
--quick skips the minute-long runs (the 60/min limit and the idle daemon).
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakes"))
from fake_plane import FakePlane, synthetic  # noqa: E402
from fake_teams import FakeTeams  # noqa: E402

TOKEN = "plane_api_0123456789abcdef0123456789abcdef"


def env_for(plane, teams, work, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANE_", "TEAMS_"))}
    env.update(PLANE_API_TOKEN=TOKEN, PLANE_WORKSPACE="acme", PLANE_BASE_URL=plane.url,
               PLANE_PROJECT_ID=",".join(p["id"] for p in plane.data["projects"]),
               TEAMS_WEBHOOK_URL=teams.url, STATE_FILE=os.path.join(work, "state.json"), LOG_FILE="",
               TZ="UTC", MAX_RETRIES="3")
    env.update(extra)
    return env


PEAK_FILE = {}  # the last timed() run's RssFile (KiB) at its sampled peak of RssAnon + RssFile


def timed(cmd, env, cwd):
    """Run cmd under /usr/bin/time -v: (wall s, user+sys s, peak RSS KiB, peak anonymous KiB,
    stderr). The anonymous (private) part of the RSS and its file pages (RssFile, shared
    libraries) are sampled every 5 ms; the split at the sampled peak of their sum is returned
    (anonymous) and left in PEAK_FILE["kib"] (file pages): the library pages the daemon lets
    go once started (host/memtrim.c) are no part of the sync's peak."""
    import threading
    t0 = time.monotonic()
    proc = subprocess.Popen(["/usr/bin/time", "-v", *cmd], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    peak_anon = [0]
    peak_file = [0]

    def sample():
        child = None
        while proc.poll() is None:
            try:
                if child is None:
                    with open(f"/proc/{proc.pid}/task/{proc.pid}/children") as f:
                        ids = f.read().split()
                    child = ids[0] if ids else None
                if child:
                    with open(f"/proc/{child}/status") as f:
                        text = f.read()
                    a = re.search(r"RssAnon:\s+(\d+)", text)
                    fl = re.search(r"RssFile:\s+(\d+)", text)
                    if a and fl and int(a.group(1)) + int(fl.group(1)) > peak_anon[0] + peak_file[0]:
                        peak_anon[0], peak_file[0] = int(a.group(1)), int(fl.group(1))
            except OSError:
                pass
            time.sleep(0.005)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = proc.stderr.read()
    proc.wait()
    wall = time.monotonic() - t0
    sampler.join(1)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}):\n{err[-3000:]}")
    user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
    sys_ = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
    PEAK_FILE["kib"] = peak_file[0]
    return wall, user + sys_, rss, peak_anon[0], err


def spread(values, fmt):
    med = statistics.median(values)
    return f"{fmt(med)} ({fmt(min(values))}–{fmt(max(values))})"


class Bench:
    def __init__(self, binary, runs):
        self.binary = os.path.abspath(binary)
        self.runs = runs
        self.rows = []
        self.work = tempfile.mkdtemp(prefix="pt-bench-")
        shutil.copy(os.path.join(ROOT, "config.lua"), self.work)
        shutil.copytree(os.path.join(ROOT, "scripts"), os.path.join(self.work, "scripts"))

    def row(self, what, measured, target, verdict):
        self.rows.append((what, measured, target, verdict))
        print(f"  {what}: {measured}  [{target}] {verdict}", flush=True)

    def sync(self, data, latency, server_limit, client_limit, runs):
        plane = FakePlane(data, tokens=(TOKEN,), rate_limit=server_limit, latency=latency)
        plane.cache = True  # the server's own JSON work must not be what is measured
        plane.start()
        teams = FakeTeams().start()
        try:
            out = []
            for _ in range(runs):
                plane.history.clear()
                before = plane.throttled
                env = env_for(plane, teams, self.work, PLANE_RATE_LIMIT=str(client_limit), DIGEST_LIMIT="10")
                wall, cpu, rss, anon, err = timed([self.binary, "once", "--force"], env, self.work)
                requests = int(re.search(r"Plane: (\d+) requests", err).group(1))
                out.append((wall, cpu, rss, plane.throttled - before, requests, anon))
            return out
        finally:
            plane.stop()
            teams.stop()

    @staticmethod
    def floor(data, latency, pages, per_page=1000):
        """What the fake server itself takes for `pages` sequential pages of per_page, asked
        by the smallest possible client (Python, one keep-alive connection, no decoding)."""
        import http.client
        plane = FakePlane(data, tokens=(TOKEN,), rate_limit=100000, latency=latency)
        plane.cache = True
        plane.start()
        pid = data["projects"][0]["id"]
        try:
            c = http.client.HTTPConnection("127.0.0.1", plane.port)
            path = (f"/api/v1/workspaces/acme/projects/{pid}/issues/?per_page={per_page}&expand=state"
                    f"&cursor={per_page}:%d:0")
            for i in range(pages):  # warm the server's cache
                c.request("GET", path % i, headers={"X-API-Key": TOKEN, "Accept-Encoding": "gzip"})
                c.getresponse().read()
            t0 = time.monotonic()
            for i in range(pages):
                c.request("GET", path % i, headers={"X-API-Key": TOKEN, "Accept-Encoding": "gzip"})
                c.getresponse().read()
            return time.monotonic() - t0
        finally:
            plane.stop()

    def run_big_fast(self):
        print("1. 10,000 issues, 20 ms per response, PLANE_RATE_LIMIT=6000", flush=True)
        data = synthetic(1, 10000)
        res = self.sync(data, 0.020, 6000, 6000, self.runs)
        pages = res[0][4] - 3  # less the project, its states and its members
        bound = pages * 0.020
        floor = self.floor(data, 0.020, pages, 10000 // pages)
        walls = [r[0] for r in res]
        med = statistics.median(walls)
        self.row(f"10k issues ({pages} pages): wall time", spread(walls, lambda v: f"{v:.2f} s"),
                 f"≤ {bound * 1.1:.2f} s ({pages} × 20 ms + 10 %)",
                 "met" if med <= bound * 1.1 else f"missed: +{med / bound - 1:.1%}")
        self.row(f"10k issues: the fake server's own floor ({pages} pages, minimal client)", f"{floor:.2f} s",
                 f"plane-teams within 10 % of it: ≤ {floor * 1.1:.2f} s",
                 f"{'met' if med <= floor * 1.1 else 'missed'}: +{med / floor - 1:.1%}")
        cpus = [r[1] for r in res]
        self.row("10k issues: CPU (user+sys)", spread(cpus, lambda v: f"{v:.2f} s"), "< 0.5 s",
                 "met" if statistics.median(cpus) < 0.5 else "missed")
        rss = [r[2] / 1024 for r in res]
        self.row("10k issues: peak RSS (posting)", spread(rss, lambda v: f"{v:.1f} MiB"), "< 15 MiB",
                 "met" if statistics.median(rss) < 15 else "missed")
        anon = [r[5] / 1024 for r in res]
        self.row("10k issues: peak private (anonymous) memory", spread(anon, lambda v: f"{v:.1f} MiB"),
                 "(RSS less the shared library pages)", "")
        self.row("10k issues: requests per sync", str(res[0][4]), "pages + project, states, members", "")

    def run_big_limited(self):
        print("2. the same under the default 60/min, against a server enforcing 60/min (about a minute a run)",
              flush=True)
        data = synthetic(1, 10000)
        runs = max(1, min(self.runs, 2))
        res = self.sync(data, 0.020, 60, 60, runs)
        walls = [r[0] for r in res]
        n = res[0][4]
        # a sliding 60 s window (Plane's throttle): the first 60 at page speed, then each
        # further request when the one 60 places before it left the window
        bound = 60.0 + (n - 60) * 0.020 if n > 60 else (n - 3) * 0.020  # else: the pages one after another
        med = statistics.median(walls)
        self.row("60/min: wall time", spread(walls, lambda v: f"{v:.1f} s"),
                 f"≤ {bound * 1.05:.1f} s (sliding-window bound {bound:.1f} s + 5 %)",
                 "met" if med <= bound * 1.05 else f"missed by {med / bound - 1:.0%}")
        self.row("60/min: requests per sync", str(n), "", "")
        self.row("60/min: 429 answers provoked", str(sum(r[3] for r in res)), "0",
                 "met" if sum(r[3] for r in res) == 0 else "missed")

    def run_dry_memory(self):
        """`once --dry-run` on 10,000 issues against servers whose per_page maximum is 1,000
        (Plane's code) and 100 (a server that refuses more): issue requests, peak RSS split
        into file pages (shared libraries) and anonymous memory."""
        print("1b. once --dry-run, 10,000 issues: requests and peak memory by the server's per_page maximum",
              flush=True)
        data = synthetic(1, 10000)
        for max_pp in (1000, 100):
            plane = FakePlane(data, tokens=(TOKEN,), rate_limit=100000)
            plane.cache = True
            plane.max_per_page = max_pp
            plane.start()
            teams = FakeTeams().start()
            try:
                res = []
                for _ in range(self.runs):
                    with plane.lock:
                        plane.requests.clear()
                    env = env_for(plane, teams, self.work, PLANE_RATE_LIMIT="6000")
                    wall, cpu, rss, anon, err = timed([self.binary, "once", "--dry-run"], env, self.work)
                    issues = plane.count("/work-items/") + plane.count("/issues/")
                    refused = sum(1 for r in plane.requests if "per_page" in r[2]
                                  and int(r[2]["per_page"][0]) > max_pp)
                    res.append((rss, anon, PEAK_FILE["kib"], issues, len(plane.requests), refused))
            finally:
                plane.stop()
                teams.stop()
            mib = lambda v: f"{v / 1024:.1f} MiB"
            med_rss = statistics.median(r[0] for r in res)
            self.row(f"dry run, server max {max_pp}: issue requests (all requests; refused per_page)",
                     f"{res[0][3]} ({res[0][4]}; {res[0][5]})",
                     f"{10000 // max_pp}" + (" + 1 refused" if max_pp < 1000 else ""), "")
            self.row(f"dry run, server max {max_pp}: peak RSS", spread([r[0] for r in res], mib), "≤ 15 MiB",
                     "met" if med_rss <= 15 * 1024 else "missed")
            self.row(f"dry run, server max {max_pp}: peak anonymous / file pages",
                     f"{mib(statistics.median(r[1] for r in res))} / {mib(statistics.median(r[2] for r in res))}",
                     "(RssAnon / RssFile, sampled)", "")

    def run_many_digests(self):
        """30 digests of 4 requests each (project, states, one page of issues, members) on one
        API key at 60/min, against a server enforcing 60/min: the sliding-window bound is the
        first 60 at once, then the rest when the first leave the window."""
        print("2b. 30 digests of one project each on one key, 60/min (about a minute)", flush=True)
        data = synthetic(30, 50)
        plane = FakePlane(data, tokens=(TOKEN,), rate_limit=60, latency=0.020)
        plane.cache = True
        plane.start()
        teams = FakeTeams().start()
        cfg = os.path.join(self.work, "many.lua")
        with open(cfg, "w") as f:
            f.write('return {\n  plane_api_token = env("PLANE_API_TOKEN"), plane_base_url = env("PLANE_BASE_URL"),\n'
                    '  workspace = env("PLANE_WORKSPACE"), teams_webhook_url = env("TEAMS_WEBHOOK_URL"),\n'
                    '  state_file = env("STATE_FILE"), log_file = "", rate_limit = env("PLANE_RATE_LIMIT"),\n'
                    '  digests = {\n')
            for i, p in enumerate(plane.data["projects"]):
                f.write(f'    {{ name = "d{i}", projects = "{p["id"]}" }},\n')
            f.write("  },\n}\n")
        try:
            env = env_for(plane, teams, self.work, PLANE_RATE_LIMIT="60")
            env.pop("PLANE_PROJECT_ID")
            before = plane.throttled
            t0 = time.monotonic()
            p = subprocess.run([self.binary, "-c", cfg, "once", "--dry-run"], env=env, cwd=self.work, capture_output=True,
                               text=True)
            wall = time.monotonic() - t0
            n = len(plane.requests)
            if p.returncode != 0:
                raise RuntimeError(f"many digests failed ({p.returncode}):\n{p.stderr[-3000:]}")
        finally:
            plane.stop()
            teams.stop()
        bound = 60.0 + (n - 60) * 0.020 if n > 60 else n * 0.020
        self.row(f"30 digests on one key, 60/min: wall time ({n} requests)", f"{wall:.1f} s",
                 f"≤ {bound * 1.05:.1f} s (sliding-window bound {bound:.1f} s + 5 %)",
                 "met" if wall <= bound * 1.05 else f"missed by {wall / bound - 1:.0%}")
        self.row("30 digests: 429 answers provoked", str(plane.throttled - before), "0",
                 "met" if plane.throttled == before else "missed")

    def run_five_projects(self):
        print("3. five projects of 2,000 issues in one digest, 20 ms per response", flush=True)
        data = synthetic(5, 2000)
        res = self.sync(data, 0.020, 6000, 6000, self.runs)
        walls = [r[0] for r in res]
        pages = (res[0][4] - 15) // 5  # a project's pages of issues, less its project, states, members
        bound = pages * 0.020
        med = statistics.median(walls)
        self.row(f"5 × 2k issues: wall time ({res[0][4]} requests)", spread(walls, lambda v: f"{v:.2f} s"),
                 f"≈ {bound:.2f} s if the projects run side by side ({pages} pages × 20 ms)",
                 "met" if med <= bound * 1.25 else f"{med / bound:.1f}× the bound")
        self.row("5 × 2k issues: peak RSS", spread([r[2] / 1024 for r in res], lambda v: f"{v:.1f} MiB"), "—", "")

    def issues_file(self, n=10000):
        path = os.path.join(self.work, f"issues-{n}.json")
        if not os.path.exists(path):
            data = synthetic(1, n)
            p = data["projects"][0]
            by_id = {s["id"]: s for s in p["states"]}
            issues = [dict(i, state={k: by_id[i["state"]][k] for k in ("id", "name", "color", "group")})
                      for i in p["issues"]]
            with open(path, "w") as f:
                json.dump(issues, f)
        return path

    def run_scripts(self):
        print("4. transform + card alone on 10,000 issues (timed inside the host)", flush=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PLANE_", "TEAMS_"))}
        env.update(PLANE_WORKSPACE="acme", LOG_FILE="", TZ="UTC")
        ts, cs = [], []
        for _ in range(max(5, self.runs)):
            p = subprocess.run([self.binary, "preview", "--issues", self.issues_file()], env=env, cwd=self.work,
                               capture_output=True, text=True, check=True)
            m = re.search(r"transform ([\d.]+) ms, card ([\d.]+) ms", p.stderr)
            ts.append(float(m.group(1)))
            cs.append(float(m.group(2)))
        total = [a + b for a, b in zip(ts, cs)]
        self.row("transform + card, 10k issues", spread(total, lambda v: f"{v:.1f} ms"), "< 50 ms",
                 "met" if statistics.median(total) < 50 else "missed")
        self.row("  of which transform", spread(ts, lambda v: f"{v:.1f} ms"), "", "")

    def run_idle(self):
        print("5. the idle daemon: RSS after start and after a sync, CPU over 60 s of waiting", flush=True)
        data = synthetic(1, 250)
        plane = FakePlane(data, tokens=(TOKEN,), rate_limit=6000).start()
        teams = FakeTeams().start()
        state = os.path.join(self.work, "state.json")
        now = time.gmtime()
        try:
            # a) started after today's post: it only waits
            with open(state, "w") as f:
                json.dump({"last_sync": time.strftime("%Y-%m-%dT%H:%M:%S+00:00", now), "last_sync_status": "success",
                           "last_issues": [], "error_count": 0, "last_error": None}, f)
            env = env_for(plane, teams, self.work, NOTIFICATION_HOUR="00:00", PLANE_RATE_LIMIT="6000")
            rss_start, uss_start = self.daemon_rss(env, lambda: time.sleep(1.0))
            # b) started with nothing sent: it syncs at once, then waits
            os.remove(state)

            def synced():
                end = time.monotonic() + 30
                while time.monotonic() < end and not os.path.exists(state):
                    time.sleep(0.1)
                time.sleep(1.0)
            rss_sync, uss_sync, cpu = self.daemon_rss(env, synced, idle=60)
        finally:
            plane.stop()
            teams.stop()
        fmt = lambda rss, uss: f"{rss / 1024:.1f} MB (private {uss / 1024:.1f} MB)"
        self.row("idle: RSS after start", fmt(rss_start, uss_start), "< 5 MB", "met" if rss_start < 5 * 1024 else "missed")
        self.row("idle: RSS after a sync (250 issues)", fmt(rss_sync, uss_sync), "< 5 MB",
                 "met" if rss_sync < 5 * 1024 else "missed")
        self.row("idle: CPU over 60 s of waiting", f"{cpu * 1000:.0f} ms", "≈ 0", "met" if cpu < 0.05 else "missed")

    def daemon_rss(self, env, wait, idle=0):
        proc = subprocess.Popen([self.binary, "run"], env=env, cwd=self.work, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            wait()
            rss, uss = self.rss(proc.pid), self.uss(proc.pid)
            cpu = 0.0
            if idle:
                c0 = self.cpu(proc.pid)
                time.sleep(idle)
                cpu = self.cpu(proc.pid) - c0
            return (rss, uss, cpu) if idle else (rss, uss)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(20)

    @staticmethod
    def uss(pid):
        with open(f"/proc/{pid}/smaps_rollup") as f:
            text = f.read()
        return sum(int(v) for v in re.findall(r"Private_(?:Clean|Dirty):\s+(\d+)", text))

    @staticmethod
    def rss(pid):
        with open(f"/proc/{pid}/status") as f:
            return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))

    @staticmethod
    def cpu(pid):
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def run_callgrind(self):
        print("6. instruction counts (valgrind --tool=callgrind)", flush=True)
        out_dir = os.path.join(os.path.dirname(self.binary), "bench")
        os.makedirs(out_dir, exist_ok=True)
        data = synthetic(1, 10000)
        plane = FakePlane(data, tokens=(TOKEN,), rate_limit=6000).start()
        teams = FakeTeams().start()
        try:
            env = env_for(plane, teams, self.work, PLANE_RATE_LIMIT="6000")
            for name, cmd in (("sync", [self.binary, "once", "--dry-run"]),
                              ("scripts", [self.binary, "preview", "--issues", self.issues_file()])):
                out = os.path.join(out_dir, f"callgrind.{name}.out")
                subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", *cmd], env=env,
                               cwd=self.work, capture_output=True, check=True)
                ann = subprocess.run(["callgrind_annotate", "--inclusive=no", out], capture_output=True, text=True).stdout
                total = re.search(r"([\d,]+) \(100\.0%\)\s+PROGRAM TOTALS", ann)
                top = [l.strip() for l in ann.splitlines() if re.match(r"\s*[\d,]+ \(\s*[\d.]+%\)\s+\S", l)
                       and "PROGRAM TOTALS" not in l][:8]
                self.row(f"callgrind {name}: instructions", total.group(1) if total else "?", "", "")
                for t in top:
                    print("      " + t[:150])
        finally:
            plane.stop()
            teams.stop()

    def table(self):
        print()
        print("| benchmark | measured: median (min–max) | target | verdict |")
        print("|---|---|---|---|")
        for r in self.rows:
            print("| " + " | ".join(r) + " |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default=os.path.join(ROOT, "build", "plane-teams"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    args = ap.parse_args()
    b = Bench(args.binary, args.runs)
    print(f"machine: {os.cpu_count()} cores, {os.uname().sysname} {os.uname().release}; binary {args.binary}")
    try:
        b.run_big_fast()
        b.run_dry_memory()
        b.run_five_projects()
        b.run_scripts()
        if not args.quick:
            b.run_big_limited()
            b.run_many_digests()
            b.run_idle()
        if args.callgrind:
            b.run_callgrind()
    finally:
        b.table()
        shutil.rmtree(b.work, ignore_errors=True)


if __name__ == "__main__":
    main()
