#include "hook.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdlib.h>
#include <string.h>

#include "options.h"
#include "script.h"

#define AT(base, off, T) ((T *)(void *)((char *)(base) + (off)))
#define AT_C(base, off, T) ((const T *)(const void *)((const char *)(base) + (off)))

typedef char *const *strlist;

static void push_fields(lua_State *L, const struct hook_field *f, size_t n, const void *in);

static void push_strlist(lua_State *L, char *const *list, size_t n) {
  lua_createtable(L, (int)n, 0);
  for (size_t i = 0; i < n; i++) {
    lua_pushstring(L, list[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
}

static void push_opts(lua_State *L, const struct opt *o, size_t n) {
  luaL_checkstack(L, 4, "options");
  lua_createtable(L, 0, (int)n);
  for (size_t i = 0; i < n; i++) {
    if (o[i].name) lua_pushstring(L, o[i].name);
    else lua_pushinteger(L, (lua_Integer)o[i].index);
    switch (o[i].type) {
      case OPT_STR: lua_pushlstring(L, o[i].s, o[i].len); break;
      case OPT_INT: lua_pushinteger(L, (lua_Integer)o[i].i); break;
      case OPT_NUM: lua_pushnumber(L, (lua_Number)o[i].n); break;
      case OPT_BOOL: lua_pushboolean(L, o[i].b); break;
      case OPT_TABLE: push_opts(L, o[i].items, o[i].nitems); break;
    }
    lua_rawset(L, -3);
  }
}

/* Push one field of in; returns 0 when the field is left out (a NULL string or list). */
static int push_field(lua_State *L, const struct hook_field *f, const void *in) {
  switch (f->type) {
    case HF_BOOL: lua_pushboolean(L, *AT_C(in, f->off, int)); return 1;
    case HF_INT: lua_pushinteger(L, (lua_Integer)*AT_C(in, f->off, long long)); return 1;
    case HF_NUM: lua_pushnumber(L, *AT_C(in, f->off, double)); return 1;
    case HF_STR:
    case HF_OPTSTR: {
      const char *s = *AT_C(in, f->off, const char *);
      if (!s) return 0;
      lua_pushstring(L, s);
      return 1;
    }
    case HF_LSTR: {
      const char *s = *AT_C(in, f->off, const char *);
      lua_pushlstring(L, s ? s : "", s ? *AT_C(in, f->len, size_t) : 0);
      return 1;
    }
    case HF_REF: lua_rawgeti(L, LUA_REGISTRYINDEX, *AT_C(in, f->off, int)); return 1;
    case HF_STRLIST: {
      char *const *list = *AT_C(in, f->off, strlist);
      if (!list) return 0;
      push_strlist(L, list, *AT_C(in, f->len, size_t));
      return 1;
    }
    case HF_OPTIONS:
      push_opts(L, *AT_C(in, f->off, const struct opt *), *AT_C(in, f->len, size_t));
      return 1;
    case HF_RECORD: push_fields(L, f->sub, f->nsub, AT_C(in, f->off, char)); return 1;
    case HF_RECORDS: {
      const char *base = *AT_C(in, f->off, const char *);
      size_t n = *AT_C(in, f->len, size_t);
      lua_createtable(L, (int)n, 0);
      for (size_t i = 0; i < n; i++) {
        push_fields(L, f->sub, f->nsub, base + i * f->size);
        lua_rawseti(L, -2, (lua_Integer)i + 1);
      }
      return 1;
    }
  }
  return 0;
}

static void push_fields(lua_State *L, const struct hook_field *f, size_t n, const void *in) {
  luaL_checkstack(L, 4, "hook arguments");
  lua_createtable(L, 0, (int)n);
  for (size_t i = 0; i < n; i++)
    if (push_field(L, &f[i], in)) lua_setfield(L, -2, f[i].name);
}

static const char *want_name(enum hook_type t) {
  switch (t) {
    case HF_BOOL: return "a boolean";
    case HF_INT: return "an integer";
    case HF_NUM: return "a number";
    case HF_STR: case HF_LSTR: return "a string";
    case HF_OPTSTR: return "a string or nil";
    case HF_REF: return "a value";
    case HF_STRLIST: return "a list of strings";
    case HF_OPTIONS: return "a table of options";
    case HF_RECORD: return "a record";
    case HF_RECORDS: return "a list of records";
  }
  return "?";
}

static char *copy_string(lua_State *L, int idx, size_t *len) {
  size_t n;
  const char *p = lua_tolstring(L, idx, &n);
  if (len) *len = n;
  return xstrndup(p, n);
}

static int take_strlist(lua_State *L, int idx, char ***out, size_t *count) {
  if (!lua_istable(L, idx)) return -1;
  size_t n = (size_t)lua_rawlen(L, idx);
  char **list = xcalloc(n ? n : 1, sizeof *list);
  for (size_t i = 0; i < n; i++) {
    if (lua_rawgeti(L, idx, (lua_Integer)i + 1) != LUA_TSTRING) {
      lua_pop(L, 1);
      for (size_t k = 0; k < i; k++) free(list[k]);
      free(list);
      return -1;
    }
    list[i] = copy_string(L, -1, NULL);
    lua_pop(L, 1);
  }
  *out = list;
  *count = n;
  return 0;
}

/* Take the value on the top of the stack into field f of out. */
static int take_field(lua_State *L, const struct hook_field *f, void *out) {
  int t = lua_type(L, -1);
  switch (f->type) {
    case HF_BOOL:
      if (t != LUA_TBOOLEAN) return -1;
      *AT(out, f->off, int) = lua_toboolean(L, -1);
      return 0;
    case HF_INT:
      if (!lua_isinteger(L, -1)) return -1;
      *AT(out, f->off, long long) = (long long)lua_tointeger(L, -1);
      return 0;
    case HF_NUM:
      if (t != LUA_TNUMBER) return -1;
      *AT(out, f->off, double) = (double)lua_tonumber(L, -1);
      return 0;
    case HF_OPTSTR:
      if (t == LUA_TNIL) {
        *AT(out, f->off, char *) = NULL;
        return 0;
      }
      /* fall through */
    case HF_STR:
    case HF_LSTR:
      if (t != LUA_TSTRING) return -1;
      *AT(out, f->off, char *) = copy_string(L, -1, f->len ? AT(out, f->len, size_t) : NULL);
      return 0;
    case HF_REF:
      if (t == LUA_TNIL) return -1;
      lua_pushvalue(L, -1);
      *AT(out, f->off, int) = luaL_ref(L, LUA_REGISTRYINDEX);
      return 0;
    case HF_STRLIST: return take_strlist(L, lua_gettop(L), AT(out, f->off, char **), AT(out, f->len, size_t));
    case HF_OPTIONS:
    case HF_RECORD:
    case HF_RECORDS: return -1;
  }
  return -1;
}

static void free_field(const struct hook_field *f, void *out) {
  switch (f->type) {
    case HF_STR: case HF_OPTSTR: case HF_LSTR: {
      char **p = AT(out, f->off, char *);
      free(*p);
      *p = NULL;
      break;
    }
    case HF_STRLIST: {
      char ***p = AT(out, f->off, char **);
      size_t *n = AT(out, f->len, size_t);
      for (size_t i = 0; *p && i < *n; i++) free((*p)[i]);
      free(*p);
      *p = NULL;
      *n = 0;
      break;
    }
    default: break;
  }
}

void hook_free(const struct hook *h, void *out) {
  for (size_t i = 0; i < h->nout; i++) free_field(&h->out[i], out);
}

void hook_unref(struct script *s, int ref) { script_unref(s, ref); }

int hook_call(struct script *s, const struct hook *h, const void *in, void *out, char *err) {
  lua_State *L = script_state(s);
  int top = lua_gettop(L), rc = 0;
  luaL_checkstack(L, 8, "hook_call");
  lua_rawgeti(L, LUA_REGISTRYINDEX, script_hooks_ref(s));
  if (lua_getfield(L, -1, h->fn) != LUA_TFUNCTION) {
    lua_settop(L, top);
    return errf(err, "internal: host/hooks.lua has no hook %s", h->fn);
  }
  lua_remove(L, -2);
  push_fields(L, h->in, h->nin, in);
  int scripts = script_scripts_ref(s);
  if (scripts != LUA_NOREF) {
    lua_rawgeti(L, LUA_REGISTRYINDEX, scripts);
    lua_setfield(L, -2, "scripts");
  }
  if (script_pcall(L, 1, 1, err) < 0) {
    lua_settop(L, top);
    return -1;
  }
  if (h->nout && !lua_istable(L, -1)) {
    rc = errf(err, "internal: hook %s returned %s, expected a table", h->fn, luaL_typename(L, -1));
    goto cleanup;
  }
  for (size_t i = 0; i < h->nout; i++) {
    const struct hook_field *f = &h->out[i];
    lua_getfield(L, top + 1, f->name);
    if (take_field(L, f, out) < 0) {
      rc = errf(err, "internal: hook %s returned %s as field '%s', expected %s", h->fn,
                luaL_typename(L, -1), f->name, want_name(f->type));
      for (size_t k = 0; k < i; k++) {
        if (h->out[k].type == HF_REF) script_unref(s, *AT(out, h->out[k].off, int));
        free_field(&h->out[k], out);
      }
      goto cleanup;
    }
    lua_pop(L, 1);
  }
cleanup:
  lua_settop(L, top);
  return rc;
}
