"""preview --html: where the renderer comes from, and the page in a real browser (headless
Chromium renders it with Microsoft's renderer; the rows are read back from the DOM, and a
screenshot is kept in build/)."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest
import html as htmlmod
import json
from html.parser import HTMLParser

from common import Case, ROOT, BINARY, base_env, record_cards

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXAMPLE = os.path.join(ROOT, "examples", "issues.json")
# what 'make deps' fetches (tools/cardcheck/package-lock.json); make preview passes it too
RENDERER = os.path.join(ROOT, "tools", "cardcheck", "node_modules", "adaptivecards", "dist", "adaptivecards.min.js")
HAVE_RENDERER = os.path.isfile(RENDERER)
MARKDOWN = os.path.join(ROOT, "tools", "cardcheck", "node_modules", "markdown-it", "dist", "browser",
                        "markdown-it.umd.min.js")
HOSTILE = os.path.join(ROOT, "tests", "data", "hostile-names.json")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars"]


class Rows(HTMLParser):
    """Text and target of each element marked data-url, in document order."""

    def __init__(self):
        super().__init__()
        self.rows, self.depth, self.links, self.problems, self.in_problems = [], 0, [], "", False
        self.rendered = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body" and a.get("data-rendered") == "yes":
            self.rendered = True
        if a.get("id") == "problems":
            self.in_problems = True
        if self.depth:
            self.depth += 1
            if tag == "a":
                self.rows[-1]["links"].append(a.get("href"))
        elif "data-url" in a:
            self.rows.append({"url": a["data-url"], "text": "", "links": []})
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1
        self.in_problems = False

    def handle_data(self, data):
        if self.depth:
            self.rows[-1]["text"] += data
        if self.in_problems:
            self.problems += data


def offline_env(**extra):
    return base_env(**{"PLANE_API_TOKEN": None, "TEAMS_WEBHOOK_URL": None, "PLANE_TEAMS_RENDERER": None, **extra})


def measured(test, page):
    """What the measuring script (MEASURE) wrote into the page, read back from Chromium's DOM."""
    profile = tempfile.mkdtemp(prefix="pt-chromium-")
    try:
        dom = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--window-size=1100,900",
                              "--virtual-time-budget=5000", "--dump-dom", "file://" + page],
                             capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    test.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
    m = re.search(r'<pre id="measure">(.*?)</pre>', dom.stdout, re.S)
    test.assertIsNotNone(m, "the measuring script did not run")
    return json.loads(htmlmod.unescape(m.group(1)))


class TestRendererLookup(Case):
    """--renderer, then PLANE_TEAMS_RENDERER, then the installed data folder; the binary
    never looks for a source tree."""

    def html(self, *args, env=None):
        return self.run_pt("preview", "--issues", EXAMPLE, "--html", "page.html", *args, env=env or offline_env())

    @unittest.skipUnless(HAVE_RENDERER, "needs tools/cardcheck/node_modules ('make deps')")
    def test_page_inlines_the_renderer_and_the_message(self):
        p = self.html("--renderer", RENDERER, "--output", "card.json")
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("page.html"), encoding="utf-8") as f:
            page = f.read()
        with open(RENDERER, encoding="utf-8") as f:
            code = f.read().replace("</", "<\\/")
        self.assertIn(code, page)
        with open(MARKDOWN, encoding="utf-8") as f:
            markdown = f.read().replace("</", "<\\/")
        self.assertIn(markdown, page)  # the markdown processor the renderer calls
        with open(self.path("card.json"), encoding="utf-8") as f:
            envelope = f.read().strip().replace("</", "<\\/")
        self.assertIn("var ENVELOPE = " + envelope + ";", page)
        self.assertNotIn("@@", page.replace(code, "").replace(markdown, ""))
        self.assertEqual(page.count("</script>"), 3)

    @unittest.skipUnless(HAVE_RENDERER, "needs tools/cardcheck/node_modules ('make deps')")
    def test_the_option_comes_before_the_environment(self):
        p = self.html("--renderer", RENDERER, env=offline_env(PLANE_TEAMS_RENDERER="/nonexistent.js"))
        self.assertEqual(p.returncode, 0, p.stderr)
        p = self.html(env=offline_env(PLANE_TEAMS_RENDERER=RENDERER))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.getsize(self.path("page.html")) > os.path.getsize(RENDERER))

    def test_an_unreadable_renderer_is_named(self):
        p = self.html(env=offline_env(PLANE_TEAMS_RENDERER="/nonexistent.js"))
        self.assertEqual(p.returncode, 2)
        self.assertIn("PLANE_TEAMS_RENDERER=/nonexistent.js cannot be read: No such file or directory", p.stderr)
        p = self.html("--renderer", "missing.js")
        self.assertEqual(p.returncode, 2)
        self.assertIn("--renderer missing.js cannot be read", p.stderr)
        self.assertFalse(os.path.exists(self.path("page.html")))

    def test_without_a_renderer_it_says_where_it_looked(self):
        # the binary runs from the source tree, where node_modules may be: it must not look there
        datadir = re.search(r"\$PLANE_TEAMS_RENDERER or (/\S+)", self.run_pt("--help").stdout).group(1)
        if os.path.exists(os.path.join(datadir, "adaptivecards.min.js")):
            self.skipTest(f"a renderer is installed in {datadir}")
        p = self.html()
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertRegex(p.stderr, r"--html needs Microsoft's Adaptive Cards renderer \(adaptivecards\.min\.js\), "
                                   r"which is not in /\S+/plane-teams/: pass --renderer FILE or set PLANE_TEAMS_RENDERER")
        self.assertNotIn("make deps", p.stderr)

    def test_renderer_goes_with_html(self):
        p = self.run_pt("preview", "--issues", EXAMPLE, "--renderer", RENDERER, env=offline_env())
        self.assertEqual(p.returncode, 2)
        self.assertIn("--renderer goes with 'preview --html'", p.stderr)


@unittest.skipUnless(CHROMIUM, "Chromium is not installed (Debian package chromium)")
@unittest.skipUnless(HAVE_RENDERER, "needs tools/cardcheck/node_modules ('make deps')")
class TestBrowserPreview(Case):
    def chromium(self, *args):
        profile = tempfile.mkdtemp(prefix="pt-chromium-")
        try:
            return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *args],
                                  capture_output=True, text=True, timeout=120)
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    def test_rendered_rows_match_the_card(self):
        page = self.path("preview.html")
        p = self.run_pt("preview", "--issues", EXAMPLE, "--html", page, "--renderer", RENDERER,
                        "--output", "card.json", env=offline_env())
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("wrote", p.stderr)
        dom = self.chromium("--virtual-time-budget=5000", "--dump-dom", "file://" + page)
        self.assertEqual(dom.returncode, 0, dom.stderr[-2000:])
        parsed = Rows()
        parsed.feed(dom.stdout)
        self.assertTrue(parsed.rendered, "the page's script did not run")
        self.assertEqual(parsed.problems.strip(), "")
        rows = parsed.rows
        self.assertEqual(len(rows), 10)
        for n, row in enumerate(rows, 1):
            self.assertTrue(row["text"].startswith(f"#{n}"), row["text"])
            self.assertEqual(row["links"], [row["url"]])  # the key links where the row goes
        self.assertIn("🔴 URGENT", rows[0]["text"])
        self.assertIn("Rotate the database credentials", rows[0]["text"])
        self.assertIn("In Progress", rows[0]["text"])
        self.assertIn("監視ダッシュボードの整理", rows[9]["text"])
        self.assertIn("🔵 LOW", rows[9]["text"])
        self.assertRegex(rows[0]["url"], r"^https://app\.plane\.so/acme/projects/[0-9a-f-]{36}/issues/[0-9a-f-]{36}$")
        self.assertIn("+ 3 more", dom.stdout)
        # a picture for a person to look at
        shot = os.path.join(os.path.dirname(BINARY), "preview.png")
        s = self.chromium("--window-size=900,760", f"--screenshot={shot}", "file://" + page)
        self.assertEqual(s.returncode, 0, s.stderr[-2000:])
        with open(shot, "rb") as f:
            self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n")


# Runs after the page's own script: reads back what Microsoft's renderer drew, with the
# markdown processor plugged in as Teams has it, and writes it into the DOM as JSON.
MEASURE = r"""
<script>
(function () {
  function text(node) {  // the characters shown, a line break as "\n"
    var s = '';
    (function walk(n) {
      if (n.nodeType === 3) s += n.data;
      else if (n.nodeName === 'BR') s += '\n';
      else for (var c = n.firstChild; c; c = c.nextSibling) walk(c);
    })(node);
    return s;
  }
  var out = { rows: [], header: '', control: [] };
  var head = document.querySelectorAll('#card .ac-richTextBlock');  // the title, then the date line
  if (head[1]) out.header = text(head[1]);
  document.querySelectorAll('[data-url]').forEach(function (row) {
    var cols = Array.prototype.filter.call(row.children, function (c) { return c.classList.contains('ac-container'); });
    var blocks = cols[2].querySelectorAll('.ac-richTextBlock');
    var detail = blocks[1] ? blocks[1].querySelectorAll('.ac-textRun') : [];
    var link = blocks[1] ? blocks[1].querySelector('a') : null;
    out.rows.push({
      url: row.getAttribute('data-url'),
      left: cols.map(function (c) { return c.getBoundingClientRect().left; }),
      name: text(blocks[0]),
      state: detail[0] ? text(detail[0]) : null,
      detail: blocks[1] ? text(blocks[1]) : null,
      stateWeight: detail[0] ? getComputedStyle(detail[0]).fontWeight : null,
      link: link ? link.getAttribute('href') : null,
      links: row.querySelectorAll('a').length,
      strong: row.querySelectorAll('strong, em, b, i, ul, ol, li, code, h1, img, table, blockquote').length
    });
  });
  // control: the same names in TextBlocks go through the markdown processor
  (window.HOSTILE_NAMES || []).forEach(function (n) {
    var c = new AdaptiveCards.AdaptiveCard();
    c.parse({ type: 'AdaptiveCard', version: '1.2', body: [{ type: 'TextBlock', text: n, wrap: true }] },
            new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_2));
    var el = c.render();
    out.control.push({ text: el.innerText, html: el.querySelector('.ac-textBlock').innerHTML });
  });
  var pre = document.createElement('pre');
  pre.id = 'measure';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>
"""


def hostile_sync():
    """A saved sync whose every name from Plane is one Teams could read as markdown."""
    with open(HOSTILE, encoding="utf-8") as f:
        h = json.load(f)
    pid, sid = "6c6c6c6c-0000-4000-8000-000000000001", "6c6c6c6c-0000-4000-8000-0000000000aa"
    members = [{"id": "6c6c6c6c-0000-4000-8000-0000000001%02d" % n, "display_name": a}
               for n, a in enumerate(h["assignees"])]
    prios = ["urgent", "high", "medium", "low", "none"]
    issues = [{"id": "6c6c6c6c-0000-4000-8000-0000000010%02d" % n, "name": name, "sequence_id": n + 1,
               "priority": prios[n % 5], "state": sid, "project": pid,
               "assignees": [m["id"] for m in members] if n < 3 else [], "target_date": None}
              for n, name in enumerate(h["names"])]
    return h, {"format": "plane-teams sync 1", "issues": issues,
               "projects": [{"id": pid, "identifier": "HOST", "name": h["project"], "members": members,
                             "states": [{"id": sid, "name": h["state"], "group": "started"}]}]}


@unittest.skipUnless(CHROMIUM, "Chromium is not installed (Debian package chromium)")
@unittest.skipUnless(HAVE_RENDERER and os.path.isfile(MARKDOWN), "needs tools/cardcheck/node_modules ('make deps')")
class TestWhatTeamsShows(Case):
    """The card rendered by Microsoft's renderer with markdown-it in onProcessMarkdown."""

    def render(self, language="en"):
        h, sync = hostile_sync()
        self.write("sync.json", json.dumps(sync, ensure_ascii=False))
        page = self.path("preview.html")
        p = self.run_pt("preview", "--issues", "sync.json", "--html", page, "--renderer", RENDERER,
                        "--output", "card.json",
                        env=offline_env(DIGEST_LIMIT=str(len(h["names"])), CARD_LANGUAGE=language))
        self.assertEqual(p.returncode, 0, p.stderr)
        with open(self.path("card.json"), encoding="utf-8") as f:
            record_cards(f.read())  # for Microsoft's checker too (run.py)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        names = json.dumps(h["names"], ensure_ascii=False).replace("</", "<\\/")
        html = html.replace("</body>", "<script>var HOSTILE_NAMES = " + names + ";</script>" + MEASURE + "</body>")
        with open(page, "w", encoding="utf-8") as f:
            f.write(html)
        return h, measured(self, page)

    def test_every_name_is_shown_exactly_as_written(self):
        h, out = self.render()
        self.assertEqual(len(out["rows"]), len(h["names"]))
        shown = sorted(r["name"] for r in out["rows"])
        self.assertEqual(shown, sorted(h["names"]))
        for r in out["rows"]:
            self.assertEqual(r["state"], h["state"])           # the state as written…
            self.assertGreaterEqual(int(r["stateWeight"]), 600)  # …and bold
            self.assertEqual(r["link"], r["url"])               # the key is the one link
            self.assertEqual(r["links"], 1)
            self.assertEqual(r["strong"], 0, r["name"])          # no markup from any name
        self.assertIn(h["project"], out["header"])
        with_names = [r for r in out["rows"] if r["detail"].endswith(", ".join(h["assignees"]))]
        self.assertEqual(len(with_names), 3)  # the assignees' names as written too
        # the markdown processor is really plugged in: the same names in a TextBlock change
        changed = [n for n, c in zip(h["names"], out["control"]) if c["text"].strip() != n]
        self.assertGreaterEqual(len(changed), len(h["names"]) // 2, out["control"])
        # for people: what each name shows as on the card, and what a TextBlock would show
        shown_as = {r["name"]: r["name"] for r in out["rows"]}
        report = os.path.join(os.path.dirname(BINARY), "hostile-names.txt")
        with open(report, "w", encoding="utf-8") as f:
            for n, c in zip(h["names"], out["control"]):
                markup = re.sub(r' style="[^"]*"', "", c["html"].strip())
                f.write(f"{json.dumps(n, ensure_ascii=False)}\n"
                        f"  on the card: {json.dumps(shown_as.get(n), ensure_ascii=False)}\n"
                        f"  in a TextBlock: {markup}\n")

    def test_rank_priority_and_name_line_up_on_every_row(self):
        for language in ("en", "fr"):
            with self.subTest(language=language):
                _, out = self.render(language)
                lefts = [tuple(round(x, 1) for x in r["left"]) for r in out["rows"]]
                self.assertGreater(len(lefts), 5)
                self.assertEqual(len(set(lefts)), 1, lefts)
