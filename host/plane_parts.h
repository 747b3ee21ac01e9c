/* The Plane client's parts, shared by plane.c (the client, its servers and limiters, the
 * fetch), plane_job.c (one chain of requests: URL, page size, answers, retries, pacing)
 * and plane_error.c (error sentences). For those files only. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "http.h"
#include "plane.h"
#include "util.h"

#define MAX_BYTES ((size_t)64 << 20)
/* Plane's default and maximum page size in its code (both editions); a server with a
 * lower maximum says so in a 400, and its N is remembered (server_refused_per_page). */
#define PER_PAGE 1000
#define ISSUE_FIELDS                                                                          \
  "id,name,sequence_id,priority,state,project,assignees,labels,start_date,target_date,"     \
  "created_at,updated_at,completed_at,parent,estimate_point,type_id"

/* What each chain of requests fetches: a project's object, states, issues or members, or
 * the workspace's list of projects; and for the scripts' needs a project's labels, its
 * current cycles then each one's issues, its modules then each open one's issues. */
enum phase {
  PH_PROJECT, PH_STATES, PH_ISSUES, PH_MEMBERS, PH_LABELS, PH_CYCLES, PH_CYCLE_ISSUES, PH_MODULES,
  PH_MODULE_ISSUES, PH_LIST, PH_DONE
};

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

/** The need a phase serves ("labels", "cycles", "modules"), NULL for the others. */
const char *plane_phase_need(enum phase ph);
/** Forget a job's cursors (the next page starts a new list). */
void plane_job_forget_pages(struct job *j);
/** Queue a job's next request behind the rate limiter (or finish when it is done). */
void plane_job_next(void *ud);
/** The fetch ends once no job has a request in flight or a wait (at once when failed). */
void plane_maybe_finish(struct plane_fetch *f);
/** Mark the fetch failed with the first reason given. */
void plane_fail(struct plane_fetch *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Plane's own sentence from an error body ("detail", "error"…), cut to n. */
void plane_body_detail(const char *body, char *out, size_t n);
/** Whether a body looks like JSON (and not an HTML error page). */
int plane_is_json_body(const char *body);
