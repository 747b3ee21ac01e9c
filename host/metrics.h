/* Prometheus text-format metrics in a file (node_exporter's textfile collector):
 * one entry per digest, the whole file replaced atomically after each sync. */
#pragma once
#include <time.h>

#include "util.h"

struct metrics {
  time_t last_success;  /* 0: never */
  time_t last_attempt;  /* 0: never */
  int last_ok;          /* the last attempt posted (or skipped by empty = "skip") */
  int last_unknown;     /* the last attempt may have posted */
  long consecutive_errors;
  double fetched, matching, posted;
  double plane_requests, plane_seconds, teams_seconds, sync_seconds;
};

/** Remember digest's figures and rewrite path with every digest seen so far. */
int metrics_write(const char *path, const char *digest, const struct metrics *m, char *err);
/** Forget every digest (tests, reload that drops digests). */
void metrics_reset(void);
