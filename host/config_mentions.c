/* The `mentions` and `mention_ids` keys: whether the card @mentions assignees, and the
 * Teams id (UPN or Entra object id) of a Plane user, by user id or display name. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config_parts.h"

#define bad config_bad
#define esc config_esc

/* true/false, or a string as env() gives it: 1/0, true/false, yes/no, on/off ("" = unset). */
int config_read_mentions(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  static const char *const yes[] = {"1", "true", "yes", "on", NULL}, *const no[] = {"0", "false", "no", "off", NULL};
  int t = lua_type(L, idx);
  if (t == LUA_TNIL) return 0;
  if (t == LUA_TBOOLEAN) {
    d->mentions = lua_toboolean(L, idx);
    return 0;
  }
  if (t != LUA_TSTRING)
    return bad(err, where, "mentions", NULL, "must be true or false, not a %s", lua_typename(L, t));
  const char *s = lua_tostring(L, idx);
  if (!*s) return 0;
  for (int i = 0; yes[i]; i++)
    if (!strcasecmp(s, yes[i])) return d->mentions = 1, 0;
  for (int i = 0; no[i]; i++)
    if (!strcasecmp(s, no[i])) return d->mentions = 0, 0;
  return bad(err, where, "mentions", s, "= \"%s\" must be true or false (or 1/0, yes/no, on/off)", esc(s));
}

/* A Teams id: a UPN (name@domain, no spaces or control bytes) or an Entra object id (a UUID). */
static int teams_id_valid(const char *s) {
  const char *at = strchr(s, '@');
  if (is_uuid(s)) return 1;
  if (!at || at == s || !at[1] || strchr(at + 1, '@') || strlen(s) > 256) return 0;
  for (const char *p = s; *p; p++)
    if ((unsigned char)*p <= ' ' || strchr("<>\"", *p)) return 0;
  return 1;
}

void config_free_mention_ids(struct mention_id *m, size_t n) {
  for (size_t i = 0; i < n; i++) free(m[i].who), free(m[i].id);
  free(m);
}

static int read_pair(lua_State *L, const char *where, struct mention_id *m, char *err) {
  if (lua_type(L, -2) != LUA_TSTRING || !*lua_tostring(L, -2))
    return bad(err, where, "mention_ids", NULL, "keys must be Plane user ids or display names (strings)");
  const char *who = lua_tostring(L, -2);
  if (lua_type(L, -1) != LUA_TSTRING)
    return bad(err, where, "mention_ids", NULL, "[\"%s\"] must be a string (a UPN or an Entra object id)", esc(who));
  const char *id = lua_tostring(L, -1);
  if (!teams_id_valid(id))
    return bad(err, where, "mention_ids", NULL, "[\"%s\"] = \"%s\" is neither a UPN (name@domain) nor an Entra "
               "object id (a UUID)", esc(who), esc(id));
  m->who = xstrdup(who);
  m->id = xstrdup(id);
  return 0;
}

/* { ["<Plane user id or display name>"] = "<UPN or object id>" }; replaces what d had. */
int config_read_mention_ids(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  if (lua_isnil(L, idx)) return 0;
  if (!lua_istable(L, idx))
    return bad(err, where, "mention_ids", NULL, "must be a table { [\"Plane user id or name\"] = \"UPN\" }");
  struct mention_id *list = NULL;
  size_t n = 0;
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    list = xrealloc(list, (n + 1) * sizeof *list);
    memset(&list[n], 0, sizeof *list);
    if (read_pair(L, where, &list[n], err) < 0) {
      lua_pop(L, 2);
      config_free_mention_ids(list, n);
      return -1;
    }
    n++;
    lua_pop(L, 1);
  }
  config_free_mention_ids(d->mention_ids, d->nmention_ids);
  d->mention_ids = list, d->nmention_ids = n;
  return 0;
}
