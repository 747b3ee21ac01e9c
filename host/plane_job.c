/* One chain of a fetch's requests: its URL and page size, the answers, retries and
 * pacing from Plane's rate headers. */
#include "plane_parts.h"

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


/* ---- one project's requests --------------------------------------------- */


void plane_fail(struct plane_fetch *f, const char *fmt, ...) {
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
  if (http_retry(f->p->loop, &j->retry, f->d->name, j->where, at, retry_after, plane_job_next, j, gave_up,
                 sizeof gave_up) == 0) {
    f->st.retries++;
    return;
  }
  if (j->phase == PH_MEMBERS) {
    log_warn(f->d->name, LF(LF_S("endpoint", j->where)), "%s; the card goes out without assignee names", gave_up);
    j->phase = PH_DONE;
    return;
  }
  plane_fail(f, "%s", gave_up);
}

/* Plane's cursors move forward; one that comes back would page forever. */
static int job_follow(struct job *j, const char *cursor) {
  for (size_t i = 0; i < j->nfollowed; i++) {
    if (!strcmp(j->followed[i], cursor)) {
      plane_fail(j->f, "%s: the server sent the cursor \"%s\" again after %zu pages; stopping (a server "
           "that pages in a loop)", j->where, cursor, j->nfollowed + 1);
      return -1;
    }
  }
  if (j->nfollowed + 1 >= PLANE_PAGE_CAP) {
    plane_fail(j->f, "%s: still more pages after %d; stopping (a cursor that never ends?)", j->where, PLANE_PAGE_CAP);
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
  plane_job_forget_pages(j);
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
  const char *need = plane_phase_need(j->phase);
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
    plane_fail(f, "%s: the response is an HTML page, not JSON: plane_base_url must be the address that "
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
      rc = batch_add_items_of(f->batch, j->pid, plane_phase_need(j->phase), j->subs[j->sub], res->body, res->len, where,
                              &pi, err);
      break;
    case PH_DONE: break;
  }
  if (rc < 0) {
    plane_fail(f, "%s", err);
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
  plane_body_detail(res->body, detail, sizeof detail);
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
  if (j->phase == PH_ISSUES && res->status == 404 && !j->via_issues && plane_is_json_body(res->body)) {
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
  if (plane_phase_need(j->phase) && (res->status == 403 || res->status == 404)) {
    char detail[200];
    plane_body_detail(res->body, detail, sizeof detail);
    snprintf(why, sizeof why, "Plane answered %ld%s%s at %s", res->status, detail[0] ? " " : "", detail, j->where);
    job_need_refused(j, why);
    return;
  }
  plane_fail(f, "%s", why);
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
    if (res->permanent) plane_fail(f, "%s at %s", why, j->where); /* an untrusted certificate stays so */
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
  if (!f->failed && j->phase != PH_DONE && !j->retry.wait && !j->in_flight && !j->queued) plane_job_next(j);
  else plane_maybe_finish(f);
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
    plane_fail(f, "%s: %s", j->where, err);
    plane_maybe_finish(f);
  }
}

void plane_job_next(void *ud) {
  struct job *j = ud;
  j->retry.wait = 0;
  if (j->f->failed || j->phase == PH_DONE) {
    plane_maybe_finish(j->f);
    return;
  }
  j->queued = 1;
  limiter_acquire(j->f->lm, job_send, j);
}
