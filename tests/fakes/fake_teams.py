#!/usr/bin/env python3
"""A fake Teams webhook on loopback: Workflows (202) or legacy connector (200 "1").

It checks what the real endpoints check: a JSON Content-Type (else 400
InvalidRequestContent), a `contentUrl` in each attachment (else 400
TriggerInputSchemaMismatch), the 28 KB size limit (413). Forced answers reproduce
429 with or without Retry-After, 5xx, the legacy "200 with an error inside", and
slow replies. Every accepted body is recorded.

As a program: fake_teams.py --port 8932 [--legacy] [--record FILE]
"""
import argparse
import json
import sys
import time
from loopback import Loopback, QuietHandler

MAX_BYTES = 28 * 1024


def wrapped_error(code):
    return ("Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error "
            f"{code} with ContextId tcid=0,server=fake,cv=x..")


class FakeTeams(Loopback):
    def __init__(self, legacy=False, port=0, record=None):
        self.legacy = legacy
        self.forced = []        # {"status", "body", "headers", "delay", "drop"}
        self.accepted = []      # decoded envelopes that were accepted
        self.requests = []      # (headers, raw body) of every POST
        self.times = []         # monotonic arrival time of every POST
        self.answered = 0       # forced answers given, after their delay
        self.delay = 0.0
        self.record = record
        super().__init__(port)
        self.url = f"http://127.0.0.1:{self.port}/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=S3cr3tS1gnature"

    def force(self, status=500, body="", headers=None, delay=0.0, times=1, drop=False):
        """The next `times` POSTs get this answer; drop=True closes the connection unanswered
        after reading the request (the message may have been applied)."""
        with self.lock:
            for _ in range(times):
                self.forced.append({"status": status, "body": body, "headers": headers or {},
                                    "delay": delay, "drop": drop})

    def answer(self, headers, raw):
        with self.lock:
            self.requests.append((dict(headers), raw))
            self.times.append(time.monotonic())
            forced = self.forced.pop(0) if self.forced else None
        if self.delay:
            time.sleep(self.delay)
        if forced:
            if forced["delay"]:
                time.sleep(forced["delay"])
            with self.lock:
                self.answered += 1
            return forced
        ctype = headers.get("Content-Type") or ""
        if not ctype.startswith("application/json"):
            return {"status": 400, "body": json.dumps({"error": {"code": "InvalidRequestContent", "message":
                    f"The input body for trigger 'manual' of type 'Request' must be of type JSON, but was of type '{ctype}'."}})}
        if len(raw) > MAX_BYTES:
            return {"status": 413, "body": json.dumps({"error": {"code": "RequestEntityTooLarge",
                                                                   "message": "The payload is too large."}})}
        try:
            env = json.loads(raw)
        except ValueError:
            return {"status": 400, "body": json.dumps({"error": {"code": "InvalidRequestContent",
                                                                   "message": "The request body is not valid JSON."}})}
        missing = [i for i, a in enumerate(env.get("attachments") or []) if "contentUrl" not in a]
        if missing or not isinstance(env.get("attachments"), list):
            return {"status": 400, "body": json.dumps({"error": {"code": "TriggerInputSchemaMismatch", "message":
                    "The input body for trigger 'manual' of type 'Request' did not match its schema definition. "
                    "Error details: 'Required properties are missing from object: contentUrl.'."}})}
        with self.lock:
            self.accepted.append(env)
        if self.record:
            with open(self.record, "a", encoding="utf-8") as f:
                f.write(raw.decode("utf-8") + "\n")
        if self.legacy:
            return {"status": 200, "body": "1", "headers": {"Content-Type": "text/plain; charset=utf-8"}}
        return {"status": 202, "body": ""}

    def _handler(self):
        fake = self

        class Handler(QuietHandler):
            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(n)
                a = fake.answer(self.headers, raw)
                if a.get("drop"):
                    self.close_connection = True
                    self.connection.close()
                    return
                body = (a.get("body") or "").encode()
                self.send_response(a["status"])
                for k, v in (a.get("headers") or {}).items():
                    self.send_header(k, v)
                if "Content-Type" not in (a.get("headers") or {}):
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--legacy", action="store_true")
    ap.add_argument("--record", help="append every accepted body to this file, one per line")
    args = ap.parse_args()
    fake = FakeTeams(legacy=args.legacy, port=args.port, record=args.record)
    fake.serve()


if __name__ == "__main__":
    sys.exit(main())
