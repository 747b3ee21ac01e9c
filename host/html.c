#include "html.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "preview_html.h"

#ifndef PT_DATADIR
#define PT_DATADIR "/usr/local/share/plane-teams"
#endif
#define BUNDLE "adaptivecards.min.js"
#define MARKDOWN "markdown-it.umd.min.js"

/* label: "--renderer " or "PLANE_TEAMS_RENDERER=", to say where the name came from */
static char *readable(const char *path, const char *label, char *err) {
  if (access(path, R_OK) == 0) return xstrdup(path);
  errf(err, "%s%s cannot be read: %s", label, path, strerror(errno));
  return NULL;
}

char *html_find_renderer(const char *option, char *err) {
  if (option) return readable(option, "--renderer ", err);
  const char *env = getenv("PLANE_TEAMS_RENDERER");
  if (env && *env) return readable(env, "PLANE_TEAMS_RENDERER=", err);
  if (access(PT_DATADIR "/" BUNDLE, R_OK) == 0) return xstrdup(PT_DATADIR "/" BUNDLE);
  errf(err, "--html needs Microsoft's Adaptive Cards renderer (" BUNDLE "), which is not in " PT_DATADIR
       "/: pass --renderer FILE or set PLANE_TEAMS_RENDERER");
  return NULL;
}

/* JSON or code inside <script>: "</" must not close the element. */
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

struct slot {
  const char *mark;
  const char *data;
  size_t len;
};

static const struct slot *slot_at(const struct slot *slots, size_t n, const char *p, const char *end) {
  for (size_t k = 0; k < n; k++) {
    size_t m = strlen(slots[k].mark);
    if ((size_t)(end - p) >= m && !memcmp(p, slots[k].mark, m)) return &slots[k];
  }
  return NULL;
}

/* the next "@@" from p, else end */
static const char *next_mark(const char *p, const char *end) {
  for (; p + 1 < end; p++)
    if (p[0] == '@' && p[1] == '@') return p;
  return end;
}

/* the page with each mark replaced by its slot's data; each mark must be there once */
static int fill(const struct slot *slots, size_t nslots, struct buf *out, char *err) {
  const char *p = (const char *)preview_html, *end = p + sizeof preview_html;
  size_t used = 0;
  while (p < end) {
    const char *at = next_mark(p, end);
    buf_add(out, p, (size_t)(at - p));
    if ((p = at) == end) break;
    const struct slot *s = slot_at(slots, nslots, p, end);
    if (!s) {  /* not a mark: the two characters themselves */
      buf_add(out, p, 2);
      p += 2;
      continue;
    }
    add_script_safe(out, s->data, s->len);
    p += strlen(s->mark);
    used++;
  }
  if (used != nslots) return errf(err, "the compiled-in preview page does not have its %zu placeholders", nslots);
  return 0;
}

/* markdown-it, the markdown processor the page plugs into the renderer as Teams does:
 * beside the renderer (an installed data folder), or where npm puts it (node_modules). */
static char *find_markdown(const char *renderer_path, char *err) {
  static const char *const rel[] = {MARKDOWN, "../../markdown-it/dist/browser/" MARKDOWN};
  const char *slash = strrchr(renderer_path, '/');
  int dirlen = slash ? (int)(slash - renderer_path) : 1;
  const char *dir = slash ? renderer_path : ".";
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
    char *p = xasprintf("%.*s/%s", dirlen, dir, rel[i]);
    if (access(p, R_OK) == 0) return p;
    free(p);
  }
  errf(err, "--html needs the markdown processor Teams-like rendering uses (" MARKDOWN ", from npm's "
       "markdown-it) beside the renderer %s", renderer_path);
  return NULL;
}

int html_page(const char *envelope, size_t len, const char *renderer_path, struct buf *out, char *err) {
  char *js = NULL, *md = NULL, *md_path = find_markdown(renderer_path, err);
  size_t jslen = 0, mdlen = 0;
  int rc = -1;
  if (!md_path || read_file(renderer_path, &js, &jslen, err) < 0 || read_file(md_path, &md, &mdlen, err) < 0)
    goto cleanup;
  const struct slot slots[] = {{"@@RENDERER@@", js, jslen}, {"@@MARKDOWN@@", md, mdlen},
                               {"@@ENVELOPE@@", envelope, len}};
  rc = fill(slots, sizeof slots / sizeof slots[0], out, err);
cleanup:
  free(md_path);
  free(md);
  free(js);
  return rc;
}
