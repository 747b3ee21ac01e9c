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

#define MAX_BYTES ((size_t)64 << 20)
/* Plane's default and maximum page size in its code (both editions); a server with a
 * lower maximum says so in a 400, and its N is remembered (server_refused_per_page). */
#define PER_PAGE 1000
#define ISSUE_FIELDS                                                                          \
  "id,name,sequence_id,priority,state,project,assignees,labels,start_date,target_date,"     \
  "created_at,updated_at,completed_at,parent,estimate_point,type_id"

/* ---- client ------------------------------------------------------------ */

/* What each chain of requests fetches: a project's object, states, issues or members, or
 * the workspace's list of projects; and for the scripts' needs a project's labels, its
 * current cycles then each one's issues, its modules then each open one's issues. */
enum phase {
  PH_PROJECT, PH_STATES, PH_ISSUES, PH_MEMBERS, PH_LABELS, PH_CYCLES, PH_CYCLE_ISSUES, PH_MODULES,
  PH_MODULE_ISSUES, PH_LIST, PH_DONE
};
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
static const char *phase_need(enum phase ph) {
  switch (ph) {
    case PH_LABELS: return "labels";
    case PH_CYCLES: case PH_CYCLE_ISSUES: return "cycles";
    case PH_MODULES: case PH_MODULE_ISSUES: return "modules";
    default: return NULL;
  }
}

/* Which issues route a server serves: work-items/ (v1.1.0 and later) or only issues/. */
enum route { ROUTE_UNKNOWN, ROUTE_WORK_ITEMS, ROUTE_ISSUES };

struct server {
  char *base;
  enum route route;
  int per_page; /* what its lists are asked with: PER_PAGE, or the maximum it stated */
  struct server *next;
};

struct job {
  struct plane_fetch *f;
  char *pid; /* NULL: the workspace's projects list */
  enum phase phase;
  char cursor[128];
  char **followed; /* every cursor followed, to notice one that comes back */
  size_t nfollowed;
  int in_flight;
  int queued; /* waiting for the rate limiter */
  int via_issues; /* the issues request in flight used issues/, not work-items/ */
  char **subs;    /* the cycles or modules whose issues come next, and which one */
  size_t nsubs, sub;
  int per_page;   /* the per_page of the request in flight (paged lists) */
  struct retry retry;
  struct http_req *req;
  char where[400];
};

struct plane_fetch {
  struct plane *p;
  const struct digest *d;
  struct batch *batch;
  struct limiter *lm;
  struct server *server;
  struct job *jobs;
  size_t njobs;
  int failed;
  char err[ERR_LEN];
  struct plane_stats st;
  double started;
  plane_done_cb cb;
  void *ud;
  uint64_t finish;
  struct plane_fetch *next;
};

struct plane {
  struct loop *loop;
  struct http *http;
  struct limiters *limiters;
  struct server *servers;
  struct plane_fetch *fetches;
};

int plane_open(struct plane **out, struct loop *loop, struct http *http) {
  struct plane *p = xcalloc(1, sizeof *p);
  p->loop = loop;
  p->http = http;
  p->limiters = limiters_new(loop);
  *out = p;
  return 0;
}

static void job_forget_pages(struct job *j) {
  for (size_t i = 0; i < j->nfollowed; i++) free(j->followed[i]);
  free(j->followed);
  j->followed = NULL;
  j->nfollowed = 0;
  j->cursor[0] = 0;
}

static void job_clear(struct job *j) {
  job_forget_pages(j);
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

static int is_json_body(const char *body) {
  while (body && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')) body++;
  return body && (*body == '{' || *body == '[');
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

void plane_describe_error(long status, const char *body, const char *where, char *out, size_t n) {
  char detail[200], what[240];
  int list = ends_with(where, "/projects/"); /* the workspace's projects list */
  body_detail(body, detail, sizeof detail);
  if (detail[0]) snprintf(what, sizeof what, "%ld %s", status, detail);
  else snprintf(what, sizeof what, "%ld", status);
  if (status == 401)
    snprintf(out, n, "Plane did not receive the API key (%s) at %s: set plane_api_token, and check "
             "that no proxy drops the X-API-Key header", what, where);
  else if (status == 403 && strstr(detail, "token"))
    snprintf(out, n, "Plane rejected the API key (%s) at %s: check plane_api_token (revoked, expired, "
             "or from another Plane?)", what, where);
  else if (status == 404 && !is_json_body(body))
    snprintf(out, n, "not Plane's API: %s answered %ld with %s: plane_base_url must be the address that "
             "serves Plane's /api/v1/ (plane-teams adds /api/v1/ itself)", where, status,
             detail[0] ? detail : "an empty body");
  else if (list && (status == 403 || status == 404))
    snprintf(out, n, "Plane denied access to the workspace (%s) at %s: check the workspace slug (the "
             "<slug> in app.plane.so/<slug>/) and that the API key's user is a member of it", what, where);
  else if (status == 403)
    snprintf(out, n, "Plane denied access (%s) at %s: is the API key's user a member of the "
             "project, and is the workspace slug right?", what, where);
  else if (status == 404)
    snprintf(out, n, "Plane has no such workspace or project (%s) at %s", what, where);
  else if (status == 429)
    snprintf(out, n, "Plane kept refusing for its rate limit (%s) at %s", what, where);
  else if (status >= 300 && status < 400) /* its body may repeat the target's path and query */
    snprintf(out, n, "Plane answered %ld, a redirect, at %s: check plane_base_url", status, where);
  else
    snprintf(out, n, "Plane answered %s at %s", what, where);
}

/* ---- one project's requests --------------------------------------------- */

static void job_next(void *ud);
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

/* A query value: unreserved characters as they are, the rest %XX. */
static void add_encoded(struct buf *u, const char *v) {
  for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
    if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
        strchr("-._~:", *p))
      buf_addc(u, (char)*p);
    else
      buf_printf(u, "%%%02X", *p);
  }
}

static const char *const paths[] = {"", "states/", "work-items/", "members/", "labels/", "cycles/", "cycles/",
                                    "modules/", "modules/"};

static int paged(enum phase ph) { return ph != PH_PROJECT && ph != PH_MEMBERS && ph != PH_CYCLES && ph != PH_DONE; }

/* The per_page of a list's next request: a cursor keeps the page size it was made with
 * (Plane's cursor is "per_page:page:is_prev", and the page is counted in that size);
 * the first page asks the server's. */
static int page_size(const struct job *j) {
  if (j->cursor[0]) {
    char *end;
    long v = strtol(j->cursor, &end, 10);
    if (end != j->cursor && *end == ':' && v > 0 && v <= PER_PAGE * 10) return (int)v;
  }
  return j->f->server->per_page;
}

static char *job_url(struct job *j) {
  const struct digest *d = j->f->d;
  if (j->phase == PH_LIST) {
    snprintf(j->where, sizeof j->where, "GET /api/v1/workspaces/%s/projects/", d->workspace);
  } else if (j->phase == PH_CYCLE_ISSUES || j->phase == PH_MODULE_ISSUES) {
    snprintf(j->where, sizeof j->where, "GET /api/v1/workspaces/%s/projects/%s/%s%s/%s", d->workspace, j->pid,
             paths[j->phase], j->subs[j->sub], j->phase == PH_CYCLE_ISSUES ? "cycle-issues/" : "module-issues/");
  } else {
    j->via_issues = j->phase == PH_ISSUES && j->f->server->route == ROUTE_ISSUES;
    const char *what = j->via_issues ? "issues/" : paths[j->phase];
    snprintf(j->where, sizeof j->where, "GET /api/v1/workspaces/%s/projects/%s/%s", d->workspace,
             j->pid, what);
  }
  struct buf u;
  buf_init(&u);
  buf_printf(&u, "%s%s", d->base_url, j->where + 4);
  if (paged(j->phase)) { /* every paginated list: one place for its page size */
    j->per_page = page_size(j);
    buf_printf(&u, "?per_page=%d", j->per_page);
  }
  if (j->phase == PH_ISSUES) buf_adds(&u, "&expand=state&fields=" ISSUE_FIELDS);
  if (j->phase == PH_CYCLE_ISSUES || j->phase == PH_MODULE_ISSUES) buf_adds(&u, "&fields=id");
  if (j->phase == PH_CYCLES) buf_adds(&u, "?cycle_view=current");
  if (paged(j->phase) && j->cursor[0]) {
    buf_adds(&u, "&cursor=");
    add_encoded(&u, j->cursor);
  }
  return buf_steal(&u);
}

/* Wait and try again, or give up: the chain fails the sync (members: a warning). */
static void job_retry(struct job *j, const char *why, const char *retry_after) {
  struct plane_fetch *f = j->f;
  char at[ERR_LEN], gave_up[ERR_LEN];
  snprintf(at, sizeof at, "%s at %s", why, j->where);
  if (http_retry(f->p->loop, &j->retry, f->d->name, j->where, at, retry_after, job_next, j, gave_up,
                 sizeof gave_up) == 0) {
    f->st.retries++;
    return;
  }
  if (j->phase == PH_MEMBERS) {
    log_warn(f->d->name, LF(LF_S("endpoint", j->where)), "%s; the card goes out without assignee names", gave_up);
    j->phase = PH_DONE;
    return;
  }
  fail(f, "%s", gave_up);
}

/* Plane's cursors move forward; one that comes back would page forever. */
static int job_follow(struct job *j, const char *cursor) {
  for (size_t i = 0; i < j->nfollowed; i++) {
    if (!strcmp(j->followed[i], cursor)) {
      fail(j->f, "%s: the server sent the cursor \"%s\" again after %zu pages; stopping (a server "
           "that pages in a loop)", j->where, cursor, j->nfollowed + 1);
      return -1;
    }
  }
  if (j->nfollowed + 1 >= PLANE_PAGE_CAP) {
    fail(j->f, "%s: still more pages after %d; stopping (a cursor that never ends?)", j->where, PLANE_PAGE_CAP);
    return -1;
  }
  j->followed = xrealloc(j->followed, (j->nfollowed + 1) * sizeof *j->followed);
  j->followed[j->nfollowed++] = xstrdup(cursor);
  snprintf(j->cursor, sizeof j->cursor, "%s", cursor);
  return 0;
}

/* A job is one chain of requests: the project, every page of its states, every page of
 * its issues, or its members. The chains of a project run side by side. */
static void job_advance(struct job *j, const struct page_info *pi) {
  j->retry.attempt = 0;
  if (paged(j->phase) && pi->has_next) {
    job_follow(j, pi->next_cursor);
    return;
  }
  job_forget_pages(j);
  if (j->phase == PH_CYCLE_ISSUES || j->phase == PH_MODULE_ISSUES) j->sub++;
  else if (j->phase == PH_CYCLES) j->phase = PH_CYCLE_ISSUES;
  else if (j->phase == PH_MODULES) j->phase = PH_MODULE_ISSUES;
  else j->phase = PH_DONE;
  if ((j->phase == PH_CYCLE_ISSUES || j->phase == PH_MODULE_ISSUES) && j->sub >= j->nsubs) j->phase = PH_DONE;
}

/* The ids a cycles or modules reply named: their issues are fetched next. */
static void job_add_subs(struct job *j, char **ids, size_t n) {
  j->subs = xrealloc(j->subs, (j->nsubs + n + 1) * sizeof *j->subs);
  for (size_t i = 0; i < n; i++) j->subs[j->nsubs++] = ids[i];
  free(ids);
}

/* A need's request that Plane refused (403, 404): its data is left out, with a warning. */
static void job_need_refused(struct job *j, const char *why) {
  struct plane_fetch *f = j->f;
  const char *need = phase_need(j->phase);
  log_warn(f->d->name, LF(LF_S("endpoint", j->where), LF_S("need", need)),
           "%s; the card goes out without the %s the scripts' needs ask for (needs.%s)", why, need, need);
  batch_drop_need(f->batch, j->pid, need);
  j->phase = PH_DONE;
}

/* Decode an answered page into the batch. */
static void job_accept(struct job *j, const struct http_response *res) {
  const char *where = j->where;
  struct plane_fetch *f = j->f;
  struct page_info pi;
  char err[ERR_LEN];
  int rc = 0;
  memset(&pi, 0, sizeof pi);
  if (j->phase != PH_MEMBERS && res->body && res->body[strspn(res->body, " \t\r\n")] == '<') {
    fail(f, "%s: the response is an HTML page, not JSON: plane_base_url must be the address that "
         "serves Plane's /api/v1/ (plane-teams adds /api/v1/ itself)", where);
    return;
  }
  switch (j->phase) {
    case PH_PROJECT: rc = batch_set_project(f->batch, j->pid, res->body, res->len, where, err); break;
    case PH_STATES: rc = batch_add_states_page(f->batch, j->pid, res->body, res->len, where, &pi, err); break;
    case PH_ISSUES:
      if (f->server->route == ROUTE_UNKNOWN) f->server->route = ROUTE_WORK_ITEMS;
      rc = batch_add_issues_page(f->batch, j->pid, res->body, res->len, where, &pi, err);
      break;
    case PH_MEMBERS:
      if (batch_set_members(f->batch, j->pid, res->body, res->len, where, err) < 0)
        log_warn(f->d->name, LF(LF_S("endpoint", where)), "%s; the card goes out without assignee names", err);
      break;
    case PH_LIST: rc = batch_add_projects_page(f->batch, res->body, res->len, where, &pi, err); break;
    case PH_LABELS: rc = batch_add_labels_page(f->batch, j->pid, res->body, res->len, where, &pi, err); break;
    case PH_CYCLES:
    case PH_MODULES: {
      char **ids = NULL;
      size_t n = 0;
      rc = j->phase == PH_CYCLES
               ? batch_set_cycles(f->batch, j->pid, res->body, res->len, where, &ids, &n, err)
               : batch_add_modules_page(f->batch, j->pid, res->body, res->len, where, &pi, &ids, &n, err);
      if (rc == 0) job_add_subs(j, ids, n);
      break;
    }
    case PH_CYCLE_ISSUES:
    case PH_MODULE_ISSUES:
      rc = batch_add_items_of(f->batch, j->pid, phase_need(j->phase), j->subs[j->sub], res->body, res->len, where,
                              &pi, err);
      break;
    case PH_DONE: break;
  }
  if (rc < 0) {
    fail(f, "%s", err);
    return;
  }
  log_debug(f->d->name, LF(LF_S("endpoint", where), LF_N("status", res->status), LF_N("duration_ms", res->ms),
                           LF_N("count", (double)pi.count)),
            "%s: %ld in %.0f ms", where, res->status, res->ms);
  job_advance(j, &pi);
}

/* Plane's 400 for a page size above the server's maximum ("Invalid per_page value. Cannot
 * exceed N."): 1 when the list's first page is to be asked again with N, remembered for
 * the server for the process's life (logged once); 0 when the answer is another 400. A
 * cursor's own page size refused is not retried: the server made that cursor. */
static int server_refused_per_page(struct job *j, const struct http_response *res) {
  static const char said[] = "Cannot exceed ";
  char detail[200];
  if (!paged(j->phase) || res->status != 400 || j->cursor[0]) return 0;
  body_detail(res->body, detail, sizeof detail);
  const char *at = strstr(detail, said);
  if (!strstr(detail, "per_page") || !at) return 0;
  char *end;
  long n = strtol(at + sizeof said - 1, &end, 10);
  if (end == at + sizeof said - 1 || n < 1 || n >= j->per_page) return 0;
  struct server *sv = j->f->server;
  if (n < sv->per_page) {
    log_info(j->f->d->name, LF(LF_S("endpoint", j->where), LF_N("per_page", (double)n)),
             "%s: this Plane allows at most %ld items a page; asking %ld from now on", j->where, n, n);
    sv->per_page = (int)n;
  }
  return 1;
}

/* A 4xx that ends the chain: the sync fails, except for the issues route of a server
 * before v1.1.0 (Plane's 404 on work-items/: use issues/; the projects asked side by side
 * may each get that 404 before the first one is known) and for the members (a warning). */
static void job_refused(struct job *j, const struct http_response *res) {
  struct plane_fetch *f = j->f;
  char why[ERR_LEN];
  if (j->phase == PH_ISSUES && res->status == 404 && !j->via_issues && is_json_body(res->body)) {
    if (f->server->route != ROUTE_ISSUES)
      log_info(f->d->name, LF(LF_S("endpoint", j->where)), "%s: 404, so this Plane predates work-items/ "
               "(v1.1.0); using issues/ from now on", j->where);
    f->server->route = ROUTE_ISSUES;
    return;
  }
  if (server_refused_per_page(j, res)) return;
  plane_describe_error(res->status, res->body, j->where, why, sizeof why);
  if (res->status >= 300 && res->status < 400 && res->redirect_host[0])
    snprintf(why + strlen(why), sizeof why - strlen(why), " (it points to %s; redirects are not followed)",
             res->redirect_host);
  if (j->phase == PH_MEMBERS) {
    log_warn(f->d->name, LF(LF_S("endpoint", j->where), LF_N("status", res->status)),
             "%s; the card goes out without assignee names", why);
    j->phase = PH_DONE;
    return;
  }
  if (phase_need(j->phase) && (res->status == 403 || res->status == 404)) {
    char detail[200];
    body_detail(res->body, detail, sizeof detail);
    snprintf(why, sizeof why, "Plane answered %ld%s%s at %s", res->status, detail[0] ? " " : "", detail, j->where);
    job_need_refused(j, why);
    return;
  }
  fail(f, "%s", why);
}

/* Plane's X-RateLimit-Remaining 0 (another client may share the key): nothing more with
 * this key before its X-RateLimit-Reset (epoch seconds), said once per pause. A Reset
 * in the past or missing waits nothing; one more than RESET_CAP s ahead waits RESET_CAP
 * (a clock or a header gone wrong must not stop the daemon for hours). */
#define RESET_CAP 120
static void server_pacing(struct job *j, const struct http_response *res) {
  char *end;
  long left = strtol(res->rate_remaining, &end, 10);
  if (!res->rate_remaining[0] || *end || left > 0) return;
  double reset = strtod(res->rate_reset, &end);
  if (!res->rate_reset[0] || *end || !isfinite(reset)) return;
  double wait = reset - (double)time(NULL);
  if (wait <= 0) return;
  if (wait > RESET_CAP) wait = RESET_CAP;
  if (limiter_pause(j->f->lm, now_ms() + wait * 1000.0))
    log_info(j->f->d->name, LF(LF_S("endpoint", j->where), LF_N("wait_s", wait)),
             "Plane says this API key has no request left (X-RateLimit-Remaining: 0); the next "
             "waits %.0f s, until its X-RateLimit-Reset", wait);
}

static void job_response(struct http_response *res, void *ud) {
  struct job *j = ud;
  struct plane_fetch *f = j->f;
  char why[ERR_LEN];
  j->in_flight = 0;
  j->req = NULL;
  if (!res->transport_error) server_pacing(j, res); /* before the place frees for another */
  limiter_release(f->lm);
  f->st.request_ms += res->ms;
  if (f->failed) goto done;
  if (res->transport_error) {
    snprintf(why, sizeof why, "cannot reach Plane: %s", res->error);
    if (res->permanent) fail(f, "%s at %s", why, j->where); /* an untrusted certificate stays so */
    else job_retry(j, why, NULL);
  } else if (res->status == 200) {
    job_accept(j, res);
  } else if (res->status == 408 || res->status == 429 || res->status >= 500) {
    if (res->status == 429) f->st.throttled++;
    plane_describe_error(res->status, res->body, j->where, why, sizeof why);
    char *cut = strstr(why, " at GET ");
    if (cut) *cut = 0;
    job_retry(j, why, (res->status == 429 || res->status == 503) ? res->retry_after : NULL);
  } else {
    job_refused(j, res);
  }
done:
  if (!f->failed && j->phase != PH_DONE && !j->retry.wait && !j->in_flight && !j->queued) job_next(j);
  else maybe_finish(f);
}

static void job_send(void *ud) {
  struct job *j = ud;
  struct plane_fetch *f = j->f;
  j->queued = 0;
  char err[ERR_LEN];
  char *url = job_url(j);
  char *key = xasprintf("X-API-Key: %s", f->d->api_token ? f->d->api_token : "");
  const char *headers[] = {key, "Accept: application/json", NULL};
  struct http_request q = {.method = "GET", .url = url, .headers = headers, .max_bytes = MAX_BYTES,
                           .proxy = f->d->plane.proxy, .ca_pem = f->d->plane.ca_pem,
                           .ca_pem_len = f->d->plane.ca_pem_len, .ca_setting = "plane_ca_file"};
  j->in_flight = 1;
  f->st.requests++;
  int rc = http_start(f->p->http, &q, job_response, j, &j->req, err);
  free(url);
  free(key);
  if (rc < 0) {
    j->in_flight = 0;
    limiter_release(f->lm);
    fail(f, "%s: %s", j->where, err);
    maybe_finish(f);
  }
}

static void job_next(void *ud) {
  struct job *j = ud;
  j->retry.wait = 0;
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

static void maybe_finish(struct plane_fetch *f) {
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
  for (i = 0; i < f->njobs; i++) job_next(&f->jobs[i]);
  return 0;
}

void plane_cancel(struct plane_fetch *f) {
  if (f) fetch_free(f);
}
