/* From config.lua's table to validated digests: the defaults, the top-level values
 * every digest starts from, URL normalisation, and the checks across digests. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_parts.h"
#include "url.h"

#define bad config_bad
#define esc config_esc

#define MAX_TOKEN 1000 /* a Plane key is 42 characters */
#define MAX_URL 8000

void config_free_list(char **l, size_t n) {
  for (size_t i = 0; i < n; i++) free(l[i]);
  free(l);
}

/* Without a `states` setting: what is being worked on, then what is to do, then the
 * backlog, in any project (Plane's state groups). */
static void digest_defaults(struct digest *d) {
  static const char *const default_groups[] = {"started", "unstarted", "backlog"};
  memset(d, 0, sizeof *d);
  d->base_url = xstrdup("https://api.plane.so");
  d->hour = 8;
  d->days = DAYS_ALL;
  d->max_retries = 3;
  d->rate_limit = 60;
  d->limit = 10;
  d->budget = 24000;
  d->state_file = xstrdup(".state.json");
  d->nstates = 3;
  d->states = xcalloc(3, sizeof *d->states);
  for (size_t i = 0; i < 3; i++) d->states[i].group = xstrdup(default_groups[i]);
}

static char *dup_or_null(const char *s) { return s ? xstrdup(s) : NULL; }

void config_digest_clear(struct digest *d) {
  free(d->name), free(d->api_token), free(d->base_url), free(d->app_url);
  free(d->workspace), free(d->webhook_url), free(d->tz), free(d->state_file);
  free(d->language);
  net_dest_free(&d->plane);
  net_dest_free(&d->teams);
  config_free_list(d->projects, d->nprojects);
  config_free_states(d->states, d->nstates);
  config_free_list(d->holidays, d->nholidays);
  config_free_mention_ids(d->mention_ids, d->nmention_ids);
  opt_free(d->options, d->noptions);
  memset(d, 0, sizeof *d);
}

static void digest_copy(struct digest *to, const struct digest *from) {
  *to = *from;
  to->name = dup_or_null(from->name);
  to->api_token = dup_or_null(from->api_token);
  to->base_url = dup_or_null(from->base_url);
  to->app_url = dup_or_null(from->app_url);
  to->workspace = dup_or_null(from->workspace);
  to->webhook_url = dup_or_null(from->webhook_url);
  to->tz = dup_or_null(from->tz);
  to->state_file = dup_or_null(from->state_file);
  to->language = dup_or_null(from->language);
  net_dest_copy(&to->plane, &from->plane);
  net_dest_copy(&to->teams, &from->teams);
  to->projects = xcalloc(from->nprojects, sizeof *to->projects);
  for (size_t i = 0; i < from->nprojects; i++) to->projects[i] = xstrdup(from->projects[i]);
  to->holidays = xcalloc(from->nholidays, sizeof *to->holidays);
  for (size_t i = 0; i < from->nholidays; i++) to->holidays[i] = xstrdup(from->holidays[i]);
  to->mention_ids = xcalloc(from->nmention_ids, sizeof *to->mention_ids);
  for (size_t i = 0; i < from->nmention_ids; i++) {
    to->mention_ids[i].who = xstrdup(from->mention_ids[i].who);
    to->mention_ids[i].id = xstrdup(from->mention_ids[i].id);
  }
  to->options = opt_copy(from->options, from->noptions);
  to->states = xcalloc(from->nstates, sizeof *to->states);
  for (size_t i = 0; i < from->nstates; i++) {
    to->states[i].id = dup_or_null(from->states[i].id);
    to->states[i].name = dup_or_null(from->states[i].name);
    to->states[i].group = dup_or_null(from->states[i].group);
  }
}

/* ---- one digest's checks ------------------------------------------------ */

static int check_url(const char *where, const char *key, const char *url, int secret, char *err) {
  char scheme[16], host[256];
  if (!url) return 0;
  if (url_host(url, scheme, sizeof scheme, host, sizeof host) < 0 ||
      (strcmp(scheme, "https") && strcmp(scheme, "http"))) {
    if (secret) return bad(err, where, key, url, "is not an http(s) URL");
    return bad(err, where, key, url, "= \"%s\" is not an http(s) URL", esc(url));
  }
  return 0;
}

/* A secret goes into a header or a URL: no control characters, no absurd length. It is
 * never shown, not even in part. */
static int check_secret(const char *where, const char *key, const char *v, size_t max, char *err) {
  if (!v) return 0;
  size_t n = strlen(v);
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
      return bad(err, where, key, v, "holds a control character (byte %zu): is the file or variable "
                 "that sets it right?", i + 1);
  if (n > max)
    return bad(err, where, key, v, "is %zu characters long, more than the %zu accepted: is the file "
               "or variable that sets it right?", n, max);
  return 0;
}

static void strip_suffix(char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  if (n >= m && !strcmp(s + n - m, suffix)) s[n - m] = 0;
}

static void strip_slashes(char *s) {
  while (strlen(s) > 1 && s[strlen(s) - 1] == '/') s[strlen(s) - 1] = 0;
}

static void add_warning(struct config *c, char *w) {
  c->warnings = xrealloc(c->warnings, (c->nwarnings + 1) * sizeof *c->warnings);
  c->warnings[c->nwarnings++] = w;
}

/* plane_base_url without its trailing / or /api/v1; plane_app_url from it when unset,
 * never with the API's credentials. */
static int finish_plane_urls(struct config *c, struct digest *d, const char *where, char *err) {
  char scheme[16], host[256];
  if (!d->base_url) d->base_url = xstrdup("https://api.plane.so");
  strip_slashes(d->base_url);
  strip_suffix(d->base_url, "/api/v1");
  strip_suffix(d->base_url, "/");
  if (check_url(where, "plane_base_url", d->base_url, 0, err) < 0) return -1;
  url_host(d->base_url, scheme, sizeof scheme, host, sizeof host);
  if (!strcmp(scheme, "http") && !is_loopback_host(host))
    add_warning(c, xasprintf("%s: plane_base_url uses plain http to %s: the API key travels "
                             "unencrypted", where, host));
  if (!d->app_url)
    d->app_url = xstrdup(!strcasecmp(host, "api.plane.so") ? "https://app.plane.so" : d->base_url);
  url_strip_userinfo(d->app_url); /* credentials for the API never go into links */
  strip_slashes(d->app_url);
  return check_url(where, "plane_app_url", d->app_url, 0, err);
}

static int finish_webhook(struct digest *d, const char *where, char *err) {
  char scheme[16], host[256];
  if (!d->webhook_url) return 0;
  if (check_url(where, "teams_webhook_url", d->webhook_url, 1, err) < 0) return -1;
  url_host(d->webhook_url, scheme, sizeof scheme, host, sizeof host);
  if (strcmp(scheme, "https") && !is_loopback_host(host))
    return bad(err, where, "teams_webhook_url", d->webhook_url, "must use https (plain http is accepted only "
               "for a loopback host such as 127.0.0.1 or localhost; host here: %s)", host);
  return 0;
}

/* The added CAs are read now: a file that cannot be read is a configuration error, not a
 * failure at 08:00. */
static int finish_ca(struct digest *d, const char *where, char *err) {
  char e2[ERR_LEN];
  if (net_load_ca(&d->plane, e2) < 0) return bad(err, where, "plane_ca_file", d->plane.ca_file, "%s", e2);
  if (net_load_ca(&d->teams, e2) < 0) return bad(err, where, "teams_ca_file", d->teams.ca_file, "%s", e2);
  return 0;
}

static int finish_digest(struct config *c, struct digest *d, const char *where, char *err) {
  if (finish_plane_urls(c, d, where, err) < 0) return -1;
  if (check_secret(where, "plane_api_token", d->api_token, MAX_TOKEN, err) < 0 ||
      check_secret(where, "teams_webhook_url", d->webhook_url, MAX_URL, err) < 0)
    return -1;
  if (finish_webhook(d, where, err) < 0) return -1;
  if (finish_ca(d, where, err) < 0) return -1;
  if (d->tz && !config_tz_valid(d->tz))
    return bad(err, where, "timezone", d->tz, "= \"%s\" is not a known IANA time zone (such as "
               "Europe/Paris or UTC; see /usr/share/zoneinfo)", esc(d->tz));
  if (d->workspace)
    for (const char *p = d->workspace; *p; p++)
      if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
        return bad(err, where, "workspace", d->workspace, "= \"%s\" is not a workspace slug (letters, "
                   "digits, - and _, as in app.plane.so/<slug>/)", esc(d->workspace));
  if (!d->state_file) return bad(err, where, "state_file", NULL, "must not be empty");
  return 0;
}

/* ---- across digests ----------------------------------------------------- */

static int check_unique(struct config *c, char *err) {
  for (size_t i = 0; i < c->ndigests; i++) {
    for (size_t j = 0; j < i; j++) {
      if (!strcmp(c->digests[i].name, c->digests[j].name))
        return errf(err, "%s: two digests are named \"%s\"; give each its own name", c->path,
                    c->digests[i].name);
      if (!strcmp(c->digests[i].state_file, c->digests[j].state_file))
        return errf(err, "%s: digests \"%s\" and \"%s\" share the state file %s; give each its "
                    "own state_file", c->path, c->digests[j].name, c->digests[i].name,
                    c->digests[i].state_file);
    }
    for (const char *p = c->digests[i].name; *p; p++)
      if (!(isalnum((unsigned char)*p) || *p == '-' || *p == '_'))
        return errf(err, "%s: digest name \"%s\" may hold only letters, digits, - and _", c->path,
                    c->digests[i].name);
  }
  return 0;
}

/* A state file name for digest `name` when several share the top-level default. */
static char *state_file_for(const char *base, const char *name) {
  const char *dot = strrchr(base, '.');
  const char *slash = strrchr(base, '/');
  if (!dot || (slash && dot < slash) || dot == base || (slash && dot == slash + 1))
    return xasprintf("%s.%s", base, name);
  return xasprintf("%.*s.%s%s", (int)(dot - base), base, name, dot);
}

/* The keys of digests[i] (the table at t) over a copy of the top-level values. */
static int read_digest(lua_State *L, int t, const char *where, struct digest *d, char *err) {
  lua_pushnil(L);
  while (lua_next(L, t)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
    int rc = config_digest_key(L, k, where, d, err);
    if (rc == 0)
      return errf(err, "%s: unknown key '%s'%s", where, k,
                  config_is_global_key(k) ? " (it belongs at the top level)" : "");
    if (rc < 0) return -1;
    lua_pop(L, 1);
  }
  return 0;
}

static int read_digests(lua_State *L, int idx, struct config *c, const struct digest *def, char *err) {
  size_t n = lua_istable(L, idx) ? (size_t)lua_rawlen(L, idx) : 0;
  if (!n) return bad(err, c->path, "digests", NULL, "must be a non-empty list of digest tables");
  c->digests = xcalloc(n, sizeof *c->digests);
  for (size_t i = 0; i < n; i++) {
    struct digest *d = &c->digests[c->ndigests++];
    char where[600];
    digest_copy(d, def);
    free(d->name);
    d->name = NULL;
    snprintf(where, sizeof where, "%s: digests[%zu]", c->path, i + 1);
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int t = lua_gettop(L);
    if (!lua_istable(L, t)) return bad(err, c->path, "digests", NULL, "[%zu] must be a table", i + 1);
    if (read_digest(L, t, where, d, err) < 0) return -1;
    lua_pop(L, 1);
    if (!d->name) d->name = xasprintf("digest%zu", i + 1);
    if (n > 1 && d->state_file && def->state_file && !strcmp(d->state_file, def->state_file)) {
      /* several digests, one default file */
      free(d->state_file);
      d->state_file = state_file_for(def->state_file, d->name);
    }
    snprintf(where, sizeof where, "%s: digest %s", c->path, d->name);
    if (finish_digest(c, d, where, err) < 0) return -1;
  }
  return 0;
}

/* One top-level key (not `digests`) into c or into the values every digest starts from. */
static int read_top_key(lua_State *L, const char *k, struct config *c, struct digest *def, char *err) {
  int rc = config_is_global_key(k) ? config_global_key(L, k, c, err)
                                   : config_digest_key(L, k, c->path, def, err);
  if (rc == 0)
    return errf(err, "%s: unknown key '%s' (see docs/configuration.md for the keys)", c->path, k);
  return rc < 0 ? -1 : 0;
}

int config_read_table(lua_State *L, int idx, struct config *c, char *err) {
  struct digest def;
  int rc = 0, digests_idx = 0;
  digest_defaults(&def);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    if (lua_type(L, -2) != LUA_TSTRING) {
      rc = errf(err, "%s: the returned table has a key that is not a name", c->path);
      goto cleanup;
    }
    const char *k = lua_tostring(L, -2);
    if (!strcmp(k, "digests")) {
      lua_pushvalue(L, -1);
      lua_insert(L, idx + 1); /* keep it below the iteration */
      digests_idx = idx + 1;
      lua_pop(L, 1);
      continue;
    }
    if ((rc = read_top_key(L, k, c, &def, err)) < 0) goto cleanup;
    lua_pop(L, 1);
  }
  if (digests_idx) {
    rc = read_digests(L, digests_idx, c, &def, err);
  } else {
    c->digests = xcalloc(1, sizeof *c->digests);
    c->ndigests = 1;
    digest_copy(&c->digests[0], &def);
    if (!c->digests[0].name) c->digests[0].name = xstrdup("main");
    rc = finish_digest(c, &c->digests[0], c->path, err);
  }
  if (rc == 0) rc = check_unique(c, err);
cleanup:
  config_digest_clear(&def);
  return rc;
}
