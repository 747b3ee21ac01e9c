/* The long-running side: `once` and `run` share it. It owns the loop, the HTTP
 * client, the state locks, the configuration generations (swapped on SIGHUP) and
 * the scheduler's wake-ups. */
#pragma once

/** The exit codes of every command (README, "Exit codes"): 0 done, 1 the sync failed,
 *  2 usage, configuration or script error found before any request. */
enum exit_code { EXIT_OK = 0, EXIT_SYNC = 1, EXIT_USAGE = 2 };

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
