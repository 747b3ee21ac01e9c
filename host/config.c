#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <lauxlib.h>
#include <lua.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log.h"
#include "script.h"

static const char *const digest_keys[] = {
    "name", "plane_api_token", "plane_base_url", "plane_app_url", "workspace", "projects",
    "teams_webhook_url", "hour", "days", "timezone", "max_retries", "rate_limit", "limit",
    "budget", "state_file", "states", "empty", "language", NULL};
static const char *const global_keys[] = {"scripts_dir", "log_level", "log_file", "log_max_bytes",
                                          "log_keep", "metrics_file", "digests", NULL};
static const char *const groups[] = {"backlog", "unstarted", "started", "completed",
                                     "cancelled", "triage", NULL};

static int in_list(const char *const *list, const char *s) {
  for (; *list; list++)
    if (!strcmp(*list, s)) return 1;
  return 0;
}

/* Which variable produced which value while config.lua runs (env() records it), so
 * that an error names a variable only when the rejected value came from it. */
struct origin {
  char *var, *value;
};
static struct {
  struct origin *v;
  size_t n;
} origins;

static void origin_add(const char *var, const char *value, size_t len) {
  origins.v = xrealloc(origins.v, (origins.n + 1) * sizeof *origins.v);
  origins.v[origins.n].var = xstrdup(var);
  origins.v[origins.n++].value = xstrndup(value, len);
}

static void origins_clear(void) {
  for (size_t i = 0; i < origins.n; i++) free(origins.v[i].var), free(origins.v[i].value);
  free(origins.v);
  origins.v = NULL;
  origins.n = 0;
}

static const char *origin_of(const char *value) {
  for (size_t i = 0; value && i < origins.n; i++)
    if (!strcmp(origins.v[i].value, value)) return origins.v[i].var;
  return NULL;
}

/* A value as it may be shown in one line: control bytes escaped, at most 120 bytes.
 * A few buffers in turn, so one message may show two values. */
static const char *esc(const char *s) {
  static char ring[4][500];
  static int next;
  char *out = ring[next++ % 4];
  size_t k = 0;
  for (; *s && k < 480; s++) {
    unsigned char c = (unsigned char)*s;
    if (k >= 120 && (c & 0xC0) != 0x80) {
      k += (size_t)snprintf(out + k, 500 - k, "…");
      break;
    }
    if (c < 0x20 || c == 0x7f) k += (size_t)snprintf(out + k, 500 - k, "\\x%02x", c);
    else out[k++] = (char)c;
  }
  out[k] = 0;
  return out;
}

/* "<where>: <key> <message> [(set by VAR)]"; value is the rejected value (or NULL). */
static int bad(char *err, const char *where, const char *key, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int bad(char *err, const char *where, const char *key, const char *value, const char *fmt, ...) {
  char msg[ERR_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *var = origin_of(value);
  if (var) return errf(err, "%s: %s %s (set by %s)", where, key, msg, var);
  return errf(err, "%s: %s %s", where, key, msg);
}

/* ---- env() ------------------------------------------------------------- */

static int l_env(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  char fname[256], msg[ERR_LEN];
  snprintf(fname, sizeof fname, "%s_FILE", name);
  const char *v = getenv(name), *f = getenv(fname);
  if (v && *v && f && *f) return luaL_error(L, "both %s and %s are set; set only one", name, fname);
  if (f && *f) {
    char *data = NULL;
    size_t len = 0;
    if (read_file(f, &data, &len, msg) < 0) return luaL_error(L, "%s: %s", fname, msg);
    if (len && data[len - 1] == '\n') len--;
    if (len && data[len - 1] == '\r') len--;
    origin_add(fname, data, len);
    lua_pushlstring(L, data, len);
    free(data);
    return 1;
  }
  if (v) {
    origin_add(name, v, strlen(v));
    lua_pushstring(L, v);
    return 1;
  }
  lua_settop(L, 2);
  return 1;
}

/* ---- value readers ----------------------------------------------------- */

/* The value at idx as a string (numbers too); NULL with err for other types.
 * An empty string counts as unset: *out stays NULL. */
static int get_str(lua_State *L, int idx, const char *where, const char *key, char **out, char *err) {
  int t = lua_type(L, idx);
  if (t == LUA_TNIL) return 0;
  if (t != LUA_TSTRING && t != LUA_TNUMBER)
    return bad(err, where, key, NULL, "must be a string, not a %s", lua_typename(L, t));
  const char *s = lua_tostring(L, idx);
  free(*out);
  *out = *s ? xstrdup(s) : NULL;
  return 0;
}

static int get_int(lua_State *L, int idx, const char *where, const char *key, int lo, int hi,
                   int *out, char *err) {
  int t = lua_type(L, idx);
  long long v;
  if (t == LUA_TNIL) return 0;
  if (t == LUA_TNUMBER && lua_isinteger(L, idx)) {
    v = lua_tointeger(L, idx);
  } else if (t == LUA_TSTRING) {
    const char *s = lua_tostring(L, idx);
    char *end;
    if (!*s) return 0;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*end || errno || end == s)
      return bad(err, where, key, s, "= \"%s\" is not a whole number (expected %d to %d)", esc(s), lo, hi);
  } else {
    return bad(err, where, key, NULL, "must be a whole number from %d to %d", lo, hi);
  }
  if (v < lo || v > hi)
    return bad(err, where, key, lua_tostring(L, idx), "= %lld is out of range (expected %d to %d)", v, lo, hi);
  *out = (int)v;
  return 0;
}

int config_parse_hour(const char *s, int *hour, int *minute) {
  int h = 0, m = 0, nd = 0;
  const char *p = s;
  while (isdigit((unsigned char)*p) && nd < 3) h = h * 10 + (*p++ - '0'), nd++;
  if (nd < 1 || nd > 2) return -1;
  if (*p == ':') {
    p++;
    if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1])) return -1;
    m = (p[0] - '0') * 10 + (p[1] - '0');
    p += 2;
  }
  if (*p || h > 23 || m > 59) return -1;
  *hour = h, *minute = m;
  return 0;
}

unsigned config_parse_days(const char *s) {
  static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static const char *const full[] = {"sunday", "monday", "tuesday", "wednesday",
                                     "thursday", "friday", "saturday"};
  if (!strcasecmp(s, "daily") || !strcasecmp(s, "everyday")) return DAYS_ALL;
  if (!strcasecmp(s, "weekdays")) return 0x3e;
  if (!strcasecmp(s, "weekends")) return 0x41;
  unsigned mask = 0;
  char word[16];
  while (*s) {
    size_t n = 0;
    while (*s == ',' || *s == ' ') s++;
    if (!*s) break;
    while (*s && *s != ',' && *s != ' ') {
      if (n + 1 >= sizeof word) return 0;
      word[n++] = (char)tolower((unsigned char)*s++);
    }
    word[n] = 0;
    int found = -1;
    for (int i = 0; i < 7; i++)
      if (!strcmp(word, names[i]) || !strcmp(word, full[i])) found = i;
    if (found < 0) return 0;
    mask |= 1u << found;
  }
  return mask;
}

int config_tz_valid(const char *tz) {
  char path[4096], magic[4];
  const char *dir = getenv("TZDIR");
  if (!tz || !*tz || tz[0] == '/' || tz[0] == ':' || strstr(tz, "..")) return 0;
  for (const char *p = tz; *p; p++)
    if (!(isalnum((unsigned char)*p) || strchr("/_+-", *p))) return 0;
  snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : "/usr/share/zoneinfo", tz);
  FILE *f = fopen(path, "rb");
  if (!f) return 0;
  size_t n = fread(magic, 1, 4, f);
  fclose(f);
  return n == 4 && !memcmp(magic, "TZif", 4);
}

void config_redact_url(const char *url, char *out, size_t n) {
  char scheme[16], host[256];
  if (!url) snprintf(out, n, "(not set)");
  else if (url_host(url, scheme, sizeof scheme, host, sizeof host) < 0) snprintf(out, n, "(redacted)");
  else snprintf(out, n, "%s://%s/…(redacted)", scheme, host);
}

/* ---- digests ----------------------------------------------------------- */

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

static void free_states(struct state_sel *st, size_t n) {
  for (size_t i = 0; i < n; i++) free(st[i].id), free(st[i].name), free(st[i].group);
  free(st);
}

static void free_list(char **l, size_t n) {
  for (size_t i = 0; i < n; i++) free(l[i]);
  free(l);
}

static void digest_clear(struct digest *d) {
  free(d->name), free(d->api_token), free(d->base_url), free(d->app_url);
  free(d->workspace), free(d->webhook_url), free(d->tz), free(d->state_file);
  free(d->language);
  free_list(d->projects, d->nprojects);
  free_states(d->states, d->nstates);
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
  to->projects = xcalloc(from->nprojects, sizeof *to->projects);
  for (size_t i = 0; i < from->nprojects; i++) to->projects[i] = xstrdup(from->projects[i]);
  to->states = xcalloc(from->nstates, sizeof *to->states);
  for (size_t i = 0; i < from->nstates; i++) {
    to->states[i].id = dup_or_null(from->states[i].id);
    to->states[i].name = dup_or_null(from->states[i].name);
    to->states[i].group = dup_or_null(from->states[i].group);
  }
}

static int set_projects(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  char **list = NULL;
  size_t n = 0;
  if (lua_isnil(L, idx)) return 0;
  if (lua_type(L, idx) == LUA_TSTRING) {
    char *copy = xstrdup(lua_tostring(L, idx)), *save = NULL;
    for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
      list = xrealloc(list, (n + 1) * sizeof *list);
      list[n++] = xstrdup(tok);
    }
    free(copy);
  } else if (lua_istable(L, idx)) {
    size_t len = (size_t)lua_rawlen(L, idx);
    for (size_t i = 1; i <= len; i++) {
      lua_rawgeti(L, idx, (lua_Integer)i);
      if (lua_type(L, -1) != LUA_TSTRING) {
        lua_pop(L, 1);
        free_list(list, n);
        return bad(err, where, "projects", NULL, "[%zu] must be a project UUID string", i);
      }
      list = xrealloc(list, (n + 1) * sizeof *list);
      list[n++] = xstrdup(lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  } else {
    return bad(err, where, "projects", NULL, "must be a UUID, a comma-separated list, or a list of UUIDs");
  }
  for (size_t i = 0; i < n; i++) {
    if (!is_uuid(list[i])) {
      bad(err, where, "projects", lua_type(L, idx) == LUA_TSTRING ? lua_tostring(L, idx) : NULL,
          "has \"%s\", which is not a project UUID (like 4af68566-94a4-4eb3-94aa-50dc9427067b)",
          esc(list[i]));
      free_list(list, n);
      return -1;
    }
  }
  free_list(d->projects, d->nprojects);
  d->projects = list, d->nprojects = n;
  return 0;
}

static int set_state_entry(lua_State *L, int idx, const char *where, size_t i, struct state_sel *s,
                           char *err) {
  char key[32];
  snprintf(key, sizeof key, "states[%zu]", i);
  if (lua_type(L, idx) == LUA_TSTRING) {
    s->name = xstrdup(lua_tostring(L, idx));
    return 0;
  }
  if (!lua_istable(L, idx))
    return bad(err, where, key, NULL, "must be a state name or a table {id=, name=, group=}");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
    char **field = !k ? NULL : !strcmp(k, "id") ? &s->id : !strcmp(k, "name") ? &s->name
                 : !strcmp(k, "group") ? &s->group : NULL;
    if (!field) {
      lua_pop(L, 2);
      return bad(err, where, key, NULL, "has an unknown key (expected id, name, group)");
    }
    if (get_str(L, -1, where, key, field, err) < 0) {
      lua_pop(L, 2);
      return -1;
    }
    lua_pop(L, 1);
  }
  if (s->id && !is_uuid(s->id)) return bad(err, where, key, s->id, "id \"%s\" is not a UUID", esc(s->id));
  if (s->group && !in_list(groups, s->group))
    return bad(err, where, key, s->group, "group \"%s\" is not one of backlog, unstarted, started, "
               "completed, cancelled, triage", esc(s->group));
  if (!s->id && !s->name && !s->group) return bad(err, where, key, NULL, "needs an id, a name or a group");
  return 0;
}

static int set_states(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  if (lua_isnil(L, idx)) return 0;
  size_t n = lua_istable(L, idx) ? (size_t)lua_rawlen(L, idx) : 0;
  if (!n) return bad(err, where, "states", NULL, "must be a non-empty list of states");
  struct state_sel *st = xcalloc(n, sizeof *st);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int rc = set_state_entry(L, lua_gettop(L), where, i + 1, &st[i], err);
    lua_pop(L, 1);
    if (rc < 0) {
      free_states(st, n);
      return -1;
    }
  }
  free_states(d->states, d->nstates);
  d->states = st, d->nstates = n;
  return 0;
}

static int set_url(const char *where, const char *key, char **url, int secret, char *err) {
  char scheme[16], host[256];
  if (!*url) return 0;
  if (url_host(*url, scheme, sizeof scheme, host, sizeof host) < 0 ||
      (strcmp(scheme, "https") && strcmp(scheme, "http"))) {
    if (secret) return bad(err, where, key, *url, "is not an http(s) URL");
    return bad(err, where, key, *url, "= \"%s\" is not an http(s) URL", esc(*url));
  }
  return 0;
}

/* Parse key at stack top into d. 1: handled, 0: not a digest key, -1: error. */
static int digest_key(lua_State *L, const char *key, const char *where, struct digest *d, char *err) {
  int v = lua_gettop(L), rc = 0;
  char *s = NULL;
  if (!in_list(digest_keys, key)) return 0;
  if (!strcmp(key, "name")) rc = get_str(L, v, where, key, &d->name, err);
  else if (!strcmp(key, "plane_api_token")) rc = get_str(L, v, where, key, &d->api_token, err);
  else if (!strcmp(key, "plane_base_url")) rc = get_str(L, v, where, key, &d->base_url, err);
  else if (!strcmp(key, "plane_app_url")) rc = get_str(L, v, where, key, &d->app_url, err);
  else if (!strcmp(key, "workspace")) rc = get_str(L, v, where, key, &d->workspace, err);
  else if (!strcmp(key, "teams_webhook_url")) rc = get_str(L, v, where, key, &d->webhook_url, err);
  else if (!strcmp(key, "timezone")) rc = get_str(L, v, where, key, &d->tz, err);
  else if (!strcmp(key, "state_file")) rc = get_str(L, v, where, key, &d->state_file, err);
  else if (!strcmp(key, "language")) {
    /* the languages themselves are card.lua's: the scripts check the name when loaded */
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
    if ((rc = get_str(L, v, where, key, &d->language, err)) == 0 && d->language &&
        (strlen(d->language) > 16 || d->language[strspn(d->language, ok)]))
      rc = bad(err, where, key, d->language,
               "= \"%s\" is not a language name (letters, digits, - or _, e.g. en or fr)",
               esc(d->language));
  } else if (!strcmp(key, "projects")) rc = set_projects(L, v, where, d, err);
  else if (!strcmp(key, "states")) rc = set_states(L, v, where, d, err);
  else if (!strcmp(key, "max_retries")) rc = get_int(L, v, where, key, 0, 20, &d->max_retries, err);
  else if (!strcmp(key, "rate_limit")) rc = get_int(L, v, where, key, 1, 1000000, &d->rate_limit, err);
  else if (!strcmp(key, "limit")) rc = get_int(L, v, where, key, 1, 500, &d->limit, err);
  else if (!strcmp(key, "budget")) {
    int b = (int)d->budget;
    rc = get_int(L, v, where, key, 2000, 28000, &b, err);
    d->budget = (size_t)b;
  } else if (!strcmp(key, "hour")) {
    if ((rc = get_str(L, v, where, key, &s, err)) == 0 && s &&
        config_parse_hour(s, &d->hour, &d->minute) < 0)
      rc = bad(err, where, key, s, "= \"%s\" is not a time of day; use H or HH:MM on a 24 h clock, "
               "e.g. 8 or 08:30", esc(s));
  } else if (!strcmp(key, "days")) {
    if ((rc = get_str(L, v, where, key, &s, err)) == 0 && s && !(d->days = config_parse_days(s)))
      rc = bad(err, where, key, s, "= \"%s\" is not a list of days; use daily, weekdays, weekends "
               "or names such as mon,wed,fri", esc(s));
  } else if (!strcmp(key, "empty")) {
    if ((rc = get_str(L, v, where, key, &s, err)) == 0 && s) {
      if (!strcmp(s, "post") || !strcmp(s, "skip")) d->empty_skip = !strcmp(s, "skip");
      else rc = bad(err, where, key, s, "= \"%s\" must be \"post\" or \"skip\"", esc(s));
    }
  }
  free(s);
  return rc < 0 ? -1 : 1;
}

/* The userinfo of a URL (scheme://user:password@host/…) is a credential. */
static const char *userinfo_span(const char *url, size_t *len) {
  const char *p = strstr(url, "://");
  if (!p) return NULL;
  p += 3;
  size_t n = strcspn(p, "/?#");
  const char *at = NULL;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '@') at = p + i;
  if (!at) return NULL;
  *len = (size_t)(at - p);
  return p;
}

static int url_userinfo(const char *url, char *out, size_t n) {
  size_t len;
  const char *p = userinfo_span(url, &len);
  if (!p || !len) return -1;
  snprintf(out, n, "%.*s", (int)len, p);
  return 0;
}

static void url_strip_userinfo(char *url) {
  size_t len;
  char *p = (char *)userinfo_span(url, &len);
  if (p) memmove(p, p + len + 1, strlen(p + len + 1) + 1);
}

/* For showing: scheme://(redacted)@host/… */
static void url_redact_userinfo(char *url, size_t n) {
  size_t len;
  const char *p = userinfo_span(url, &len);
  if (!p) return;
  char *rest = xstrdup(p + len);
  snprintf((char *)p, n - (size_t)(p - url), "(redacted)%s", rest);
  free(rest);
}

#define MAX_TOKEN 1000 /* a Plane key is 42 characters */
#define MAX_URL 8000

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

static void add_warning(struct config *c, char *w) {
  c->warnings = xrealloc(c->warnings, (c->nwarnings + 1) * sizeof *c->warnings);
  c->warnings[c->nwarnings++] = w;
}

static int finish_digest(struct config *c, struct digest *d, const char *where, char *err) {
  char scheme[16], host[256];
  if (!d->base_url) d->base_url = xstrdup("https://api.plane.so");
  while (strlen(d->base_url) > 1 && d->base_url[strlen(d->base_url) - 1] == '/')
    d->base_url[strlen(d->base_url) - 1] = 0;
  strip_suffix(d->base_url, "/api/v1");
  strip_suffix(d->base_url, "/");
  if (set_url(where, "plane_base_url", &d->base_url, 0, err) < 0) return -1;
  url_host(d->base_url, scheme, sizeof scheme, host, sizeof host);
  if (!strcmp(scheme, "http") && !is_loopback_host(host))
    add_warning(c, xasprintf("%s: plane_base_url uses plain http to %s: the API key travels "
                             "unencrypted", where, host));
  if (!d->app_url) {
    d->app_url = xstrdup(!strcasecmp(host, "api.plane.so") ? "https://app.plane.so" : d->base_url);
  }
  url_strip_userinfo(d->app_url); /* credentials for the API never go into links */
  while (strlen(d->app_url) > 1 && d->app_url[strlen(d->app_url) - 1] == '/')
    d->app_url[strlen(d->app_url) - 1] = 0;
  if (set_url(where, "plane_app_url", &d->app_url, 0, err) < 0) return -1;
  if (check_secret(where, "plane_api_token", d->api_token, MAX_TOKEN, err) < 0 ||
      check_secret(where, "teams_webhook_url", d->webhook_url, MAX_URL, err) < 0)
    return -1;
  if (d->webhook_url) {
    if (set_url(where, "teams_webhook_url", &d->webhook_url, 1, err) < 0) return -1;
    url_host(d->webhook_url, scheme, sizeof scheme, host, sizeof host);
    if (strcmp(scheme, "https") && !is_loopback_host(host))
      return bad(err, where, "teams_webhook_url", d->webhook_url, "must use https (plain http is accepted only "
                 "for a loopback host such as 127.0.0.1 or localhost; host here: %s)", host);
  }
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

static int global_key(lua_State *L, const char *key, struct config *c, char *err) {
  int v = lua_gettop(L), rc = 0;
  char *s = NULL;
  if (!strcmp(key, "scripts_dir")) rc = get_str(L, v, c->path, key, &c->scripts_dir, err);
  else if (!strcmp(key, "log_file")) {
    if (lua_type(L, v) == LUA_TSTRING && !*lua_tostring(L, v)) {
      free(c->log_file);
      c->log_file = NULL;
    } else {
      rc = get_str(L, v, c->path, key, &c->log_file, err);
    }
  } else if (!strcmp(key, "metrics_file")) rc = get_str(L, v, c->path, key, &c->metrics_file, err);
  else if (!strcmp(key, "log_keep")) rc = get_int(L, v, c->path, key, 0, 100, &c->log_keep, err);
  else if (!strcmp(key, "log_max_bytes")) {
    int mb = (int)c->log_max_bytes;
    rc = get_int(L, v, c->path, key, 1024, 1 << 30, &mb, err);
    c->log_max_bytes = (size_t)mb;
  } else if (!strcmp(key, "log_level")) {
    if ((rc = get_str(L, v, c->path, key, &s, err)) == 0 && s) {
      c->log_level = log_level_parse(s);
      if (c->log_level < 0)
        rc = bad(err, c->path, key, s, "= \"%s\" must be debug, info, warning or error", esc(s));
    }
  }
  free(s);
  return rc;
}

static int parse_digests(lua_State *L, int idx, struct config *c, const struct digest *def, char *err) {
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
    lua_pushnil(L);
    while (lua_next(L, t)) {
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
      int rc = digest_key(L, k, where, d, err);
      if (rc == 0)
        return errf(err, "%s: unknown key '%s'%s", where, k,
                    in_list(global_keys, k) ? " (it belongs at the top level)" : "");
      if (rc < 0) return -1;
      lua_pop(L, 1);
    }
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

static int parse_config(lua_State *L, int idx, struct config *c, char *err) {
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
    if (in_list(global_keys, k)) rc = global_key(L, k, c, err);
    else if ((rc = digest_key(L, k, c->path, &def, err)) == 0)
      rc = errf(err, "%s: unknown key '%s' (see docs/configuration.md for the keys)", c->path, k);
    if (rc < 0) goto cleanup;
    rc = 0;
    lua_pop(L, 1);
  }
  if (digests_idx) {
    rc = parse_digests(L, digests_idx, c, &def, err);
  } else {
    c->digests = xcalloc(1, sizeof *c->digests);
    c->ndigests = 1;
    digest_copy(&c->digests[0], &def);
    if (!c->digests[0].name) c->digests[0].name = xstrdup("main");
    rc = finish_digest(c, &c->digests[0], c->path, err);
  }
  if (rc == 0) rc = check_unique(c, err);
cleanup:
  digest_clear(&def);
  return rc;
}

/* ---- loading ----------------------------------------------------------- */

int config_load(const char *path, struct config **out, char *err) {
  struct config *c = xcalloc(1, sizeof *c);
  lua_State *L = script_lua_new();
  int rc = -1;
  c->path = xstrdup(path);
  c->log_level = LOG_INFO;
  c->log_file = xstrdup("logs/plane-teams.log");
  c->log_max_bytes = 10u << 20;
  c->log_keep = 5;
  if (!L) {
    errf(err, "cannot create a Lua state for %s (out of memory)", path);
    goto cleanup;
  }
  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    if (strstr(m, "cannot open")) errf(err, "cannot read the configuration file %s", path);
    else errf(err, "the configuration file has a syntax error: %s", m);
    err_one_line(err);
    goto cleanup;
  }
  script_push_sandbox_base(L);
  lua_pushcfunction(L, l_env);
  lua_setfield(L, -2, "env");
  lua_setupvalue(L, -2, 1);
  if (script_pcall(L, 0, 1, err) < 0) {
    errctx(err, "the configuration file %s failed", path);
    goto cleanup;
  }
  if (!lua_istable(L, -1)) {
    errf(err, "%s must return a table of settings (it returned %s)", path, luaL_typename(L, -1));
    goto cleanup;
  }
  rc = parse_config(L, lua_gettop(L), c, err);
cleanup:
  origins_clear();
  script_lua_close(L);
  if (rc < 0) {
    err_one_line(err); /* a value quoted from the file may hold a line break */
    config_free(c);
    return -1;
  }
  *out = c;
  return 0;
}

int config_require(const struct config *c, unsigned need, char *err) {
  for (size_t i = 0; i < c->ndigests; i++) {
    const struct digest *d = &c->digests[i];
    char where[600];
    if (c->ndigests > 1) snprintf(where, sizeof where, "%s: digest %s", c->path, d->name);
    else snprintf(where, sizeof where, "%s", c->path);
    if (!d->workspace) return bad(err, where, "workspace", NULL, "is required (the slug in app.plane.so/<slug>/)");
    if ((need & (CONFIG_NEED_PLANE | CONFIG_NEED_TOKEN)) && !d->api_token)
      return bad(err, where, "plane_api_token", NULL, "is required: the Plane API key, sent as X-API-Key");
    if ((need & CONFIG_NEED_PLANE) && !d->nprojects)
      return bad(err, where, "projects", NULL, "is required: one or more project UUIDs "
                 "(`plane-teams discover` lists them)");
    if ((need & CONFIG_NEED_TEAMS) && !d->webhook_url)
      return bad(err, where, "teams_webhook_url", NULL, "is required to post: the Teams webhook's URL");
  }
  return 0;
}

void config_free(struct config *c) {
  if (!c) return;
  for (size_t i = 0; i < c->ndigests; i++) digest_clear(&c->digests[i]);
  free(c->digests);
  free_list(c->warnings, c->nwarnings);
  free(c->path), free(c->scripts_dir), free(c->log_file), free(c->metrics_file);
  free(c);
}

static void register_secrets(const struct config *c) {
  for (size_t i = 0; i < c->ndigests; i++) {
    char info[1024];
    log_add_secret(c->digests[i].api_token);
    log_add_secret(c->digests[i].webhook_url);
    if (url_userinfo(c->digests[i].base_url, info, sizeof info) == 0) log_add_secret(info);
  }
}

int config_apply(const struct config *c, int open_log, char *err) {
  register_secrets(c);
  log_set_level((enum log_level)c->log_level);
  for (size_t i = 0; i < c->nwarnings; i++) log_warn(NULL, NULL, "%s", c->warnings[i]);
  if (open_log && log_open_file(c->log_file, c->log_max_bytes, c->log_keep, err) < 0) return -1;
  return 0;
}

static void describe_days(unsigned days, struct buf *out) {
  static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (days == DAYS_ALL) {
    buf_adds(out, "daily");
    return;
  }
  int first = 1;
  for (int i = 1; i <= 7; i++) {
    int d = i % 7;
    if (!(days & (1u << d))) continue;
    buf_printf(out, "%s%s", first ? "" : ",", names[d]);
    first = 0;
  }
}

void config_describe(const struct config *c, struct buf *out) {
  buf_printf(out, "config: %s\n", c->path);
  buf_printf(out, "log_level: %s\n", log_level_name((enum log_level)c->log_level));
  buf_printf(out, "log_file: %s\n", c->log_file ? c->log_file : "(none)");
  if (c->metrics_file) buf_printf(out, "metrics_file: %s\n", c->metrics_file);
  for (size_t i = 0; i < c->ndigests; i++) {
    const struct digest *d = &c->digests[i];
    char hook[300];
    config_redact_url(d->webhook_url, hook, sizeof hook);
    buf_printf(out, "digest %s:\n", d->name);
    buf_printf(out, "  plane_api_token: %s\n", !d->api_token ? "(not set)"
               : !strncmp(d->api_token, "plane_api_", 10) ? "plane_api_…(redacted)" : "…(redacted)");
    char base[1024];
    snprintf(base, sizeof base, "%s", d->base_url);
    url_redact_userinfo(base, sizeof base);
    buf_printf(out, "  plane_base_url: %s\n  plane_app_url: %s\n", base, d->app_url);
    buf_printf(out, "  workspace: %s\n  projects:", d->workspace ? d->workspace : "(not set)");
    for (size_t j = 0; j < d->nprojects; j++) buf_printf(out, " %s", d->projects[j]);
    buf_printf(out, "%s\n  teams_webhook_url: %s\n", d->nprojects ? "" : " (none)", hook);
    buf_printf(out, "  schedule: %02d:%02d ", d->hour, d->minute);
    describe_days(d->days, out);
    buf_printf(out, " (%s)\n", d->tz ? d->tz : "system local time");
    buf_printf(out, "  limit: %d rows, budget: %zu bytes, empty: %s, language: %s\n", d->limit,
               d->budget, d->empty_skip ? "skip" : "post", d->language ? d->language : "en");
    buf_adds(out, "  states:");
    for (size_t j = 0; j < d->nstates; j++) {
      const struct state_sel *s = &d->states[j];
      buf_printf(out, "%s %s", j ? "," : "", s->name ? s->name : s->id ? s->id : s->group);
      if (s->group && (s->name || s->id)) buf_printf(out, " (%s)", s->group);
    }
    buf_printf(out, "\n  max_retries: %d, rate_limit: %d/min\n  state_file: %s\n", d->max_retries,
               d->rate_limit, d->state_file);
  }
}
