#include "plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "config.h"
#include "http.h"
#include "json.h"
#include "log.h"
#include "ratelimit.h"
#include "script.h"

#include "plane_parts.h"

/* ---- client ------------------------------------------------------------ */

static const enum phase chains[] = {PH_PROJECT, PH_STATES, PH_ISSUES, PH_MEMBERS, PH_LABELS, PH_CYCLES, PH_MODULES};
static const unsigned chain_bits[] = {PLANE_PROJECT, PLANE_STATES, PLANE_ISSUES, PLANE_MEMBERS,
                                      PLANE_LABELS,  PLANE_CYCLES, PLANE_MODULES};
#define NCHAINS (sizeof chains / sizeof *chains)

unsigned plane_needs_bits(unsigned script_needs) {
  return ((script_needs & SCRIPT_NEED_LABELS) ? PLANE_LABELS : 0u) |
         ((script_needs & SCRIPT_NEED_CYCLES) ? PLANE_CYCLES : 0u) |
         ((script_needs & SCRIPT_NEED_MODULES) ? PLANE_MODULES : 0u);
}

/* The need a phase serves ("labels", "cycles", "modules"), NULL for the others. */
const char *plane_phase_need(enum phase ph) {
  switch (ph) {
    case PH_LABELS: return "labels";
    case PH_CYCLES: case PH_CYCLE_ISSUES: return "cycles";
    case PH_MODULES: case PH_MODULE_ISSUES: return "modules";
    default: return NULL;
  }
}

int plane_open(struct plane **out, struct loop *loop, struct http *http) {
  struct plane *p = xcalloc(1, sizeof *p);
  p->loop = loop;
  p->http = http;
  p->limiters = limiters_new(loop);
  *out = p;
  return 0;
}

void plane_job_forget_pages(struct job *j) {
  for (size_t i = 0; i < j->nfollowed; i++) free(j->followed[i]);
  free(j->followed);
  j->followed = NULL;
  j->nfollowed = 0;
  j->cursor[0] = 0;
}

static void job_clear(struct job *j) {
  plane_job_forget_pages(j);
  for (size_t i = 0; i < j->nsubs; i++) free(j->subs[i]);
  free(j->subs);
  free(j->pid);
}

/* Every wait is forgotten before any place is released: a release starts waiting
 * requests, and none of them may be this fetch's. */
static void fetch_free(struct plane_fetch *f) {
  struct plane_fetch **pp = &f->p->fetches;
  while (*pp && *pp != f) pp = &(*pp)->next;
  if (*pp) *pp = f->next;
  for (size_t i = 0; i < f->njobs; i++) {
    limiter_forget(f->lm, &f->jobs[i]);
    delay_cancel(f->p->loop, f->jobs[i].retry.wait);
  }
  delay_cancel(f->p->loop, f->finish);
  for (size_t i = 0; i < f->njobs; i++) {
    struct job *j = &f->jobs[i];
    if (j->in_flight) {
      http_cancel(j->req);
      j->in_flight = 0;
      limiter_release(f->lm);
    }
    job_clear(j);
  }
  free(f->jobs);
  free(f);
}

void plane_close(struct plane *p) {
  if (!p) return;
  while (p->fetches) fetch_free(p->fetches);
  limiters_free(p->limiters);
  while (p->servers) {
    struct server *sv = p->servers;
    p->servers = sv->next;
    free(sv->base);
    free(sv);
  }
  free(p);
}

static char *limiter_key(const struct digest *d) {
  return xasprintf("%s\n%s", d->base_url, d->api_token ? d->api_token : "");
}

static struct limiter *limiter_for(struct plane *p, const struct digest *d) {
  char *key = limiter_key(d);
  struct limiter *lm = limiters_get(p->limiters, key, d->rate_limit);
  free(key);
  return lm;
}

/* Each key gets the smallest limit configured for it; keys no digest uses any more keep
 * theirs. */
void plane_set_limits(struct plane *p, const struct config *c) {
  for (size_t i = 0; i < c->ndigests; i++) {
    char *key = limiter_key(&c->digests[i]);
    int limit = c->digests[i].rate_limit;
    for (size_t k = 0; k < c->ndigests; k++) {
      char *other = limiter_key(&c->digests[k]);
      if (!strcmp(key, other) && c->digests[k].rate_limit < limit) limit = c->digests[k].rate_limit;
      free(other);
    }
    limiter_set(limiters_get(p->limiters, key, limit), limit);
    free(key);
  }
}

int plane_limit(const struct plane *p, const struct digest *d) {
  char *key = limiter_key(d);
  const struct limiter *lm = limiters_find(p->limiters, key);
  free(key);
  return lm ? limiter_limit(lm) : 0;
}

static struct server *server_for(struct plane *p, const char *base) {
  for (struct server *sv = p->servers; sv; sv = sv->next)
    if (!strcmp(sv->base, base)) return sv;
  struct server *sv = xcalloc(1, sizeof *sv);
  sv->base = xstrdup(base);
  sv->per_page = PER_PAGE;
  sv->next = p->servers;
  p->servers = sv;
  return sv;
}

/* ---- the fetch ----------------------------------------------------------- */

static void finish_fired(void *ud) {
  struct plane_fetch *f = ud;
  f->st.wall_ms = now_ms() - f->started;
  plane_done_cb cb = f->cb;
  void *cud = f->ud;
  struct plane_stats st = f->st;
  char err[ERR_LEN];
  int failed = f->failed;
  snprintf(err, sizeof err, "%s", f->err);
  f->finish = 0;
  fetch_free(f);
  cb(failed ? -1 : 0, failed ? err : NULL, &st, cud);
}

void plane_maybe_finish(struct plane_fetch *f) {
  if (f->finish) return;
  for (size_t i = 0; i < f->njobs; i++) {
    struct job *j = &f->jobs[i];
    if (j->in_flight) return;
    if (!f->failed && (j->retry.wait || j->phase != PH_DONE)) return;
  }
  /* when failed: stop waiting jobs now */
  for (size_t i = 0; i < f->njobs; i++) {
    delay_cancel(f->p->loop, f->jobs[i].retry.wait);
    f->jobs[i].retry.wait = 0;
    limiter_forget(f->lm, &f->jobs[i]);
    f->jobs[i].queued = 0;
  }
  f->finish = delay_start(f->p->loop, 0, finish_fired, f);
}

int plane_fetch(struct plane *p, const struct digest *d, unsigned needs, struct batch *b, plane_done_cb cb,
                void *ud, struct plane_fetch **out, char *err) {
  if (!d->nprojects) return errf(err, "digest %s has no projects", d->name);
  unsigned what = PLANE_ALL | (needs & (PLANE_LABELS | PLANE_CYCLES | PLANE_MODULES));
  return plane_fetch_some(p, d, (const char *const *)d->projects, d->nprojects, what, b, cb, ud, out, err);
}

void plane_needs_requests(const struct digest *d, const char *pid, unsigned needs, char *out, size_t n) {
  const char *base = "GET /api/v1/workspaces/";
  size_t k = 0;
  out[0] = 0;
  if (needs & PLANE_LABELS)
    k += (size_t)snprintf(out + k, k < n ? n - k : 0, "%s%s/projects/%s/labels/ (needs.labels, every page)\n", base,
                          d->workspace, pid);
  if (needs & PLANE_CYCLES && k < n)
    k += (size_t)snprintf(out + k, n - k, "%s%s/projects/%s/cycles/?cycle_view=current (needs.cycles), then "
                          "cycles/{id}/cycle-issues/ of each current cycle\n", base, d->workspace, pid);
  if (needs & PLANE_MODULES && k < n)
    snprintf(out + k, n - k, "%s%s/projects/%s/modules/ (needs.modules, every page), then "
             "modules/{id}/module-issues/ of each module not completed or cancelled\n", base, d->workspace, pid);
}

int plane_fetch_some(struct plane *p, const struct digest *d, const char *const *pids, size_t npids,
                     unsigned what, struct batch *b, plane_done_cb cb, void *ud, struct plane_fetch **out,
                     char *err) {
  size_t nchains = 0;
  for (size_t k = 0; k < NCHAINS; k++) nchains += (what & chain_bits[k]) != 0;
  size_t njobs = npids * nchains + ((what & PLANE_LIST) != 0);
  if (!njobs) return errf(err, "digest %s: nothing to fetch", d->name);
  struct plane_fetch *f = xcalloc(1, sizeof *f);
  f->p = p;
  f->d = d;
  f->batch = b;
  f->cb = cb;
  f->ud = ud;
  f->lm = limiter_for(p, d);
  f->server = server_for(p, d->base_url);
  f->started = now_ms();
  f->njobs = njobs;
  f->jobs = xcalloc(f->njobs, sizeof *f->jobs);
  f->next = p->fetches;
  p->fetches = f;
  size_t i = 0;
  if (what & PLANE_LIST) f->jobs[i++].phase = PH_LIST;
  for (size_t pi = 0; pi < npids; pi++) {
    for (size_t k = 0; k < NCHAINS; k++) {
      if (!(what & chain_bits[k])) continue;
      f->jobs[i].pid = xstrdup(pids[pi]);
      f->jobs[i++].phase = chains[k];
    }
  }
  for (i = 0; i < f->njobs; i++) {
    f->jobs[i].f = f;
    f->jobs[i].retry.max = d->max_retries;
  }
  if (out) *out = f;
  for (i = 0; i < f->njobs; i++) plane_job_next(&f->jobs[i]);
  return 0;
}

void plane_cancel(struct plane_fetch *f) {
  if (f) fetch_free(f);
}
