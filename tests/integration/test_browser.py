"""preview --html: where the renderer comes from, and the page in a real browser (headless
Chromium renders it with Microsoft's renderer; the rows are read back from the DOM, and a
screenshot is kept in build/)."""
import os
import re
import shutil
import subprocess
import tempfile
import unittest
from html.parser import HTMLParser

from common import Case, ROOT, BINARY, base_env

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
EXAMPLE = os.path.join(ROOT, "examples", "issues.json")
# what 'make deps' fetches (tools/cardcheck/package-lock.json); make preview passes it too
RENDERER = os.path.join(ROOT, "tools", "cardcheck", "node_modules", "adaptivecards", "dist", "adaptivecards.min.js")
HAVE_RENDERER = os.path.isfile(RENDERER)
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
        with open(self.path("card.json"), encoding="utf-8") as f:
            envelope = f.read().strip().replace("</", "<\\/")
        self.assertIn("var ENVELOPE = " + envelope + ";", page)
        self.assertNotIn("@@", page.replace(code, ""))
        self.assertEqual(page.count("</script>"), 2)

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
