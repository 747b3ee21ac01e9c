#!/usr/bin/env python3
"""A fake Plane API (OSS v1 behaviour) on loopback, for tests, the demo and benchmarks.

It serves /api/v1/workspaces/{slug}/projects/ (list), …/projects/{id}/, …/states/,
…/issues/, …/work-items/ and …/members/ (a plain list), with Plane's authentication order (401 without a key,
403 for a bad key or a project the key may not see), its cursor pagination envelope,
its 60-per-minute sliding-window throttle (429 with Retry-After and Plane's body),
X-RateLimit-* headers, gzip, fields= and expand=state. Faults can be switched on:
latency, a queue of forced answers (5xx, 429, malformed bodies), datetimes with offsets.

What the scripts' needs read, as Plane's code serves it: …/labels/ (paginated),
…/cycles/ (paginated; `cycle_view=current|upcoming|completed|draft|incomplete`, and
`current` is a plain array), …/cycles/{id}/cycle-issues/ and …/modules/{id}/module-issues/
(paginated issues, oldest first, fields= honoured; an unknown id is 404 "The required
object does not exist."), …/modules/ (paginated). `deny` (a set of "labels", "cycles",
"modules") answers those routes 403, as Plane does for a member without access.
In the data, a project's "cycles" are {id, name, start_date, end_date, issues: [ids]};
a cycle with "current": true spans today whatever the date (start 3 days ago, end in 10
days), so that example data stays current. "modules" are {id, name, status, issues}.

API generations (`api=`, `--api`): "both" (the default: Plane v1.1.0 and later serve
issues/ and work-items/), "issues" (a server before v1.1.0: work-items/ is an unknown
route, 404 "Page not found."), "work-items" (a future server that dropped issues/).

As a program: fake_plane.py --data examples/plane-data.json --port 8931 [--api issues]
"""
import argparse
import copy
import datetime
import gzip
import json
import math
import re
import sys
import time
from loopback import Loopback, QuietHandler
from urllib.parse import parse_qs, urlsplit

UUID = r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
ROUTE = re.compile(r"^/api/v1/workspaces/([^/]+)/projects/(?:([^/]+)/(?:(states|issues|work-items|members|labels|cycles|modules)/"
                   r"(?:([^/]+)/(cycle-issues|module-issues)/)?)?)?$")
NEED_OF = {"labels": "labels", "cycles": "cycles", "modules": "modules"}
HIDDEN = ("states", "issues", "members", "labels", "cycles", "modules")
NO_OBJECT = {"error": "The required object does not exist."}

PAGE_NOT_FOUND = {"error": "Page not found."}
API_GENERATIONS = {"issues": ("issues",), "both": ("issues", "work-items"), "work-items": ("work-items",)}
NO_KEY = {"detail": "Authentication credentials were not provided."}
BAD_KEY = {"detail": "Given API token is not valid"}
NO_PERMISSION = {"detail": "You do not have permission to perform this action."}
THROTTLED = {"error_code": 5900, "error_message": "RATE_LIMIT_EXCEEDED"}
SERVER_ERROR = {"error": "Something went wrong please try again later"}
HTML_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"


class FakePlane(Loopback):
    """The server's data and switches; safe to change from a test while it runs."""

    def __init__(self, data, tokens=("plane_api_00000000000000000000000000demo00",), rate_limit=60,
                 latency=0.0, port=0, api="both"):
        if api not in API_GENERATIONS:
            raise ValueError(f"api must be one of {', '.join(API_GENERATIONS)}")
        self.data = data
        self.api = api                # which issues routes exist (see the module's doc)
        self.tokens = set(tokens)
        self.rate_limit = rate_limit
        self.window = 60.0
        self.latency = latency
        self.offsets = False          # datetimes as +05:30 instead of Z
        self.gzip = True
        self.max_per_page = 1000      # Plane's get_per_page maximum: more is a 400 naming it
        self.forced = []              # answers to give before the normal ones: dicts, see force()
        self.deny = set()             # needs' routes answered 403: "labels", "cycles", "modules"
        self.today = None             # a datetime.date for the cycles' views; None: today
        self.rates = []               # X-RateLimit-* to send instead of the real ones, see force_rate()
        self.requests = []            # (method, path, query, headers) of every request
        self.arrivals = []            # time.time() of each request's arrival, as in requests
        self.rate_given = []          # time.time() when each force_rate() answer was made
        self.throttled = 0
        self.history = {}             # api key -> arrival times (the sliding window)
        self.cache = False            # benchmarks: encode each page once (the data must not change)
        self._encoded = {}
        super().__init__(port)
        self.url = f"http://127.0.0.1:{self.port}"

    # ---- control ----------------------------------------------------------------
    def force_rate(self, remaining, reset, times=1, match=None, after=0):
        """The next `times` 200 answers matching `match` (a substring of the path), after
        `after` such answers, say X-RateLimit-Remaining: remaining and X-RateLimit-Reset:
        reset (epoch seconds). self.rate_given lists when each of them was made."""
        with self.lock:
            for _ in range(times):
                self.rates.append({"remaining": remaining, "reset": reset, "match": match, "after": after})

    def _rate_headers(self, path, remaining, status):
        with self.lock:
            for i, r in enumerate(self.rates):
                if status == 200 and (r["match"] is None or r["match"] in path):
                    if r["after"] > 0:
                        r["after"] -= 1
                        break
                    r = self.rates.pop(i)
                    self.rate_given.append(time.time())
                    return {"X-RateLimit-Remaining": str(r["remaining"]), "X-RateLimit-Reset": str(int(r["reset"]))}
        return {"X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": str(int(time.time() + 60))}

    def force(self, status=500, body=None, headers=None, raw=None, times=1, match=None, delay=0.0):
        """Answer the next `times` matching requests with this instead of the real answer.
        raw: bytes sent as-is (malformed JSON, HTML); match: substring of the path; delay:
        seconds before the answer leaves (a request that stays in flight)."""
        with self.lock:
            for _ in range(times):
                self.forced.append({"status": status, "body": body, "headers": headers or {},
                                    "raw": raw, "match": match, "delay": delay})

    def count(self, substring=""):
        with self.lock:
            return sum(1 for r in self.requests if substring in r[1])

    # ---- behaviour ----------------------------------------------------------------
    def _rated(self, path, remaining, status, body):
        """An answer with its X-RateLimit-* headers (see force_rate)."""
        return status, body, self._rate_headers(path, remaining, status)

    def _take_forced(self, path):
        with self.lock:
            for i, f in enumerate(self.forced):
                if f["match"] is None or f["match"] in path:
                    return self.forced.pop(i)
        return None

    def _throttle(self, key):
        """DRF SimpleRateThrottle: a sliding window of arrival times per key."""
        now = time.monotonic()
        with self.lock:
            hist = [t for t in self.history.get(key, []) if t > now - self.window]
            if len(hist) >= self.rate_limit:
                self.history[key] = hist
                self.throttled += 1
                return math.ceil(self.window - (now - hist[0])), None
            hist.append(now)
            self.history[key] = hist
            return None, self.rate_limit - len(hist)

    def _project(self, slug, pid):
        if slug != self.data["workspace"]:
            return None
        for p in self.data["projects"]:
            if p["id"] == pid:
                return p
        return None

    def _stamp(self, value):
        if self.offsets and isinstance(value, str) and value.endswith("Z") and "T" in value:
            return value[:-1] + "+05:30"
        return value

    def _issue(self, issue, project, fields, expand):
        out = {}
        for k, v in issue.items():
            if fields and k not in fields:
                continue
            out[k] = self._stamp(v)
        if not fields:
            out.setdefault("description_html", "<p>" + str(issue.get("name", "")) + "</p>")
        if "state" in expand and "state" in out:
            st = next((s for s in project["states"] if s["id"] == issue["state"]), None)
            if st:
                out["state"] = {k: st[k] for k in ("id", "name", "color", "group")}
        return out

    def _page(self, items, query):
        try:
            per_page = int(query.get("per_page", ["1000"])[0])
        except ValueError:
            return 400, {"detail": "Invalid per_page parameter."}
        if per_page > self.max_per_page:
            return 400, {"detail": f"Invalid per_page value. Cannot exceed {self.max_per_page}."}
        cursor = query.get("cursor", [f"{per_page}:0:0"])[0]
        bits = cursor.split(":")
        try:
            if len(bits) != 3:
                raise ValueError
            page = int(bits[1])
            int(bits[2])
        except ValueError:
            return 400, {"detail": "Invalid cursor parameter."}
        if page < 0:
            return 400, {"detail": "Error in parsing"}
        start = page * per_page
        results = items[start:start + per_page]
        total = len(items)
        return 200, {
            "grouped_by": None, "sub_grouped_by": None, "total_count": total,
            "next_cursor": f"{per_page}:{page + 1}:0", "prev_cursor": f"{per_page}:{page - 1}:1",
            "next_page_results": start + per_page < total, "prev_page_results": page > 0,
            "count": len(results), "total_pages": math.ceil(total / per_page) if per_page else 0,
            "total_results": total, "extra_stats": None, "results": results,
        }

    def answer(self, method, path, query, headers, started=None):
        """(status, body or bytes, extra headers) for one request; with a latency, the answer
        leaves `latency` seconds after the request line arrived (the server's own work included)."""
        with self.lock:
            self.requests.append((method, path, query, dict(headers)))
            self.arrivals.append(time.time())
        if self.latency:
            spent = time.monotonic() - started if started else 0.0
            time.sleep(max(0.0, self.latency - spent - 0.0005))
        m = ROUTE.match(path)
        if not m:
            if ROUTE.match(path + "/"):
                return 301, b"", {"Location": path + "/"}
            return 404, PAGE_NOT_FOUND, {}
        slug, pid, what, sub, items = m.groups()
        if items and (what, items) not in (("cycles", "cycle-issues"), ("modules", "module-issues")):
            return 404, PAGE_NOT_FOUND, {}
        if sub is not None and not re.fullmatch(UUID, sub):
            return 404, PAGE_NOT_FOUND, {}  # Django's <uuid:…> converter
        if what in ("issues", "work-items") and what not in API_GENERATIONS[self.api]:
            return 404, PAGE_NOT_FOUND, {}  # Django: no such route on this server
        key = headers.get("X-Api-Key")
        if not key:
            return 401, NO_KEY, {}
        if key not in self.tokens:
            return 403, BAD_KEY, {}
        if pid is not None and not re.fullmatch(UUID, pid):
            return 404, PAGE_NOT_FOUND, {}
        project = self._project(slug, pid) if pid else None
        if pid and project is None:
            return 403, NO_PERMISSION, {}
        if slug != self.data["workspace"]:  # not a member of that workspace (or none such)
            return 403, NO_PERMISSION, {}
        wait, remaining = self._throttle(key)
        if wait is not None:
            return 429, THROTTLED, {"Retry-After": str(wait)}
        forced = self._take_forced(path)
        if forced:
            if forced["delay"]:
                time.sleep(forced["delay"])
            body = forced["raw"] if forced["raw"] is not None else (forced["body"] if forced["body"] is not None else SERVER_ERROR)
            return forced["status"], body, forced["headers"]
        if pid is None:
            items = [{k: v for k, v in p.items() if k not in HIDDEN}
                     for p in self.data["projects"]]
            status, body = self._page(items, query)
            return self._rated(path, remaining, status, body)
        if what is None:
            return self._rated(path, remaining, 200, {k: v for k, v in project.items() if k not in HIDDEN})
        if what in NEED_OF:
            if NEED_OF[what] in self.deny:
                return 403, NO_PERMISSION, {}
            status, body = self._needs(project, what, sub, query)
            return self._rated(path, remaining, status, body)
        if what == "members":  # a plain list, not paginated
            return self._rated(path, remaining, 200, project.get("members", []))
        if what == "states":
            status, body = self._page(project["states"], query)
            return self._rated(path, remaining, status, body)
        fields = set(query["fields"][0].split(",")) if "fields" in query else None
        expand = set(query["expand"][0].split(",")) if "expand" in query else set()
        ordered = sorted(project["issues"], key=lambda i: i.get("created_at") or "", reverse=True)
        status, body = self._page(ordered, query)
        if status == 200:
            body["results"] = [self._issue(i, project, fields, expand) for i in body["results"]]
        return self._rated(path, remaining, status, body)

    # ---- what the scripts' needs read ------------------------------------------------
    def _cycle(self, c):
        out = {k: v for k, v in c.items() if k not in ("issues", "current")}
        if c.get("current"):
            today = self.today or datetime.date.today()
            out["start_date"] = (today - datetime.timedelta(days=3)).isoformat() + "T00:00:00Z"
            out["end_date"] = (today + datetime.timedelta(days=10)).isoformat() + "T23:59:59Z"
        return out

    def _cycle_view(self, c, view):
        """Plane's views by date (CycleListCreateAPIEndpoint.get): current, upcoming,
        completed, draft (no dates), incomplete (not ended)."""
        today = (self.today or datetime.date.today()).isoformat()
        start, end = (c.get("start_date") or "")[:10], (c.get("end_date") or "")[:10]
        if view == "current":
            return bool(start and end) and start <= today <= end
        if view == "upcoming":
            return bool(start) and start > today
        if view == "completed":
            return bool(end) and end < today
        if view == "draft":
            return not start and not end
        if view == "incomplete":
            return not end or end >= today
        return True

    def _needs(self, project, what, sub, query):
        if what == "labels":
            return self._page(project.get("labels", []), query)
        groups = project.get(what, [])
        if sub is None:
            listed = [self._cycle(c) for c in groups] if what == "cycles" else \
                [{k: v for k, v in g.items() if k != "issues"} for g in groups]
            view = query.get("cycle_view", [None])[0] if what == "cycles" else None
            if view == "current":  # a plain array, not the paginated envelope
                return 200, [c for c in listed if self._cycle_view(c, "current")]
            if view:
                listed = [c for c in listed if self._cycle_view(c, view)]
            return self._page(listed, query)
        group = next((g for g in groups if g["id"] == sub), None)
        if group is None:
            return 404, NO_OBJECT
        by_id = {i["id"]: i for i in project["issues"]}
        members = sorted((by_id[i] for i in group.get("issues", []) if i in by_id),
                         key=lambda i: i.get("created_at") or "")
        fields = set(query["fields"][0].split(",")) if "fields" in query else None
        status, body = self._page(members, query)
        if status == 200:
            body["results"] = [self._issue(i, project, fields, set()) for i in body["results"]]
        return status, body

    def _handler(self):
        fake = self

        class Handler(QuietHandler):
            def parse_request(self):
                self.started = time.monotonic()
                return super().parse_request()

            def encode(self, body):
                raw = body if isinstance(body, (bytes, str)) else json.dumps(body).encode()
                return raw.encode() if isinstance(raw, str) else raw

            def do_GET(self):
                parts = urlsplit(self.path)
                status, body, headers = fake.answer("GET", parts.path, parse_qs(parts.query), self.headers,
                                                    getattr(self, "started", None))
                key = (parts.path, parts.query)
                cached = fake._encoded.get(key) if fake.cache and status == 200 else None
                if cached is None:
                    raw = self.encode(body)
                    zipped = gzip.compress(raw, compresslevel=1) if fake.gzip and len(raw) > 200 else None
                    cached = (raw, zipped)
                    if fake.cache and status == 200:
                        fake._encoded[key] = cached
                raw, zipped = cached
                ctype = "text/html" if raw[:1] == b"<" else "application/json"
                if zipped is not None and "gzip" in (self.headers.get("Accept-Encoding") or ""):
                    raw = zipped
                    headers = dict(headers, **{"Content-Encoding": "gzip"})
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(raw)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                try:
                    self.wfile.write(raw)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def synthetic(projects=1, issues_per_project=250, workspace="acme"):
    """Generated data: projects with Plane's default states and many issues."""
    import uuid
    data = {"workspace": workspace, "projects": []}
    prios = ["urgent", "high", "medium", "low", "none"]
    for p in range(projects):
        pid = str(uuid.UUID(int=(p + 1) * 7919, version=4))
        names = [("Backlog", "backlog"), ("Todo", "unstarted"), ("In Progress", "started"),
                 ("Done", "completed"), ("Cancelled", "cancelled")]
        states = [{"id": str(uuid.UUID(int=(p + 1) * 1000 + i, version=4)), "name": n, "color": "#60646C",
                   "group": g, "sequence": 15000 + i * 10000} for i, (n, g) in enumerate(names)]
        members = [{"id": str(uuid.UUID(int=(p + 1) * 100_000 + m, version=4)), "display_name": f"user{m}",
                    "first_name": f"First{m}", "last_name": f"Last{m}", "email": f"user{m}@example.com",
                    "avatar": None, "avatar_url": None} for m in range(5)]
        issues = []
        for n in range(issues_per_project):
            issues.append({
                "id": str(uuid.UUID(int=(p + 1) * 10_000_000 + n, version=4)),
                "name": f"Issue {n} of project {p}", "priority": prios[n % 5], "sequence_id": n + 1,
                "state": states[n % 5]["id"], "project": pid,
                "created_at": "2026-%02d-%02dT%02d:%02d:%02d.000000Z" % (1 + n // 100000 % 12, 1 + n // 3600 % 28,
                                                                       n // 60 % 24, n % 60, n % 59),
                "updated_at": "2026-11-01T10:00:00.000000Z",
                "assignees": [members[(n + k) % 5]["id"] for k in range(n % 3)], "labels": [],
                "target_date": None if n % 4 else "2026-12-%02d" % (1 + n % 28), "description_binary": None})
        data["projects"].append({"id": pid, "identifier": f"P{p}", "name": f"Project {p}",
                                 "states": states, "issues": issues, "members": members})
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", help="JSON file: {workspace, projects: [{id, identifier, name, states, issues, members}]}")
    ap.add_argument("--synthetic", type=int, nargs=2, metavar=("PROJECTS", "ISSUES"))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token", action="append")
    ap.add_argument("--rate-limit", type=int, default=60)
    ap.add_argument("--latency", type=float, default=0.0)
    ap.add_argument("--api", choices=sorted(API_GENERATIONS), default="both",
                    help="issues routes served: issues (before v1.1.0), both, work-items (future)")
    args = ap.parse_args()
    if args.synthetic:
        data = synthetic(*args.synthetic)
    else:
        with open(args.data, encoding="utf-8") as f:
            data = json.load(f)
    fake = FakePlane(data, tokens=args.token or ("plane_api_00000000000000000000000000demo00",),
                     rate_limit=args.rate_limit, latency=args.latency, port=args.port, api=args.api)
    fake.serve()


if __name__ == "__main__":
    sys.exit(main())
