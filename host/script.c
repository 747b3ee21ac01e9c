#include "script.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates_lua.h"
#include "hooks_lua.h"
#include "needs_lua.h"
#include "onboard_lua.h"
#include "pages_lua.h"
#include "render_lua.h"
#include "sample_lua.h"
#include "saved_lua.h"
#include "states_lua.h"
#include "card_rules_lua.h"
#include "cardcheck_lua.h"
#include "json_lua.h"
#include "log.h"

/* ---- the scripts ------------------------------------------------------- */

struct script {
  lua_State *L;
  char *dir;
  int hooks;   /* ref: host/hooks.lua's table of hooks */
  int scripts; /* ref: {transform, card, dir, languages, needs}, handed to every hook; LUA_NOREF */
  unsigned needs; /* SCRIPT_NEED_* of both scripts' M.needs */
};

static int l_host_log(lua_State *L) {
  const char *level = luaL_checkstring(L, 1);
  const char *msg = luaL_checkstring(L, 2);
  int l = log_level_parse(level);
  if (l < 0) return luaL_error(L, "host.log: unknown level '%s' (debug, info, warning, error)", level);
  lua_Debug ar;
  char where[128] = "script";
  if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "Sl", &ar))
    snprintf(where, sizeof where, "%s:%d", ar.short_src, ar.currentline);
  log_event((enum log_level)l, NULL, NULL, "%s: %s", where, msg);
  return 0;
}

static int l_print(lua_State *L) {
  luaL_Buffer b;
  int n = lua_gettop(L);
  luaL_buffinit(L, &b);
  for (int i = 1; i <= n; i++) {
    if (i > 1) luaL_addchar(&b, '\t');
    luaL_tolstring(L, i, NULL);
    luaL_addvalue(&b);
  }
  luaL_pushresult(&b);
  log_info(NULL, NULL, "script: %s", lua_tostring(L, -1));
  return 0;
}

static int run_sandboxed(lua_State *L, int sandbox, char *err);

/* Load dir/name.lua in a fresh environment whose reads fall back to the sandbox
 * (at index sandbox). Leaves the chunk's first result on the stack. */
static int load_module(lua_State *L, int sandbox, const char *dir, const char *name, char *err) {
  char path[4096];
  snprintf(path, sizeof path, "%s/%s.lua", dir, name);
  for (char *p = path + strlen(dir) + 1; *p; p++)
    if (*p == '.' && strcmp(p, ".lua")) *p = '/';
  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    errf(err, "%s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  return run_sandboxed(L, sandbox, err);
}

/* Run the chunk on the stack in a fresh environment whose reads fall back to the
 * sandbox (at index sandbox), leaving its first result. */
static int run_sandboxed(lua_State *L, int sandbox, char *err) {
  lua_newtable(L);                 /* chunk env */
  lua_newtable(L);                 /* chunk env mt */
  lua_pushvalue(L, sandbox);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  return script_pcall(L, 0, 1, err);
}

static int l_read_only(lua_State *L) {
  return luaL_error(L, "pt.dates is read-only (field '%s')", luaL_optstring(L, 2, "?"));
}

/* The host's date module for the scripts: run in a sandbox of its own (it reaches nothing
 * of the host, and a script that changes its own string or math does not change it),
 * behind a read-only view, cached like any module. */
static int push_dates(lua_State *L) {
  char err[ERR_LEN];
  if (luaL_loadbufferx(L, (const char *)dates_lua, sizeof dates_lua, "=host/pt/dates.lua", "t") != LUA_OK)
    return lua_error(L);
  script_push_sandbox_base(L); /* libraries of its own: what a script changes in its own stays there */
  lua_insert(L, -2);
  if (run_sandboxed(L, lua_gettop(L) - 1, err) < 0) return luaL_error(L, "require 'pt.dates' failed: %s", err);
  lua_remove(L, -2);
  lua_createtable(L, 0, 3); /* the view's metatable: reads go to the module */
  lua_insert(L, -2);
  lua_setfield(L, -2, "__index");
  lua_pushcfunction(L, l_read_only);
  lua_setfield(L, -2, "__newindex");
  lua_pushboolean(L, 0);
  lua_setfield(L, -2, "__metatable");
  lua_newtable(L); /* the view */
  lua_insert(L, -2);
  lua_setmetatable(L, -2);
  lua_pushvalue(L, -1);
  lua_setfield(L, lua_upvalueindex(1), "pt.dates");
  return 1;
}

/* Sandboxed require: cjson, host, pt.dates, or another module of the scripts folder. */
static int l_require(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  char err[ERR_LEN];
  lua_settop(L, 1);
  lua_getfield(L, lua_upvalueindex(1), name); /* cache */
  if (!lua_isnil(L, -1)) return 1;
  lua_pop(L, 1);
  for (const char *p = name; *p; p++)
    if (!(*p == '_' || *p == '.' || (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
          (*p >= '0' && *p <= '9')))
      return luaL_error(L, "require: module name '%s' may hold only letters, digits, _ and .", name);
  if (!strcmp(name, "pt.dates")) return push_dates(L);
  if (load_module(L, lua_upvalueindex(2), lua_tostring(L, lua_upvalueindex(3)), name, err) < 0)
    return luaL_error(L, "require '%s' failed: %s", name, err);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_pushboolean(L, 1);
  }
  lua_pushvalue(L, -1);
  lua_setfield(L, lua_upvalueindex(1), name);
  return 1;
}

/* Leaves the scripts' sandbox on the stack: the base, print, host.log, require, and a
 * cjson instance of their own (cjson's settings are per instance). */
static int push_sandbox(lua_State *L, const char *dir, char *err) {
  script_push_sandbox_base(L);
  int sb = lua_gettop(L);
  lua_pushcfunction(L, l_print);
  lua_setfield(L, sb, "print");
  lua_newtable(L); /* module cache */
  int cache = lua_gettop(L);
  lua_newtable(L);
  lua_pushcfunction(L, l_host_log);
  lua_setfield(L, -2, "log");
  lua_pushvalue(L, -1);
  lua_setfield(L, sb, "host");
  lua_setfield(L, cache, "host");
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cjson");
  if (script_pcall(L, 1, 1, err) < 0) return errctx(err, "cannot load lua-cjson (Debian package lua-cjson)");
  lua_getfield(L, -1, "new");
  lua_remove(L, -2);
  if (script_pcall(L, 0, 1, err) < 0) return -1;
  lua_setfield(L, cache, "cjson");
  lua_pushvalue(L, sb);
  lua_pushstring(L, dir);
  lua_pushcclosure(L, l_require, 3);
  lua_setfield(L, sb, "require");
  return 0;
}

static int l_clock_ms(lua_State *L) {
  lua_pushnumber(L, now_ms());
  return 1;
}

/* Make an embedded module available to require() in the host's own Lua. */
static int preload(lua_State *L, const char *name, const unsigned char *code, size_t len, char *err) {
  char chunk[64];
  snprintf(chunk, sizeof chunk, "=host/%s.lua", name);
  for (char *p = chunk; *p; p++)
    if (*p == '.' && strcmp(p, ".lua")) *p = '/';
  if (luaL_loadbufferx(L, (const char *)code, len, chunk, "t") != LUA_OK) {
    errf(err, "internal: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "preload");
  lua_pushvalue(L, -3);
  lua_setfield(L, -2, name);
  lua_pop(L, 3);
  return 0;
}

/* The host's own Lua modules (the .lua files of host/, compiled in), by the name require() knows. */
#define MODULE(n, sym) {n, sym, sizeof sym}
static const struct {
  const char *name;
  const unsigned char *code;
  size_t len;
} MODULES[] = {
    MODULE("card_rules", card_rules_lua), MODULE("cardcheck", cardcheck_lua), MODULE("pt.dates", dates_lua),
    MODULE("pages", pages_lua),           MODULE("states", states_lua),       MODULE("saved", saved_lua),
    MODULE("render", render_lua),         MODULE("sample", sample_lua),       MODULE("onboard", onboard_lua),
    MODULE("hooks", hooks_lua),           MODULE("needs", needs_lua),
};

/* The host's own Lua, with what only the host may call: the JSON encoder and a clock. */
static int load_prelude(struct script *s, char *err) {
  lua_State *L = s->L;
  static const luaL_Reg native[] = {{"encode", json_l_encode}, {"clock_ms", l_clock_ms}, {NULL, NULL}};
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  luaL_newlib(L, native);
  lua_setfield(L, -2, "host.native");
  lua_pop(L, 2);
  for (size_t i = 0; i < sizeof MODULES / sizeof *MODULES; i++)
    if (preload(L, MODULES[i].name, MODULES[i].code, MODULES[i].len, err) < 0) return -1;
  lua_getglobal(L, "require");
  lua_pushliteral(L, "hooks");
  if (script_pcall(L, 1, 1, err) < 0) return errctx(err, "cannot load the host's Lua");
  s->hooks = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

/* Leaves M.<name> of dir/<name>.lua on the stack, and M above it when keep is set. */
static int load_entry(struct script *s, int sandbox, const char *name, int keep, char *err) {
  lua_State *L = s->L;
  if (load_module(L, sandbox, s->dir, name, err) < 0) return -1;
  if (!lua_istable(L, -1)) {
    errf(err, "%s/%s.lua must return a table with a function %s (it returned %s)", s->dir, name,
         name, luaL_typename(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  lua_getfield(L, -1, name);
  if (!lua_isfunction(L, -1)) {
    errf(err, "%s/%s.lua must return a table with a function %s (M.%s is %s)", s->dir, name,
         name, name, luaL_typename(L, -1));
    lua_pop(L, 2);
    return -1;
  }
  if (keep) lua_insert(L, -2);
  else lua_remove(L, -2);
  return 0;
}

/* M.needs of a script's module (at the top of the stack), read raw: a table of known keys
 * set to true or false. Adds what it asks for to s->needs. */
static int read_needs(struct script *s, const char *name, char *err) {
  static const struct {
    const char *key;
    unsigned bit;
  } known[] = {{"labels", SCRIPT_NEED_LABELS}, {"cycles", SCRIPT_NEED_CYCLES}, {"modules", SCRIPT_NEED_MODULES}};
  lua_State *L = s->L;
  int rc = 0, top = lua_gettop(L);
  lua_pushliteral(L, "needs");
  int t = lua_rawget(L, -2);
  if (t == LUA_TNIL) goto cleanup;
  if (t != LUA_TTABLE) {
    rc = errf(err, "%s/%s.lua: M.needs is %s, expected a table such as { labels = true }", s->dir, name,
              luaL_typename(L, -1));
    goto cleanup;
  }
  lua_pushnil(L);
  while (rc == 0 && lua_next(L, -2)) {
    unsigned bit = 0;
    if (lua_type(L, -2) == LUA_TSTRING)
      for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(lua_tostring(L, -2), known[i].key)) bit = known[i].bit;
    if (!bit) {
      lua_pushvalue(L, -2);
      rc = errf(err, "%s/%s.lua: M.needs has an unknown key '%s' (known: labels, cycles, modules)", s->dir,
                name, luaL_tolstring(L, -1, NULL));
      goto cleanup;
    }
    if (!lua_isboolean(L, -1)) {
      rc = errf(err, "%s/%s.lua: M.needs.%s is %s, expected true or false", s->dir, name, lua_tostring(L, -2),
                luaL_typename(L, -1));
      goto cleanup;
    }
    if (lua_toboolean(L, -1)) s->needs |= bit;
    lua_pop(L, 1);
  }
cleanup:
  lua_settop(L, top);
  return rc;
}

/* The user's functions, kept in one table the host holds and hands to every hook:
 * {transform, card, dir, languages} (card.lua's LANGUAGES, when it has them, say which
 * `language` settings it can show). */
static int load_scripts(struct script *s, char *err) {
  lua_State *L = s->L;
  if (push_sandbox(L, s->dir, err) < 0) return -1;
  int sb = lua_gettop(L);
  lua_createtable(L, 0, 4);
  int t = lua_gettop(L);
  if (load_entry(s, sb, "transform", 1, err) < 0) return -1; /* transform, then its table */
  if (read_needs(s, "transform", err) < 0) return -1;
  lua_pop(L, 1);
  lua_setfield(L, t, "transform");
  if (load_entry(s, sb, "card", 1, err) < 0) return -1; /* card, then card.lua's table */
  if (read_needs(s, "card", err) < 0) return -1;
  lua_pushliteral(L, "LANGUAGES");
  if (lua_rawget(L, -2) == LUA_TTABLE) lua_setfield(L, t, "languages");
  else lua_pop(L, 1);
  lua_pop(L, 1);
  lua_setfield(L, t, "card");
  lua_pushstring(L, s->dir);
  lua_setfield(L, t, "dir");
  lua_createtable(L, 0, 3); /* needs: {labels, cycles, modules} of both scripts, for the host's Lua */
  lua_pushboolean(L, (s->needs & SCRIPT_NEED_LABELS) != 0);
  lua_setfield(L, -2, "labels");
  lua_pushboolean(L, (s->needs & SCRIPT_NEED_CYCLES) != 0);
  lua_setfield(L, -2, "cycles");
  lua_pushboolean(L, (s->needs & SCRIPT_NEED_MODULES) != 0);
  lua_setfield(L, -2, "modules");
  lua_setfield(L, t, "needs");
  s->scripts = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

int script_open(const char *scripts_dir, struct script **out, char *err) {
  struct script *s = xcalloc(1, sizeof *s);
  int rc = -1;
  s->dir = xstrdup(scripts_dir ? scripts_dir : "(no scripts)");
  s->hooks = LUA_NOREF;
  s->scripts = LUA_NOREF;
  s->L = script_lua_new();
  if (!s->L) {
    errf(err, "cannot create a Lua state (out of memory)");
    goto cleanup;
  }
  rc = load_prelude(s, err);
  if (rc == 0 && scripts_dir) rc = load_scripts(s, err);
  lua_settop(s->L, 0);
cleanup:
  if (rc < 0) {
    script_close(s);
    return -1;
  }
  *out = s;
  return 0;
}

void script_close(struct script *s) {
  if (!s) return;
  script_lua_close(s->L);
  free(s->dir);
  free(s);
}

const char *script_dir(const struct script *s) { return s->dir; }

unsigned script_needs(const struct script *s) { return s ? s->needs : 0; }

size_t script_memory_kb(const struct script *s) { return (size_t)lua_gc(s->L, LUA_GCCOUNT, 0); }

void script_collect(struct script *s) { lua_gc(s->L, LUA_GCCOLLECT); }

/* ---- the seam: host/hook.c calls the hooks through these ------------------ */

lua_State *script_state(struct script *s) { return s->L; }
int script_hooks_ref(const struct script *s) { return s->hooks; }
int script_scripts_ref(const struct script *s) { return s->scripts; }

void script_unref(struct script *s, int ref) {
  if (s && ref != LUA_NOREF && ref != LUA_REFNIL) luaL_unref(s->L, LUA_REGISTRYINDEX, ref);
}
