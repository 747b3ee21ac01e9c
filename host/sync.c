#include "sync.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "config.h"
#include "digest_state.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "plane.h"
#include "render.h"
#include "state.h"
#include "script.h"
#include "teams.h"

struct sync {
  struct sync_env env;
  struct script *s;
  const struct digest *d;
  struct sync_opts o;
  struct batch *batch;
  struct state st;
  struct render_out out;
  struct plane_stats plane;
  struct teams_stats teams;
  size_t posted_rows; /* rows on the card this sync posted */
  struct teams_post *post;
  struct plane_fetch *fetch;
  uint64_t kick;
  int fetching, posting;
  time_t started_at;
  double started;
  sync_done_cb cb;
  void *ud;
};

static void iso_now(const struct digest *d, time_t t, char *out, size_t n) { iso8601_local(t, d->tz, out, n); }

static void sync_free(struct sync *sy) {
  delay_cancel(sy->env.loop, sy->kick);
  if (sy->fetching) plane_cancel(sy->fetch);
  if (sy->post) teams_cancel(sy->post);
  render_out_free(&sy->out);
  batch_free(sy->batch);
  state_clear(&sy->st);
  free(sy);
}

static void write_metrics(struct sync *sy) {
  struct metrics m;
  char err[ERR_LEN];
  if (!sy->o.metrics_file || sy->o.dry_run) return;
  memset(&m, 0, sizeof m);
  digest_state_metrics(&sy->st, &m);
  m.fetched = (double)sy->out.fetched;
  m.matching = (double)sy->out.matching;
  m.posted = (double)sy->posted_rows;
  m.plane_requests = sy->plane.requests;
  m.plane_seconds = sy->plane.wall_ms / 1000.0;
  m.teams_seconds = sy->teams.ms / 1000.0;
  m.sync_seconds = (now_ms() - sy->started) / 1000.0;
  if (metrics_write(sy->o.metrics_file, sy->d->name, &m, err) < 0) log_error(sy->d->name, NULL, "%s", err);
}

static void finish(struct sync *sy, enum sync_result r) {
  write_metrics(sy);
  sync_done_cb cb = sy->cb;
  void *ud = sy->ud;
  sync_free(sy);
  cb(r, ud);
}

/* Record a failure in the state (not in a dry run), then say so, and end. */
static void failed(struct sync *sy, const char *why, const char *status) {
  char err[ERR_LEN], stamp[40];
  int written = 1;
  if (!sy->o.dry_run) {
    iso_now(sy->d, sy->started_at, stamp, sizeof stamp);
    state_set(&sy->st.last_attempt, stamp);
    state_set(&sy->st.attempt, NULL);
    state_set(&sy->st.last_sync_status, status);
    char *clean = log_redact(why);
    state_set(&sy->st.last_error, clean);
    free(clean);
    sy->st.error_count++;
    written = state_write(sy->d->state_file, &sy->st, err) == 0;
  }
  log_error(sy->d->name, LF(LF_N("duration_ms", now_ms() - sy->started)), "sync failed: %s", why);
  if (!written) log_error(sy->d->name, NULL, "%s", err);
  finish(sy, SYNC_FAILED);
}

/* Today is done: the state says so (the caller writes it). */
static void record_success(struct sync *sy) {
  char stamp[40];
  iso_now(sy->d, time(NULL), stamp, sizeof stamp);
  state_set(&sy->st.last_sync, stamp);
  state_set(&sy->st.attempt, NULL);
  state_set(&sy->st.last_sync_status, "success");
  state_set(&sy->st.last_error, NULL);
  sy->st.error_count = 0;
}

static void posted(enum teams_outcome o, const char *err, const struct teams_stats *ts, void *ud) {
  struct sync *sy = ud;
  char werr[ERR_LEN];
  sy->post = NULL;
  sy->posting = 0;
  sy->teams = *ts;
  if (o == TEAMS_FAILED) {
    failed(sy, err, "error");
    return;
  }
  if (o == TEAMS_UNKNOWN) {
    failed(sy, err, "unknown");
    return;
  }
  record_success(sy);
  for (size_t i = 0; i < sy->st.nlast; i++) free(sy->st.last_issues[i]);
  free(sy->st.last_issues);
  sy->st.last_issues = sy->out.ids; /* hand over */
  sy->st.nlast = sy->out.posted;
  sy->out.ids = NULL;
  sy->out.posted = 0;
  state_rows_free(sy->st.last_rows, sy->st.nrows);
  sy->st.last_rows = sy->out.rows; /* the same rows, as the host saw their issues */
  sy->st.nrows = sy->out.nrows;
  sy->out.rows = NULL;
  sy->out.nrows = 0;
  sy->posted_rows = sy->st.nlast;
  if (state_write(sy->d->state_file, &sy->st, werr) < 0)
    log_error(sy->d->name, NULL, "the card was posted but %s", werr);
  double total = now_ms() - sy->started;
  log_info(sy->d->name,
           LF(LF_N("issues", (double)sy->st.nlast), LF_N("fetched", (double)sy->out.fetched),
              LF_N("matching", (double)sy->out.matching), LF_N("plane_requests", sy->plane.requests),
              LF_N("plane_ms", sy->plane.wall_ms), LF_N("plane_retries", sy->plane.retries),
              LF_N("teams_status", ts->status), LF_N("teams_ms", ts->ms), LF_N("bytes", (double)sy->out.size),
              LF_N("transform_ms", sy->out.transform_ms), LF_N("card_ms", sy->out.card_ms),
              LF_N("duration_ms", total)),
           "posted %zu issues in %.1f s (Plane: %d requests, %zu issues fetched, %zu matching; Teams: %ld)",
           sy->st.nlast, total / 1000.0, sy->plane.requests, sy->out.fetched, sy->out.matching, ts->status);
  finish(sy, SYNC_OK);
}

static void write_dry_run(struct sync *sy) {
  FILE *f = sy->o.output ? fopen(sy->o.output, "ab") : stdout;
  if (!f) {
    failed(sy, "cannot open the --output file", "error");
    return;
  }
  int ok = fwrite(sy->out.envelope, 1, sy->out.size, f) == sy->out.size && fputc('\n', f) != EOF;
  ok = (sy->o.output ? fclose(f) : fflush(f)) == 0 && ok;
  if (!ok) {
    failed(sy, "cannot write the dry-run output", "error");
    return;
  }
  log_info(sy->d->name, LF(LF_N("fetched", (double)sy->out.fetched), LF_N("matching", (double)sy->out.matching),
                           LF_N("plane_requests", sy->plane.requests), LF_N("bytes", (double)sy->out.size)),
           "dry run: %zu issues fetched, %zu matching, %zu on the card (%zu bytes); nothing posted",
           sy->out.fetched, sy->out.matching, sy->out.posted, sy->out.size);
  finish(sy, SYNC_OK);
}

static void record_skip(struct sync *sy) {
  char err[ERR_LEN], stamp[40];
  if (!sy->o.dry_run) {
    iso_now(sy->d, sy->started_at, stamp, sizeof stamp);
    state_set(&sy->st.last_attempt, stamp);
    record_success(sy);
    if (state_write(sy->d->state_file, &sy->st, err) < 0) {
      failed(sy, err, "error");
      return;
    }
  }
  log_info(sy->d->name, LF(LF_N("fetched", (double)sy->out.fetched)),
           "no issue matches and empty = \"skip\": no card today");
  finish(sy, SYNC_OK);
}

/* once --dry-run --save FILE: what the sync fetched, for preview --issues FILE. */
static int save_fetched(struct sync *sy, char *err) {
  char *json = NULL;
  size_t len = 0;
  int posted = sy->st.last_sync != NULL; /* the card the next post would be compared with */
  if (batch_save(sy->batch, posted ? sy->st.last_rows : NULL, posted ? sy->st.nrows : 0, &json, &len, err) < 0)
    return errctx(err, "cannot save what was fetched");
  FILE *f = fopen(sy->o.save, "wb");
  int ok = f && fwrite(json, 1, len, f) == len && fputc('\n', f) != EOF;
  if (f) ok = fclose(f) == 0 && ok;
  free(json);
  if (!ok) return errf(err, "cannot write %s (--save)", sy->o.save);
  log_info(sy->d->name, NULL, "saved what was fetched to %s (preview --issues %s reads it)", sy->o.save,
           sy->o.save);
  return 0;
}

static void render_and_post(struct sync *sy) {
  char err[ERR_LEN], now[40];
  if (sy->o.save && save_fetched(sy, err) < 0) {
    failed(sy, err, "error");
    return;
  }
  if (render_batch(sy->batch, sy->d, time(NULL), &sy->st, 0, &sy->out, err) < 0) {
    failed(sy, err, "error");
    return;
  }
  batch_free(sy->batch); /* the issues are no longer needed */
  sy->batch = NULL;
  if (sy->out.skipped) {
    record_skip(sy);
    return;
  }
  if (sy->o.dry_run) {
    write_dry_run(sy);
    return;
  }
  /* at most once: the attempt is on disk before the message leaves */
  iso_now(sy->d, sy->started_at, now, sizeof now);
  state_set(&sy->st.attempt, now);
  state_set(&sy->st.last_attempt, now);
  if (state_write(sy->d->state_file, &sy->st, err) < 0) {
    state_set(&sy->st.attempt, NULL);
    failed(sy, err, "error");
    return;
  }
  if (teams_post(sy->env.loop, sy->env.http, sy->d, sy->out.envelope, sy->out.size, posted, sy,
                 &sy->post, err) < 0) {
    state_set(&sy->st.attempt, NULL);
    failed(sy, err, "error");
    return;
  }
  sy->posting = 1;
}

static void fetched(int rc, const char *err, const struct plane_stats *st, void *ud) {
  struct sync *sy = ud;
  sy->fetching = 0;
  sy->plane = *st;
  if (rc < 0) {
    failed(sy, err, "error");
    return;
  }
  script_collect(sy->s); /* what the batch holds, not the pages' garbage, before the render */
  log_debug(sy->d->name, LF(LF_N("plane_requests", st->requests), LF_N("plane_ms", st->wall_ms),
                           LF_N("lua_kb", (double)script_memory_kb(sy->s))),
            "fetched %zu issues with %d requests in %.1f s; the scripts' state holds %zu KiB",
            batch_count(sy->batch), st->requests, st->wall_ms / 1000.0, script_memory_kb(sy->s));
  render_and_post(sy);
}

static void kick(void *ud) {
  struct sync *sy = ud;
  char err[ERR_LEN];
  log_info(sy->d->name, NULL, "sync started: %zu project%s%s", sy->d->nprojects,
           sy->d->nprojects == 1 ? "" : "s", sy->o.dry_run ? " (dry run)" : "");
  sy->fetching = 1;
  unsigned needs = plane_needs_bits(script_needs(sy->s));
  if (plane_fetch(sy->env.plane, sy->d, needs, sy->batch, fetched, sy, &sy->fetch, err) < 0) {
    sy->fetching = 0;
    failed(sy, err, "error");
  }
}

int sync_start(const struct sync_env *env, struct script *s, const struct digest *d,
               const struct sync_opts *o, sync_done_cb cb, void *ud, struct sync **out, char *err) {
  struct sync *sy = xcalloc(1, sizeof *sy);
  int exists;
  sy->env = *env;
  sy->s = s;
  sy->d = d;
  sy->o = *o;
  sy->cb = cb;
  sy->ud = ud;
  sy->started = now_ms();
  sy->started_at = time(NULL);
  if (batch_new(s, &sy->batch, err) < 0) {
    free(sy);
    return -1;
  }
  /* only the issues the card may show are kept, unless the sync is saved as fetched */
  if (!o->save && batch_pick_states(sy->batch, d->states, d->nstates, err) < 0) {
    sync_free(sy);
    return -1;
  }
  if (state_read(d->state_file, &sy->st, &exists, err) < 0) {
    if (!o->dry_run) {
      sync_free(sy);
      return -1;
    }
    memset(&sy->st, 0, sizeof sy->st); /* a dry run only reads it for "new" marks */
  }
  sy->kick = delay_start(env->loop, 0, kick, sy);
  if (out) *out = sy;
  return 0;
}

int sync_posting(const struct sync *sy) { return sy && sy->posting; }

void sync_abandon(struct sync *sy) {
  if (!sy) return;
  sync_free(sy); /* cancels the fetch's or the post's requests */
}
