#!/usr/bin/env python3
"""Write the hand-made seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).
Plane pages come from the fake Plane serving examples/plane-data.json, so they have the
shapes the daemon requests. Run from the repository root; files are overwritten."""
import json
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "fakes"))
from fake_plane import FakePlane  # noqa: E402

FIELDS = ("id,name,sequence_id,priority,state,project,assignees,labels,start_date,target_date,"
          "created_at,updated_at,completed_at,parent,estimate_point,type_id")
KEY = "plane_api_00000000000000000000000000demo00"
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus")


def put(target, name, data):
    os.makedirs(os.path.join(OUT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(OUT, target, name), "wb") as f:
        f.write(data)


def main():
    data = json.load(open(os.path.join(ROOT, "examples", "plane-data.json")))
    fake = FakePlane(data)
    fake.rate_limit = 10 ** 9
    ws = data["workspace"]
    pid = data["projects"][0]["id"]
    base = f"/api/v1/workspaces/{ws}/projects/{pid}/"
    headers = {"X-Api-Key": KEY}
    for per_page in (100, 3, 1):
        q = {"per_page": [str(per_page)], "expand": ["state"], "fields": [FIELDS]}
        status, body, _ = fake.answer("GET", base + "issues/", q, headers)
        assert status == 200
        put("render", f"issues-per-page-{per_page}.json", json.dumps(body))
        put("json", f"issues-per-page-{per_page}.json", json.dumps(body, indent=1))
    status, body, _ = fake.answer("GET", base + "issues/", {"per_page": ["2"]}, headers)
    put("render", "issues-all-fields.json", json.dumps(body))
    status, body, _ = fake.answer("GET", base + "states/", {"per_page": ["100"]}, headers)
    put("json", "states.json", json.dumps(body))
    put("render", "empty.json", '{"results": [], "next_cursor": "100:1:0", "next_page_results": false}')
    put("render", "odd-values.json", json.dumps({"results": [
        {"id": "x", "name": "\u00e9\U0001F3AF <b>&amp;</b>\n\t", "sequence_id": -1, "priority": None,
         "state": {"id": "daaf8056-e88d-40ba-b527-d58f3e518059", "name": "En cours", "group": "started"},
         "project": pid, "assignees": [None, 1], "labels": {}, "target_date": "2026-02-31",
         "created_at": "yesterday", "updated_at": 5, "parent": "x"}], "next_page_results": True,
        "next_cursor": "x&y=1"}))
    for i, text in enumerate(["{}", "[]", "null", "0", "-0.5e-3", "\"\\ud83c\\udfaf\\u00e9\\n\"",
                              "{\"a\":[1,2,{\"b\":null}],\"c\":true,\"d\":false}", "1e400", "[[[[[[]]]]]]"]):
        put("json", f"small-{i}.json", text)

    put("state", "success.json", json.dumps({
        "last_sync": "2026-11-26T08:00:01+01:00", "last_sync_status": "success",
        "last_issues": ["0fd630f1-f29d-4da9-953f-48f1a09f76b5", "id\"2"], "error_count": 0,
        "last_error": None, "attempt": None, "last_attempt": "2026-11-26T08:00:00.123Z"}, indent=2))
    put("state", "error.json", json.dumps({
        "last_sync": None, "last_sync_status": "error", "last_issues": [], "error_count": 3,
        "last_error": "Teams answered 429 (\u00e9\n)", "attempt": "2026-11-26T08:00:00-05:30",
        "last_attempt": "2026-11-26T08:00:00-05:30"}))
    put("state", "seed-format.json", '{"last_sync": "2024-01-30T08:00:00+01:00", "last_sync_status": '
        '"success", "last_issues": ["id1", "id2"], "error_count": 0, "last_error": null, "extra": 1}')
    put("state", "empty-object.json", "{}")
    put("state", "rows.json", json.dumps({
        "last_sync": "2026-11-26T08:00:01+01:00", "last_sync_status": "success",
        "last_issues": ["0fd630f1-f29d-4da9-953f-48f1a09f76b5", "id\"2", "b1"],
        "last_rows": [
            {"id": "0fd630f1-f29d-4da9-953f-48f1a09f76b5", "rank": 1, "priority": "urgent",
             "state": {"id": "daaf8056-e88d-40ba-b527-d58f3e518059", "name": "En cours", "group": "started"},
             "target_date": "2026-11-30"},
            {"id": "id\"2", "rank": 2, "priority": "none", "state": None, "target_date": None},
            {"id": "b1", "rank": 3, "priority": None, "state": {"id": None, "name": "\u00e9", "group": None}}],
        "error_count": 0, "last_error": None, "attempt": None, "last_attempt": None}, indent=2))
    put("state", "rows-stray.json", '{"last_issues": ["a"], "last_rows": [{"id": "a", "rank": 1}, '
        '{"id": "gone", "rank": 2, "priority": "high"}], "extra": {"last_rows": 1}}')
    put("state", "rows-bad.json", '{"last_issues": ["a"], "last_rows": [{"id": "a", "rank": 1.5}]}')
    put("state", "leap.json", '{"last_sync": "2024-02-29T23:59:60Z", "error_count": 1000000000}')

    for i, s in enumerate(["2026-11-28T08:00:00Z", "2026-11-28T08:00:00.512345+05:30",
                           "2024-02-29T23:59:60-00:00", "08:30", "8", "23:59", "daily", "weekdays",
                           "weekends", "mon,wed,fri", "Sun, Sat", "120", "0",
                           "Fri, 01 May 2026 09:12:43 GMT", "Thu, 01 Jan 1970 00:00:00 GMT"]):
        put("time", f"seed-{i}.txt", s)
    for s in ["2026-12-25", "2028-02-29", "2026-02-29", "2100-02-29", "2026-13-01"]:
        put("time", f"date-{s}.txt", s)

    for i, s in enumerate(["http://127.0.0.1:8931/hook", "https://example.webhook.office.com/webhookb2/x",
                           "http://localhost/", "http://[::1]:80/a?b#c", "http://user:pw@127.0.0.1/",
                           "http://127.0.0.1@evil.example/", "HTTP://LOCALHOST:9", "http://127.1/",
                           "http://[::ffff:127.0.0.1]/", "https://a@b@c/d", "http://2130706433/",
                           "http://127.0.0.1%2f@x/", "http://[::1%25lo]/", "http://h?x=@y#@z"]):
        put("url", f"seed-{i}.txt", s)

    # redact: secrets one a line, a NUL byte, then the text
    put("redact", "key.bin", b"plane_api_0123456789abcdef0123456789abcdef\n"
        b"https://example.webhook.office.com/hook/abc\x00posted with key "
        b"plane_api_0123456789abcdef0123456789abcdef to https://example.webhook.office.com/hook/abc")
    put("redact", "overlap.bin", b"abcdEFGH\nGHijklmn\nabcd\x00x abcdEFGHijklmn y abcd z sig=Ab&s=1")
    put("redact", "repeat.bin", b"aaaa\x00aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")

    # teams: host line, status line, body
    for i, (host, status, body) in enumerate([
            ("example.webhook.office.com", 200, "1"), ("outlook.office.com", 200, "Webhook message delivery failed with error: Microsoft Teams endpoint returned HTTP error 429"),
            ("prod-00.westeurope.logic.azure.com", 202, ""), ("x.logic.azure.com", 400, "{\"error\":{\"code\":\"InvalidRequestContent\"}}"),
            ("127.0.0.1", 413, "too large"), ("127.0.0.1", 503, "busy"), ("h", 404, ""), ("h", 204, "")]):
        put("teams", f"seed-{i}.txt", f"{host}\n{status}\n{body}")

    with open(os.path.join(ROOT, "examples", "config.lua")) as f:
        put("config", "example.lua", f.read())
    with open(os.path.join(ROOT, "config.lua")) as f:
        put("config", "default.lua", f.read())
    put("config", "digests.lua", 'return { workspace = "acme", plane_api_token = "plane_api_x", projects = '
        '"4af68566-94a4-4eb3-94aa-50dc9427067b", digests = { { name = "a", hour = "08:30", days = "weekdays", '
        'teams_webhook_url = "http://127.0.0.1:9/h" }, { name = "b", timezone = "UTC", limit = 5 } } }')
    put("config", "options.lua", 'return { workspace = "acme", options = { first_label = "customer", '
        'stale_days = 5, ratio = 0.5, strict = true, people = { "Ada", "Lin" }, weights = { urgent = 3, '
        'nested = { deep = { "x" } } } }, digests = { { name = "a" }, { name = "b", options = { '
        'first_label = "incident", f = function() end } } } }')
    put("config", "bad.lua", "return { hour = 25, days = 'someday' }")
    put("config", "holidays.lua", 'return { workspace = "acme", holidays = "2027-01-01, 2026-12-25,2026-12-25", '
        'digests = { { name = "a" }, { name = "b", holidays = { "2028-02-29", "2026-02-30" } }, '
        '{ name = "c", holidays = {} } } }')


if __name__ == "__main__":
    main()
