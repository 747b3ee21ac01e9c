/* The `options` key: a table of plain values for the scripts (ctx.options), read from
 * config.lua into C, at the top level and per digest; a digest's keys replace the
 * top-level ones of the same name (a shallow merge). Anything but strings, numbers,
 * booleans and tables of them is an error naming its path (digests[2].options.focus). */
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parts.h"
#include "options.h"

#define bad config_bad

void opt_free(struct opt *items, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(items[i].name);
    free(items[i].s);
    opt_free(items[i].items, items[i].nitems);
  }
  free(items);
}

struct opt *opt_copy(const struct opt *items, size_t n) {
  if (!n) return NULL;
  struct opt *out = xcalloc(n, sizeof *out);
  for (size_t i = 0; i < n; i++) {
    out[i] = items[i];
    out[i].name = items[i].name ? xstrdup(items[i].name) : NULL;
    if (items[i].s) {
      out[i].s = xcalloc(items[i].len + 1, 1);
      memcpy(out[i].s, items[i].s, items[i].len);
    }
    out[i].items = opt_copy(items[i].items, items[i].nitems);
  }
  return out;
}

void opt_merge(struct opt **items, size_t *n, struct opt *add, size_t nadd) {
  for (size_t k = 0; k < nadd; k++) {
    size_t i = 0;
    while (i < *n && strcmp((*items)[i].name, add[k].name)) i++;
    if (i < *n) {
      opt_free((*items)[i].items, (*items)[i].nitems);
      free((*items)[i].name), free((*items)[i].s);
    } else {
      *items = xrealloc(*items, (*n + 1) * sizeof **items);
      (*n)++;
    }
    (*items)[i] = add[k];
  }
  free(add);
}

/* ---- reading ------------------------------------------------------------- */

/* path: "options.focus", "options.people[2]" */
static int read_table(lua_State *L, int idx, const char *where, const char *path, int depth,
                      struct opt **out, size_t *nout, char *err);

static int read_value(lua_State *L, int idx, const char *where, const char *path, int depth,
                      struct opt *o, char *err) {
  switch (lua_type(L, idx)) {
    case LUA_TSTRING: {
      const char *s = lua_tolstring(L, idx, &o->len);
      o->type = OPT_STR;
      o->s = xcalloc(o->len + 1, 1);
      memcpy(o->s, s, o->len);
      return 0;
    }
    case LUA_TBOOLEAN: o->type = OPT_BOOL, o->b = lua_toboolean(L, idx); return 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) o->type = OPT_INT, o->i = (long long)lua_tointeger(L, idx);
      else o->type = OPT_NUM, o->n = (double)lua_tonumber(L, idx);
      return 0;
    case LUA_TTABLE:
      if (depth >= OPT_MAX_DEPTH)
        return bad(err, where, path, NULL, "is nested too deep: options hold tables at most %d levels "
                   "down (options.a.b.c = { … })", OPT_MAX_DEPTH - 1);
      o->type = OPT_TABLE;
      return read_table(L, idx, where, path, depth + 1, &o->items, &o->nitems, err);
    default:
      return bad(err, where, path, NULL, "is a %s: options hold strings, numbers, booleans and tables "
                 "of them", luaL_typename(L, idx));
  }
}

static int read_entry(lua_State *L, int idx, const char *where, const char *path, int depth,
                      struct opt *o, char *err) {
  char sub[300];
  int kt = lua_type(L, -2);
  if (kt == LUA_TSTRING) {
    o->name = xstrdup(lua_tostring(L, -2));
    snprintf(sub, sizeof sub, "%s.%s", path, config_esc(o->name));
  } else if (kt == LUA_TNUMBER && lua_isinteger(L, -2) && depth > 1) {
    o->index = (long long)lua_tointeger(L, -2);
    snprintf(sub, sizeof sub, "%s[%lld]", path, o->index);
  } else {
    return bad(err, where, path, NULL, "has a key that is a %s: %s", luaL_typename(L, -2),
               depth > 1 ? "keys are names or whole numbers" : "options are named (options = { focus = … })");
  }
  (void)idx;
  return read_value(L, lua_gettop(L), where, sub, depth, o, err);
}

static int read_table(lua_State *L, int idx, const char *where, const char *path, int depth,
                      struct opt **out, size_t *nout, char *err) {
  luaL_checkstack(L, 4, "options");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    *out = xrealloc(*out, (*nout + 1) * sizeof **out);
    struct opt *o = &(*out)[(*nout)++];
    memset(o, 0, sizeof *o);
    if (read_entry(L, idx, where, path, depth, o, err) < 0) {
      lua_pop(L, 2);
      return -1;
    }
    lua_pop(L, 1);
  }
  return 0;
}

static int by_name(const void *a, const void *b) {
  return strcmp(((const struct opt *)a)->name, ((const struct opt *)b)->name);
}

int config_read_options(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  struct opt *items = NULL;
  size_t n = 0;
  char at[600];
  if (lua_isnil(L, idx)) return 0;
  /* "config.lua: digests[2]" + "options.focus" gives "config.lua: digests[2].options.focus" */
  const char *cut = strstr(where, ": digests[");
  size_t wl = strlen(where);
  int in_digest = cut && where[wl - 1] == ']';
  snprintf(at, sizeof at, "%.*s", in_digest ? (int)(cut - where) : (int)wl, where);
  const char *path = in_digest ? cut + 2 : NULL;
  char base[300];
  snprintf(base, sizeof base, "%s%soptions", path ? path : "", path ? "." : "");
  if (!lua_istable(L, idx))
    return errf(err, "%s: %s must be a table of named values (options = { focus = \"Ada\" }), not a %s",
                at, base, luaL_typename(L, idx));
  if (read_table(L, idx, at, base, 1, &items, &n, err) < 0) {
    opt_free(items, n);
    return -1;
  }
  opt_merge(&d->options, &d->noptions, items, n);
  if (d->noptions) qsort(d->options, d->noptions, sizeof *d->options, by_name); /* check lists them so */
  return 0;
}
