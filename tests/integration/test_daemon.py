"""plane-teams run: the schedule under a moved clock (libfaketime), crashes, locks,
reloads and stops, against the fake Plane and fake Teams."""
import json
import os
import random
import signal
import time
import unittest
from datetime import datetime

from common import NetCase, Daemon, FAKETIME_LIB, base_env, block_text, wait_until


# Scripts that try to outrun the instruction limit by catching its error.
RUNAWAY = {
    "config.lua": "while true do pcall(function() while true do end end) end\nreturn {}\n",
    "transform.lua": "return { transform = function()\n  while true do pcall(function() while true do end end) end\nend }\n",
    "card.lua": "return { card = function()\n  while true do xpcall(function() while true do end end, "
                "function() while true do end end) end\nend }\n",
}


@unittest.skipUnless(FAKETIME_LIB, "libfaketime is not installed (Debian package faketime)")
class DaemonCase(NetCase):
    def setUp(self):
        super().setUp()
        self.daemons = []

    def tearDown(self):
        for d in self.daemons:
            if d.proc.poll() is None:
                d.stop()
        super().tearDown()

    def daemon(self, start, speed=60, **env):
        d = Daemon(self, start, speed, env=self.env(LOG_FILE="", **env))
        self.daemons.append(d)
        return d

    def posts(self):
        return len(self.teams.accepted)

    def settled(self):
        """The state file exists and records no attempt in progress."""
        try:
            return self.state().get("attempt") is None
        except (OSError, ValueError):
            return False

    def wait_posted(self, d, n, timeout=30):
        """n cards received by Teams and their outcome recorded in the state file."""
        d.wait_for(lambda: self.posts() == n and self.settled(), timeout=timeout)


class TestSchedule(DaemonCase):
    def test_started_before_the_hour_posts_at_the_hour(self):
        d = self.daemon("2026-11-26 07:59:55", speed=1, TZ="Europe/Paris", NOTIFICATION_HOUR="08:00")
        self.wait_posted(d, 1)
        self.assertEqual(d.stop(), 0)
        st = self.state()
        self.assertTrue(st["last_attempt"].startswith("2026-11-26T08:00:"), st)
        self.assertTrue(st["last_sync"].startswith("2026-11-26T08:00:"), st)
        self.assertTrue(st["last_sync"].endswith("+01:00"), st)

    def test_started_after_the_hour_posts_at_once_and_only_once(self):
        # at the real rate, like every test that talks to the fakes at length (see the retry test)
        d = self.daemon("2026-11-26 10:00:00", speed=1, TZ="Europe/Paris", NOTIFICATION_HOUR="08:00", LOG_LEVEL="debug")
        self.wait_posted(d, 1)
        d.wait_checked_after("posted ")  # the check after the post, with the state it wrote ...
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.posts(), 1)  # ... posted nothing more
        self.assertEqual(d.text().count("sync started"), 1)
        st = self.state()
        self.assertTrue(st["last_attempt"].startswith("2026-11-26T10:00:"), st)  # at once
        self.assertTrue(st["last_sync"].startswith("2026-11-26T10:00:"), st)

    def test_restart_after_a_success_posts_nothing(self):
        d = self.daemon("2026-11-26 08:10:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 1)
        d.stop()
        d = self.daemon("2026-11-26 15:00:00", TZ="Europe/Paris", LOG_LEVEL="debug")
        d.wait_for("running")
        d.wait_checks(2)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.posts(), 1)

    def test_days_not_in_the_list_post_nothing(self):
        # 2026-11-28 is a Saturday
        d = self.daemon("2026-11-28 07:59:00", TZ="Europe/Paris", NOTIFICATION_DAYS="weekdays", LOG_LEVEL="debug")
        d.wait_for("next 2026-11-30T08:00:00+01:00")
        d.wait_checked_at("2026-11-28 08:01:00")  # the hour has passed on a Saturday
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.posts(), 0)

    def test_down_for_days_posts_one_digest_today(self):
        d = self.daemon("2026-11-20 09:00:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 1)
        d.stop()
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris", LOG_LEVEL="debug")
        self.wait_posted(d, 2)
        d.wait_checked_after("posted ")
        d.stop()
        self.assertEqual(self.posts(), 2)
        self.assertEqual(d.text().count("sync started"), 1)  # one digest, not one a day
        self.assertTrue(self.state()["last_sync"].startswith("2026-11-26T09:00:"), self.state())

    def test_clock_step_over_midnight(self):
        d = self.daemon("2026-11-26 23:58:00", TZ="Europe/Paris", NOTIFICATION_HOUR="08:00")
        self.wait_posted(d, 1)  # the 26th's digest, caught up
        d.set_clock("2026-11-27 09:00:00", 60)   # suspend, NTP step, …: the next day
        self.wait_posted(d, 2, timeout=30)
        self.assertEqual(d.stop(), 0)
        self.assertTrue(self.state()["last_sync"].startswith("2026-11-27T09:0"))

    def test_failure_then_retry_15_minutes_later(self):
        """A failed attempt is tried again 15 minutes after it began, not before. Every exchange
        with the fakes runs at the real rate: libfaketime speeds up the monotonic clock too, so
        a fast clock also shortens the daemon's 30 s HTTP timeout (to 0.25 s at x120), and a fake
        slow to answer on a loaded machine makes a genuine timeout, hence one more failed try.
        So the daemon that failed stops after its next check, and the quarter of an hour is
        skipped by starting the next one just before it ends, from the state file."""
        self.teams.force(500, times=2)
        d = self.daemon("2026-11-26 08:00:00", speed=1, TZ="Europe/Paris", MAX_RETRIES="1", LOG_LEVEL="debug")
        d.wait_for("sync failed")
        failed = self.state()
        self.assertEqual(failed["last_sync_status"], "error")
        self.assertEqual(failed["error_count"], 1)
        d.wait_checked_after("sync failed")  # the check after the failure does not try again
        after = d.text().split("sync failed", 1)[1]
        self.assertNotIn("sync started", after)
        self.assertIn("next check in 60 s", after)
        self.assertEqual(d.stop(), 0)
        tries = d.text().count("sync started")
        d = self.daemon("2026-11-26 08:14:57", speed=1, TZ="Europe/Paris", MAX_RETRIES="1", LOG_LEVEL="debug")
        self.wait_posted(d, 1, timeout=40)
        self.assertEqual(d.stop(), 0)
        st = self.state()
        self.assertEqual(st["last_sync_status"], "success")
        self.assertEqual(st["error_count"], 0)
        self.assertIsNone(st["last_error"])
        self.assertEqual(tries + d.text().count("sync started"), 2)
        # the second try began 15 minutes after the first (within the minute that follows)
        waited = (datetime.fromisoformat(st["last_attempt"]) - datetime.fromisoformat(failed["last_attempt"]))
        self.assertGreaterEqual(waited.total_seconds(), 15 * 60, (failed, st))
        self.assertLess(waited.total_seconds(), 16 * 60, (failed, st))


class TestCrashes(DaemonCase):
    def test_kill_9_during_the_post_never_posts_twice(self):
        self.teams.force(202, delay=3)  # Teams takes its time: the POST is in flight
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for(lambda: len(self.teams.requests) == 1)
        d.kill9()
        st = self.state()  # parses
        self.assertIsNotNone(st["attempt"])
        # the fake answers 202 after all, to a client that is gone
        wait_until(lambda: self.teams.answered == 1, message="the fake's late answer")
        d = self.daemon("2026-11-26 09:05:00", speed=60, TZ="Europe/Paris", LOG_LEVEL="debug")
        d.wait_for("ended without a recorded answer")
        d.wait_checks(2)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(len(self.teams.requests), 1)
        st = self.state()
        self.assertEqual(st["last_sync_status"], "unknown")
        self.assertIsNone(st["attempt"])
        p = self.run_pt("status", env=self.env(TZ="Europe/Paris"))
        self.assertEqual(p.returncode, 1)
        self.assertIn("may not have been posted", p.stdout)
        p = self.once("--force", TZ="Europe/Paris")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.requests), 2)

    def leftovers(self):
        return {f for f in os.listdir(self.dir) if ".tmp-" in f}

    def test_random_kills_leave_a_readable_state_and_at_most_one_card(self):
        """The state file always parses. A kill between a write's temporary file and its rename
        leaves that file (nothing can remove it then); the next start removes it once it holds
        the lock, and a clean stop leaves none."""
        rng = random.Random(42)
        left = set()
        for i in range(12):
            d = Daemon(self, "2026-11-26 09:00:00", speed=1, env=self.env(LOG_FILE="", TZ="Europe/Paris"))
            time.sleep(rng.uniform(0.0, 0.25))
            d.kill9()
            if os.path.exists(self.path("state.json")):
                self.state()  # always valid JSON, never half-written
            if " running (pid" in d.text():  # it held the lock: what the kills before it left is gone
                self.assertEqual(left & self.leftovers(), set(), "a temporary file of an earlier kill is left behind")
            left |= self.leftovers()
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for("running")
        self.assertEqual(left & self.leftovers(), set(), "a temporary file of a kill is left behind")
        d.wait_for(self.settled)  # today's digest is posted, or was perhaps posted by a killed one
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.leftovers(), set(), "a temporary file is left behind")
        self.assertLessEqual(len(self.teams.requests), 1)

    def test_a_temporary_file_of_a_killed_write_is_removed_at_the_next_start(self):
        stale = self.write(".state.json.tmp-k1LL3d", '{"last_sync": "2026-11-26T08:0')  # half-written
        other = self.write(".other.json.tmp-k1LL3d", "")  # another state file's
        d = self.daemon("2026-11-26 07:00:00", TZ="Europe/Paris")
        d.wait_for("running")
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(other))
        self.assertEqual(d.stop(), 0)
        self.assertFalse(os.path.exists(self.path("state.json")))  # nothing to write yet

    def test_corrupt_state_is_moved_aside_and_nothing_is_sent_today(self):
        with open(self.path("state.json"), "w") as f:
            f.write('{"last_sync": "2026-11-26T08:00:0')
        d = self.daemon("2026-11-26 09:00:00", TZ="Europe/Paris", LOG_LEVEL="debug")
        d.wait_for("is corrupt")
        d.wait_checks(2)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.posts(), 0)
        moved = [f for f in os.listdir(self.dir) if f.startswith("state.json.corrupt-")]
        self.assertEqual(len(moved), 1)
        self.assertIn("moved it to", d.text())
        self.assertEqual(self.state()["last_sync_status"], "unknown")
        # the next day is normal again
        d = self.daemon("2026-11-27 09:00:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 1)
        d.stop()

    def test_second_instance_exits_2(self):
        d = self.daemon("2026-11-26 07:00:00", TZ="Europe/Paris")
        d.wait_for("running")
        p = self.run_pt("run", env=self.env(TZ="Europe/Paris"), timeout=20)
        self.assertEqual(p.returncode, 2)
        self.assertIn(f"another plane-teams (pid {d.proc.pid}) is using the state file", p.stderr)
        self.assertIn("state.json", p.stderr)
        p = self.once("--force")
        self.assertEqual(p.returncode, 2)
        d.stop()


class TestSignals(DaemonCase):
    def card_title(self, n=-1):
        return block_text(self.teams.accepted[n]["attachments"][0]["content"]["body"][0]["items"][0])

    def test_reload_keeps_a_good_card_and_takes_a_fixed_one(self):
        d = self.daemon("2026-11-26 09:00:00", TZ="Europe/Paris")
        self.wait_posted(d, 1)
        card = self.path("scripts", "card.lua")
        with open(card, encoding="utf-8") as f:
            good = f.read()
        with open(card, "w", encoding="utf-8") as f:
            f.write(good.replace("local M = {}", "local M = {", 1))  # a syntax error
        d.signal(signal.SIGHUP)
        d.wait_for("reload failed, keeping the running configuration and scripts")
        self.assertRegex(d.text(), r"scripts/card\.lua:\d+:")
        d.set_clock("2026-11-27 09:00:00")
        self.wait_posted(d, 2)
        self.assertEqual(self.card_title(), "🎯 Top priority issues")  # the old card
        with open(card, "w", encoding="utf-8") as f:
            f.write(good.replace('title = "🎯 Top priority issues"', 'title = "📌 Today"'))
        d.signal(signal.SIGHUP)
        d.wait_for("reloaded")
        d.set_clock("2026-11-28 09:00:00")
        self.wait_posted(d, 3)
        self.assertEqual(self.card_title(), "📌 Today")
        self.assertEqual(d.stop(), 0)

    def test_reload_with_a_bad_config_keeps_the_old_one(self):
        d = self.daemon("2026-11-26 07:59:50", speed=1, TZ="Europe/Paris")
        d.wait_for("running")
        with open(self.path("config.lua")) as f:
            text = f.read()
        with open(self.path("config.lua"), "w") as f:
            f.write(text.replace('hour = env("NOTIFICATION_HOUR", "08:00")', 'hour = "8h"'))
        d.signal(signal.SIGHUP)
        d.wait_for("reload failed")
        self.assertIn('hour = "8h" is not a time of day', d.text())
        self.wait_posted(d, 1, timeout=20)  # still posts at 08:00 with the old one
        self.assertEqual(d.stop(), 0)

    def test_a_runaway_script_on_reload_is_stopped_and_the_old_scripts_stay(self):
        d = self.daemon("2026-11-26 09:00:00", TZ="Europe/Paris")
        self.wait_posted(d, 1)
        for name, text in RUNAWAY.items():
            with self.subTest(script=name):
                path = self.path(name) if name == "config.lua" else self.path("scripts", name)
                with open(path, encoding="utf-8") as f:
                    good = f.read()
                with open(path, "w", encoding="utf-8") as f:
                    f.write(text)
                before = d.text().count("reload failed")
                d.signal(signal.SIGHUP)
                d.wait_for(lambda: d.text().count("reload failed") > before, timeout=60)
                self.assertIn("(an endless loop?)", d.text().splitlines()[-1])
                with open(path, "w", encoding="utf-8") as f:
                    f.write(good)
        d.set_clock("2026-11-27 09:00:00")
        self.wait_posted(d, 2)  # the running scripts still work
        self.assertEqual(d.stop(), 0)

    def test_sigterm_stops_a_runaway_reload_within_a_second(self):
        d = self.daemon("2026-11-26 07:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for("running")
        for name, text in RUNAWAY.items():
            if name != "config.lua":
                with open(self.path("scripts", name), "w", encoding="utf-8") as f:
                    f.write(text)
        cpu = d.cpu_seconds()
        d.signal(signal.SIGHUP)
        # the reload is inside the endless loop once it has spun for a while: a reload
        # that ends takes a few milliseconds, the instruction limit about a second
        d.wait_for(lambda: d.cpu_seconds() >= cpu + 0.15)
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertIn("the process is stopping", d.text())

    def test_a_reload_applies_a_new_rate_limit(self):
        with open(self.path("config.lua"), encoding="utf-8") as f:
            text = f.read()
        slow = text.replace('rate_limit = env("PLANE_RATE_LIMIT", "60")', 'rate_limit = 3')
        self.assertNotEqual(slow, text)
        self.write("config.lua", slow)
        d = self.daemon("2026-11-26 09:00:00", TZ="Europe/Paris", LOG_LEVEL="debug")
        self.wait_posted(d, 1, timeout=60)  # 8 requests, 3 a minute: waits
        self.assertIn("rate limit: 3 requests a minute reached", d.text())
        self.write("config.lua", text.replace('rate_limit = env("PLANE_RATE_LIMIT", "60")', 'rate_limit = 500'))
        d.signal(signal.SIGHUP)
        d.wait_for("reloaded")
        waits = d.text().count("rate limit:")
        d.set_clock("2026-11-27 09:00:00")
        self.wait_posted(d, 2)
        self.assertEqual(d.stop(), 0)
        self.assertEqual(d.text().count("rate limit:"), waits)  # the new limit: no wait

    def test_sigterm_during_a_slow_teams_reply_waits_for_it(self):
        self.teams.force(202, delay=1.5)
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for(lambda: len(self.teams.requests) == 1)
        d.signal(signal.SIGTERM)
        self.assertEqual(d.stop(), 0)
        self.assertIn("once the post in flight is answered", d.text())
        st = self.state()
        self.assertEqual(st["last_sync_status"], "success")
        self.assertIsNone(st["attempt"])

    def test_sigterm_gives_up_on_a_reply_that_never_comes(self):
        self.teams.force(202, delay=8)
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for(lambda: len(self.teams.requests) == 1)
        t0 = time.monotonic()
        d.signal(signal.SIGTERM)
        self.assertEqual(d.stop(), 0)
        self.assertLess(time.monotonic() - t0, 7)
        self.assertIn("abandoning the sync in progress", d.text())
        st = self.state()  # the attempt stays recorded: the next start will not resend
        self.assertIsNotNone(st["attempt"])

    def test_sigterm_while_idle_exits_0(self):
        d = self.daemon("2026-11-26 07:00:00", TZ="Europe/Paris")
        d.wait_for("running")
        d.signal(signal.SIGINT)
        self.assertEqual(d.stop(), 0)
        self.assertIn("stopped", d.text())


class TestStatus(DaemonCase):
    def test_status_reports_health(self):
        env = self.env(TZ="Europe/Paris")
        p = self.run_pt("status", env=env)
        self.assertIn("last success: never", p.stdout)
        self.once(TZ="Europe/Paris")
        p = self.run_pt("status", env=env)
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("last status: success", p.stdout)
        self.assertIn("health: ok", p.stdout)
        self.assertRegex(p.stdout, r"next due: \d{4}-\d\d-\d\dT08:00:00\+0[12]:00")
        self.teams.force(400, body="no")
        self.once("--force", TZ="Europe/Paris")
        p = self.run_pt("status", env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("error count: 1", p.stdout)
        self.assertIn("FAILING: the last attempt failed", p.stdout)
        self.assertIn("Teams answered 400", p.stdout)

    def test_alive_is_the_daemon_not_the_last_attempt(self):
        env = self.env(TZ="Europe/Paris")
        p = self.run_pt("status", "--alive", env=env)  # nothing ran yet: no lock file
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not alive: no plane-teams holds", p.stdout)
        self.teams.force(400, body="no", times=100)
        d = self.daemon("2026-11-26 09:00:00", speed=1, TZ="Europe/Paris")
        d.wait_for("sync failed")
        self.assertEqual(self.run_pt("status", env=env).returncode, 1)  # the digest failed …
        p = self.run_pt("status", "--alive", env=env)  # … the daemon is alive
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn(f"alive: plane-teams (pid {d.proc.pid}) holds {self.path('state.json')}.lock", p.stdout)
        self.assertNotIn("last status", p.stdout)
        self.assertEqual(self.run_pt("once", "--force", env=env).returncode, 2)  # the probe took nothing
        self.assertIsNone(d.proc.poll())                                          # from the daemon
        self.assertEqual(d.stop(), 0)
        p = self.run_pt("status", "--alive", env=env)  # stopped: the lock file stays, unheld
        self.assertEqual(p.returncode, 1, p.stdout)
        self.assertIn("not alive", p.stdout)
        p = self.run_pt("once", "--alive", env=env)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--alive goes with 'status'", p.stderr)

    def test_overdue_by_more_than_an_hour(self):
        with open(self.path("state.json"), "w") as f:
            json.dump({"last_sync": "2026-11-25T08:00:00+01:00", "last_sync_status": "success",
                       "last_issues": [], "error_count": 0, "last_error": None}, f)
        env = dict(self.env(TZ="Europe/Paris"), LD_PRELOAD=FAKETIME_LIB, FAKETIME="@2026-11-26 08:30:00")
        env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        p = self.run_pt("status", env=env)
        self.assertEqual(p.returncode, 0, p.stdout)  # due, but not an hour late yet
        env["FAKETIME"] = "@2026-11-26 09:01:00"
        p = self.run_pt("status", env=env)
        self.assertEqual(p.returncode, 1)
        self.assertIn("more than an hour overdue", p.stdout)


class TestHolidays(DaemonCase):
    """A holiday gives no post from run or once (--force still sends), is not caught up the
    next day, and status says it is a holiday rather than overdue."""
    HOLIDAYS = "2026-12-25,2027-01-01"

    def write_state(self, last_sync):
        with open(self.path("state.json"), "w") as f:
            json.dump({"last_sync": last_sync, "last_sync_status": "success", "last_issues": [],
                       "error_count": 0, "last_error": None}, f)

    def faked(self, when, **extra):
        values = dict(TZ="Europe/Paris", NOTIFICATION_HOLIDAYS=self.HOLIDAYS)
        values.update(extra)
        env = dict(self.env(**values), LD_PRELOAD=FAKETIME_LIB, FAKETIME="@" + when)
        env["ASAN_OPTIONS"] += ":verify_asan_link_order=0"
        return env

    def test_run_posts_nothing_on_a_holiday_and_only_the_next_day(self):
        self.write_state("2026-12-24T08:00:02+01:00")
        d = self.daemon("2026-12-25 10:00:00", TZ="Europe/Paris", NOTIFICATION_HOLIDAYS=self.HOLIDAYS,
                        LOG_LEVEL="debug")
        d.wait_for("running")
        self.assertIn("next 2026-12-26T08:00:00+01:00", d.text())
        d.wait_for("today (2026-12-25) is one of the digest's holidays: no digest; next 2026-12-26T08:00:00+01:00")
        d.wait_checked_at("2026-12-25 10:03:00")  # three minutes past the hour, on the holiday
        self.assertEqual(self.posts(), 0)
        d.set_clock("2026-12-26 07:59:00")
        self.wait_posted(d, 1)
        d.wait_checked_after("posted ")
        self.assertEqual(d.stop(), 0)
        self.assertEqual(self.posts(), 1)  # the holiday's digest is not caught up
        self.assertEqual(d.text().count("is one of the digest's holidays"), 1)  # said once
        self.assertTrue(self.state()["last_sync"].startswith("2026-12-26T08:0"), self.state())

    def test_once_on_a_holiday_says_so_and_force_sends(self):
        p = self.run_pt("once", env=self.faked("2027-01-01 09:00:00"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("today (2027-01-01) is one of the digest's holidays; nothing sent", p.stderr)
        self.assertEqual(self.teams.requests, [])
        self.assertFalse(os.path.exists(self.path("state.json")))  # no attempt recorded
        p = self.run_pt("once", "--force", env=self.faked("2027-01-01 09:00:00"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.posts(), 1)
        p = self.run_pt("once", env=self.faked("2027-01-02 09:00:00"))  # not a holiday
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.posts(), 2)

    def test_the_holiday_is_the_local_date(self):
        # 23:30 UTC on 24 December is already the 25th in Paris
        env = self.faked("2026-12-24 23:30:00", TZ="UTC")  # the clock's zone; the digest's is Paris
        self.write("paris.lua", 'return { workspace = env("PLANE_WORKSPACE"), plane_api_token = env("PLANE_API_TOKEN"),\n'
                   '  plane_base_url = env("PLANE_BASE_URL"), projects = env("PLANE_PROJECT_ID"),\n'
                   '  teams_webhook_url = env("TEAMS_WEBHOOK_URL"), state_file = env("STATE_FILE"),\n'
                   '  log_file = "", timezone = "Europe/Paris", holidays = { "2026-12-25" } }\n')
        p = self.run_pt("-c", "paris.lua", "once", env=env)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("today (2026-12-25) is one of the digest's holidays", p.stderr)
        self.assertEqual(self.teams.requests, [])

    def test_status_says_holiday_not_overdue(self):
        self.write_state("2026-12-24T08:00:02+01:00")
        p = self.run_pt("status", env=self.faked("2026-12-25 10:00:00"))
        self.assertEqual(p.returncode, 0, p.stdout)
        self.assertIn("today: 2026-12-25, a holiday: no digest is due", p.stdout)
        self.assertIn("next due: 2026-12-26T08:00:00+01:00", p.stdout)
        self.assertIn("health: ok", p.stdout)
        p = self.run_pt("status", env=self.faked("2026-12-25 10:00:00", NOTIFICATION_HOLIDAYS=None))
        self.assertEqual(p.returncode, 1, p.stdout)  # the same day without the holiday
        self.assertIn("more than an hour overdue", p.stdout)


# A card that shows, for each row, what ctx.previous_rows says of it and what ctx.options holds.
PREVIOUS_CARD = """
local M = {}
function M.card(rows, ctx)
  local body = { { type = "TextBlock", text = "focus=" .. tostring(ctx.options.focus) } }
  for _, r in ipairs(rows) do
    local p = ctx.previous_rows[r.id]
    local was = p and string.format("%s@%d/%s/%s/%s", p.priority, p.rank, p.state.name, p.state.group,
      tostring(p.target_date)) or "unknown"
    body[#body + 1] = { type = "TextBlock", text = r.id .. " " .. r.priority .. " was " .. was }
  end
  return { type = "AdaptiveCard", version = "1.2", body = body }
end
return M
"""


class TestPreviousRows(DaemonCase):
    def lines(self, n):
        card = self.teams.accepted[n]["attachments"][0]["content"]
        return {b["text"].split(" ")[0]: b["text"] for b in card["body"][1:]}

    def test_previous_rows_carry_the_last_cards_priorities_across_a_restart(self):
        self.write("scripts/card.lua", PREVIOUS_CARD)
        with open(self.path("config.lua"), encoding="utf-8") as f:
            config = f.read()
        self.write("config.lua", config.replace("empty = \"post\",", 'empty = "post", options = { focus = "Ada" },'))
        first = self.plane.data["projects"][0]["issues"][0]
        d = self.daemon("2026-11-26 08:10:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 1)
        self.assertEqual(d.stop(), 0)
        day1 = self.lines(0)
        self.assertTrue(day1 and all(t.endswith(" was unknown") for t in day1.values()), day1)
        self.assertIn("focus=Ada", self.teams.accepted[0]["attachments"][0]["content"]["body"][0]["text"])
        rows = self.state()["last_rows"]
        self.assertEqual([r["id"] for r in rows], self.state()["last_issues"])
        self.assertEqual([r["rank"] for r in rows], list(range(1, len(rows) + 1)))
        self.assertIn(first["id"], day1)

        first["priority"] = "low"  # lowered overnight
        d = self.daemon("2026-11-27 08:10:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 2)
        self.assertEqual(d.stop(), 0)
        day2 = self.lines(1)
        rank1 = next(r for r in rows if r["id"] == first["id"])
        self.assertEqual(day2[first["id"]], f"{first['id']} low was urgent@{rank1['rank']}/"
                         f"{rank1['state']['name']}/{rank1['state']['group']}/2026-11-25")
        self.assertEqual(rank1["priority"], "urgent")
        known = [t for t in day2.values() if " was unknown" not in t]
        self.assertGreater(len(known), 1, day2)

    def test_a_state_file_of_ids_only_gives_unknown_rows(self):
        self.write("scripts/card.lua", PREVIOUS_CARD)
        first = self.plane.data["projects"][0]["issues"][0]
        self.write("state.json", json.dumps({"last_sync": "2026-11-25T08:00:00+01:00", "last_sync_status": "success",
                                             "last_issues": [first["id"]], "error_count": 0}))
        d = self.daemon("2026-11-26 08:10:00", speed=1, TZ="Europe/Paris")
        self.wait_posted(d, 1)
        self.assertEqual(d.stop(), 0)
        self.assertTrue(self.lines(0)[first["id"]].endswith(" was unknown"))
        self.assertEqual(self.state()["last_rows"][0]["id"], self.state()["last_issues"][0])
