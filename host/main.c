/* plane-teams: command line, commands, exit codes, start and stop order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "digest_state.h"
#include "daemon.h"
#include "html.h"
#include "log.h"
#include "onboard.h"
#include "render.h"
#include "sched.h"
#include "script.h"
#include "state.h"
#include "util.h"

struct opts {
  const char *config;
  const char *scripts;
  const char *cmd;
  const char *output;
  const char *issues;
  const char *digest;
  const char *html;
  const char *projects; /* discover --projects */
  const char *renderer;
  const char *save;
  int force, dry_run;
  int online, json; /* check --online, discover --json */
  int alive;        /* status --alive */
};

static const char USAGE[] =
    "usage: plane-teams [-c FILE] [--scripts DIR] COMMAND [OPTIONS]\n"
    "\n"
    "Posts the most important open work items of Plane projects to a Microsoft Teams\n"
    "channel every morning, as an Adaptive Card.\n"
    "\n"
    "commands:\n"
    "  run                      daemon: post each digest at its time, forever (default)\n"
    "  once [--force] [--dry-run [--save FILE]] [--output FILE]\n"
    "                           one sync now; --dry-run prints the message, posts nothing;\n"
    "                           --save also writes what was fetched, for preview --issues FILE\n"
    "  preview --issues FILE [--output FILE] [--html FILE [--renderer FILE]]\n"
    "                           render a saved issue list offline (no network, no secrets);\n"
    "                           --html writes a page that shows the card as Teams would,\n"
    "                           with Microsoft's renderer (adaptivecards.min.js) from\n"
    "                           --renderer, $PLANE_TEAMS_RENDERER or " PT_DATADIR "\n"
    "  check [--online]         load config and scripts, self-test, print the settings;\n"
    "                           --online also reads each project from Plane and shows which\n"
    "                           of its states each configured state picks (never posts)\n"
    "  discover [--json] [--projects LIST]\n"
    "                           list the workspace's projects and their states, and print a\n"
    "                           config.lua fragment for them (needs only the API key, base\n"
    "                           URL and workspace; LIST: identifiers or UUIDs, comma-separated)\n"
    "  status [--alive]         print the state of each digest (exit 1 when unhealthy);\n"
    "                           --alive: exit 0 when a plane-teams holds each digest's\n"
    "                           state file, whatever the last attempt did (a liveness probe)\n"
    "\n"
    "options:\n"
    "  -c, --config FILE        configuration (default: $PLANE_TEAMS_CONFIG, then ./config.lua)\n"
    "      --scripts DIR        scripts folder (default: the config's scripts_dir, then ./scripts)\n"
    "      --digest NAME        preview: the digest whose settings to use (default: the first)\n"
    "  -h, --help               this help\n"
    "      --version            the version\n";

static int usage_error(const char *fmt, const char *arg) {
  fprintf(stderr, "plane-teams: ");
  fprintf(stderr, fmt, arg);
  fprintf(stderr, "\nTry 'plane-teams --help'.\n");
  return EXIT_USAGE;
}

/* Options may stand before or after the command: plane-teams -c x once --force. */
static int parse_args(int argc, char **argv, struct opts *o) {
  static const struct {
    const char *name;
    int has_value;
  } known[] = {{"-c", 1}, {"--config", 1}, {"--scripts", 1}, {"--output", 1}, {"-o", 1},
               {"--issues", 1}, {"--digest", 1}, {"--html", 1}, {"--renderer", 1}, {"--save", 1},
               {"--force", 0}, {"--dry-run", 0}, {"--online", 0}, {"--json", 0}, {"--projects", 1}, {"-h", 0},
               {"--alive", 0},
               {"--help", 0}, {"--version", 0}, {NULL, 0}};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *val = NULL;
    if (a[0] != '-' || !a[1]) {
      if (o->cmd) return usage_error("unexpected argument '%s'", a);
      o->cmd = a;
      continue;
    }
    char name[64];
    const char *eq = strchr(a, '=');
    snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - a) : (int)strlen(a), a);
    int k = 0;
    while (known[k].name && strcmp(known[k].name, name)) k++;
    if (!known[k].name) return usage_error("unknown option %s", name);
    if (known[k].has_value) {
      if (eq) val = eq + 1;
      else if (i + 1 < argc) val = argv[++i];
      else return usage_error("option %s needs a value", name);
    } else if (eq) {
      return usage_error("option %s takes no value", name);
    }
    if (!strcmp(name, "-c") || !strcmp(name, "--config")) o->config = val;
    else if (!strcmp(name, "--scripts")) o->scripts = val;
    else if (!strcmp(name, "--output") || !strcmp(name, "-o")) o->output = val;
    else if (!strcmp(name, "--issues")) o->issues = val;
    else if (!strcmp(name, "--digest")) o->digest = val;
    else if (!strcmp(name, "--html")) o->html = val;
    else if (!strcmp(name, "--renderer")) o->renderer = val;
    else if (!strcmp(name, "--save")) o->save = val;
    else if (!strcmp(name, "--force")) o->force = 1;
    else if (!strcmp(name, "--dry-run")) o->dry_run = 1;
    else if (!strcmp(name, "--online")) o->online = 1;
    else if (!strcmp(name, "--json")) o->json = 1;
    else if (!strcmp(name, "--alive")) o->alive = 1;
    else if (!strcmp(name, "--projects")) o->projects = val;
    else if (!strcmp(name, "--version")) {
      printf("plane-teams %s\n", PT_VERSION);
      return -100;
    } else {
      fputs(USAGE, stdout);
      return -100;
    }
  }
  const char *cmd = o->cmd ? o->cmd : "run";
  if ((o->force || o->dry_run) && strcmp(cmd, "once"))
    return usage_error("--force and --dry-run go with 'once', not '%s'", cmd);
  if (o->issues && strcmp(cmd, "preview")) return usage_error("--issues goes with 'preview', not '%s'", cmd);
  if (o->save && (strcmp(cmd, "once") || !o->dry_run))
    return usage_error("%s", "--save goes with 'once --dry-run'");
  if (o->html && strcmp(cmd, "preview")) return usage_error("--html goes with 'preview', not '%s'", cmd);
  if (o->renderer && !o->html) return usage_error("%s", "--renderer goes with 'preview --html'");
  if (o->online && strcmp(cmd, "check")) return usage_error("--online goes with 'check', not '%s'", cmd);
  if (o->alive && strcmp(cmd, "status")) return usage_error("--alive goes with 'status', not '%s'", cmd);
  if ((o->json || o->projects) && strcmp(cmd, "discover"))
    return usage_error("--json and --projects go with 'discover', not '%s'", cmd);
  if (o->output && strcmp(cmd, "preview") && strcmp(cmd, "once"))
    return usage_error("--output goes with 'once --dry-run' or 'preview', not '%s'", cmd);
  return 0;
}

/* ---- shared start-up ---------------------------------------------------- */

static const char *config_path(const struct opts *o) {
  if (o->config) return o->config;
  const char *env = getenv("PLANE_TEAMS_CONFIG");
  return env && *env ? env : "./config.lua";
}

static int load_config(const struct opts *o, unsigned need, struct config **cfg) {
  char err[ERR_LEN];
  if (config_load(config_path(o), cfg, err) < 0 || config_require(*cfg, need, err) < 0 ||
      config_apply(*cfg, 0, err) < 0) {
    config_free(*cfg);
    *cfg = NULL;
    fprintf(stderr, "plane-teams: %s\n", err);
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

static int load_scripts(const struct opts *o, const struct config *cfg, struct script **s) {
  char err[ERR_LEN];
  const char *dir = o->scripts ? o->scripts : cfg->scripts_dir ? cfg->scripts_dir : "./scripts";
  if (script_open(dir, s, err) < 0) {
    fprintf(stderr, "plane-teams: cannot load the scripts: %s\n", err);
    return EXIT_USAGE;
  }
  return EXIT_OK;
}

static int write_output(const char *path, const char *data, size_t len) {
  FILE *f = path ? fopen(path, "wb") : stdout;
  if (!f) {
    perror(path);
    return EXIT_USAGE;
  }
  int ok = fwrite(data, 1, len, f) == len && fputc('\n', f) != EOF;
  if (path) ok = (fclose(f) == 0) && ok;
  else ok = (fflush(f) == 0) && ok;
  if (!ok) {
    fprintf(stderr, "plane-teams: cannot write %s\n", path ? path : "stdout");
    return EXIT_SYNC;
  }
  return EXIT_OK;
}

/* ---- commands ---------------------------------------------------------- */

static const struct digest *pick_digest(const struct config *cfg, const char *name) {
  if (!name) return &cfg->digests[0];
  for (size_t i = 0; i < cfg->ndigests; i++)
    if (!strcmp(cfg->digests[i].name, name)) return &cfg->digests[i];
  return NULL;
}

static int write_html(const char *path, const char *renderer_option, const struct render_out *out) {
  char err[ERR_LEN];
  struct buf page;
  int rc = EXIT_USAGE;
  char *renderer = html_find_renderer(renderer_option, err);
  buf_init(&page);
  if (!renderer || html_page(out->envelope, out->size, renderer, &page, err) < 0) {
    fprintf(stderr, "plane-teams: preview: %s\n", err);
    goto cleanup;
  }
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(page.data, 1, page.len, f) != page.len || fclose(f) != 0) {
    if (f) fclose(f);
    fprintf(stderr, "plane-teams: preview: cannot write %s\n", path);
    rc = EXIT_SYNC;
    goto cleanup;
  }
  log_info(NULL, NULL, "preview: wrote %s (open it in a browser)", path);
  rc = EXIT_OK;
cleanup:
  free(renderer);
  buf_free(&page);
  return rc;
}

static int cmd_preview(const struct opts *o) {
  struct config *cfg = NULL;
  struct script *s = NULL;
  struct batch *b = NULL;
  struct render_out out = {0};
  char *data = NULL, err[ERR_LEN];
  size_t len;
  int rc;
  if (!o->issues) return usage_error("%s", "preview needs --issues FILE");
  if ((rc = load_config(o, 0, &cfg)) != EXIT_OK) goto cleanup;
  if ((rc = load_scripts(o, cfg, &s)) != EXIT_OK) goto cleanup;
  rc = EXIT_USAGE;
  const struct digest *d = pick_digest(cfg, o->digest);
  if (!d) {
    fprintf(stderr, "plane-teams: no digest named \"%s\" in %s\n", o->digest, cfg->path);
    goto cleanup;
  }
  if (render_check_language(s, cfg, d, err) < 0) {
    fprintf(stderr, "plane-teams: %s\n", err);
    goto cleanup;
  }
  if (read_file(o->issues, &data, &len, err) < 0 || batch_new(s, &b, err) < 0 ||
      batch_add_issues_file(b, data, len, o->issues, err) < 0) {
    fprintf(stderr, "plane-teams: preview: %s\n", err);
    goto cleanup;
  }
  if (render_batch(b, d, time(NULL), NULL, 0, &out, err) < 0) {
    fprintf(stderr, "plane-teams: preview: %s\n", err);
    goto cleanup;
  }
  if (out.skipped) {
    fprintf(stderr, "plane-teams: no issue matches and empty = \"skip\": nothing would be posted\n");
    rc = EXIT_OK;
    goto cleanup;
  }
  log_info(d->name, LF(LF_N("transform_ms", out.transform_ms), LF_N("card_ms", out.card_ms)),
           "preview: %zu issues read, %zu matching, %zu on the card (%zu bytes); transform %.1f ms, card %.1f ms",
           out.fetched, out.matching, out.posted, out.size, out.transform_ms, out.card_ms);
  if (o->html && (rc = write_html(o->html, o->renderer, &out)) != EXIT_OK) goto cleanup;
  rc = o->output || !o->html ? write_output(o->output, out.envelope, out.size) : EXIT_OK;
cleanup:
  render_out_free(&out);
  free(data);
  batch_free(b);
  script_close(s);
  config_free(cfg);
  return rc;
}

static int cmd_check(const struct opts *o) {
  struct config *cfg = NULL;
  struct script *s = NULL;
  struct buf desc;
  char err[ERR_LEN];
  int rc;
  buf_init(&desc);
  if ((rc = load_config(o, CONFIG_NEED_PLANE | CONFIG_NEED_TEAMS, &cfg)) != EXIT_OK) goto cleanup;
  if ((rc = load_scripts(o, cfg, &s)) != EXIT_OK) goto cleanup;
  config_describe(cfg, &desc);
  buf_printf(&desc, "scripts: %s\n", script_dir(s));
  if (render_selfcheck(s, cfg, &desc, err) < 0) {
    fprintf(stderr, "plane-teams: %s\n", err);
    rc = EXIT_USAGE;
    goto cleanup;
  }
  buf_adds(&desc, "card: Adaptive Card 1.2 elements and properties only (checked by the host)\n");
  fputs(desc.data, stdout);
  puts("check: ok");
  if (o->online) {
    fflush(stdout);
    rc = onboard_check_online(cfg, s);
  }
cleanup:
  buf_free(&desc);
  script_close(s);
  config_free(cfg);
  return rc;
}

/* ---- discover and check --online: see onboard.c --------------------------- */

static int cmd_discover(const struct opts *o) {
  struct config *cfg = NULL;
  struct script *s = NULL;
  int rc;
  char err[ERR_LEN];
  if ((rc = load_config(o, CONFIG_NEED_TOKEN, &cfg)) != EXIT_OK) goto cleanup;
  if (script_open(NULL, &s, err) < 0) { /* the host's Lua only: discover renders nothing */
    fprintf(stderr, "plane-teams: %s\n", err);
    rc = EXIT_USAGE;
    goto cleanup;
  }
  rc = onboard_discover(cfg, s, o->projects, o->json);
cleanup:
  script_close(s);
  config_free(cfg);
  return rc;
}

/* ---- once and run: see daemon.c ---------------------------------------- */

static int cmd_daemon(const struct opts *o, int once) {
  struct run_opts ro = {config_path(o), o->scripts, o->force, o->dry_run, o->output, o->save};
  return once ? daemon_once(&ro) : daemon_run(&ro);
}

/* ---- status ------------------------------------------------------------ */

static void print_time(const char *label, time_t t, const char *tz) {
  char iso[40];
  if (!t) {
    printf("  %s: never\n", label);
    return;
  }
  iso8601_local(t, tz, iso, sizeof iso);
  printf("  %s: %s\n", label, iso);
}

static int status_digest(const struct digest *d, time_t now) {
  struct state st;
  struct sched_view v;
  char err[ERR_LEN];
  int exists, healthy = 1;
  printf("digest %s (%s):\n", d->name, d->state_file);
  if (state_read(d->state_file, &st, &exists, err) < 0) {
    printf("  health: FAILING: %s\n", err);
    return 0;
  }
  digest_state_view(&st, &v);
  print_time("last success", v.last_success, d->tz);
  printf("  last status: %s\n", st.last_sync_status ? st.last_sync_status : "none yet");
  printf("  error count: %ld\n", st.error_count);
  printf("  last error: %s\n", st.last_error ? st.last_error : "none");
  time_t next = sched_next(d, &v, now);
  print_time("next due", next, d->tz);
  const char *why = NULL;
  if (sched_holiday(d, now)) { /* never "overdue" on a holiday */
    char today[11];
    local_date(now, d->tz, today);
    printf("  today: %s, a holiday: no digest is due\n", today);
  }
  if (st.last_sync_status && strcmp(st.last_sync_status, "success")) {
    why = !strcmp(st.last_sync_status, "unknown") ? "the last attempt may not have been posted"
                                                  : "the last attempt failed";
  } else if (sched_due(d, &v, now) && sched_due(d, &v, now - 3600)) {
    why = "today's digest is more than an hour overdue";
  }
  if (why) healthy = 0;
  printf("  health: %s%s\n", healthy ? "ok" : "FAILING: ", why ? why : "");
  state_clear(&st);
  return healthy;
}

/* status --alive: a process holds the digest's state file (the daemon takes the lock at
 * start and keeps it until it stops); what its last attempt did does not matter here. */
static int alive_digest(const struct digest *d) {
  char pid[32], err[ERR_LEN];
  int held = state_lock_held(d->state_file, pid, sizeof pid, err);
  if (held < 0) printf("digest %s: not alive: %s\n", d->name, err);
  else if (!held) printf("digest %s: not alive: no plane-teams holds %s.lock\n", d->name, d->state_file);
  else printf("digest %s: alive: plane-teams (pid %s) holds %s.lock\n", d->name, pid[0] ? pid : "unknown",
              d->state_file);
  return held > 0;
}

static int cmd_status(const struct opts *o) {
  struct config *cfg = NULL;
  int rc = load_config(o, 0, &cfg), healthy = 1;
  if (rc != EXIT_OK) return rc;
  time_t now = time(NULL);
  for (size_t i = 0; i < cfg->ndigests; i++)
    healthy &= o->alive ? alive_digest(&cfg->digests[i]) : status_digest(&cfg->digests[i], now);
  config_free(cfg);
  return healthy ? EXIT_OK : EXIT_SYNC;
}

int main(int argc, char **argv) {
  struct opts o = {0};
  int rc = parse_args(argc, argv, &o);
  if (rc == -100) return EXIT_OK;
  if (rc) return rc;
  const char *cmd = o.cmd ? o.cmd : "run";
  if (!strcmp(cmd, "preview")) rc = cmd_preview(&o);
  else if (!strcmp(cmd, "check")) rc = cmd_check(&o);
  else if (!strcmp(cmd, "once")) rc = cmd_daemon(&o, 1);
  else if (!strcmp(cmd, "run")) rc = cmd_daemon(&o, 0);
  else if (!strcmp(cmd, "status")) rc = cmd_status(&o);
  else if (!strcmp(cmd, "discover")) rc = cmd_discover(&o);
  else rc = usage_error("unknown command '%s'", cmd);
  log_close();
  log_clear_secrets();
  return rc;
}
