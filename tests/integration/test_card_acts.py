"""The card a team acts on, against the fake Plane and the fake Teams: ⬆ on a priority
raised between two syncs, stale rows in working days, opt-in @mentions and the buttons
into Plane. Each test has its own temporary directory and its own fake servers."""
import json
import os
import unittest

from common import NetCase, FAKETIME_LIB, envelope_rows, block_text, load_json

WEB = "4af68566-94a4-4eb3-94aa-50dc9427067b"
OPS = "b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13"


def faketime_env(env, when):
    return dict(env, LD_PRELOAD=FAKETIME_LIB, FAKETIME="@" + when,
                ASAN_OPTIONS=env.get("ASAN_OPTIONS", "") + ":verify_asan_link_order=0")


def card_of(envelope):
    return envelope["attachments"][0]["content"]


def row_sets(envelope):
    """key -> the row's ColumnSet."""
    return {el["selectAction"]["url"].rstrip("/").split("/")[-1]: el
            for el in card_of(envelope)["body"] if el.get("type") == "ColumnSet"}


def priority_lines(row):
    return [block_text(b) for b in row["columns"][1]["items"]]


@unittest.skipUnless(FAKETIME_LIB, "libfaketime is not installed (Debian package faketime)")
class TestCardActs(NetCase):
    def once(self, *args, when="2026-11-28 10:00:00", **extra):
        extra.setdefault("TZ", "Europe/Paris")
        p = self.run_pt("once", "--force", *args, env=faketime_env(self.env(**extra), when), timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        return p

    def issue(self, project, seq):
        for p in self.plane.data["projects"]:
            if p["id"] == project:
                return next(i for i in p["issues"] if i["sequence_id"] == seq)
        raise KeyError(seq)

    def test_priority_raised_between_two_syncs_shows_on_that_row_only(self):
        self.once()
        first = row_sets(self.teams.accepted[-1])
        self.assertTrue(all(len(r["columns"][1]["items"]) == 1 for r in first.values()))
        self.issue(WEB, 15)["priority"] = "urgent"  # was high
        self.once()
        second = row_sets(self.teams.accepted[-1])
        self.assertEqual(priority_lines(second["WEB-15"]), ["🔴 URGENT", "⬆ was HIGH"])
        for key, row in second.items():
            if key != "WEB-15":
                self.assertEqual(len(row["columns"][1]["items"]), 1, key)
        self.once(CARD_LANGUAGE="fr")  # the third card: nothing raised since the second
        self.assertNotIn("⬆", json.dumps(card_of(self.teams.accepted[-1]), ensure_ascii=False))

    def test_a_saved_sync_keeps_the_previous_card_for_preview(self):
        self.once()  # posted: the state file holds this card's rows
        self.issue(WEB, 15)["priority"] = "urgent"  # was high
        self.once("--dry-run", "--save", self.path("sync.json"))
        with open(self.path("sync.json"), encoding="utf-8") as f:
            saved = json.load(f)
        with open(self.path("state.json"), encoding="utf-8") as f:
            state = json.load(f)
        self.assertEqual([r["id"] for r in saved["previous"]], state["last_issues"])
        self.assertEqual({r["id"]: r["priority"] for r in saved["previous"]},
                         {r["id"]: r["priority"] for r in state["last_rows"]})
        self.assertTrue(all(r["state"]["group"] for r in saved["previous"]))
        p = self.run_pt("preview", "--issues", self.path("sync.json"), "--output", self.path("preview.json"),
                        env=faketime_env(self.env(TZ="Europe/Paris"), "2026-11-28 10:00:00"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("preview.json"), encoding="utf-8") as f:
            rows = row_sets(json.load(f))
        self.assertEqual(priority_lines(rows["WEB-15"]), ["🔴 URGENT", "⬆ was HIGH"])

    def test_stale_rows_in_working_days(self):
        # Monday 2026-11-30 in Paris; the example issues were updated from 2026-11-10 on.
        self.once(when="2026-11-30 09:00:00", CARD_STALE_DAYS="5")
        rows = {r[4].rstrip("/").split("/")[-1]: r for r in envelope_rows(self.teams.accepted[-1])}
        # OPS-3, updated Friday 2026-11-20 14:02 (Paris): 23-27, 30 = 6 working days
        self.assertTrue(rows["OPS-3"][3].endswith("no activity for 6 working days"), rows["OPS-3"][3])
        # OPS-4, updated Saturday 2026-11-21: 23-27, 30 = 6 as well; a holiday on the 24th: 5, not stale
        self.assertTrue(rows["OPS-4"][3].endswith("no activity for 6 working days"), rows["OPS-4"][3])
        self.once(when="2026-11-30 09:00:00", CARD_STALE_DAYS="5", NOTIFICATION_HOLIDAYS="2026-11-24")
        rows = {r[4].rstrip("/").split("/")[-1]: r for r in envelope_rows(self.teams.accepted[-1])}
        self.assertNotIn("no activity", rows["OPS-4"][3])
        self.assertTrue(rows["WEB-12"][3].endswith("no activity for 13 working days"), rows["WEB-12"][3])
        self.once(when="2026-11-30 09:00:00")  # off by default
        self.assertNotIn("no activity", json.dumps(card_of(self.teams.accepted[-1])))

    def test_bad_stale_days_or_mentions_are_configuration_errors(self):
        p = self.run_pt("check", env=self.env(CARD_STALE_DAYS="soon"))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn('options.stale_days must be a whole number of working days (0 for off), not "soon"', p.stderr)
        p = self.run_pt("check", env=self.env(CARD_MENTIONS="maybe"))
        self.assertEqual(p.returncode, 2)
        self.assertIn('mentions = "maybe" must be true or false (or 1/0, yes/no, on/off) (set by CARD_MENTIONS)',
                      p.stderr)

    def test_mentions_from_plane_emails_and_mention_ids(self):
        cfg = self.path("config.lua")
        with open(os.path.join(os.path.dirname(__file__), "..", "..", "config.lua"), encoding="utf-8") as f:
            text = f.read()
        text = text.replace("  options = { stale_days = env", '  mention_ids = { ["Karim B."] = "k.benali@contoso.example" },\n  options = { stale_days = env', 1)
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text)
        save = self.path("saved.json")
        self.once("-c", cfg, CARD_MENTIONS="true")
        card = card_of(self.teams.accepted[-1])
        ents = {e["mentioned"]["name"]: e for e in card["msteams"]["entities"]}
        self.assertEqual(ents["zoe.martin"], {"type": "mention", "text": "<at>zoe.martin</at>",
                                              "mentioned": {"id": "zoe@acme.example", "name": "zoe.martin"}})
        self.assertEqual(ents["Karim B."]["mentioned"]["id"], "k.benali@contoso.example")
        self.assertEqual(ents["Karim B."]["text"], "<at>Karim B.</at>")
        web12 = row_sets(self.teams.accepted[-1])["WEB-12"]["columns"][2]["items"]
        self.assertEqual(web12[2], {"type": "TextBlock", "text": "<at>zoe.martin</at>, " + ents["Karim B."]["text"],
                                    "isSubtle": True, "wrap": True, "spacing": "None"})
        # the e-mail addresses stay out of the saved sync, the state and the log
        self.once("-c", cfg, "--dry-run", "--save", save, CARD_MENTIONS="true", LOG_LEVEL="debug")
        c = self.run_pt("-c", cfg, "check", env=self.env(CARD_MENTIONS="true"))
        self.assertEqual(c.returncode, 0, c.stderr)
        self.assertIn("mentions: on (1 in mention_ids)", c.stdout)
        self.assertNotIn("contoso", c.stdout + c.stderr)
        for path in (save, self.path("state.json"), self.path("logs", "plane-teams.log")):
            with open(path, encoding="utf-8") as f:
                self.assertNotIn("@acme.example", f.read(), path)
        # off: no entities, the names in the detail line as before
        self.once()
        self.assertNotIn("entities", card_of(self.teams.accepted[-1])["msteams"])

    def test_a_button_per_project(self):
        self.once()
        actions = card_of(self.teams.accepted[-1])["actions"]
        app = self.plane.url
        self.assertEqual(actions, [
            {"type": "Action.OpenUrl", "title": "Open OPS in Plane", "url": f"{app}/acme/projects/{OPS}/issues/"},
            {"type": "Action.OpenUrl", "title": "Open WEB in Plane", "url": f"{app}/acme/projects/{WEB}/issues/"},
        ])
        self.once(CARD_LANGUAGE="fr", PLANE_PROJECT_ID=WEB)
        self.assertEqual([a["title"] for a in card_of(self.teams.accepted[-1])["actions"]],
                         ["Ouvrir WEB dans Plane"])

    def test_the_buttons_go_to_the_current_cycle_when_the_scripts_ask_for_cycles(self):
        os.replace(self.path("scripts", "transform.lua"), self.path("scripts", "base.lua"))
        self.write("scripts/transform.lua", 'local base = require("base")\n'
                   'return { needs = { cycles = true }, transform = base.transform }\n')
        self.once()
        current = {p["id"]: next(c["id"] for c in p["cycles"] if c.get("current"))
                   for p in self.plane.data["projects"]}
        app = self.plane.url
        self.assertEqual([a["url"] for a in card_of(self.teams.accepted[-1])["actions"]], [
            f"{app}/acme/projects/{OPS}/cycles/{current[OPS]}",
            f"{app}/acme/projects/{WEB}/cycles/{current[WEB]}"])


if __name__ == "__main__":
    unittest.main()
