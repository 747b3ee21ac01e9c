/* The long-running side: `once` and `run` share it. It owns the loop, the HTTP
 * client, the state locks, the configuration generations (swapped on SIGHUP) and
 * the scheduler's wake-ups. */
#pragma once

#include "exitcode.h"

struct run_opts {
  const char *config;  /* path of config.lua */
  const char *scripts; /* --scripts, or NULL */
  int force, dry_run;
  const char *output;
  const char *save; /* once --dry-run --save FILE */
};

/** One sync of every digest now; returns an exit code. */
int daemon_once(const struct run_opts *o);
/** The daemon: each digest at its time, forever, until SIGTERM/SIGINT. */
int daemon_run(const struct run_opts *o);
