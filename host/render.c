#include "render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void render_out_free(struct render_out *o) {
  free(o->envelope);
  for (size_t i = 0; i < o->posted; i++) free(o->ids[i]);
  free(o->ids);
  memset(o, 0, sizeof *o);
}

static void key(struct buf *b, const char *k) {
  buf_addc(b, b->len ? ',' : '{');
  json_add_string(b, k);
  buf_addc(b, ':');
}

static void add_str(struct buf *b, const char *k, const char *v) {
  if (!v) return;
  key(b, k);
  json_add_string(b, v);
}

/* ctx.holidays: the digest's holiday dates, sorted ("YYYY-MM-DD"), [] when none. */
static void add_holidays(struct buf *b, const struct digest *d) {
  key(b, "holidays");
  buf_addc(b, '[');
  for (size_t i = 0; i < d->nholidays; i++) {
    if (i) buf_addc(b, ',');
    json_add_string(b, d->holidays[i]);
  }
  buf_addc(b, ']');
}

void render_ctx(const struct digest *d, time_t now, const struct state *st, struct buf *out) {
  char iso[40], date[11];
  iso8601_local(now, d->tz, iso, sizeof iso);
  snprintf(date, sizeof date, "%.10s", iso);
  add_str(out, "digest", d->name);
  add_str(out, "app_url", d->app_url);
  add_str(out, "workspace", d->workspace);
  add_str(out, "now", iso);
  add_str(out, "date", date);
  key(out, "limit");
  buf_printf(out, "%d", d->limit);
  add_str(out, "empty", d->empty_skip ? "skip" : "post");
  add_str(out, "language", d->language ? d->language : "en");
  key(out, "states");
  buf_addc(out, '[');
  for (size_t i = 0; i < d->nstates; i++) {
    if (i) buf_addc(out, ',');
    buf_addc(out, '{');
    size_t start = out->len;
    const struct state_sel *s = &d->states[i];
    const char *names[] = {"id", "name", "group"}, *vals[] = {s->id, s->name, s->group};
    for (int k = 0; k < 3; k++) {
      if (!vals[k]) continue;
      if (out->len > start) buf_addc(out, ',');
      json_add_string(out, names[k]);
      buf_addc(out, ':');
      json_add_string(out, vals[k]);
    }
    buf_addc(out, '}');
  }
  buf_addc(out, ']');
  add_holidays(out, d);
  if (st && st->last_sync) { /* before the first post nothing is marked new */
    key(out, "previous");
    buf_addc(out, '[');
    for (size_t i = 0; i < st->nlast; i++) {
      if (i) buf_addc(out, ',');
      json_add_string(out, st->last_issues[i]);
    }
    buf_addc(out, ']');
  }
  buf_addc(out, '}');
}

/* The posted ids, from the JSON list the host's Lua returned. */
static int take_ids(const char *json, size_t len, struct render_out *out, char *err) {
  struct json *v = NULL;
  if (json_parse(json, len, &v, err) < 0 || v->type != JSON_ARRAY) {
    json_free(v);
    return errf(err, "internal: the rendered ids are not a JSON list");
  }
  out->ids = xcalloc(v->n, sizeof *out->ids);
  for (size_t i = 0; i < v->n; i++) {
    if (v->items[i].type != JSON_STRING) {
      json_free(v);
      return errf(err, "internal: a rendered id is not a string");
    }
    out->ids[out->posted++] = xstrdup(v->items[i].string);
  }
  json_free(v);
  return 0;
}

int render_batch(struct batch *b, const struct digest *d, time_t now, const struct state *st,
                 int keep_empty, struct render_out *out, char *err) {
  struct buf ctx;
  int rc = -1;
  buf_init(&ctx);
  memset(out, 0, sizeof *out);
  render_ctx(d, now, st, &ctx);
  struct script_val in[] = {batch_val(b), SV_S(ctx.data, ctx.len), SV_I((long long)d->budget),
                            {SV_BOOL, d->empty_skip && !keep_empty, 0, NULL, 0, 0}};
  struct script_val res[] = {SV_S(NULL, 0), SV_S(NULL, 0), SV_I(0), SV_I(0), SV_I(0),
                             {SV_NUM, 0, 0, NULL, 0, 0}, {SV_NUM, 0, 0, NULL, 0, 0}};
  if (script_host(batch_script(b), "render", in, 4, res, 7, err) < 0) goto cleanup;
  out->fetched = (size_t)res[2].i;
  out->matching = (size_t)res[3].i;
  out->transform_ms = res[5].n;
  out->card_ms = res[6].n;
  out->skipped = res[0].s == NULL;
  if (take_ids(res[1].s, res[1].len, out, err) < 0) goto cleanup;
  out->envelope = res[0].s;
  out->size = res[0].len;
  res[0].s = NULL;
  rc = 0;
cleanup:
  script_vals_free(res, 7);
  buf_free(&ctx);
  if (rc < 0) render_out_free(out);
  return rc;
}

int render_check_language(struct script *s, const struct config *c, const struct digest *d, char *err) {
  const char *lang = d->language ? d->language : "en";
  struct script_val in[] = {SV_S(lang, strlen(lang)), SV_S(c->path, strlen(c->path))};
  return script_host(s, "check_language", in, 2, NULL, 0, err);
}

int render_selfcheck(struct script *s, const struct config *c, struct buf *report, char *err) {
  time_t now = time(NULL);
  for (size_t i = 0; i < c->ndigests; i++) {
    const struct digest *d = &c->digests[i];
    struct batch *b = NULL;
    struct render_out out;
    if (render_check_language(s, c, d, err) < 0) return -1;
    if (batch_sample(s, &b, err) < 0 || render_batch(b, d, now, NULL, 1, &out, err) < 0) {
      batch_free(b);
      return errctx(err, "digest %s: the scripts failed on the built-in sample", d->name);
    }
    if (report)
      buf_printf(report, "self-check %s: the scripts turned the built-in sample (%zu issues) into "
                 "%zu rows of %zu matching, a %zu-byte message\n", d->name, out.fetched, out.posted,
                 out.matching, out.size);
    render_out_free(&out);
    batch_free(b);
  }
  return 0;
}
