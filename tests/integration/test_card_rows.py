"""Who and when on each row, the card's language, and a saved sync read back by preview:
once --dry-run against the fake Plane under a fixed clock (libfaketime)."""
import copy
import json
import unittest

from common import NetCase, FAKETIME_LIB, TOKEN, WEBHOOK_SECRET, envelope_rows, block_text, example_data, \
    load_json

UNKNOWN_MEMBER = "5b0b4c6e-1f7a-4d0e-9a51-0c1d2e3f4aff"


def faketime_env(env, when):
    """The binary under libfaketime at a fixed local time (a sanitizer build allows the preload)."""
    return dict(env, LD_PRELOAD=FAKETIME_LIB, FAKETIME="@" + when,
                ASAN_OPTIONS=env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")


def rows_by_key(envelope):
    return {r[4].rstrip("/").split("/")[-1]: r for r in envelope_rows(envelope)}


def run_of(envelope, key, text):
    """The TextRun holding `text` in the detail line of the row `key`."""
    card = envelope["attachments"][0]["content"]
    for el in card["body"]:
        if el.get("type") == "ColumnSet" and el["selectAction"]["url"].rstrip("/").endswith(key):
            for r in el["columns"][2]["items"][1]["inlines"]:
                if r["text"] == text:
                    return r
    return None


@unittest.skipUnless(FAKETIME_LIB, "libfaketime is not installed (Debian package faketime)")
class TestWhoAndWhen(NetCase):
    def dry_run(self, when="2026-11-28 10:00:00", *args, **env):
        env.setdefault("TZ", "Europe/Paris")
        e = faketime_env(self.env(**env), when)
        p = self.run_pt("once", "--dry-run", *args, env=e, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return load_json(p.stdout), p

    def test_assignees_and_due_dates(self):
        env, p = self.dry_run()
        rows = rows_by_key(env)
        self.assertEqual(rows["OPS-3"][3], "In Progress · OPS-3 · sam_ops · due today")
        self.assertEqual(rows["WEB-12"][3], "En cours · WEB-12 · zoe.martin, Karim B. · overdue 3 days")
        self.assertEqual(run_of(env, "WEB-12", "overdue 3 days")["color"], "attention")
        self.assertEqual(rows["WEB-15"][3], "A faire · WEB-15 · léa · due in 4 days")
        self.assertEqual(rows["WEB-21"][3], "En cours · WEB-21 · due in 5 days")
        # an assignee who is no member of the project shows nothing
        self.assertEqual(rows["OPS-9"][3], "In Progress · OPS-9 · sam_ops")
        # a null target_date, and a date more than a week ahead: no due words
        self.assertEqual(rows["OPS-5"][3], "Backlog · OPS-5")
        self.assertEqual(rows["WEB-24"][3], "Backlog · WEB-24")  # 8 days ahead
        self.assertEqual(rows["OPS-4"][3], "Todo · OPS-4 · Yuki, sam_ops")
        head = block_text(env["attachments"][0]["content"]["body"][0]["items"][1])
        self.assertEqual(head, "Saturday, November 28, 2026 · Opérations, Site web")
        self.assertEqual(self.plane.count("/members/"), 2)  # once per project per sync

    def test_french(self):
        env, _ = self.dry_run(CARD_LANGUAGE="fr")
        card = env["attachments"][0]["content"]
        self.assertEqual(block_text(card["body"][0]["items"][0]), "🎯 Tickets prioritaires")
        self.assertTrue(block_text(card["body"][0]["items"][1]).startswith("samedi 28 novembre 2026 · "))
        rows = rows_by_key(env)
        self.assertEqual(rows["WEB-12"][3], "En cours · WEB-12 · zoe.martin, Karim B. · en retard de 3 jours")
        self.assertEqual(rows["OPS-3"][3], "In Progress · OPS-3 · sam_ops · échéance aujourd'hui")
        self.assertEqual(rows["OPS-3"][1], "🔴 URGENT")
        self.assertEqual(rows["OPS-4"][1], "🟠 HAUTE")
        self.assertEqual(block_text(card["body"][-1]), "+ 3 autres")

    def test_members_refused_or_missing_still_posts_without_names(self):
        for status in (403, 404):
            with self.subTest(status=status):
                self.plane.force(status, body={"error": "nope"}, times=2, match="/members/")
                env, p = self.dry_run()
                rows = rows_by_key(env)
                self.assertEqual(rows["OPS-3"][3], "In Progress · OPS-3 · due today")
                self.assertEqual(len(rows), 10)
                warnings = [l for l in p.stderr.splitlines() if "WARN" in l]
                self.assertEqual(len(warnings), 2, p.stderr)  # one per project
                self.assertIn("members", warnings[0])
                self.assertIn(str(status), warnings[0])
                self.assertNoSecrets(p.stderr)


class TestNoMembers(NetCase):
    data = copy.deepcopy(example_data())
    for _p in data["projects"]:
        _p["members"] = []

    def test_no_names_and_no_warning(self):
        p = self.once("--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        rows = envelope_rows(json.loads(p.stdout))
        self.assertEqual(len(rows), 10)
        for r in rows:
            self.assertNotIn("sam_ops", r[3])
            self.assertNotIn("zoe.martin", r[3])
        self.assertNotIn("WARN", p.stderr)


def dst_data():
    data = copy.deepcopy(example_data())
    dates = {("WEB", 12): "2026-03-28", ("OPS", 3): "2026-04-01", ("WEB", 15): "2026-10-24",
             ("OPS", 4): "2026-10-27", ("OPS", 5): None}
    for p in data["projects"]:
        for i in p["issues"]:
            if (p["identifier"], i["sequence_id"]) in dates:
                i["target_date"] = dates[(p["identifier"], i["sequence_id"])]
    return data


@unittest.skipUnless(FAKETIME_LIB, "libfaketime is not installed (Debian package faketime)")
class TestDueAcrossDaylightSaving(NetCase):
    """Days are counted between dates in the digest's time zone: a 23- or 25-hour day
    is still one day."""
    data = dst_data()

    def due(self, when):
        e = faketime_env(self.env(TZ="Europe/Paris"), when)
        p = self.run_pt("once", "--dry-run", env=e, timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return {k: r[3].split(" · ")[-1] for k, r in rows_by_key(json.loads(p.stdout)).items()}

    def test_spring_forward(self):
        # 2026-03-30 00:30 CEST: 46.5 hours after 2026-03-28 00:00 CET
        due = self.due("2026-03-30 00:30:00")
        self.assertEqual(due["WEB-12"], "overdue 2 days")
        self.assertEqual(due["OPS-3"], "due in 2 days")
        self.assertEqual(due["OPS-5"], "OPS-5")  # target_date null: no due words

    def test_just_after_midnight_local_is_already_the_next_day(self):
        # 2026-03-29 00:30 in Paris is still 2026-03-28 in UTC
        due = self.due("2026-03-29 00:30:00")
        self.assertEqual(due["WEB-12"], "overdue 1 day")

    def test_fall_back(self):
        # 2026-10-26 00:30 CET: the 25-hour 2026-10-25 lies between
        due = self.due("2026-10-26 00:30:00")
        self.assertEqual(due["WEB-15"], "overdue 2 days")
        self.assertEqual(due["OPS-4"], "due tomorrow")


class TestSaveAndPreview(NetCase):
    def test_saved_sync_previews_like_the_dry_run(self):
        p = self.once("--dry-run", "--save", "saved.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("saved what was fetched to saved.json", p.stderr)
        with open(self.path("saved.json"), encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn(TOKEN, text)
        self.assertNotIn(WEBHOOK_SECRET, text)
        self.assertNotIn(self.teams.url, text)
        saved = json.loads(text)
        self.assertEqual(saved["format"], "plane-teams sync 2")
        self.assertEqual(sorted(p["identifier"] for p in saved["projects"]), ["OPS", "WEB"])
        self.assertTrue(all(p["members"] and p["states"] for p in saved["projects"]))
        self.assertEqual(len(saved["issues"]), 17)
        # preview (no network, no secret) shows the card once would post: keys, links, names
        env = dict(self.env(PLANE_API_TOKEN=None, TEAMS_WEBHOOK_URL=None))
        q = self.run_pt("preview", "--issues", "saved.json", env=env)
        self.assertEqual(q.returncode, 0, q.stderr)
        self.assertEqual(envelope_rows(json.loads(q.stdout)), envelope_rows(json.loads(p.stdout)))
        self.assertIn("/acme/browse/OPS-3/", q.stdout)

    def test_an_unwritable_save_file_is_found_before_any_request(self):
        p = self.once("--dry-run", "--save", "no/such/dir/saved.json")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertIn("cannot write no/such/dir/saved.json (--save): No such file or directory", p.stderr)
        self.assertEqual(self.plane.requests, [])

    def test_save_needs_dry_run(self):
        p = self.once("--save", "saved.json")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--save goes with 'once --dry-run'", p.stderr)


def long_names_data():
    data = copy.deepcopy(example_data())
    for p in data["projects"]:
        p["members"] = [{"id": "5b0b4c6e-1f7a-4d0e-9a51-0c1d2e3f4b%02d" % n, "display_name": f"Émilie-Anne \"{n}\" O'Brien",
                         "first_name": "É", "last_name": "O"} for n in range(5)]
        for n, i in enumerate(p["issues"]):
            i["name"] = ("*_[\"]\\é" * 40)[:200] if n % 2 else ("👩🏾‍💻" * 50)[:200]
            i["assignees"] = [m["id"] for m in p["members"]]
            i["target_date"] = "2026-11-20"
    return data


class TestBudget(NetCase):
    data = long_names_data()

    def test_ten_long_rows_with_five_assignees_fit(self):
        p = self.once("--dry-run")
        self.assertEqual(p.returncode, 0, p.stderr)
        out = p.stdout.strip()
        size = len(out.encode("utf-8"))
        self.assertLessEqual(size, 24000)
        env = json.loads(out)
        rows = envelope_rows(env)
        self.assertEqual(len(rows), 10, f"{size} bytes")
        self.assertEqual(rows[0][3].count("Émilie-Anne"), 5)
        print(f"\n  budget: 10 rows of 200-character names, 5 assignees each: {size} bytes", end=" ")
