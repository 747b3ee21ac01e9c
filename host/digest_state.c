/* What a digest's state file says, outside a sync: read for a run (a crash or a corrupt
 * file handled), the scheduler's view, the figures for the metrics file. */
#include "digest_state.h"

#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

static void iso_now(const struct digest *d, time_t t, char *out, size_t n) { iso8601_local(t, d->tz, out, n); }

void digest_state_view(const struct state *st, struct sched_view *v) {
  memset(v, 0, sizeof *v);
  if (st->last_sync) iso8601_parse(st->last_sync, &v->last_success);
  if (st->last_attempt) iso8601_parse(st->last_attempt, &v->last_attempt);
  if (st->attempt) iso8601_parse(st->attempt, &v->pending);
  v->last_failed = st->last_sync_status && !strcmp(st->last_sync_status, "error");
  v->last_unknown = st->last_sync_status && !strcmp(st->last_sync_status, "unknown");
}

int digest_state_load(const struct digest *d, struct state *st, time_t now, char *err) {
  char why[ERR_LEN], moved[4200], stamp[40];
  int exists;
  if (state_read(d->state_file, st, &exists, why) == 0) {
    if (!st->attempt) return 0;
    /* an attempt was recorded before a POST and nothing after it: a crash */
    log_error(d->name, LF(LF_S("state_file", d->state_file), LF_S("attempt", st->attempt)),
              "the attempt of %s ended without a recorded answer (the process stopped?); the card "
              "may have been posted, so it is not sent again that day (use 'once --force' to send)",
              st->attempt);
    state_set(&st->last_attempt, st->attempt);
    state_set(&st->attempt, NULL);
    state_set(&st->last_sync_status, "unknown");
    state_set(&st->last_error, "an attempt ended without a recorded answer; the card may have been posted");
    return state_write(d->state_file, st, err);
  }
  if (state_quarantine(d->state_file, moved, sizeof moved, err) < 0) return -1;
  log_error(d->name, LF(LF_S("state_file", d->state_file), LF_S("moved_to", moved)),
            "%s; moved it to %s. Not posting again today in case today's card was already sent "
            "(use 'once --force' to send)", why, moved);
  memset(st, 0, sizeof *st);
  iso_now(d, now, stamp, sizeof stamp);
  state_set(&st->last_attempt, stamp);
  state_set(&st->last_sync_status, "unknown");
  snprintf(why + strlen(why), sizeof why - strlen(why), "; moved to %s", moved);
  state_set(&st->last_error, why);
  return state_write(d->state_file, st, err);
}

void digest_state_metrics(const struct state *st, struct metrics *m) {
  struct sched_view v;
  digest_state_view(st, &v);
  m->last_success = v.last_success;
  m->last_attempt = v.last_attempt;
  m->last_ok = st->last_sync_status && !strcmp(st->last_sync_status, "success");
  m->last_unknown = v.last_unknown;
  m->consecutive_errors = st->error_count;
}

void digest_state_seed_metrics(const struct digest *d, const char *metrics_file) {
  struct state st;
  struct metrics m;
  char err[ERR_LEN];
  int exists;
  if (!metrics_file) return;
  memset(&m, 0, sizeof m);
  if (state_read(d->state_file, &st, &exists, err) == 0) {
    digest_state_metrics(&st, &m);
    m.posted = (double)st.nlast;
    state_clear(&st);
  }
  if (metrics_write(metrics_file, d->name, &m, err) < 0) log_error(d->name, NULL, "%s", err);
}
