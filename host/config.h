/* The configuration: config.lua run with env(), turned into validated digests. */
#pragma once
#include <stddef.h>

#include "net.h"
#include "options.h"
#include "util.h"

#define DAYS_ALL 0x7fu

/** One configured state: it picks, in each project, the state with its id, else those
 *  with its name, else those of its group. */
struct state_sel {
  char *id;
  char *name;
  char *group;
};

/** One `mention_ids` entry: a Plane user (id or display name) and their Teams id. */
struct mention_id {
  char *who;
  char *id; /* UPN or Entra object id */
};

struct digest {
  char *name;
  char *api_token; /* secret */
  char *base_url;  /* normalised: no trailing / or /api/v1 */
  char *app_url;
  char *workspace;
  char **projects;
  size_t nprojects;
  char *webhook_url; /* secret */
  int hour, minute;
  unsigned days; /* bit n = struct tm's tm_wday n (0 = Sunday) */
  char *tz;      /* IANA name, NULL = system local time */
  int max_retries;
  int rate_limit; /* requests per rolling 60 s per API key */
  int limit;
  size_t budget; /* bytes of the encoded envelope */
  char *state_file;
  struct state_sel *states;
  size_t nstates;
  int empty_skip;
  char *language; /* card.lua's word table to use; NULL: "en" */
  char **holidays; /* local dates (YYYY-MM-DD) with no digest, sorted, no repeats */
  size_t nholidays;
  int mentions; /* @mention assignees Teams can identify */
  struct mention_id *mention_ids;
  size_t nmention_ids;
  struct opt *options; /* ctx.options: named values sorted by name, the top level's merged with the digest's */
  size_t noptions;
  struct net_dest plane, teams; /* plane_proxy, plane_ca_file; teams_proxy, teams_ca_file */
};

struct config {
  char *path;
  char *scripts_dir; /* NULL: ./scripts */
  int log_level;
  char *log_file; /* NULL or "": no file */
  size_t log_max_bytes;
  int log_keep;
  char *metrics_file;
  struct digest *digests;
  size_t ndigests;
  char **warnings; /* said once at start-up */
  size_t nwarnings;
};

/* PLANE: the API key and the projects; TEAMS: the webhook; TOKEN: the API key only
 * (`discover`). The workspace is always required. */
enum { CONFIG_NEED_PLANE = 1, CONFIG_NEED_TEAMS = 2, CONFIG_NEED_TOKEN = 4 };

/** Run config.lua and validate every value; exit code 2 material on error. */
int config_load(const char *path, struct config **out, char *err);
/** Check that what a command needs is set (token, projects, webhook). */
int config_require(const struct config *c, unsigned need, char *err);
void config_free(struct config *c);
/** The effective settings, secrets redacted, for `check`. */
void config_describe(const struct config *c, struct buf *out);
/** Put a loaded configuration to work in the process: its secrets are redacted from
 *  every log line, the log level set, its warnings said; open_log: (re)open its log file. */
int config_apply(const struct config *c, int open_log, char *err);
/** Parse "8", "08:30"; -1 when malformed. */
int config_parse_hour(const char *s, int *hour, int *minute);
/** Parse "daily", "weekdays", "weekends", "mon,wed,fri"; 0 when malformed. */
unsigned config_parse_days(const char *s);
/** Check a holiday date "YYYY-MM-DD": 0, -1 when not of that form, -2 when the calendar
 *  has no such day (2026-02-30, 2026-13-01) or it is before 1970. */
int config_parse_date(const char *s);
/** True when tz names a zone file in the zoneinfo database. */
int config_tz_valid(const char *tz);
/** "https://host/…(redacted)" for showing a webhook. */
void config_redact_url(const char *url, char *out, size_t n);
