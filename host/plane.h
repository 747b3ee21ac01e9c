/* The Plane client: project, states and issues of a digest's projects, with
 * pagination, a client-side rate limit per API key, retries and checks. */
#pragma once
#include <stddef.h>

struct batch;
struct config;
struct digest;
struct http;
struct loop;

#define PLANE_PAGE_CAP 1000 /* pages of one list before we call it a loop */

struct plane;
struct plane_fetch;

struct plane_stats {
  int requests;      /* HTTP requests sent, retries included */
  int retries;
  int throttled;     /* 429 answers */
  double request_ms; /* sum of request times */
  double wall_ms;    /* from start to done */
};

/** rc 0: every project fetched into the batch; -1: err says what failed. */
typedef void (*plane_done_cb)(int rc, const char *err, const struct plane_stats *st, void *ud);

int plane_open(struct plane **out, struct loop *loop, struct http *http);
/** Abandon every fetch (no callbacks) and free the client. Close http first or after. */
void plane_close(struct plane *p);

/** The rate limit of every API key of c: the smallest configured for it (a reload
 *  applies the new ones at once). */
void plane_set_limits(struct plane *p, const struct config *c);
/** The limit in force for d's API key (0: none yet). */
int plane_limit(const struct plane *p, const struct digest *d);

/** Fetch every project of d into b, concurrently across projects: the project, its
 *  states, its issues (work-items/, or issues/ on servers before v1.1.0, remembered per
 *  server) and its members; and what `needs` (PLANE_LABELS, _CYCLES, _MODULES) adds. */
int plane_fetch(struct plane *p, const struct digest *d, unsigned needs, struct batch *b, plane_done_cb cb,
                void *ud, struct plane_fetch **out, char *err);
/** The requests `needs` adds for project pid of d, one "GET …" line each, into out
 *  ("" when none); for check --online. */
void plane_needs_requests(const struct digest *d, const char *pid, unsigned needs, char *out, size_t n);
/** What plane_fetch_some reads: of each project its object, states, issues, members; and
 *  the workspace's list of projects (`discover`). */
enum { PLANE_PROJECT = 1u, PLANE_STATES = 2u, PLANE_ISSUES = 4u, PLANE_MEMBERS = 8u, PLANE_ALL = 15u,
       PLANE_LIST = 16u,
       /* what the scripts' needs add: a project's labels; its current cycles and their
        * issues; its modules and the issues of the open ones */
       PLANE_LABELS = 32u, PLANE_CYCLES = 64u, PLANE_MODULES = 128u };
/** The PLANE_LABELS/CYCLES/MODULES bits of SCRIPT_NEED_* bits (host/script.h). */
unsigned plane_needs_bits(unsigned script_needs);
/** Like plane_fetch, for the projects pids (d's token, base URL, workspace, limits and
 *  retries) and only what `what` names. d needs no projects; it must outlive the fetch. */
int plane_fetch_some(struct plane *p, const struct digest *d, const char *const *pids, size_t npids,
                     unsigned what, struct batch *b, plane_done_cb cb, void *ud, struct plane_fetch **out,
                     char *err);
/** Abandon one fetch: no callback, its requests are cancelled. */
void plane_cancel(struct plane_fetch *f);

/** One human sentence for a Plane error answer, e.g.
 *  "Plane rejected the API key (403 Given API token is not valid)". */
void plane_describe_error(long status, const char *body, const char *where, char *out, size_t n);
