#include "html.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BUNDLE "tools/cardcheck/node_modules/adaptivecards/dist/adaptivecards.min.js"

/* path relative to the source tree of the running binary (build/.. ), else to the cwd */
static char *beside_source(const char *rel) {
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) {
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (slash) *slash = 0;
    char *p = xasprintf("%s/../%s", exe, rel);
    if (access(p, R_OK) == 0) return p;
    free(p);
  }
  return access(rel, R_OK) == 0 ? xstrdup(rel) : NULL;
}

char *html_find_checker(void) {
  char *p = beside_source("tools/cardcheck/check.js");
  char *mods = beside_source("tools/cardcheck/node_modules/adaptivecards/dist/adaptivecards.js");
  if (!mods) {
    free(p);
    p = NULL;
  }
  free(mods);
  return p;
}

char *html_find_renderer(char *err) {
  const char *env = getenv("PLANE_TEAMS_RENDERER");
  if (env && *env) {
    if (access(env, R_OK) == 0) return xstrdup(env);
    errf(err, "PLANE_TEAMS_RENDERER=%s cannot be read", env);
    return NULL;
  }
  char *found = beside_source(BUNDLE);
  if (!found && access("/usr/share/plane-teams/adaptivecards.min.js", R_OK) == 0)
    found = xstrdup("/usr/share/plane-teams/adaptivecards.min.js");
  if (!found)
    errf(err, "preview --html needs Microsoft's Adaptive Cards renderer (adaptivecards.min.js): run "
         "'make deps' in the source tree, or set PLANE_TEAMS_RENDERER to the file");
  return found;
}

/* Teams' light theme, from Microsoft's host-config sample for Teams. */
static const char HOST_CONFIG[] =
    "{\"fontFamily\":\"'Segoe UI', system-ui, -apple-system, 'Helvetica Neue', sans-serif\","
    "\"supportsInteractivity\":true,"
    "\"spacing\":{\"small\":8,\"default\":12,\"medium\":16,\"large\":20,\"extraLarge\":24,\"padding\":16},"
    "\"separator\":{\"lineThickness\":1,\"lineColor\":\"#EEEEEE\"},"
    "\"fontSizes\":{\"small\":12,\"default\":14,\"medium\":14,\"large\":18,\"extraLarge\":24},"
    "\"fontWeights\":{\"lighter\":200,\"default\":400,\"bolder\":600},"
    "\"containerStyles\":{\"default\":{\"backgroundColor\":\"#ffffff\",\"foregroundColors\":{"
    "\"default\":{\"default\":\"#252424\",\"subtle\":\"#bf252424\"},"
    "\"dark\":{\"default\":\"#252424\",\"subtle\":\"#bf252424\"},"
    "\"light\":{\"default\":\"#ffffff\",\"subtle\":\"#fff3f2f1\"},"
    "\"accent\":{\"default\":\"#6264a7\",\"subtle\":\"#8b8cc7\"},"
    "\"good\":{\"default\":\"#92c353\",\"subtle\":\"#e592c353\"},"
    "\"warning\":{\"default\":\"#f8d22a\",\"subtle\":\"#e5f8d22a\"},"
    "\"attention\":{\"default\":\"#c4314b\",\"subtle\":\"#e5c4314b\"}}}},"
    "\"actions\":{\"maxActions\":6,\"spacing\":\"default\",\"buttonSpacing\":8,"
    "\"actionsOrientation\":\"horizontal\",\"actionAlignment\":\"left\"}}";

static const char HEAD[] =
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<title>plane-teams card preview</title>\n<style>\n"
    "body{margin:0;background:#f5f5f5;font-family:'Segoe UI',system-ui,sans-serif;color:#252424}\n"
    "header{padding:12px 24px;background:#464775;color:#fff;font-size:14px}\n"
    ".post{margin:24px;max-width:860px;background:#fff;border-radius:4px;"
    "box-shadow:0 1px 4px rgba(0,0,0,.12);padding:4px 0}\n"
    ".post .meta{padding:8px 16px 0;font-size:12px;color:#616161}\n"
    "[data-url]{cursor:pointer}[data-url]:hover{background:#f3f2f1}\n"
    "#problems{margin:24px;color:#c4314b;white-space:pre-wrap}\n"
    "</style></head><body>\n"
    "<header>Teams channel preview · rendered by Microsoft's Adaptive Cards renderer</header>\n"
    "<div class=\"post\"><div class=\"meta\">Plane digest · Workflows</div><div id=\"card\"></div></div>\n"
    "<div id=\"problems\"></div>\n<script>\n";

/* Markdown as Teams renders it in a TextBlock: bold, italic, links, paragraphs. */
static const char TAIL[] =
    "\n</script>\n<script>\n"
    "(function () {\n"
    "  function esc(s) { return s.replace(/&/g,'&amp;').replace(/</g,'&lt;').replace(/>/g,'&gt;'); }\n"
    "  function md(text) {\n"
    "    return esc(text)\n"
    "      .replace(/\\[([^\\]]+)\\]\\((https?:\\/\\/[^)\\s]+)\\)/g, '<a href=\"$2\">$1</a>')\n"
    "      .replace(/\\*\\*([^*]+)\\*\\*/g, '<strong>$1</strong>')\n"
    "      .replace(/(^|\\s)_([^_]+)_(?=\\s|$)/g, '$1<em>$2</em>')\n"
    "      .replace(/\\n\\n/g, '<br>');\n"
    "  }\n"
    "  AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {\n"
    "    result.outputHtml = md(text); result.didProcess = true; };\n"
    "  var problems = [];\n"
    "  var card = new AdaptiveCards.AdaptiveCard();\n"
    "  card.hostConfig = new AdaptiveCards.HostConfig(HOST_CONFIG);\n"
    "  var ctx = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_2);\n"
    "  card.parse(ENVELOPE.attachments[0].content, ctx);\n"
    "  for (var i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);\n"
    "  card.onExecuteAction = function (a) { if (a.url) window.open(a.url, '_blank'); };\n"
    "  var el = card.render();\n"
    "  document.getElementById('card').appendChild(el);\n"
    "  // mark each clickable row with its target, for people and for tests\n"
    "  for (var j = 0; j < card.getItemCount(); j++) {\n"
    "    var item = card.getItemAt(j);\n"
    "    if (item.selectAction && item.selectAction.url && item.renderedElement) {\n"
    "      item.renderedElement.setAttribute('data-url', item.selectAction.url);\n"
    "      item.renderedElement.setAttribute('data-row', String(j));\n"
    "    }\n"
    "  }\n"
    "  document.getElementById('problems').textContent = problems.join('\\n');\n"
    "  document.body.setAttribute('data-rendered', 'yes');\n"
    "})();\n"
    "</script>\n</body></html>\n";

/* JSON inside <script>: "</" must not close the element. */
static void add_script_safe(struct buf *b, const char *s, size_t n) {
  size_t start = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    if (s[i] == '<' && s[i + 1] == '/') {
      buf_add(b, s + start, i - start);
      buf_adds(b, "<\\/");
      start = i + 2;
      i++;
    }
  }
  buf_add(b, s + start, n - start);
}

int html_page(const char *envelope, size_t len, const char *renderer_path, struct buf *out, char *err) {
  char *js = NULL;
  size_t jslen = 0;
  if (read_file(renderer_path, &js, &jslen, err) < 0) return -1;
  buf_adds(out, HEAD);
  add_script_safe(out, js, jslen);
  buf_adds(out, "\n</script>\n<script>\nvar HOST_CONFIG = ");
  buf_adds(out, HOST_CONFIG);
  buf_adds(out, ";\nvar ENVELOPE = ");
  add_script_safe(out, envelope, len);
  buf_adds(out, ";");
  buf_adds(out, TAIL);
  free(js);
  return 0;
}
