"""Mentions as Teams shows them: a preview of hostile names, every member @mentioned,
rendered in headless Chromium by Microsoft's renderer with markdown-it (host/preview.html
shows a mention's name in bold). Each name must come out exactly as written."""
import json
import os
import unittest

from common import Case, record_cards
from test_browser import CHROMIUM, HAVE_RENDERER, HOSTILE, MARKDOWN, RENDERER, measured, offline_env

# For each TextBlock holding a mention: its text as shown, and the texts shown in bold.
MEASURE = r"""
<script>
(function () {
  var out = [];
  document.querySelectorAll('.ac-textBlock').forEach(function (b) {
    var strong = Array.prototype.map.call(b.querySelectorAll('strong'), function (s) { return s.textContent; });
    out.push({ text: b.textContent, strong: strong });
  });
  var pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def sync_with_mentions():
    """One issue per hostile name, assigned to three members whose display names are hostile
    too; every member but the last has an e-mail address."""
    with open(HOSTILE, encoding="utf-8") as f:
        h = json.load(f)
    pid, sid = "6d6d6d6d-0000-4000-8000-000000000001", "6d6d6d6d-0000-4000-8000-0000000000aa"
    people = h["names"][:8] + h["assignees"]
    members = [{"id": "6d6d6d6d-0000-4000-8000-0000000001%02d" % n, "display_name": a,
                "email": f"user{n}@contoso.example" if n < len(people) - 1 else None}
               for n, a in enumerate(people)]
    issues = [{"id": "6d6d6d6d-0000-4000-8000-0000000010%02d" % n, "name": f"Issue {n}", "sequence_id": n + 1,
               "priority": "high", "state": sid, "project": pid, "target_date": None,
               "assignees": [members[(3 * n + k) % len(members)]["id"] for k in range(3)]}
              for n in range(len(people))]
    return people, {"format": "plane-teams sync 1", "issues": issues,
                    "projects": [{"id": pid, "identifier": "HOST", "name": "Hostile", "members": members,
                                  "states": [{"id": sid, "name": "Doing", "group": "started"}]}]}


@unittest.skipUnless(CHROMIUM, "Chromium is not installed (Debian package chromium)")
@unittest.skipUnless(HAVE_RENDERER and os.path.isfile(MARKDOWN), "needs tools/cardcheck/node_modules ('make deps')")
class TestMentionsShown(Case):
    def test_hostile_names_mentioned_show_exactly_as_written_the_mentioned_in_bold(self):
        people, sync = sync_with_mentions()
        self.write("sync.json", json.dumps(sync, ensure_ascii=False))
        page = self.path("preview.html")
        p = self.run_pt("preview", "--issues", "sync.json", "--html", page, "--renderer", RENDERER,
                        "--output", "card.json",
                        env=offline_env(DIGEST_LIMIT=str(len(people)), CARD_MENTIONS="true"))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("card.json"), encoding="utf-8") as f:
            text = f.read()
        record_cards(text)  # Microsoft's checker reads it too (run.py)
        card = json.loads(text)["attachments"][0]["content"]
        entities = card["msteams"]["entities"]
        self.assertEqual({e["mentioned"]["name"] for e in entities}, set(people[:-1]))
        with open(page, encoding="utf-8") as f:
            html = f.read().replace("</body>", MEASURE + "</body>")
        with open(page, "w", encoding="utf-8") as f:
            f.write(html)
        blocks = measured(self, page)
        by_id = {m["id"]: m["display_name"] for m in sync["projects"][0]["members"]}
        want = [", ".join(by_id[a].replace("\n", " ").replace("\t", " ") for a in i["assignees"])
                for i in sync["issues"]]
        shown = [b for b in blocks if b["strong"]]
        self.assertEqual(len(shown), len(want))
        for b, w in zip(shown, want):
            self.assertEqual(b["text"].strip(), w)  # every name exactly as written, no markup
            for s in b["strong"]:
                self.assertIn(s, [n.replace("\n", " ").replace("\t", " ") for n in people[:-1]])
        self.assertNotIn(people[-1], [s for b in shown for s in b["strong"]])  # no id: plain text


if __name__ == "__main__":
    unittest.main()
