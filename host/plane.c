#include "plane.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "log.h"

#define WINDOW_MS 60000.0
#define MAX_BYTES ((size_t)64 << 20)
#define ISSUE_FIELDS                                                                          \
  "id,name,sequence_id,priority,state,project,assignees,labels,start_date,target_date,"     \
  "created_at,updated_at,completed_at,parent,estimate_point,type_id"

/* ---- rate limit: at most `limit` requests in any 60 s, per API key -----
 * A slot is taken when a request leaves and expires 60 s after its answer came
 * back, so the server (which counts arrivals) never sees more than `limit`. */

struct waiter {
  void (*cb)(void *ud, int slot);
  void *ud;
  struct waiter *next;
};

struct limiter {
  char *key; /* base URL + API key */
  int limit;
  double *expires; /* per slot: monotonic ms when free again; INFINITY while in flight */
  struct waiter *head, *tail;
  struct delay *wake;
  struct loop *loop;
  struct limiter *next;
};

static void limiter_pump(void *ud);

static int limiter_free_slot(struct limiter *lm, double now, double *soonest) {
  *soonest = INFINITY;
  for (int i = 0; i < lm->limit; i++) {
    if (lm->expires[i] <= now) return i;
    if (lm->expires[i] < *soonest) *soonest = lm->expires[i];
  }
  return -1;
}

static void limiter_pump(void *ud) {
  struct limiter *lm = ud;
  double soonest;
  lm->wake = NULL;
  while (lm->head) {
    double now = now_ms();
    int slot = limiter_free_slot(lm, now, &soonest);
    if (slot < 0) {
      if (isfinite(soonest)) lm->wake = delay_start(lm->loop, (uint64_t)(soonest - now) + 1, limiter_pump, lm);
      return; /* else: a release will pump */
    }
    struct waiter *w = lm->head;
    lm->head = w->next;
    if (!lm->head) lm->tail = NULL;
    lm->expires[slot] = INFINITY;
    void (*cb)(void *, int) = w->cb;
    void *wud = w->ud;
    free(w);
    cb(wud, slot);
  }
}

static void limiter_acquire(struct limiter *lm, void (*cb)(void *, int), void *ud) {
  struct waiter *w = xcalloc(1, sizeof *w);
  w->cb = cb, w->ud = ud;
  if (lm->tail) lm->tail->next = w;
  else lm->head = w;
  lm->tail = w;
  if (!lm->wake) limiter_pump(lm);
}

static void limiter_release(struct limiter *lm, int slot) {
  lm->expires[slot] = now_ms() + WINDOW_MS;
  if (lm->head && !lm->wake) limiter_pump(lm);
}

static void limiter_forget(struct limiter *lm, void *ud) {
  struct waiter **pp = &lm->head;
  lm->tail = NULL;
  while (*pp) {
    if ((*pp)->ud == ud) {
      struct waiter *w = *pp;
      *pp = w->next;
      free(w);
    } else {
      lm->tail = *pp;
      pp = &(*pp)->next;
    }
  }
}

/* ---- client ------------------------------------------------------------ */

enum phase { PH_PROJECT, PH_STATES, PH_ISSUES, PH_DONE };

struct job {
  struct plane_fetch *f;
  char *pid;
  enum phase phase;
  char cursor[128];
  int attempt;
  int pages;
  int slot;
  int in_flight;
  int queued; /* waiting for the rate limiter */
  struct http_req *req;
  struct delay *wait;
  char where[400];
};

struct plane_fetch {
  struct plane *p;
  const struct digest *d;
  struct batch *batch;
  struct limiter *lm;
  struct job *jobs;
  size_t njobs;
  int failed;
  char err[ERR_LEN];
  struct plane_stats st;
  double started;
  plane_done_cb cb;
  void *ud;
  struct delay *finish;
  struct plane_fetch *next;
};

struct plane {
  struct loop *loop;
  struct http *http;
  struct limiter *limiters;
  struct plane_fetch *fetches;
};

int plane_open(struct plane **out, struct loop *loop, struct http *http) {
  struct plane *p = xcalloc(1, sizeof *p);
  p->loop = loop;
  p->http = http;
  *out = p;
  return 0;
}

static void fetch_free(struct plane_fetch *f) {
  struct plane_fetch **pp = &f->p->fetches;
  while (*pp && *pp != f) pp = &(*pp)->next;
  if (*pp) *pp = f->next;
  for (size_t i = 0; i < f->njobs; i++) {
    struct job *j = &f->jobs[i];
    if (j->in_flight) {
      http_cancel(j->req);
      limiter_release(f->lm, j->slot);
    }
    delay_cancel(j->wait);
    limiter_forget(f->lm, j);
    free(j->pid);
  }
  delay_cancel(f->finish);
  free(f->jobs);
  free(f);
}

void plane_close(struct plane *p) {
  if (!p) return;
  while (p->fetches) fetch_free(p->fetches);
  while (p->limiters) {
    struct limiter *lm = p->limiters;
    p->limiters = lm->next;
    delay_cancel(lm->wake);
    while (lm->head) {
      struct waiter *w = lm->head;
      lm->head = w->next;
      free(w);
    }
    free(lm->expires);
    free(lm->key);
    free(lm);
  }
  free(p);
}

static struct limiter *limiter_for(struct plane *p, const struct digest *d) {
  char *key = xasprintf("%s\n%s", d->base_url, d->api_token ? d->api_token : "");
  for (struct limiter *lm = p->limiters; lm; lm = lm->next) {
    if (!strcmp(lm->key, key)) {
      free(key);
      return lm;
    }
  }
  struct limiter *lm = xcalloc(1, sizeof *lm);
  lm->key = key;
  lm->limit = d->rate_limit;
  lm->loop = p->loop;
  lm->expires = xcalloc((size_t)lm->limit, sizeof *lm->expires);
  lm->next = p->limiters;
  p->limiters = lm;
  return lm;
}

/* ---- error sentences --------------------------------------------------- */

static void body_detail(const char *body, char *out, size_t n) {
  struct json *v = NULL;
  char err[ERR_LEN];
  out[0] = 0;
  if (!body || !*body) return;
  if (json_parse(body, strlen(body), &v, err) == 0) {
    static const char *const keys[] = {"detail", "error", "error_message", "message"};
    for (int i = 0; i < 4; i++) {
      const struct json *m = json_get(v, keys[i]);
      if (m && m->type == JSON_STRING) {
        snprintf(out, n, "%s", m->string);
        break;
      }
    }
    json_free(v);
    if (out[0]) return;
  }
  const char *p = body;
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  if (*p == '<') {
    snprintf(out, n, "an HTML page");
    return;
  }
  size_t k = 0;
  for (; *p && k + 1 < n && k < 120; p++) out[k++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
  out[k] = 0;
}

void plane_describe_error(long status, const char *body, const char *where, char *out, size_t n) {
  char detail[200], what[240];
  body_detail(body, detail, sizeof detail);
  if (detail[0]) snprintf(what, sizeof what, "%ld %s", status, detail);
  else snprintf(what, sizeof what, "%ld", status);
  if (status == 401)
    snprintf(out, n, "Plane did not receive the API key (%s) at %s", what, where);
  else if (status == 403 && strstr(detail, "token"))
    snprintf(out, n, "Plane rejected the API key (%s) at %s", what, where);
  else if (status == 403)
    snprintf(out, n, "Plane denied access (%s) at %s: is the API key's user a member of the "
             "project, and is the workspace slug right?", what, where);
  else if (status == 404)
    snprintf(out, n, "Plane has no such workspace or project (%s) at %s", what, where);
  else if (status == 429)
    snprintf(out, n, "Plane kept refusing for its rate limit (%s) at %s", what, where);
  else if (status >= 300 && status < 400)
    snprintf(out, n, "Plane answered with a redirect (%s) at %s: check PLANE_BASE_URL", what, where);
  else
    snprintf(out, n, "Plane answered %s at %s", what, where);
}

/* ---- one project's requests --------------------------------------------- */

static void job_next(struct job *j);
static void maybe_finish(struct plane_fetch *f);

static void fail(struct plane_fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct plane_fetch *f, const char *fmt, ...) {
  if (f->failed) return;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(f->err, sizeof f->err, fmt, ap);
  va_end(ap);
  f->failed = 1;
}

static char *job_url(struct job *j) {
  const struct digest *d = j->f->d;
  const char *what = j->phase == PH_PROJECT ? "" : j->phase == PH_STATES ? "states/" : "issues/";
  snprintf(j->where, sizeof j->where, "GET /api/v1/workspaces/%s/projects/%s/%s", d->workspace,
           j->pid, what);
  struct buf u;
  buf_init(&u);
  buf_printf(&u, "%s%s", d->base_url, j->where + 4);
  if (j->phase == PH_STATES) buf_adds(&u, "?per_page=100");
  if (j->phase == PH_ISSUES) buf_adds(&u, "?per_page=100&expand=state&fields=" ISSUE_FIELDS);
  if (j->phase != PH_PROJECT && j->cursor[0]) buf_printf(&u, "&cursor=%s", j->cursor);
  return buf_steal(&u);
}

static void job_retry_fired(void *ud) {
  struct job *j = ud;
  j->wait = NULL;
  job_next(j);
}

static void job_retry(struct job *j, const char *why, const char *retry_after) {
  struct plane_fetch *f = j->f;
  if (j->attempt >= f->d->max_retries) {
    fail(f, "%s at %s (gave up after %d attempts)", why, j->where, j->attempt + 1);
    return;
  }
  j->attempt++;
  f->st.retries++;
  double ms = http_backoff_ms(j->attempt, retry_after);
  log_warn(f->d->name, LF(LF_S("endpoint", j->where), LF_N("attempt", j->attempt + 1), LF_N("wait_ms", ms)),
           "%s at %s; retry %d of %d in %.1f s", why, j->where, j->attempt, f->d->max_retries, ms / 1000.0);
  j->wait = delay_start(f->p->loop, (uint64_t)ms, job_retry_fired, j);
}

/* A job is one chain of requests: the project, or every page of its states, or every
 * page of its issues. The three chains of a project run side by side. */
static void job_advance(struct job *j, const struct page_info *pi) {
  j->attempt = 0;
  if (j->phase != PH_PROJECT && pi->has_next) {
    if (++j->pages >= PLANE_PAGE_CAP) {
      fail(j->f, "%s: still more pages after %d; stopping (a cursor that never ends?)", j->where, PLANE_PAGE_CAP);
      return;
    }
    snprintf(j->cursor, sizeof j->cursor, "%s", pi->next_cursor);
    return;
  }
  j->phase = PH_DONE;
}

/* Decode an answered page into the batch. */
static int job_accept(struct job *j, const struct http_response *res) {
  const char *where = j->where;
  struct plane_fetch *f = j->f;
  struct page_info pi;
  char err[ERR_LEN];
  int rc;
  memset(&pi, 0, sizeof pi);
  if (j->phase == PH_PROJECT) rc = batch_set_project(f->batch, j->pid, res->body, res->len, where, err);
  else if (j->phase == PH_STATES) rc = batch_add_states_page(f->batch, j->pid, res->body, res->len, where, &pi, err);
  else rc = batch_add_issues_page(f->batch, j->pid, res->body, res->len, where, &pi, err);
  if (rc < 0) {
    fail(f, "%s", err);
    return -1;
  }
  log_debug(f->d->name, LF(LF_S("endpoint", where), LF_N("status", res->status), LF_N("duration_ms", res->ms),
                           LF_N("count", (double)pi.count)),
            "%s: %ld in %.0f ms", where, res->status, res->ms);
  job_advance(j, &pi);
  return 0;
}

static void job_response(struct http_response *res, void *ud) {
  struct job *j = ud;
  struct plane_fetch *f = j->f;
  char why[ERR_LEN];
  j->in_flight = 0;
  j->req = NULL;
  limiter_release(f->lm, j->slot);
  f->st.request_ms += res->ms;
  if (f->failed) goto done;
  if (res->transport_error) {
    snprintf(why, sizeof why, "cannot reach Plane: %s", res->error);
    job_retry(j, why, NULL);
  } else if (res->status == 200) {
    job_accept(j, res);
  } else if (res->status == 408 || res->status == 429 || res->status >= 500) {
    if (res->status == 429) f->st.throttled++;
    plane_describe_error(res->status, res->body, j->where, why, sizeof why);
    char *cut = strstr(why, " at GET ");
    if (cut) *cut = 0;
    job_retry(j, why, (res->status == 429 || res->status == 503) ? res->retry_after : NULL);
  } else {
    plane_describe_error(res->status, res->body, j->where, why, sizeof why);
    fail(f, "%s", why);
  }
done:
  if (!f->failed && j->phase != PH_DONE && !j->wait && !j->in_flight && !j->queued) job_next(j);
  else maybe_finish(f);
}

static void job_send(void *ud, int slot) {
  struct job *j = ud;
  struct plane_fetch *f = j->f;
  j->queued = 0;
  char err[ERR_LEN];
  char *url = job_url(j);
  char key[600];
  snprintf(key, sizeof key, "X-API-Key: %s", f->d->api_token);
  const char *headers[] = {key, "Accept: application/json", NULL};
  struct http_request q = {.method = "GET", .url = url, .headers = headers, .max_bytes = MAX_BYTES};
  j->slot = slot;
  j->in_flight = 1;
  f->st.requests++;
  int rc = http_start(f->p->http, &q, job_response, j, &j->req, err);
  free(url);
  if (rc < 0) {
    j->in_flight = 0;
    limiter_release(f->lm, slot);
    fail(f, "%s: %s", j->where, err);
    maybe_finish(f);
  }
}

static void job_next(struct job *j) {
  if (j->f->failed || j->phase == PH_DONE) {
    maybe_finish(j->f);
    return;
  }
  j->queued = 1;
  limiter_acquire(j->f->lm, job_send, j);
}

/* ---- the fetch ----------------------------------------------------------- */

static void finish_fired(void *ud) {
  struct plane_fetch *f = ud;
  f->finish = NULL;
  f->st.wall_ms = now_ms() - f->started;
  plane_done_cb cb = f->cb;
  void *cud = f->ud;
  struct plane_stats st = f->st;
  char err[ERR_LEN];
  int failed = f->failed;
  snprintf(err, sizeof err, "%s", f->err);
  fetch_free(f);
  cb(failed ? -1 : 0, failed ? err : NULL, &st, cud);
}

static void maybe_finish(struct plane_fetch *f) {
  if (f->finish) return;
  for (size_t i = 0; i < f->njobs; i++) {
    struct job *j = &f->jobs[i];
    if (j->in_flight) return;
    if (!f->failed && (j->wait || j->phase != PH_DONE)) return;
  }
  /* when failed: stop waiting jobs now */
  for (size_t i = 0; i < f->njobs; i++) {
    delay_cancel(f->jobs[i].wait);
    f->jobs[i].wait = NULL;
    limiter_forget(f->lm, &f->jobs[i]);
    f->jobs[i].queued = 0;
  }
  f->finish = delay_start(f->p->loop, 0, finish_fired, f);
}

int plane_fetch(struct plane *p, const struct digest *d, struct batch *b, plane_done_cb cb,
                void *ud, struct plane_fetch **out, char *err) {
  if (!d->nprojects) return errf(err, "digest %s has no projects", d->name);
  struct plane_fetch *f = xcalloc(1, sizeof *f);
  f->p = p;
  f->d = d;
  f->batch = b;
  f->cb = cb;
  f->ud = ud;
  f->lm = limiter_for(p, d);
  f->started = now_ms();
  f->njobs = d->nprojects * 3;
  f->jobs = xcalloc(f->njobs, sizeof *f->jobs);
  f->next = p->fetches;
  p->fetches = f;
  static const enum phase chains[3] = {PH_PROJECT, PH_STATES, PH_ISSUES};
  for (size_t i = 0; i < f->njobs; i++) {
    f->jobs[i].f = f;
    f->jobs[i].pid = xstrdup(d->projects[i / 3]);
    f->jobs[i].phase = chains[i % 3];
  }
  if (out) *out = f;
  for (size_t i = 0; i < f->njobs; i++) job_next(&f->jobs[i]);
  return 0;
}

void plane_cancel(struct plane_fetch *f) {
  if (f) fetch_free(f);
}
