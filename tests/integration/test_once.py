"""once against a fake Plane and a fake Teams on loopback: real HTTP, real files."""
import json
import os
import signal
import stat
import subprocess
import time

from common import BINARY, NetCase, PROJECT, TOKEN, synthetic, wrapped_error, envelope_rows, block_text


class TestOnceHappyPath(NetCase):
    def test_posts_the_card_and_records_the_state(self):
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.accepted), 1)
        rows = self.posted_rows()
        self.assertEqual(len(rows), 10)
        self.assertEqual(rows[0][2], "Rotate the database credentials")
        # a self-hosted API host is also the web app host unless PLANE_APP_URL says otherwise
        self.assertEqual(rows[0][4], self.plane.url + "/acme/browse/OPS-3/")
        # the request had the right headers
        headers, raw = self.teams.requests[0]
        self.assertEqual(headers["Content-Type"], "application/json; charset=utf-8")
        st = self.state()
        self.assertEqual(st["last_sync_status"], "success")
        self.assertEqual(st["error_count"], 0)
        self.assertIsNone(st["last_error"])
        self.assertEqual(len(st["last_issues"]), 10)
        card_ids = [r[4] for r in rows]
        self.assertEqual(len(card_ids), len(st["last_issues"]))
        self.assertEqual(stat.S_IMODE(os.stat(self.path("state.json")).st_mode), 0o600)
        self.assertIn("posted 10 issues", p.stderr)
        self.assertNoSecrets(p.stdout, p.stderr, json.dumps(st), json.dumps(self.log_lines()))

    def test_sends_plane_what_plane_expects(self):
        self.assertEqual(self.once().returncode, 0)
        issues = [r for r in self.plane.requests if r[1].endswith("/work-items/")]
        self.assertTrue(issues)
        method, path, query, headers = issues[0]
        self.assertEqual(headers["X-API-Key"], TOKEN)
        self.assertEqual(query["per_page"], ["1000"])
        self.assertEqual(query["expand"], ["state"])
        self.assertNotIn("description_html", query["fields"][0])
        self.assertIn("gzip", headers["Accept-Encoding"])
        self.assertEqual(headers["Accept"], "application/json")
        # project and states are asked once per project
        self.assertEqual(self.plane.count("/states/"), 2)

    def test_second_run_the_same_day_posts_nothing(self):
        self.assertEqual(self.once().returncode, 0)
        p = self.once()
        self.assertEqual(p.returncode, 0)
        self.assertIn("already sent", p.stderr)
        self.assertEqual(len(self.teams.accepted), 1)
        p = self.once("--force")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.accepted), 2)
        # second card: nothing new since the first
        self.assertFalse(any("🆕" in r[2] for r in self.posted_rows()))

    def test_json_log_lines(self):
        self.assertEqual(self.once().returncode, 0)
        lines = self.log_lines()
        posted = [l for l in lines if l["msg"].startswith("posted")]
        self.assertEqual(len(posted), 1)
        l = posted[0]
        self.assertEqual(l["level"], "info")
        self.assertEqual(l["digest"], "main")
        self.assertEqual(l["issues"], 10)
        self.assertEqual(l["fetched"], 17)
        self.assertEqual(l["matching"], 13)
        self.assertEqual(l["plane_requests"], 8)
        self.assertEqual(l["teams_status"], 202)
        for k in ("ts", "duration_ms", "plane_ms", "teams_ms"):
            self.assertIn(k, l)


class TestPagination(NetCase):
    data = synthetic(projects=1, issues_per_project=250)

    def test_250_issues_over_3_pages(self):
        self.plane.max_per_page = 100
        p = self.once(DIGEST_LIMIT="500")
        self.assertEqual(p.returncode, 0, p.stderr)
        # the first ask of 1,000 refused, then 3 pages of 100
        self.assertEqual(self.plane.count("/work-items/"), 4)
        self.assertIn("250 issues fetched", p.stderr)
        rows = self.posted_rows()
        # 3 of 5 states match (Backlog, Todo, In Progress): 150 issues; all urgent first
        st = self.state()
        self.assertEqual(len(set(st["last_issues"])), len(rows))
        prios = [r[1] for r in rows]
        self.assertEqual(prios, sorted(prios, key=["🔴 URGENT", "🟠 HIGH", "🟢 MEDIUM", "🔵 LOW", "⚪ NONE"].index))
        self.assertIn("150 matching", p.stderr)
        body = self.teams.accepted[-1]["attachments"][0]["content"]["body"]
        self.assertTrue(block_text(body[-1]).startswith("+ "))   # the budget cut rows

    def test_datetimes_with_offsets_change_nothing(self):
        self.assertEqual(self.once(DIGEST_LIMIT="20").returncode, 0)
        self.plane.offsets = True  # created_at and updated_at end in +05:30 instead of Z
        p = self.once("--force", DIGEST_LIMIT="20")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.posted_rows(0), self.posted_rows(1))


class TestPageSize(NetCase):
    """per_page=1000 (Plane's maximum in its code), and a server's lower maximum learnt from
    its 400 and kept for the process's life (docs/network.md, "Page size")."""
    data = synthetic(projects=1, issues_per_project=10000)

    def setUp(self):
        super().setUp()
        self.plane.rate_limit = 100000

    def issue_requests(self):
        return [r for r in self.plane.requests if r[1].endswith("/work-items/")]

    def test_10000_issues_in_10_requests(self):
        p = self.once("--dry-run", PLANE_RATE_LIMIT="6000")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("10000 issues fetched", p.stderr)
        self.assertEqual([r[2]["per_page"] for r in self.issue_requests()], [["1000"]] * 10)
        self.assertEqual(self.plane.count("/states/"), 1)
        self.assertEqual(len(self.plane.requests), 13)  # project, states, members, 10 pages

    def test_a_server_with_a_maximum_of_100(self):
        self.plane.max_per_page = 100
        p = self.once("--dry-run", PLANE_RATE_LIMIT="6000")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("10000 issues fetched", p.stderr)
        sizes = [r[2]["per_page"][0] for r in self.issue_requests()]
        self.assertEqual(sizes, ["1000"] + ["100"] * 100)  # one refused ask, then 100 pages
        cursors = [r[2].get("cursor", [""])[0] for r in self.issue_requests()[1:]]
        self.assertEqual(cursors, [""] + ["100:%d:0" % n for n in range(1, 100)])
        # the states list asked at the same time was refused once too, then never again
        self.assertEqual([r[2]["per_page"][0] for r in self.plane.requests if r[1].endswith("/states/")],
                         ["1000", "100"])
        self.assertEqual(p.stderr.count("allows at most 100 items a page"), 1)

    def test_a_refusal_that_names_no_smaller_size_ends_the_sync(self):
        self.plane.force(400, body={"detail": "Invalid per_page value. Cannot exceed 1000."}, match="/work-items/")
        p = self.once("--dry-run", PLANE_RATE_LIMIT="6000")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Plane answered 400 Invalid per_page value. Cannot exceed 1000.", p.stderr)
        self.assertEqual(len(self.issue_requests()), 1)


class TestServerPacing(NetCase):
    """X-RateLimit-Remaining: 0 holds every request of the key until X-RateLimit-Reset."""
    data = synthetic(projects=1, issues_per_project=250)

    def test_nothing_leaves_before_reset(self):
        self.plane.max_per_page = 100
        reset = int(time.time()) + 3
        # the second page of issues says so: the other chains are done by then
        self.plane.force_rate(0, reset, match="/work-items/", after=1)
        p = self.once("--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.plane.rate_given), 1)
        given = self.plane.rate_given[0]
        later = [(r, t) for r, t in zip(self.plane.requests, self.plane.arrivals) if t > given]
        self.assertEqual([r[2].get("cursor") for r, _ in later], [["100:2:0"]])  # the third page
        self.assertTrue(all(t >= reset for _, t in later), (reset, [(r[1], t) for r, t in later]))
        self.assertEqual(p.stderr.count("X-RateLimit-Remaining: 0"), 1)
        self.assertNoSecrets(p.stderr)


class TestTwoProjects(NetCase):
    data = synthetic(projects=2, issues_per_project=30)

    def test_both_projects_on_one_card(self):
        p = self.once(DIGEST_LIMIT="40")
        self.assertEqual(p.returncode, 0, p.stderr)
        keys = {r[4].split("/browse/")[1].split("-")[0] for r in self.posted_rows()}
        self.assertEqual(keys, {"P0", "P1"})
        head = block_text(self.teams.accepted[-1]["attachments"][0]["content"]["body"][0]["items"][1])
        self.assertIn("Project 0, Project 1", head)


class TestPlaneErrors(NetCase):
    def test_bad_key_is_not_retried(self):
        p = self.once(PLANE_API_TOKEN="plane_api_ffffffffffffffffffffffffffffffff")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Plane rejected the API key (403 Given API token is not valid)", p.stderr)
        # the setting it names is the setting's name, not mangled by the key redaction
        self.assertIn("check plane_api_token (revoked", p.stderr)
        self.assertIn("check plane_api_token (revoked", self.state()["last_error"])
        # the project, its states, its issues and its members are asked side by side, once each: no retry
        self.assertEqual(len(self.plane.requests), 8)
        self.assertEqual(len({(r[1], str(sorted(r[2].items()))) for r in self.plane.requests}), 8)
        self.assertEqual(self.teams.accepted, [])
        st = self.state()
        self.assertEqual(st["last_sync_status"], "error")
        self.assertEqual(st["error_count"], 1)
        self.assertIn("403", st["last_error"])
        self.assertNotIn("ffffffff", p.stderr + json.dumps(st))

    def test_project_not_visible(self):
        p = self.once(PLANE_PROJECT_ID="00000000-0000-4000-8000-000000000000")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Plane denied access (403 You do not have permission to perform this action.)", p.stderr)

    def test_5xx_twice_then_success(self):
        web = self.plane.data["projects"][0]["id"]
        self.plane.force(503, times=2, match=web + "/work-items/")
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("retry 1 of 3", p.stderr)
        self.assertIn("retry 2 of 3", p.stderr)
        self.assertEqual(len(self.teams.accepted), 1)

    def test_5xx_forever_fails_with_the_state_showing_it(self):
        self.plane.force(500, times=100, match="/states/")
        p = self.once(MAX_RETRIES="1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("Plane answered 500 Something went wrong please try again later", p.stderr)
        self.assertIn("gave up after 2 attempts", p.stderr)
        st = self.state()
        self.assertEqual(st["last_sync_status"], "error")
        self.assertIn("gave up after 2 attempts", st["last_error"])
        self.assertEqual(self.teams.accepted, [])
        # the next once tries again (a failure is not "sent today")
        self.plane.forced.clear()
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(self.state()["error_count"], 0)

    def test_429_with_retry_after_is_honoured(self):
        self.plane.force(429, body={"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"},
                         headers={"Retry-After": "2"}, match="/work-items/")
        t0 = time.monotonic()
        p = self.once()
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreaterEqual(elapsed, 2.0)
        self.assertIn("in 2.0 s", p.stderr)
        # the retry of that page came at least 2 s after the 429
        times = [r for r in self.plane.requests if r[1].endswith("/work-items/")]
        self.assertGreaterEqual(len(times), 2)

    def test_malformed_replies_name_the_endpoint(self):
        cases = [
            (b'{"results": [{"id": "x"', "the response is not valid JSON"),
            (b"<html><body>Bad gateway</body></html>", "the response is an HTML page, not JSON"),
            (b"", "the response body is empty, expected JSON"),
            (b'{"results": {"a": 1}, "next_page_results": false}', "'results' is not a list"),
        ]
        for raw, msg in cases:
            with self.subTest(msg=msg):
                self.plane.force(200, raw=raw, match="/work-items/")
                p = self.once("--force")
                self.assertEqual(p.returncode, 1, p.stderr)
                self.assertRegex(p.stderr, r"GET /api/v1/workspaces/acme/projects/[0-9a-f-]{36}/work-items/: " + msg)
                self.assertNotIn("Traceback", p.stderr)
                self.plane.forced.clear()

    def test_a_huge_answer_is_cut_at_64_mib(self):
        huge = b'{"results": [], "next_page_results": false, "padding": "' + b"x" * (65 << 20) + b'"}'
        self.plane.force(200, raw=huge, match="/work-items/")
        p = self.once(MAX_RETRIES="0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("the response is larger than 64 MiB", p.stderr)
        self.assertEqual(self.teams.requests, [])

    def test_unreachable_plane(self):
        p = self.once(PLANE_BASE_URL="http://127.0.0.1:9", MAX_RETRIES="0")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot reach Plane", p.stderr)
        self.assertIn("gave up after 1 attempt)", p.stderr)


class TestStopWhileWaiting(NetCase):
    def test_sigterm_frees_a_failed_fetch_with_a_request_in_flight_and_pages_waiting(self):
        """The first project is refused while its states are slow to come and, with a rate
        limit of 2, every other page waits: SIGTERM then frees that fetch with one request
        in flight and six waiting. None of them may start (the sanitizers watch memory)."""
        self.plane.force(200, body={"results": []}, match=PROJECT + "/states/", delay=20)
        self.plane.force(403, body={"detail": "You do not have permission"}, match=PROJECT + "/")
        env = self.env(PLANE_RATE_LIMIT="2", LOG_LEVEL="debug")
        log = self.path("once.err")
        with open(log, "w", encoding="utf-8") as err:
            proc = subprocess.Popen([BINARY, "once"], cwd=self.dir, env=env, stdout=subprocess.DEVNULL,
                                    stderr=err)
            try:
                end = time.monotonic() + 30
                while "rate limit: 2 requests a minute reached" not in open(log, encoding="utf-8").read():
                    self.assertIsNone(proc.poll(), open(log, encoding="utf-8").read())
                    self.assertLess(time.monotonic(), end, "the pages never waited for the rate limit")
                    time.sleep(0.02)
                proc.send_signal(signal.SIGTERM)
                rc = proc.wait(15)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
        text = open(log, encoding="utf-8").read()
        for bad in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            self.assertNotIn(bad, text)
        self.assertEqual(rc, 1, text)
        self.assertIn("abandoning the sync in progress", text)
        self.assertEqual(len(self.plane.requests), 2)  # the project and its states, nothing after
        self.assertEqual(self.teams.requests, [])


class TestTeamsErrors(NetCase):
    def test_413_is_not_retried(self):
        self.teams.force(413, body='{"error":{"code":"RequestEntityTooLarge","message":"too large"}}')
        p = self.once()
        self.assertEqual(p.returncode, 1)
        self.assertIn("Teams answered 413", p.stderr)
        self.assertIn("the message is too large", p.stderr)
        self.assertEqual(len(self.teams.requests), 1)
        self.assertEqual(self.state()["last_sync_status"], "error")

    def test_429_then_success(self):
        self.teams.force(429, headers={"Retry-After": "1"})
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.requests), 2)
        self.assertEqual(len(self.teams.accepted), 1)

    def test_429_without_retry_after_then_5xx_then_success(self):
        self.teams.force(429)
        self.teams.force(502)
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.requests), 3)

    def test_legacy_200_with_error_text_is_a_failure(self):
        self.teams.force(200, body=wrapped_error(400), headers={"Content-Type": "text/plain"})
        p = self.once()
        self.assertEqual(p.returncode, 1)
        self.assertIn("Teams answered 200 but did not deliver the message", p.stderr)
        self.assertEqual(len(self.teams.requests), 1)

    def test_legacy_wrapped_429_is_retried(self):
        self.teams.force(200, body=wrapped_error(429), headers={"Content-Type": "text/plain"})
        p = self.once()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.requests), 2)

    def test_bad_request_shows_the_reason(self):
        self.teams.force(400, body='{"error":{"code":"TriggerInputSchemaMismatch","message":"missing contentUrl"}}')
        p = self.once()
        self.assertEqual(p.returncode, 1)
        self.assertIn("TriggerInputSchemaMismatch", p.stderr)

    def test_connection_dropped_after_sending_is_never_resent(self):
        self.teams.force(drop=True)
        p = self.once()
        self.assertEqual(p.returncode, 1)
        self.assertIn("may have been posted", p.stderr)
        self.assertEqual(len(self.teams.requests), 1)
        self.assertEqual(self.state()["last_sync_status"], "unknown")
        p = self.once()  # not again today
        self.assertEqual(p.returncode, 0)
        self.assertIn("already attempted without a known outcome", p.stderr)
        self.assertEqual(len(self.teams.requests), 1)

    def test_unreachable_teams_is_retried_then_fails(self):
        p = self.once(TEAMS_WEBHOOK_URL="http://127.0.0.1:9/hook?sig=S3cr3tS1gnature", MAX_RETRIES="1")
        self.assertEqual(p.returncode, 1)
        self.assertIn("cannot post to Teams at 127.0.0.1", p.stderr)
        self.assertIn("gave up after 2 attempts", p.stderr)
        self.assertNoSecrets(p.stderr, json.dumps(self.state()), json.dumps(self.log_lines()))


class TestDryRun(NetCase):
    def test_dry_run_posts_nothing_and_touches_nothing(self):
        p = self.once("--dry-run", TEAMS_WEBHOOK_URL=None)
        self.assertEqual(p.returncode, 0, p.stderr)
        env = json.loads(p.stdout)
        self.assertEqual(len(envelope_rows(env)), 10)
        self.assertEqual(self.teams.requests, [])
        self.assertFalse(os.path.exists(self.path("state.json")))
        self.assertIn("nothing posted", p.stderr)

    def test_dry_run_output_file(self):
        p = self.once("--dry-run", "--output", "out.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("out.json"), encoding="utf-8") as f:
            self.assertEqual(json.load(f)["type"], "message")
        self.assertEqual(p.stdout, "")

    def test_dry_run_after_a_post_leaves_the_state_alone(self):
        self.assertEqual(self.once().returncode, 0)
        before = open(self.path("state.json"), "rb").read()
        self.assertEqual(self.once("--dry-run").returncode, 0)
        self.assertEqual(open(self.path("state.json"), "rb").read(), before)


class TestHolidaysReachTheScripts(NetCase):
    def test_ctx_holidays(self):
        with open(self.path("scripts", "transform.lua"), encoding="utf-8") as f:
            text = f.read()
        name = 'name = type(issue.name) == "string" and issue.name or "(untitled)",'
        self.assertIn(name, text)
        self.write("scripts/transform.lua", text.replace(
            name, 'name = #ctx.holidays .. ": " .. table.concat(ctx.holidays, " "),'))
        # a dry run is a preview: it shows the card even on a holiday
        p = self.once("--dry-run", NOTIFICATION_HOLIDAYS="2027-01-01,2026-12-25")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(envelope_rows(json.loads(p.stdout))[0][2], "2: 2026-12-25 2027-01-01")
        p = self.once("--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(envelope_rows(json.loads(p.stdout))[0][2], "0: ")


class TestMetrics(NetCase):
    def metrics(self):
        out = {}
        with open(self.path("metrics.prom"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("#") or not line.strip():
                    continue
                name, value = line.rsplit(" ", 1)
                out[name] = float(value)
        return out

    def test_metrics_after_a_success_and_a_failure(self):
        p = self.once(METRICS_FILE=self.path("metrics.prom"))
        self.assertEqual(p.returncode, 0, p.stderr)
        m = self.metrics()
        self.assertEqual(m['plane_teams_last_attempt_success{digest="main"}'], 1)
        self.assertEqual(m['plane_teams_issues_fetched{digest="main"}'], 17)
        self.assertEqual(m['plane_teams_issues_matching{digest="main"}'], 13)
        self.assertEqual(m['plane_teams_issues_posted{digest="main"}'], 10)
        self.assertEqual(m['plane_teams_plane_requests{digest="main"}'], 8)
        self.assertEqual(m['plane_teams_consecutive_errors{digest="main"}'], 0)
        self.assertAlmostEqual(m['plane_teams_last_success_timestamp_seconds{digest="main"}'], time.time(), delta=30)
        self.assertGreater(m['plane_teams_teams_post_seconds{digest="main"}'], 0)
        with open(self.path("metrics.prom"), encoding="utf-8") as f:
            text = f.read()
        self.assertIn("# TYPE plane_teams_last_success_timestamp_seconds gauge", text)
        self.teams.force(400, body="nope")
        p = self.once("--force", METRICS_FILE=self.path("metrics.prom"))
        self.assertEqual(p.returncode, 1)
        m2 = self.metrics()
        self.assertEqual(m2['plane_teams_last_attempt_success{digest="main"}'], 0)
        self.assertEqual(m2['plane_teams_consecutive_errors{digest="main"}'], 1)
        self.assertEqual(m2['plane_teams_issues_posted{digest="main"}'], 0)
        self.assertEqual(m2['plane_teams_last_success_timestamp_seconds{digest="main"}'],
                         m['plane_teams_last_success_timestamp_seconds{digest="main"}'])
        self.assertEqual([f for f in os.listdir(self.dir) if "metrics.prom.tmp" in f], [])
