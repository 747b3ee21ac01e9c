#include "daemon.h"
#include "memtrim.h"

#include <curl/curl.h>
#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "digest_state.h"
#include "http.h"
#include "log.h"
#include "loop.h"
#include "metrics.h"
#include "plane.h"
#include "render.h"
#include "sched.h"
#include "script.h"
#include "state.h"
#include "sync.h"

#define STOP_GRACE_MS 5000 /* a stop lets a POST in flight finish this long */

/* A configuration and its scripts, loaded and checked together; kept alive while
 * a sync started with it runs, even after a reload replaced it. */
struct gen {
  struct config *cfg;
  struct script *s;
  int refs;
};

/* What the daemon knows of one digest between wake-ups. */
struct track {
  struct daemon *dm;
  struct gen *gen;         /* the generation the digest belongs to (or its sync runs with) */
  const struct digest *d;
  struct sched_view view;
  struct sync *sync;
  int retired;             /* dropped by a reload while its sync ran */
  char holiday_said[11];   /* the holiday already logged (YYYY-MM-DD) */
};

struct lockent {
  char *path;
  struct state_lock *lock;
  int users;
};

struct daemon {
  const struct run_opts *o;
  int once;
  struct loop *loop;
  struct http *http;
  struct plane *plane;
  struct gen *gen;
  struct track **tracks;
  size_t ntracks;
  struct lockent *locks;
  size_t nlocks;
  int running;
  int failed;
  int stopping;
  uint64_t tick;
  uint64_t grace;
};

static void tick(void *ud);

/* ---- generations ------------------------------------------------------- */

static void gen_release(struct gen *g) {
  if (!g || --g->refs > 0) return;
  script_close(g->s);
  config_free(g->cfg);
  free(g);
}

static int gen_load(const struct run_opts *o, unsigned need, struct gen **out, char *err) {
  struct gen *g = xcalloc(1, sizeof *g);
  g->refs = 1;
  if (config_load(o->config, &g->cfg, err) < 0 || config_require(g->cfg, need, err) < 0) goto fail;
  const char *dir = o->scripts ? o->scripts : g->cfg->scripts_dir ? g->cfg->scripts_dir : "./scripts";
  if (script_open(dir, &g->s, err) < 0) {
    errctx(err, "cannot load the scripts");
    goto fail;
  }
  if (render_selfcheck(g->s, g->cfg, NULL, err) < 0) goto fail;
  *out = g;
  return 0;
fail:
  gen_release(g);
  return -1;
}

/* ---- state locks, shared by generations -------------------------------- */

static int lock_take(struct daemon *dm, const char *path, char *err) {
  for (size_t i = 0; i < dm->nlocks; i++) {
    if (!strcmp(dm->locks[i].path, path)) {
      dm->locks[i].users++;
      return 0;
    }
  }
  struct state_lock *l;
  if (state_lock(path, &l, err) < 0) return -1;
  dm->locks = xrealloc(dm->locks, (dm->nlocks + 1) * sizeof *dm->locks);
  dm->locks[dm->nlocks++] = (struct lockent){xstrdup(path), l, 1};
  return 0;
}

static void lock_drop(struct daemon *dm, const char *path) {
  for (size_t i = 0; i < dm->nlocks; i++) {
    if (strcmp(dm->locks[i].path, path) || --dm->locks[i].users > 0) continue;
    state_unlock(dm->locks[i].lock);
    free(dm->locks[i].path);
    dm->locks[i] = dm->locks[--dm->nlocks];
    return;
  }
}

/* ---- tracks ------------------------------------------------------------ */

static void track_free(struct track *t) {
  if (!t) return;
  if (t->sync) {
    sync_abandon(t->sync);
    t->dm->running--;
  }
  if (!t->dm->o->dry_run) lock_drop(t->dm, t->d->state_file);
  gen_release(t->gen);
  free(t);
}

/* Lock and read the digest's state (a corrupt file is moved aside, a crashed attempt
 * becomes "unknown"). */
static int track_open(struct daemon *dm, struct gen *g, const struct digest *d, struct track **out,
                      char *err) {
  struct track *t = xcalloc(1, sizeof *t);
  struct state st;
  t->dm = dm;
  t->d = d;
  if (!dm->o->dry_run) {
    if (lock_take(dm, d->state_file, err) < 0) {
      free(t);
      return errctx(err, "digest %s", d->name);
    }
    if (digest_state_load(d, &st, time(NULL), err) < 0) {
      lock_drop(dm, d->state_file);
      free(t);
      return errctx(err, "digest %s", d->name);
    }
    digest_state_view(&st, &t->view);
    state_clear(&st);
  }
  t->gen = g;
  g->refs++;
  *out = t;
  return 0;
}

/* A reload keeps a state file: what we know of it goes to the new track, which takes one
 * more user of its lock. */
static int track_keep(struct daemon *dm, struct gen *g, const struct digest *d, const struct track *old,
                      struct track **out, char *err) {
  if (!dm->o->dry_run && lock_take(dm, d->state_file, err) < 0) return errctx(err, "digest %s", d->name);
  struct track *t = xcalloc(1, sizeof *t);
  *t = (struct track){dm, g, d, old->view, NULL, 0, {0}};
  memcpy(t->holiday_said, old->holiday_said, sizeof old->holiday_said);
  g->refs++;
  *out = t;
  return 0;
}

static void refresh_view(struct track *t) {
  struct state st;
  char err[ERR_LEN];
  if (digest_state_load(t->d, &st, time(NULL), err) < 0) {
    log_error(t->d->name, NULL, "%s", err);
    return;
  }
  digest_state_view(&st, &t->view);
  state_clear(&st);
}

/* ---- syncs ------------------------------------------------------------- */

/* The current (not retired) track of a state file. */
static struct track *find_track(struct daemon *dm, const char *state_file) {
  for (size_t i = 0; i < dm->ntracks; i++)
    if (!dm->tracks[i]->retired && !strcmp(dm->tracks[i]->d->state_file, state_file)) return dm->tracks[i];
  return NULL;
}

static void maybe_stop(struct daemon *dm) {
  if (dm->running == 0 && (dm->stopping || dm->once)) loop_stop(dm->loop);
}

static void sync_done(enum sync_result r, void *ud) {
  struct track *t = ud;
  struct daemon *dm = t->dm;
  t->sync = NULL;
  dm->running--;
  if (r != SYNC_OK) dm->failed = 1;
  if (t->retired) {
    /* a reload replaced it while the sync ran: drop it, refresh its heir */
    size_t k = 0;
    for (size_t i = 0; i < dm->ntracks; i++)
      if (dm->tracks[i] != t) dm->tracks[k++] = dm->tracks[i];
    dm->ntracks = k;
    struct track *heir = find_track(dm, t->d->state_file);
    track_free(t);
    if (heir && !dm->o->dry_run) refresh_view(heir);
  } else if (!dm->o->dry_run) {
    refresh_view(t);
  }
  /* the sync's issues are freed: give the memory back while the daemon waits a day */
  malloc_trim(0);
  if (!dm->once && !dm->stopping) {
    delay_cancel(dm->loop, dm->tick);
    dm->tick = delay_start(dm->loop, 0, tick, dm);
  }
  maybe_stop(dm);
}

static void start_sync(struct track *t) {
  struct daemon *dm = t->dm;
  char err[ERR_LEN];
  struct sync_env env = {dm->loop, dm->http, dm->plane};
  /* the configuration and the scripts of the track's own generation, together */
  struct sync_opts so = {dm->o->dry_run, dm->o->output, t->gen->cfg->metrics_file, dm->o->save};
  if (sync_start(&env, t->gen->s, t->d, &so, sync_done, t, &t->sync, err) < 0) {
    log_error(t->d->name, NULL, "cannot start the sync: %s", err);
    dm->failed = 1;
    return;
  }
  dm->running++;
}

/* ---- the scheduler ------------------------------------------------------ */

/* A sync of this state file runs (perhaps on a retired track after a reload). */
static int busy(struct daemon *dm, const char *state_file) {
  for (size_t i = 0; i < dm->ntracks; i++)
    if (dm->tracks[i]->sync && !strcmp(dm->tracks[i]->d->state_file, state_file)) return 1;
  return 0;
}

/* A holiday is logged once, on its first check, with the next digest. */
static void say_holiday(struct track *t, time_t now) {
  char today[11], when[40] = "not within a week";
  if (!sched_holiday(t->d, now)) return;
  local_date(now, t->d->tz, today);
  if (!strcmp(today, t->holiday_said)) return;
  memcpy(t->holiday_said, today, sizeof today);
  time_t next = sched_next(t->d, &t->view, now);
  if (next) iso8601_local(next, t->d->tz, when, sizeof when);
  log_info(t->d->name, LF(LF_S("next", when)), "today (%s) is one of the digest's holidays: no "
           "digest; next %s", today, when);
}

static void tick(void *ud) {
  struct daemon *dm = ud;
  if (dm->stopping) return;
  time_t now = time(NULL);
  int sleep = SCHED_MAX_SLEEP;
  for (size_t i = 0; i < dm->ntracks; i++) {
    struct track *t = dm->tracks[i];
    if (t->retired || busy(dm, t->d->state_file)) continue;
    say_holiday(t, now);
    if (sched_due(t->d, &t->view, now)) {
      start_sync(t);
      continue;
    }
    int s = sched_sleep(t->d, &t->view, now);
    if (s < sleep) sleep = s;
  }
  log_debug(NULL, LF(LF_N("sleep", sleep)), "schedule checked; next check in %d s", sleep);
  dm->tick = delay_start(dm->loop, (uint64_t)sleep * 1000, tick, dm);
}

/* The metrics file lists the digests of the running configuration. */
static void seed_metrics(struct daemon *dm) {
  const char *file = dm->gen->cfg->metrics_file;
  metrics_reset();
  if (!file || dm->o->dry_run) return;
  for (size_t i = 0; i < dm->ntracks; i++)
    if (!dm->tracks[i]->retired) digest_state_seed_metrics(dm->tracks[i]->d, file);
}

/* ---- reload and stop ---------------------------------------------------- */

static void reload(struct daemon *dm) {
  struct gen *g = NULL;
  char err[ERR_LEN];
  if (gen_load(dm->o, CONFIG_NEED_PLANE | CONFIG_NEED_TEAMS, &g, err) < 0) {
    log_error(NULL, NULL, "reload failed, keeping the running configuration and scripts: %s", err);
    return;
  }
  size_t n = g->cfg->ndigests;
  struct track **next = xcalloc(n + dm->ntracks, sizeof *next);
  for (size_t i = 0; i < n; i++) {
    const struct digest *d = &g->cfg->digests[i];
    struct track *old = find_track(dm, d->state_file);
    int rc = old ? track_keep(dm, g, d, old, &next[i], err) : track_open(dm, g, d, &next[i], err);
    if (rc < 0) {
      log_error(NULL, NULL, "reload failed, keeping the running configuration and scripts: %s", err);
      for (size_t j = 0; j < i; j++) track_free(next[j]);
      free(next);
      gen_release(g);
      return;
    }
  }
  /* swap: old tracks go, except those whose sync still runs (on their generation) */
  size_t total = n;
  for (size_t i = 0; i < dm->ntracks; i++) {
    struct track *t = dm->tracks[i];
    if (t->sync) {
      t->retired = 1;
      next[total++] = t;
    } else {
      track_free(t);
    }
  }
  n = total;
  free(dm->tracks);
  dm->tracks = next;
  dm->ntracks = n;
  gen_release(dm->gen);
  dm->gen = g;
  if (config_apply(g->cfg, 1, err) < 0) log_error(NULL, NULL, "%s", err);
  plane_set_limits(dm->plane, g->cfg);
  seed_metrics(dm);
  log_info(NULL, LF(LF_N("digests", (double)g->cfg->ndigests)), "reloaded %s and the scripts in %s (%zu digest%s)",
           g->cfg->path, script_dir(g->s), g->cfg->ndigests, g->cfg->ndigests == 1 ? "" : "s");
  delay_cancel(dm->loop, dm->tick);
  dm->tick = delay_start(dm->loop, 0, tick, dm);
}

static void abandon_all(void *ud) {
  struct daemon *dm = ud;
  for (size_t i = 0; i < dm->ntracks; i++) {
    struct track *t = dm->tracks[i];
    if (!t->sync) continue;
    log_warn(t->d->name, NULL, "stopping: abandoning the sync in progress");
    sync_abandon(t->sync);
    t->sync = NULL;
    dm->running--;
    dm->failed = 1;
  }
  loop_stop(dm->loop);
}

static void on_signal(int signum, void *ud) {
  struct daemon *dm = ud;
  if (signum == SIGHUP) {
    if (dm->once) log_info(NULL, NULL, "SIGHUP ignored: 'once' does not reload");
    else if (!dm->stopping) reload(dm);
    return;
  }
  if (dm->stopping) { /* a second signal: now */
    abandon_all(dm);
    return;
  }
  dm->stopping = 1;
  delay_cancel(dm->loop, dm->tick);
  int posting = 0;
  for (size_t i = 0; i < dm->ntracks; i++) posting |= sync_posting(dm->tracks[i]->sync);
  log_info(NULL, NULL, "%s received: stopping%s", signum == SIGTERM ? "SIGTERM" : "SIGINT",
           posting ? " once the post in flight is answered (at most 5 s)" : "");
  if (!posting) abandon_all(dm);
  else dm->grace = delay_start(dm->loop, STOP_GRACE_MS, abandon_all, dm);
}

/* ---- start and stop ------------------------------------------------------ */

static int daemon_open(struct daemon *dm, const struct run_opts *o, int once, unsigned need) {
  char err[ERR_LEN];
  memset(dm, 0, sizeof *dm);
  dm->o = o;
  dm->once = once;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  script_set_interrupt(&loop_stop_requested);
  if (gen_load(o, need, &dm->gen, err) < 0) {
    fprintf(stderr, "plane-teams: %s\n", err);
    return EXIT_USAGE;
  }
  struct config *cfg = dm->gen->cfg;
  if (config_apply(cfg, 1, err) < 0 || loop_open(&dm->loop, err) < 0) {
    fprintf(stderr, "plane-teams: %s\n", err);
    return EXIT_USAGE;
  }
  if (http_open(&dm->http, dm->loop, err) < 0 || plane_open(&dm->plane, dm->loop, dm->http) < 0 ||
      loop_watch_signals(dm->loop, on_signal, dm, err) < 0) {
    fprintf(stderr, "plane-teams: %s\n", err);
    return EXIT_USAGE;
  }
  plane_set_limits(dm->plane, cfg);
  dm->ntracks = cfg->ndigests;
  dm->tracks = xcalloc(dm->ntracks, sizeof *dm->tracks);
  for (size_t i = 0; i < dm->ntracks; i++) {
    if (track_open(dm, dm->gen, &cfg->digests[i], &dm->tracks[i], err) < 0) {
      fprintf(stderr, "plane-teams: %s\n", err);
      dm->ntracks = i;
      return EXIT_USAGE;
    }
  }
  seed_metrics(dm);
  memtrim_file_pages();
  return EXIT_OK;
}

static void daemon_close(struct daemon *dm) {
  metrics_reset();
  if (dm->loop) {
    delay_cancel(dm->loop, dm->tick);
    delay_cancel(dm->loop, dm->grace);
  }
  for (size_t i = 0; i < dm->ntracks; i++) track_free(dm->tracks[i]);
  free(dm->tracks);
  plane_close(dm->plane);
  http_close(dm->http);
  loop_close(dm->loop);
  for (size_t i = 0; i < dm->nlocks; i++) {
    state_unlock(dm->locks[i].lock);
    free(dm->locks[i].path);
  }
  free(dm->locks);
  gen_release(dm->gen);
  curl_global_cleanup();
}

int daemon_once(const struct run_opts *o) {
  struct daemon dm;
  int rc = daemon_open(&dm, o, 1, CONFIG_NEED_PLANE | (o->dry_run ? 0 : CONFIG_NEED_TEAMS));
  if (rc != EXIT_OK) goto cleanup;
  if (o->save && dm.ntracks > 1) {
    fprintf(stderr, "plane-teams: --save writes one digest's data, and %s has %zu digests: save with a "
            "configuration of one digest\n", o->config, dm.ntracks);
    rc = EXIT_USAGE;
    goto cleanup;
  }
  if (o->save) { /* a file that cannot be written is found before any request */
    FILE *f = fopen(o->save, "ab");
    if (!f) {
      fprintf(stderr, "plane-teams: cannot write %s (--save): %s\n", o->save, strerror(errno));
      rc = EXIT_USAGE;
      goto cleanup;
    }
    fclose(f);
  }
  if (o->dry_run && o->output) {
    FILE *f = fopen(o->output, "wb"); /* each digest's envelope is appended */
    if (!f) {
      fprintf(stderr, "plane-teams: cannot write %s\n", o->output);
      rc = EXIT_USAGE;
      goto cleanup;
    }
    fclose(f);
  }
  time_t now = time(NULL);
  for (size_t i = 0; i < dm.ntracks; i++) {
    struct track *t = dm.tracks[i];
    if (!o->dry_run && !o->force && sched_holiday(t->d, now)) {
      char today[11];
      local_date(now, t->d->tz, today);
      log_info(t->d->name, NULL, "today (%s) is one of the digest's holidays; nothing sent "
               "(--force sends anyway)", today);
      continue;
    }
    if (!o->dry_run && !o->force && sched_done_today(t->d, &t->view, now)) {
      char when[40];
      iso8601_local(t->view.last_unknown ? t->view.last_attempt : t->view.last_success, t->d->tz, when, sizeof when);
      log_info(t->d->name, NULL, "today's digest was already %s (%s); nothing to do (--force sends again)",
               t->view.last_unknown ? "attempted without a known outcome" : "sent", when);
      continue;
    }
    start_sync(t);
  }
  if (dm.running) loop_run(dm.loop);
  rc = dm.failed ? EXIT_SYNC : EXIT_OK;
cleanup:
  daemon_close(&dm);
  return rc;
}

int daemon_run(const struct run_opts *o) {
  struct daemon dm;
  int rc = daemon_open(&dm, o, 0, CONFIG_NEED_PLANE | CONFIG_NEED_TEAMS);
  if (rc != EXIT_OK) goto cleanup;
  for (size_t i = 0; i < dm.ntracks; i++) {
    const struct digest *d = dm.tracks[i]->d;
    time_t next = sched_next(d, &dm.tracks[i]->view, time(NULL));
    char when[40] = "not within a week";
    if (next) iso8601_local(next, d->tz, when, sizeof when);
    log_info(d->name, LF(LF_S("next", when)), "scheduled: %02d:%02d %s, next %s", d->hour, d->minute,
             d->tz ? d->tz : "local time", when);
  }
  log_info(NULL, LF(LF_N("pid", (double)getpid())), "plane-teams %s running (pid %ld); SIGHUP reloads, SIGTERM stops",
           PT_VERSION, (long)getpid());
  dm.tick = delay_start(dm.loop, 0, tick, &dm);
  loop_run(dm.loop);
  log_info(NULL, NULL, "stopped");
  rc = EXIT_OK;
cleanup:
  daemon_close(&dm);
  return rc;
}
