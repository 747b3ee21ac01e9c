#include "render.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hook.h"

void render_out_free(struct render_out *o) {
  free(o->envelope);
  for (size_t i = 0; i < o->posted; i++) free(o->ids[i]);
  free(o->ids);
  state_rows_free(o->rows, o->nrows);
  memset(o, 0, sizeof *o);
}

/* ---- the hooks (host/hooks.lua) ------------------------------------------------- */

#define F(st, n, t, m) {n, t, offsetof(struct st, m), 0, NULL, 0, 0}
#define FL(st, n, t, m, l) {n, t, offsetof(struct st, m), offsetof(struct st, l), NULL, 0, 0}

const struct hook_field render_state_fields[3] = {
    F(state_sel, "id", HF_STR, id), F(state_sel, "name", HF_STR, name), F(state_sel, "group", HF_STR, group)};

static const struct hook_field MENTION_FIELDS[2] = {F(mention_id, "who", HF_STR, who),
                                                   F(mention_id, "id", HF_STR, id)};
/* A row of the last posted card (the state file's last_rows): ctx.previous_rows. */
static const struct hook_field ROW_STATE[] = {F(row_state, "id", HF_STR, id), F(row_state, "name", HF_STR, name),
                                              F(row_state, "group", HF_STR, group)};
const struct hook_field render_previous_row_fields[5] = {
    F(state_row, "id", HF_STR, id), F(state_row, "rank", HF_INT, rank),
    F(state_row, "priority", HF_STR, priority),
    {"state", HF_RECORD, offsetof(struct state_row, state), 0, ROW_STATE, 3, 0},
    F(state_row, "target_date", HF_STR, target_date)};

/* The scripts' ctx, as the table they get. */
struct ctx_in {
  const char *digest, *app_url, *workspace, *now, *date, *empty, *language;
  long long limit;
  const struct state_sel *states;
  size_t nstates;
  char *const *previous; /* NULL: no post yet */
  size_t nprevious;
  char *const *holidays; /* the digest's holiday dates, sorted (YYYY-MM-DD); never NULL */
  size_t nholidays;
  int mentions;
  const struct mention_id *mention_ids; /* the host's Lua turns them into assignee ids */
  size_t nmention_ids;
  const struct opt *options; /* the digest's options (a table, empty when none) */
  size_t noptions;
  const struct state_row *previous_rows; /* render.lua makes the list a table by id */
  size_t nprevious_rows;
};
static const struct hook_field CTX[] = {
    F(ctx_in, "digest", HF_STR, digest),     F(ctx_in, "app_url", HF_STR, app_url),
    F(ctx_in, "workspace", HF_STR, workspace), F(ctx_in, "now", HF_STR, now),
    F(ctx_in, "date", HF_STR, date),         F(ctx_in, "limit", HF_INT, limit),
    F(ctx_in, "empty", HF_STR, empty),       F(ctx_in, "language", HF_STR, language),
    {"states", HF_RECORDS, offsetof(struct ctx_in, states), offsetof(struct ctx_in, nstates),
     render_state_fields, 3, sizeof(struct state_sel)},
    FL(ctx_in, "previous", HF_STRLIST, previous, nprevious),
    FL(ctx_in, "holidays", HF_STRLIST, holidays, nholidays), F(ctx_in, "mentions", HF_BOOL, mentions),
    {"mention_ids", HF_RECORDS, offsetof(struct ctx_in, mention_ids), offsetof(struct ctx_in, nmention_ids),
     MENTION_FIELDS, 2, sizeof(struct mention_id)},
    FL(ctx_in, "options", HF_OPTIONS, options, noptions),
    {"previous_rows", HF_RECORDS, offsetof(struct ctx_in, previous_rows), offsetof(struct ctx_in, nprevious_rows),
     render_previous_row_fields, 5, sizeof(struct state_row)}};

struct render_in {
  int batch;
  struct ctx_in ctx;
  long long budget;
  int skip_empty;
};
static const struct hook_field RENDER_IN[] = {
    F(render_in, "batch", HF_REF, batch),
    {"ctx", HF_RECORD, offsetof(struct render_in, ctx), 0, CTX, sizeof CTX / sizeof *CTX, 0},
    F(render_in, "budget", HF_INT, budget), F(render_in, "skip_empty", HF_BOOL, skip_empty)};

struct render_res {
  char *envelope; /* NULL: skipped */
  size_t size;
  char **ids;
  size_t nids;
  long long fetched, matching;
  double transform_ms, card_ms;
  /* the posted rows' issues, parallel to ids ("" when unknown) */
  char **priorities, **state_ids, **state_names, **state_groups, **target_dates;
  size_t npriorities, nstate_ids, nstate_names, nstate_groups, ntarget_dates;
};
static const struct hook_field RENDER_OUT[] = {
    FL(render_res, "envelope", HF_OPTSTR, envelope, size), FL(render_res, "ids", HF_STRLIST, ids, nids),
    F(render_res, "fetched", HF_INT, fetched),             F(render_res, "matching", HF_INT, matching),
    F(render_res, "transform_ms", HF_NUM, transform_ms),   F(render_res, "card_ms", HF_NUM, card_ms),
    FL(render_res, "priorities", HF_STRLIST, priorities, npriorities),
    FL(render_res, "state_ids", HF_STRLIST, state_ids, nstate_ids),
    FL(render_res, "state_names", HF_STRLIST, state_names, nstate_names),
    FL(render_res, "state_groups", HF_STRLIST, state_groups, nstate_groups),
    FL(render_res, "target_dates", HF_STRLIST, target_dates, ntarget_dates)};
static const struct hook RENDER = {"render", HOOK_FIELDS(RENDER_IN), HOOK_FIELDS(RENDER_OUT)};

struct language_in {
  const char *language, *where;
};
static const struct hook_field LANGUAGE_IN[] = {F(language_in, "language", HF_STR, language),
                                                F(language_in, "where", HF_STR, where)};
static const struct hook_field NO_FIELDS[1];
static const struct hook LANGUAGE = {"check_language", HOOK_FIELDS(LANGUAGE_IN), NO_FIELDS, 0};

/* ---- rendering -------------------------------------------------------------------- */

static char *known(const char *s) { return *s ? xstrdup(s) : NULL; }

/* The posted rows for the state file, from the render's parallel lists. */
static int take_rows(const struct render_res *res, struct render_out *out, char *err) {
  size_t n = res->nids;
  if (res->npriorities != n || res->nstate_ids != n || res->nstate_names != n || res->nstate_groups != n ||
      res->ntarget_dates != n)
    return errf(err, "internal: hook render returned rows that do not match its %zu ids", n);
  out->rows = xcalloc(n ? n : 1, sizeof *out->rows);
  for (size_t i = 0; i < n; i++) {
    struct state_row *r = &out->rows[out->nrows++];
    r->id = xstrdup(res->ids[i]);
    r->rank = (long long)i + 1;
    r->priority = known(res->priorities[i]);
    r->state.id = known(res->state_ids[i]);
    r->state.name = known(res->state_names[i]);
    r->state.group = known(res->state_groups[i]);
    r->target_date = known(res->target_dates[i]);
  }
  return 0;
}

int render_batch(struct batch *b, const struct digest *d, time_t now, const struct state *st,
                 int keep_empty, struct render_out *out, char *err) {
  static char *const none[1] = {NULL};
  char iso[40], date[11];
  struct render_res res = {0};
  memset(out, 0, sizeof *out);
  iso8601_local(now, d->tz, iso, sizeof iso);
  snprintf(date, sizeof date, "%.10s", iso);
  struct render_in in = {
      batch_ref(b),
      {d->name, d->app_url, d->workspace, iso, date, d->empty_skip ? "skip" : "post",
       d->language ? d->language : "en", d->limit, d->states, d->nstates, NULL, 0,
       d->holidays ? d->holidays : none, d->nholidays, d->mentions, d->mention_ids, d->nmention_ids,
       d->options, d->noptions, NULL, 0},
      (long long)d->budget, d->empty_skip && !keep_empty};
  if (st && st->last_sync) { /* before the first post nothing is marked new */
    in.ctx.previous = st->last_issues ? st->last_issues : none;
    in.ctx.nprevious = st->nlast;
    in.ctx.previous_rows = st->last_rows;
    in.ctx.nprevious_rows = st->nrows;
  }
  if (hook_call(batch_script(b), &RENDER, &in, &res, err) < 0) return -1;
  int rc = take_rows(&res, out, err);
  out->envelope = res.envelope; /* handed over: hook_free below frees the rest */
  out->size = res.size;
  out->skipped = res.envelope == NULL;
  out->ids = res.ids;
  out->posted = res.nids;
  out->fetched = (size_t)res.fetched;
  out->matching = (size_t)res.matching;
  out->transform_ms = res.transform_ms;
  out->card_ms = res.card_ms;
  res.envelope = NULL, res.ids = NULL, res.nids = 0;
  hook_free(&RENDER, &res);
  if (rc < 0) render_out_free(out);
  return rc;
}

int render_check_language(struct script *s, const struct config *c, const struct digest *d, char *err) {
  const char *lang = d->language ? d->language : "en";
  struct language_in in = {lang, c->path};
  return hook_call(s, &LANGUAGE, &in, NULL, err);
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
