/* Reading one key of config.lua's table into its field: a table of keys, each with the
 * reader for its kind of value and where the value goes. */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_parts.h"
#include "log.h"

#define bad config_bad
#define esc config_esc

static const char *const groups[] = {"backlog", "unstarted", "started", "completed",
                                     "cancelled", "triage", NULL};

/* ---- plain values ------------------------------------------------------- */

/* The value at idx as a string (numbers too); NULL with err for other types.
 * An empty string counts as unset: *out becomes NULL. */
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

/* ---- the key table ------------------------------------------------------ */

/* One key: its name, its reader, where its value goes (an offset into struct digest or
 * struct config) and, for numbers, the accepted range. */
struct key;
typedef int (*reader)(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err);
struct key {
  const char *name;
  reader read;
  size_t off;
  int lo, hi;
};

#define FIELD(obj, k, type) ((type *)((char *)(obj) + (k)->off))

static int read_str(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return get_str(L, v, where, k->name, FIELD(obj, k, char *), err);
}

static int read_int(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return get_int(L, v, where, k->name, k->lo, k->hi, FIELD(obj, k, int), err);
}

static int read_size(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  size_t *out = FIELD(obj, k, size_t);
  int n = (int)*out, rc = get_int(L, v, where, k->name, k->lo, k->hi, &n, err);
  *out = (size_t)n;
  return rc;
}

/* A proxy URL: "" is kept (no proxy at all), unlike other strings where "" means unset. */
static int read_proxy(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  char **out = FIELD(obj, k, char *);
  int t = lua_type(L, v);
  if (t == LUA_TNIL) return 0;
  if (t != LUA_TSTRING) return bad(err, where, k->name, NULL, "must be a string, not a %s", lua_typename(L, t));
  const char *s = lua_tostring(L, v);
  if (!net_proxy_valid(s))
    return bad(err, where, k->name, s, "must be a proxy URL such as http://proxy.example.com:3128 (http, https, "
               "socks4, socks4a, socks5 or socks5h), or \"\" for none");
  free(*out);
  *out = xstrdup(s);
  return 0;
}

/* A string value checked by a function: read into a scratch string, then checked. */
static int read_checked(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                        int (*check)(const char *s, const char *where, const char *key, void *obj,
                                     char *err),
                        char *err) {
  char *s = NULL;
  int rc = get_str(L, v, where, k->name, &s, err);
  if (rc == 0 && s) rc = check(s, where, k->name, obj, err);
  free(s);
  return rc;
}

static int check_hour(const char *s, const char *where, const char *key, void *obj, char *err) {
  struct digest *d = obj;
  if (config_parse_hour(s, &d->hour, &d->minute) == 0) return 0;
  return bad(err, where, key, s, "= \"%s\" is not a time of day; use H or HH:MM on a 24 h clock, "
             "e.g. 8 or 08:30", esc(s));
}

static int check_days(const char *s, const char *where, const char *key, void *obj, char *err) {
  struct digest *d = obj;
  if ((d->days = config_parse_days(s))) return 0;
  return bad(err, where, key, s, "= \"%s\" is not a list of days; use daily, weekdays, weekends "
             "or names such as mon,wed,fri", esc(s));
}

static int check_empty(const char *s, const char *where, const char *key, void *obj, char *err) {
  struct digest *d = obj;
  if (strcmp(s, "post") && strcmp(s, "skip"))
    return bad(err, where, key, s, "= \"%s\" must be \"post\" or \"skip\"", esc(s));
  d->empty_skip = !strcmp(s, "skip");
  return 0;
}

static int check_level(const char *s, const char *where, const char *key, void *obj, char *err) {
  struct config *c = obj;
  c->log_level = log_level_parse(s);
  if (c->log_level < 0)
    return bad(err, where, key, s, "= \"%s\" must be debug, info, warning or error", esc(s));
  return 0;
}

static int read_hour(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return read_checked(L, v, where, k, obj, check_hour, err);
}
static int read_days(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return read_checked(L, v, where, k, obj, check_days, err);
}
static int read_empty(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return read_checked(L, v, where, k, obj, check_empty, err);
}
static int read_level(lua_State *L, int v, const char *where, const struct key *k, void *obj, char *err) {
  return read_checked(L, v, where, k, obj, check_level, err);
}

/* The languages themselves are card.lua's: the scripts check the name when loaded. */
static int read_language(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                         char *err) {
  static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  struct digest *d = obj;
  if (get_str(L, v, where, k->name, &d->language, err) < 0) return -1;
  if (d->language && (strlen(d->language) > 16 || d->language[strspn(d->language, ok)]))
    return bad(err, where, k->name, d->language,
               "= \"%s\" is not a language name (letters, digits, - or _, e.g. en or fr)",
               esc(d->language));
  return 0;
}

/* ---- projects and states ------------------------------------------------ */

static int read_projects(lua_State *L, int idx, const char *where, const struct key *k, void *obj,
                         char *err) {
  struct digest *d = obj;
  char **list = NULL;
  size_t n = 0;
  (void)k;
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
        config_free_list(list, n);
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
      config_free_list(list, n);
      return -1;
    }
  }
  config_free_list(d->projects, d->nprojects);
  d->projects = list, d->nprojects = n;
  return 0;
}

static void free_states(struct state_sel *st, size_t n) {
  for (size_t i = 0; i < n; i++) free(st[i].id), free(st[i].name), free(st[i].group);
  free(st);
}

static int in_groups(const char *s) {
  for (const char *const *g = groups; *g; g++)
    if (!strcmp(*g, s)) return 1;
  return 0;
}

static int read_state_entry(lua_State *L, int idx, const char *where, size_t i, struct state_sel *s,
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
  if (s->group && !in_groups(s->group))
    return bad(err, where, key, s->group, "group \"%s\" is not one of backlog, unstarted, started, "
               "completed, cancelled, triage", esc(s->group));
  if (!s->id && !s->name && !s->group) return bad(err, where, key, NULL, "needs an id, a name or a group");
  return 0;
}

static int read_states(lua_State *L, int idx, const char *where, const struct key *k, void *obj,
                       char *err) {
  struct digest *d = obj;
  (void)k;
  if (lua_isnil(L, idx)) return 0;
  size_t n = lua_istable(L, idx) ? (size_t)lua_rawlen(L, idx) : 0;
  if (!n) return bad(err, where, "states", NULL, "must be a non-empty list of states");
  struct state_sel *st = xcalloc(n, sizeof *st);
  for (size_t i = 0; i < n; i++) {
    lua_rawgeti(L, idx, (lua_Integer)i + 1);
    int rc = read_state_entry(L, lua_gettop(L), where, i + 1, &st[i], err);
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

void config_free_states(struct state_sel *st, size_t n) { free_states(st, n); }

static int read_holidays(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                         char *err) {
  (void)k;
  return config_read_holidays(L, v, where, obj, err);
}

static int read_mentions(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                         char *err) {
  (void)k;
  return config_read_mentions(L, v, where, obj, err);
}

static int read_mention_ids(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                            char *err) {
  (void)k;
  return config_read_mention_ids(L, v, where, obj, err);
}

static int read_options(lua_State *L, int v, const char *where, const struct key *k, void *obj,
                        char *err) {
  (void)k;
  return config_read_options(L, v, where, obj, err);
}

/* ---- the tables --------------------------------------------------------- */

#define D(f) offsetof(struct digest, f)
#define C(f) offsetof(struct config, f)

static const struct key digest_keys[] = {
    {"name", read_str, D(name), 0, 0},
    {"plane_api_token", read_str, D(api_token), 0, 0},
    {"plane_base_url", read_str, D(base_url), 0, 0},
    {"plane_app_url", read_str, D(app_url), 0, 0},
    {"workspace", read_str, D(workspace), 0, 0},
    {"projects", read_projects, 0, 0, 0},
    {"teams_webhook_url", read_str, D(webhook_url), 0, 0},
    {"plane_proxy", read_proxy, D(plane.proxy), 0, 0},
    {"teams_proxy", read_proxy, D(teams.proxy), 0, 0},
    {"plane_ca_file", read_str, D(plane.ca_file), 0, 0},
    {"teams_ca_file", read_str, D(teams.ca_file), 0, 0},
    {"hour", read_hour, 0, 0, 0},
    {"days", read_days, 0, 0, 0},
    {"timezone", read_str, D(tz), 0, 0},
    {"max_retries", read_int, D(max_retries), 0, 20},
    {"rate_limit", read_int, D(rate_limit), 1, 1000000},
    {"limit", read_int, D(limit), 1, 500},
    {"budget", read_size, D(budget), 2000, 28000},
    {"state_file", read_str, D(state_file), 0, 0},
    {"states", read_states, 0, 0, 0},
    {"empty", read_empty, 0, 0, 0},
    {"language", read_language, 0, 0, 0},
    {"holidays", read_holidays, 0, 0, 0},
    {"mentions", read_mentions, 0, 0, 0},
    {"mention_ids", read_mention_ids, 0, 0, 0},
    {"options", read_options, 0, 0, 0},
    {NULL, NULL, 0, 0, 0}};

static const struct key global_keys[] = {
    {"scripts_dir", read_str, C(scripts_dir), 0, 0},
    {"log_level", read_level, 0, 0, 0},
    {"log_file", read_str, C(log_file), 0, 0}, /* "" turns the file off */
    {"log_max_bytes", read_size, C(log_max_bytes), 1024, 1 << 30},
    {"log_keep", read_int, C(log_keep), 0, 100},
    {"metrics_file", read_str, C(metrics_file), 0, 0},
    {"digests", NULL, 0, 0, 0}, /* read by config_read_table */
    {NULL, NULL, 0, 0, 0}};

static const struct key *find(const struct key *table, const char *name) {
  for (; table->name; table++)
    if (!strcmp(table->name, name)) return table;
  return NULL;
}

int config_digest_key(lua_State *L, const char *key, const char *where, struct digest *d, char *err) {
  const struct key *k = find(digest_keys, key);
  if (!k) return 0;
  return k->read(L, lua_gettop(L), where, k, d, err) < 0 ? -1 : 1;
}

int config_global_key(lua_State *L, const char *key, struct config *c, char *err) {
  const struct key *k = find(global_keys, key);
  if (!k || !k->read) return 0;
  return k->read(L, lua_gettop(L), c->path, k, c, err) < 0 ? -1 : 1;
}

int config_is_global_key(const char *key) { return find(global_keys, key) != NULL; }
