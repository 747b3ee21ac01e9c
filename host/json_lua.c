/* Lua tables to JSON for the host (cards, envelopes): a stable key order, an empty
 * table as [], strings checked as UTF-8. */
#include "json_lua.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

#define MAX_DEPTH JSON_MAX_DEPTH

struct enc {
  lua_State *L;
  struct buf *out;
  char path[256];
  char *err;
};

static int key_rank(const char *k) {
  static const char *first[] = {"type", "$schema", "version", "msteams"};
  for (int i = 0; i < 4; i++)
    if (!strcmp(k, first[i])) return i;
  return 4;
}

static int key_cmp(const void *a, const void *b) {
  const char *x = *(const char *const *)a, *y = *(const char *const *)b;
  int rx = key_rank(x), ry = key_rank(y);
  if (rx != ry) return rx - ry;
  return strcmp(x, y);
}

static int enc_value(struct enc *e, int idx, int depth);

static int enc_fail(struct enc *e, const char *what) {
  return errf(e->err, "%s: %s", e->path, what);
}

static size_t path_push(struct enc *e, const char *key, lua_Integer i) {
  size_t old = strlen(e->path);
  if (key) snprintf(e->path + old, sizeof e->path - old, ".%s", key);
  else snprintf(e->path + old, sizeof e->path - old, "[%lld]", (long long)i);
  return old;
}

static int enc_array(struct enc *e, int idx, lua_Integer n, int depth) {
  buf_addc(e->out, '[');
  for (lua_Integer i = 1; i <= n; i++) {
    if (i > 1) buf_addc(e->out, ',');
    lua_rawgeti(e->L, idx, i);
    size_t old = path_push(e, NULL, i);
    int rc = enc_value(e, lua_gettop(e->L), depth + 1);
    e->path[old] = 0;
    lua_pop(e->L, 1);
    if (rc < 0) return rc;
  }
  buf_addc(e->out, ']');
  return 0;
}

static int enc_object(struct enc *e, int idx, size_t count, int depth) {
  const char **keys = xcalloc(count, sizeof *keys);
  size_t n = 0;
  int rc = 0;
  lua_pushnil(e->L);
  while (lua_next(e->L, idx)) {
    lua_pop(e->L, 1);
    if (lua_type(e->L, -1) != LUA_TSTRING) {
      lua_pop(e->L, 1);
      rc = enc_fail(e, "a table mixes list items and named keys (or has a non-string key)");
      goto cleanup;
    }
    keys[n++] = lua_tostring(e->L, -1); /* the string stays alive in the table */
  }
  qsort(keys, n, sizeof *keys, key_cmp);
  buf_addc(e->out, '{');
  for (size_t i = 0; i < n; i++) {
    if (i) buf_addc(e->out, ',');
    json_add_string(e->out, keys[i]);
    buf_addc(e->out, ':');
    lua_getfield(e->L, idx, keys[i]);
    size_t old = path_push(e, keys[i], 0);
    rc = enc_value(e, lua_gettop(e->L), depth + 1);
    e->path[old] = 0;
    lua_pop(e->L, 1);
    if (rc < 0) goto cleanup;
  }
  buf_addc(e->out, '}');
cleanup:
  free(keys);
  return rc;
}

static int enc_table(struct enc *e, int idx, int depth) {
  if (depth > MAX_DEPTH) return enc_fail(e, "nested too deeply (a table that contains itself?)");
  lua_Integer n = (lua_Integer)lua_rawlen(e->L, idx);
  size_t count = 0;
  lua_pushnil(e->L);
  while (lua_next(e->L, idx)) {
    lua_pop(e->L, 1);
    count++;
  }
  if ((lua_Integer)count == n) return enc_array(e, idx, n, depth);
  if (n > 0) return enc_fail(e, "a table mixes list items and named keys");
  return enc_object(e, idx, count, depth);
}

static int enc_value(struct enc *e, int idx, int depth) {
  lua_State *L = e->L;
  switch (lua_type(L, idx)) {
    case LUA_TNIL: buf_adds(e->out, "null"); return 0;
    case LUA_TBOOLEAN: buf_adds(e->out, lua_toboolean(L, idx) ? "true" : "false"); return 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, idx)) {
        buf_printf(e->out, "%lld", (long long)lua_tointeger(L, idx));
      } else {
        double d = lua_tonumber(L, idx);
        if (!isfinite(d)) return enc_fail(e, "a number that is infinite or NaN");
        buf_printf(e->out, "%.14g", d);
      }
      return 0;
    case LUA_TSTRING: {
      size_t n;
      const char *s = lua_tolstring(L, idx, &n);
      if (!json_utf8_valid(s, n)) return enc_fail(e, "a string that is not valid UTF-8");
      json_add_stringn(e->out, s, n);
      return 0;
    }
    case LUA_TLIGHTUSERDATA:
      if (lua_touserdata(L, idx) == NULL) {
        buf_adds(e->out, "null");
        return 0;
      }
      break;
    case LUA_TTABLE: return enc_table(e, idx, depth);
    default: break;
  }
  char msg[96];
  snprintf(msg, sizeof msg, "a %s value, which JSON cannot hold", luaL_typename(L, idx));
  return enc_fail(e, msg);
}

int json_encode_lua(lua_State *L, int idx, const char *what, struct buf *out, char *err) {
  struct enc e = {L, out, {0}, err};
  snprintf(e.path, sizeof e.path, "%s", what);
  idx = lua_absindex(L, idx);
  luaL_checkstack(L, 2 * MAX_DEPTH + 20, "json");
  return enc_value(&e, idx, 0);
}

int json_l_encode(lua_State *L) {
  struct buf out;
  char err[ERR_LEN];
  const char *what = luaL_optstring(L, 2, "value");
  luaL_checkany(L, 1);
  buf_init(&out);
  if (json_encode_lua(L, 1, what, &out, err) < 0) {
    buf_free(&out);
    lua_pushstring(L, err);
    return lua_error(L);
  }
  lua_pushlstring(L, out.data ? out.data : "", out.len);
  buf_free(&out);
  return 1;
}
