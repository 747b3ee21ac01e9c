#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
  char *digest;
  struct metrics m;
};

static struct entry *entries;
static size_t nentries;

void metrics_reset(void) {
  for (size_t i = 0; i < nentries; i++) free(entries[i].digest);
  free(entries);
  entries = NULL;
  nentries = 0;
}

static void put(const char *digest, const struct metrics *m) {
  for (size_t i = 0; i < nentries; i++) {
    if (!strcmp(entries[i].digest, digest)) {
      entries[i].m = *m;
      return;
    }
  }
  entries = xrealloc(entries, (nentries + 1) * sizeof *entries);
  entries[nentries].digest = xstrdup(digest);
  entries[nentries++].m = *m;
}

static double last_success(const struct metrics *m) { return (double)m->last_success; }
static double last_attempt(const struct metrics *m) { return (double)m->last_attempt; }
static double last_ok(const struct metrics *m) { return m->last_ok; }
static double last_unknown(const struct metrics *m) { return m->last_unknown; }
static double errors(const struct metrics *m) { return (double)m->consecutive_errors; }
static double fetched(const struct metrics *m) { return m->fetched; }
static double matching(const struct metrics *m) { return m->matching; }
static double posted(const struct metrics *m) { return m->posted; }
static double plane_requests(const struct metrics *m) { return m->plane_requests; }
static double plane_seconds(const struct metrics *m) { return m->plane_seconds; }
static double teams_seconds(const struct metrics *m) { return m->teams_seconds; }
static double sync_seconds(const struct metrics *m) { return m->sync_seconds; }

struct family {
  const char *name, *type, *help;
  double (*value)(const struct metrics *m);
};

static const struct family families[] = {
    {"plane_teams_last_success_timestamp_seconds", "gauge", "Unix time of the last successful post (0: never).", last_success},
    {"plane_teams_last_attempt_timestamp_seconds", "gauge", "Unix time of the last attempt (0: never).", last_attempt},
    {"plane_teams_last_attempt_success", "gauge", "1 when the last attempt posted, else 0.", last_ok},
    {"plane_teams_last_attempt_unknown", "gauge", "1 when the last attempt may have posted (no answer), else 0.", last_unknown},
    {"plane_teams_consecutive_errors", "gauge", "Failed attempts since the last success.", errors},
    {"plane_teams_issues_fetched", "gauge", "Issues fetched from Plane by the last sync.", fetched},
    {"plane_teams_issues_matching", "gauge", "Issues that matched the states in the last sync.", matching},
    {"plane_teams_issues_posted", "gauge", "Rows on the last posted card.", posted},
    {"plane_teams_plane_requests", "gauge", "Plane requests of the last sync, retries included.", plane_requests},
    {"plane_teams_plane_seconds", "gauge", "Time spent fetching from Plane in the last sync.", plane_seconds},
    {"plane_teams_teams_post_seconds", "gauge", "Time of the Teams post in the last sync, retries included.", teams_seconds},
    {"plane_teams_sync_seconds", "gauge", "Duration of the last sync.", sync_seconds},
};

/* A digest name is [A-Za-z0-9_-]+ (config.c checks it): no escaping needed. */
static void render(struct buf *b) {
  for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", families[f].name, families[f].help, families[f].name,
               families[f].type);
    for (size_t i = 0; i < nentries; i++)
      buf_printf(b, "%s{digest=\"%s\"} %.17g\n", families[f].name, entries[i].digest,
                 families[f].value(&entries[i].m));
  }
}

int metrics_write(const char *path, const char *digest, const struct metrics *m, char *err) {
  struct buf b;
  char *tmp = xasprintf("%s.tmp-%ld", path, (long)getpid());
  int rc = -1;
  put(digest, m);
  buf_init(&b);
  if (mkdir_parent(path, err) < 0) {
    errctx(err, "metrics file");
    goto cleanup;
  }
  render(&b);
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    errf(err, "cannot write the metrics file %s: %s", path, strerror(errno));
    goto cleanup;
  }
  ssize_t w = write(fd, b.data, b.len);
  if (close(fd) < 0 || w != (ssize_t)b.len || rename(tmp, path) < 0) {
    errf(err, "cannot write the metrics file %s: %s", path, strerror(errno));
    unlink(tmp);
    goto cleanup;
  }
  rc = 0;
cleanup:
  free(tmp);
  buf_free(&b);
  return rc;
}
