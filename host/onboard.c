#include "onboard.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "batch.h"
#include "exitcode.h"
#include "http.h"
#include "loop.h"
#include "plane.h"
#include "reports.h"
#include "script.h"
#include "teams.h"

/* ---- the network: a loop, libcurl and the Plane client (its limiter and retries) ---- */

struct net {
  struct loop *loop;
  struct http *http;
  struct plane *plane;
  int pending; /* fetches not finished yet */
};

/* One fetch's outcome. */
struct step {
  struct net *n;
  int done, rc;
  char err[ERR_LEN];
};

static int net_open(struct net *n, const struct config *cfg, char *err) {
  memset(n, 0, sizeof *n);
  if (loop_open(&n->loop, err) < 0) return -1;
  if (http_open(&n->http, n->loop, err) < 0 || plane_open(&n->plane, n->loop, n->http) < 0) return -1;
  plane_set_limits(n->plane, cfg);
  return 0;
}

static void net_close(struct net *n) {
  plane_close(n->plane);
  http_close(n->http);
  loop_close(n->loop);
}

static void step_done(int rc, const char *err, const struct plane_stats *st, void *ud) {
  struct step *s = ud;
  (void)st;
  s->done = 1;
  s->rc = rc;
  snprintf(s->err, sizeof s->err, "%s", err ? err : "");
  if (--s->n->pending == 0) loop_stop(s->n->loop);
}

/* Start one fetch counted by n; its failure to start is its outcome. */
static void step_start(struct net *n, struct step *s, const struct digest *d, const char *const *pids,
                       size_t npids, unsigned what, struct batch *b) {
  memset(s, 0, sizeof *s);
  s->n = n;
  if (plane_fetch_some(n->plane, d, pids, npids, what, b, step_done, s, NULL, s->err) < 0) {
    s->done = 1;
    s->rc = -1;
    return;
  }
  n->pending++;
}

static void net_wait(struct net *n) {
  if (n->pending) loop_run(n->loop);
}

/* "a,b,c" -> a malloc'd array of malloc'd strings. */
static char **split_csv(const char *csv, size_t *n) {
  char **out = NULL;
  *n = 0;
  for (const char *p = csv; *p;) {
    size_t len = strcspn(p, ",");
    if (len) {
      out = xrealloc(out, (*n + 1) * sizeof *out);
      out[(*n)++] = xstrndup(p, len);
    }
    p += len + (p[len] == ',');
  }
  return out;
}

static void free_list(char **v, size_t n) {
  for (size_t i = 0; i < n; i++) free(v[i]);
  free(v);
}

/* ---- discover ------------------------------------------------------------------------ */

int onboard_discover(const struct config *cfg, struct script *s, const char *wanted, int as_json) {
  const struct digest *d = &cfg->digests[0];
  struct net n;
  struct batch *b = NULL;
  struct step list, states;
  struct buf want;
  char err[ERR_LEN], *all = NULL, *chosen = NULL, *text = NULL, **pids = NULL;
  size_t npids = 0;
  int rc = EXIT_SYNC;
  buf_init(&want);
  if (net_open(&n, cfg, err) < 0 || batch_new(s, &b, err) < 0) {
    fprintf(stderr, "plane-teams: discover: %s\n", err);
    goto cleanup;
  }
  step_start(&n, &list, d, NULL, 0, PLANE_LIST, b);
  net_wait(&n);
  if (list.rc < 0) {
    fprintf(stderr, "plane-teams: discover: %s\n", list.err);
    goto cleanup;
  }
  if (report_choose_projects(b, "", d->workspace, &all, err) < 0) goto failed;
  if (!*all) {
    fprintf(stderr, "plane-teams: discover: the API key's user sees no project in workspace %s: add them "
            "to a project (Plane: project settings, members), or use a key of a member\n", d->workspace);
    goto cleanup;
  }
  pids = split_csv(all, &npids);
  step_start(&n, &states, d, (const char *const *)pids, npids, PLANE_STATES, b);
  net_wait(&n);
  if (states.rc < 0) {
    fprintf(stderr, "plane-teams: discover: %s\n", states.err);
    goto cleanup;
  }
  if (!wanted) /* the configured projects, when there are some */
    for (size_t i = 0; i < d->nprojects; i++) buf_printf(&want, "%s%s", i ? "," : "", d->projects[i]);
  if (report_choose_projects(b, wanted ? wanted : want.data ? want.data : "", d->workspace, &chosen, err) < 0) {
    if (wanted) {
      fprintf(stderr, "plane-teams: discover: %s\n", err);
      rc = EXIT_USAGE;
      goto cleanup;
    }
    /* a stale configured project: discover is how one finds the right ones */
    fprintf(stderr, "plane-teams: discover: the configured projects: %s; the fragment is for all of them\n", err);
    chosen = xstrdup(all);
  }
  if (report_discover(b, d, chosen, as_json, &text, err) < 0) goto failed;
  fputs(text, stdout);
  if (as_json) fputc('\n', stdout);
  rc = fflush(stdout) == 0 ? EXIT_OK : EXIT_SYNC;
  goto cleanup;
failed:
  fprintf(stderr, "plane-teams: discover: %s\n", err);
cleanup:
  free_list(pids, npids);
  free(all), free(chosen), free(text);
  buf_free(&want);
  batch_free(b);
  net_close(&n);
  return rc;
}

/* ---- check --online ------------------------------------------------------------------ */

/* The requests the scripts' needs add to each sync for project pid (listed, not sent). */
static void print_needs(const struct digest *d, const char *pid, unsigned script_needs) {
  char lines[2048];
  plane_needs_requests(d, pid, plane_needs_bits(script_needs), lines, sizeof lines);
  if (!lines[0]) return;
  printf("    the scripts' needs add to each sync:\n");
  for (char *line = strtok(lines, "\n"); line; line = strtok(NULL, "\n")) printf("      %s\n", line);
}

/* One digest: every project read side by side (each its own fetch, so each gets its own
 * verdict), then what the configured states pick in each. Counts problems and warnings. */
static void online_digest(struct net *n, struct script *s, const struct digest *d, int *problems,
                          int *warnings) {
  struct batch *b = NULL;
  struct step *steps = xcalloc(d->nprojects, sizeof *steps);
  char err[ERR_LEN], note[600];
  printf("online: digest %s (workspace %s)\n", d->name, d->workspace);
  if (batch_new(s, &b, err) < 0) {
    printf("  FAILED: %s\n", err);
    (*problems)++;
    goto cleanup;
  }
  for (size_t i = 0; i < d->nprojects; i++)
    step_start(n, &steps[i], d, (const char *const *)&d->projects[i], 1, PLANE_ALL, b);
  net_wait(n);
  for (size_t i = 0; i < d->nprojects; i++) {
    char *text = NULL;
    int w = 0;
    if (steps[i].rc < 0) {
      printf("  project %s: FAILED: %s\n", d->projects[i], steps[i].err);
      (*problems)++;
    } else if (report_online_project(b, d, d->projects[i], &text, &w, err) < 0) {
      printf("  project %s: FAILED: %s\n", d->projects[i], err);
      (*problems)++;
    } else {
      fputs(text, stdout);
      *warnings += w;
      print_needs(d, d->projects[i], script_needs(s));
    }
    free(text);
  }
  const char *kind = teams_kind(d->webhook_url, note, sizeof note);
  printf("  webhook: %s: %s (not posted to)\n", kind, note);
cleanup:
  free(steps);
  batch_free(b);
}

int onboard_check_online(const struct config *cfg, struct script *s) {
  struct net n;
  char err[ERR_LEN];
  int problems = 0, warnings = 0;
  if (net_open(&n, cfg, err) < 0) {
    fprintf(stderr, "plane-teams: check --online: %s\n", err);
    net_close(&n);
    return EXIT_SYNC;
  }
  for (size_t i = 0; i < cfg->ndigests; i++) online_digest(&n, s, &cfg->digests[i], &problems, &warnings);
  net_close(&n);
  if (problems)
    printf("check --online: FAILED: %d project%s could not be read\n", problems, problems == 1 ? "" : "s");
  else if (warnings)
    printf("check --online: ok, with %d warning%s (above)\n", warnings, warnings == 1 ? "" : "s");
  else
    puts("check --online: ok");
  fflush(stdout);
  return problems ? EXIT_SYNC : EXIT_OK;
}
