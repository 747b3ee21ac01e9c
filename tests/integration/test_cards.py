"""The default card on every fixture, checked by Microsoft's renderer and the strict
1.2 schema (tools/cardcheck/check.js); and the checkers catch broken cards."""
import json
import os
import shutil
import subprocess
import unittest

from common import Case, ROOT, base_env, envelope_rows

CHECKER = os.path.join(ROOT, "tools", "cardcheck", "check.js")
HAVE_NODE = shutil.which("node") and os.path.isdir(os.path.join(ROOT, "tools", "cardcheck", "node_modules"))
STATES = [{"id": "daaf8056-e88d-40ba-b527-d58f3e518059", "name": "En cours", "group": "started"},
          {"id": "9ce312cc-0018-4864-9867-064939dda809", "name": "A faire", "group": "unstarted"},
          {"id": "318803e3-f0ce-4dbf-b0b4-beb1cfba9e81", "name": "Backlog", "group": "backlog"}]
PRIOS = ["urgent", "high", "medium", "low", "none"]
NAMES = ["Corriger la redirection après connexion", "監視ダッシュボードの整理", "Fix *bold* [link] _x_ 🎯",
         "x" * 450, "Ünïcödé — « guillemets » 🇩🇪", 'Quotes " and \\ backslash']


def issues(n):
    return [{"id": f"00000000-0000-4000-8000-{i:012d}", "name": NAMES[i % len(NAMES)], "priority": PRIOS[i % 5],
             "sequence_id": i + 1, "project": "4af68566-94a4-4eb3-94aa-50dc9427067b",
             "state": STATES[i % 3]} for i in range(n)]


def checker(envelopes):
    p = subprocess.run(["node", CHECKER, "-"], input="\n".join(envelopes) + "\n", capture_output=True, text=True)
    return p.returncode, p.stdout


@unittest.skipUnless(HAVE_NODE, "the card checker needs Node and 'make deps' (tools/cardcheck/node_modules)")
class TestCardsPassTheRenderer(Case):
    def preview(self, n, limit=10, **env):
        src = self.write(f"i{n}.json", json.dumps(issues(n)))
        p = self.run_pt("preview", "--issues", src, env=base_env(PLANE_API_TOKEN=None, TEAMS_WEBHOOK_URL=None,
                                                                 DIGEST_LIMIT=str(limit), **env))
        self.assertEqual(p.returncode, 0, p.stderr)
        return p.stdout.strip()

    def test_every_fixture(self):
        cards = {f"{n} rows": self.preview(n, limit=max(n, 1)) for n in (0, 1, 10, 11, 200)}
        cards["+ N more"] = self.preview(40, limit=10)
        self.assertEqual(len(envelope_rows(json.loads(cards["11 rows"]))), 11)
        self.assertEqual(len(envelope_rows(json.loads(cards["0 rows"]))), 0)
        rc, out = checker(cards.values())
        self.assertEqual(rc, 0, out)
        self.assertIn(f"{len(cards)} card(s) checked, 0 with problems", out)

    def test_a_card_with_mentions_passes(self):
        env = json.loads(self.preview(3))
        card = env["attachments"][0]["content"]
        card["body"].append({"type": "TextBlock", "text": "<at>Zoé</at>, Ana", "wrap": True})
        card["msteams"]["entities"] = [{"type": "mention", "text": "<at>Zoé</at>",
                                        "mentioned": {"id": "zoe@example.com", "name": "Zoé"}}]
        rc, out = checker([json.dumps(env, ensure_ascii=False)])
        self.assertEqual(rc, 0, out)

    def test_broken_cards_are_caught(self):
        good = json.loads(self.preview(3))
        broken = {}
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["body"][1]["columns"][0]["items"][0]["inlines"][0]["weigth"] = "Bolder"
        broken["weigth"] = (e, 'TextRun has no property "weigth"')
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["body"][0]["items"][0] = {"type": "TextBlock", "text": "x", "style": "heading"}
        broken["style"] = (e, 'Property "style" is supported in version 1.5')
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["body"][1]["selectAction"] = {"type": "Action.Submit"}
        broken["submit"] = (e, "Action.Submit does not work in Teams webhook cards")
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["body"] = {}
        broken["body {}"] = (e, "content/body: must be array")
        e = json.loads(json.dumps(good))
        del e["attachments"][0]["contentUrl"]
        broken["contentUrl"] = (e, "contentUrl: must be present and null")
        mention = {"type": "mention", "text": "<at>Zoé</at>", "mentioned": {"id": "zoe@example.com", "name": "Zoé"}}
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["msteams"]["entities"] = [mention]  # in no TextBlock
        broken["mention nowhere"] = (e, "entities[0].text: in no TextBlock")
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["body"].append({"type": "TextBlock", "text": "<at>Zoé</at>"})
        e["attachments"][0]["content"]["msteams"]["entities"] = [dict(mention, mentioned={"name": "Zoé"})]
        broken["mention without id"] = (e, "entities[0].mentioned: expected {id, name}")
        e = json.loads(json.dumps(good))
        e["attachments"][0]["content"]["msteams"]["entities"] = {"type": "mention"}
        broken["entities {}"] = (e, "msteams.entities: expected a list")
        for name, (env, msg) in broken.items():
            with self.subTest(name=name):
                rc, out = checker([json.dumps(env, ensure_ascii=False)])
                self.assertEqual(rc, 1, out)
                self.assertIn(msg, out)
