"""Proxies and added CAs with real servers on loopback: squid (its own access log says what
it carried), a small CONNECT proxy for exact refusals, nginx terminating TLS in front of
the fake Plane, and certificates from throw-away CAs made by openssl."""
import json
import os
import shutil
import socket
import unittest

from common import NetCase, FakeTeams, TOKEN
import netfix

HAVE_SQUID = shutil.which("squid") is not None
HAVE_NGINX = shutil.which("nginx") is not None
NO_ENV_PROXY = {k: None for k in ("http_proxy", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY",
                                  "no_proxy", "NO_PROXY", "PLANE_PROXY", "TEAMS_PROXY", "PLANE_CA_FILE",
                                  "TEAMS_CA_FILE")}
PROXY_SECRET = "Pr0xyPassw0rd"


class TeamsOverTLS(NetCase):
    """The fake Teams speaks HTTPS with a certificate from a throw-away CA (teams_ca_file)."""

    def setUp(self):
        super().setUp()
        self.teams.stop()
        self.ca = netfix.CA(self.dir, "teams-ca")
        cert, key = self.ca.cert("teams")
        self.teams = netfix.serve_tls(FakeTeams(), cert, key).start()
        self.teams.url = self.teams.url.replace("http://", "https://", 1)
        self.proxies = []

    def tearDown(self):
        for p in self.proxies:
            p.stop()
        super().tearDown()

    def env(self, **extra):
        values = dict(NO_ENV_PROXY, TEAMS_CA_FILE=self.ca.crt, MAX_RETRIES="0")
        values.update(extra)
        return super().env(**values)

    def proxy(self, *args, **kw):
        p = netfix.ConnectProxy(*args, **kw)
        self.proxies.append(p)
        return p

    def squid(self, **kw):
        s = netfix.Squid(self.dir, **kw)
        self.proxies.append(s)
        return s

    def assert_refused_then_posts(self, p, expect):
        """A refused tunnel: an error (not unknown), nothing reached Teams, and the next try posts."""
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn(expect, p.stderr)
        self.assertNotIn("may have been posted", p.stderr)
        self.assertEqual(self.teams.requests, [])
        self.assertEqual(self.state()["last_sync_status"], "error")
        again = self.once(TEAMS_PROXY="")
        self.assertEqual(again.returncode, 0, again.stderr)
        self.assertEqual(len(self.teams.accepted), 1)
        self.assertEqual(self.state()["last_sync_status"], "success")


class TestRefusedTunnel(TeamsOverTLS):
    def test_407_says_the_proxy_asked_for_credentials(self):
        px = self.proxy("refuse", 407)
        p = self.once(TEAMS_PROXY=px.url)
        self.assert_refused_then_posts(p, "the proxy asked for credentials")
        self.assertEqual(len(px.connects), 1)
        self.assertTrue(px.connects[0].startswith(f"CONNECT 127.0.0.1:{self.teams.port} "))

    def test_503_is_retried_like_a_refused_connection(self):
        px = self.proxy("refuse", 503)
        p = self.once(TEAMS_PROXY=px.url, MAX_RETRIES="1")
        self.assertIn("the proxy refused the tunnel", p.stderr)
        self.assertIn("gave up after 2 attempts", p.stderr)
        self.assertEqual(len(px.connects), 2)
        self.assert_refused_then_posts(p, "503")

    def test_403_from_squid(self):
        if not HAVE_SQUID:
            self.skipTest("squid is not installed (make deps)")
        sq = self.squid(deny_connect=True)
        p = self.once(TEAMS_PROXY=sq.url)
        self.assert_refused_then_posts(p, "403")
        self.assertTrue(any("TCP_DENIED/403" in ln and "CONNECT" in ln for ln in sq.lines(1)), sq.lines())

    def test_tls_failure_through_the_tunnel_is_retried(self):
        px = self.proxy("garbage")
        p = self.once(TEAMS_PROXY=px.url, MAX_RETRIES="1")
        self.assertIn("gave up after 2 attempts", p.stderr)
        self.assert_refused_then_posts(p, "cannot post to Teams")

    def test_an_untrusted_certificate_through_the_tunnel_names_the_setting_and_is_not_retried(self):
        px = self.proxy("tunnel")
        p = self.once(TEAMS_PROXY=px.url, TEAMS_CA_FILE=None, MAX_RETRIES="2")
        self.assertIn("unable to get local issuer certificate: set teams_ca_file to your CA's PEM file", p.stderr)
        self.assertEqual(len(px.connects), 1)  # not retried
        self.assertNotIn("retry 1 of", p.stderr)
        self.assert_refused_then_posts(p, "SSL certificate problem")

    def test_a_proxy_that_does_not_answer_is_named_without_its_credentials(self):
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        p = self.once(TEAMS_PROXY=f"http://me:{PROXY_SECRET}@127.0.0.1:{port}")
        self.assertIn(f"the proxy http://(redacted)@127.0.0.1:{port} cannot be reached (", p.stderr)
        self.assertNotIn(PROXY_SECRET, p.stderr + json.dumps(self.state()) + json.dumps(self.log_lines()))
        self.assert_refused_then_posts(p, "cannot post to Teams")

    def test_a_bad_proxy_setting_is_a_configuration_error_without_its_credentials(self):
        for bad in (f"proxy.corp:3128", f"ftp://me:{PROXY_SECRET}@proxy.corp:21", f"http://me:{PROXY_SECRET}@p:1\nX: y"):
            p = self.once(TEAMS_PROXY=bad)
            self.assertEqual(p.returncode, 2, bad)
            self.assertIn("teams_proxy must be a proxy URL such as http://proxy.example.com:3128", p.stderr)
            self.assertIn("(set by TEAMS_PROXY)", p.stderr)
            self.assertNotIn(PROXY_SECRET, p.stderr)

    def test_credentials_in_the_proxy_url_never_show(self):
        px = self.proxy("refuse", 407)
        url = px.url.replace("http://", f"http://corp%5Cme:{PROXY_SECRET}@")
        p = self.once(TEAMS_PROXY=url)
        self.assertEqual(p.returncode, 1)
        c = self.run_pt("check", env=self.env(TEAMS_PROXY=url))
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn(f"Teams proxy: http://(redacted)@127.0.0.1:{px.port} (teams_proxy", c.stdout)
        texts = [p.stderr, p.stdout, c.stdout, c.stderr, json.dumps(self.state()), json.dumps(self.log_lines())]
        for t in texts:
            self.assertNotIn(PROXY_SECRET, t)


class TestDeliveredThroughTheTunnel(TeamsOverTLS):
    def test_a_connection_dropped_after_the_request_went_through_stays_unknown(self):
        self.teams.force(202, delay=5)  # the answer is slow; the proxy drops before it
        px = self.proxy("drop_answer", drop_when=lambda: len(self.teams.requests) >= 1)
        p = self.once(TEAMS_PROXY=px.url, MAX_RETRIES="2")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("may have been posted", p.stderr)
        self.assertEqual(len(self.teams.requests), 1)
        self.assertEqual(self.state()["last_sync_status"], "unknown")

    @unittest.skipUnless(HAVE_SQUID, "squid is not installed (make deps)")
    def test_teams_proxy_carries_only_teams(self):
        sq = self.squid()
        # the environment would send Plane (plain http) through squid too; plane_proxy = "" says no
        p = self.once(TEAMS_PROXY=sq.url, http_proxy=sq.url, PLANE_PROXY="")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.accepted), 1)
        lines = sq.lines(1)
        self.assertEqual(len([ln for ln in lines if f"CONNECT 127.0.0.1:{self.teams.port}" in ln]), 1, lines)
        self.assertEqual([ln for ln in lines if f":{self.plane.port}" in ln], [], lines)

    @unittest.skipUnless(HAVE_SQUID, "squid is not installed (make deps)")
    def test_the_environment_proxy_is_used_when_no_setting_says_otherwise(self):
        sq = self.squid()
        p = self.once(https_proxy=sq.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len([ln for ln in sq.lines(1) if f"CONNECT 127.0.0.1:{self.teams.port}" in ln]), 1)
        c = self.run_pt("check", env=self.env(https_proxy=sq.url, NO_PROXY="example.org,.corp.example"))
        self.assertIn(f"Teams proxy: {sq.url} (the environment's https_proxy)", c.stdout)
        self.assertIn("Plane proxy: none (plane_proxy not set", c.stdout)  # http: https_proxy does not apply
        c = self.run_pt("check", env=self.env(HTTPS_PROXY=sq.url, NO_PROXY="example.org, 127.0.0.1"))
        self.assertIn(f"Teams proxy: none (NO_PROXY matches 127.0.0.1; the environment's HTTPS_PROXY is {sq.url})",
                      c.stdout)


@unittest.skipUnless(HAVE_NGINX, "nginx is not installed (make deps)")
class TestPlaneBehindNginxWithAnInternalCA(NetCase):
    def setUp(self):
        super().setUp()
        self.ca = netfix.CA(self.dir, "internal-ca")
        cert, key = self.ca.cert("plane")
        self.nginx = netfix.Nginx(self.dir, self.plane.port, cert, key)

    def tearDown(self):
        self.nginx.stop()
        super().tearDown()

    def env(self, **extra):
        values = dict(NO_ENV_PROXY, PLANE_BASE_URL=self.nginx.url)
        values.update(extra)
        return super().env(**values)

    def test_plane_ca_file_makes_plane_readable(self):
        p = self.once(PLANE_CA_FILE=self.ca.crt)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(self.teams.accepted), 1)
        self.assertTrue(any("HTTP/2.0" in ln for ln in self.nginx.requests()), self.nginx.requests())

    def test_without_it_the_failure_names_the_setting_and_is_not_retried(self):
        p = self.once(MAX_RETRIES="2")
        self.assertEqual(p.returncode, 1)
        self.assertIn("unable to get local issuer certificate: set plane_ca_file to your CA's PEM file", p.stderr)
        self.assertNotIn("retry 1 of", p.stderr)
        self.assertEqual(self.state()["last_sync_status"], "error")
        self.assertEqual(self.teams.requests, [])

    def test_the_added_ca_is_for_plane_only(self):
        # Teams behind the same internal CA is not trusted through plane_ca_file
        cert, key = self.ca.cert("teams")
        self.teams.stop()
        self.teams = netfix.serve_tls(FakeTeams(), cert, key).start()
        url = self.teams.url.replace("http://", "https://", 1)
        p = self.once(PLANE_CA_FILE=self.ca.crt, TEAMS_WEBHOOK_URL=url)
        self.assertEqual(p.returncode, 1)
        self.assertIn("set teams_ca_file to your CA's PEM file", p.stderr)
        p = self.once(PLANE_CA_FILE=self.ca.crt, TEAMS_CA_FILE=self.ca.crt, TEAMS_WEBHOOK_URL=url)
        self.assertEqual(p.returncode, 0, p.stderr)

    def test_check_shows_the_files_and_the_system_bundle_kept(self):
        c = self.run_pt("check", env=self.env(PLANE_CA_FILE=self.ca.crt))
        self.assertEqual(c.returncode, 0, c.stderr)
        line = next(ln for ln in c.stdout.splitlines() if ln.strip().startswith("plane_ca_file:"))
        self.assertIn(f"{self.ca.crt} (1 certificate, trusted in addition to the system's", line)
        self.assertNotIn("system's 0 in", line)  # the system's CAs are read too
        self.assertIn("teams_ca_file: (not set: the system's CAs", c.stdout)

    def test_a_missing_or_empty_ca_file_is_a_configuration_error(self):
        p = self.once(PLANE_CA_FILE=self.path("nope.pem"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("plane_ca_file", p.stderr)
        self.assertIn("nope.pem", p.stderr)
        self.assertIn("(set by PLANE_CA_FILE)", p.stderr)
        empty = self.write("empty.pem", "not a certificate\n")
        p = self.once(TEAMS_CA_FILE=empty)
        self.assertEqual(p.returncode, 2)
        self.assertIn("teams_ca_file = " + empty + " holds no PEM certificate", p.stderr)


class TestRedirectsNameTheHostOnly(NetCase):
    TARGET = "https://login.corp.example/sso/start?next=%2Fapi&ticket=T1ck3tS3cret"

    def test_a_teams_redirect(self):
        self.teams.force(302, body="Redirecting to " + self.TARGET, headers={"Location": self.TARGET})
        p = self.once()
        self.assertEqual(p.returncode, 1)
        self.assertIn("Teams answered 302: a redirect to login.corp.example, not followed", p.stderr)
        self.assertNotIn("T1ck3tS3cret", p.stderr + json.dumps(self.state()) + json.dumps(self.log_lines()))

    def test_a_plane_redirect(self):
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        target = self.TARGET

        class Redirect(BaseHTTPRequestHandler):
            def do_GET(self):
                body = ("<a href='%s'>moved</a>" % target).encode()
                self.send_response(302)
                self.send_header("Location", target)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *a):
                pass
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Redirect)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            p = self.once(PLANE_BASE_URL=f"http://127.0.0.1:{srv.server_address[1]}")
        finally:
            srv.shutdown()
            srv.server_close()
        self.assertEqual(p.returncode, 1)
        self.assertIn("Plane answered 302, a redirect, at GET ", p.stderr)
        self.assertIn("(it points to login.corp.example; redirects are not followed)", p.stderr)
        self.assertNotIn("T1ck3tS3cret", p.stderr + json.dumps(self.state()) + json.dumps(self.log_lines()))
