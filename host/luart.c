/* The Lua runtime under every script: states with a memory cap, the one protected call
 * (instruction budget, wall-clock limit, traceback, stop signals) and the sandbox's base
 * (copied libraries, a pcall/xpcall that cannot catch a limit, no __gc). Declared in
 * script.h; the scripts themselves are loaded by script.c. */
#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "script.h"

#define HOOK_EVERY 10000

/* ---- the Lua state: memory cap, limits, protected call ----------------- */

struct lmem {
  size_t used, limit;
  long ticks;
  int depth;       /* nested protected calls share one budget */
  double deadline; /* monotonic ms */
  int tripped;     /* a limit was hit: every catch re-raises until the entry returns */
  char why[256];
};

static volatile sig_atomic_t *interrupt_flag;

void script_set_interrupt(volatile sig_atomic_t *flag) { interrupt_flag = flag; }

static struct lmem *mem_of(lua_State *L) {
  void *ud;
  lua_getallocf(L, &ud);
  return ud;
}

static void *l_alloc(void *ud, void *ptr, size_t osize, size_t nsize) {
  struct lmem *m = ud;
  if (!ptr) osize = 0;
  if (nsize == 0) {
    free(ptr);
    m->used -= osize;
    return NULL;
  }
  if (nsize > osize && m->used + (nsize - osize) > m->limit) return NULL;
  void *p = realloc(ptr, nsize);
  if (p) m->used = m->used - osize + nsize;
  return p;
}

static int l_panic(lua_State *L) {
  fprintf(stderr, "plane-teams: unprotected Lua error: %s\n", lua_tostring(L, -1));
  abort();
}

lua_State *script_lua_new(void) {
  struct lmem *m = xcalloc(1, sizeof *m);
  m->limit = SCRIPT_MEMORY_LIMIT;
  lua_State *L = lua_newstate(l_alloc, m);
  if (!L) {
    free(m);
    return NULL;
  }
  lua_atpanic(L, l_panic);
  luaL_openlibs(L);
  /* getmetatable("") must not hand out the string library's real table */
  lua_pushliteral(L, "");
  if (lua_getmetatable(L, -1)) {
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  /* generational: decoded pages die young, the issues live for the sync; peak memory stays
   * close to the live data */
  lua_gc(L, LUA_GCGEN, 0, 0);
  return L;
}

void script_lua_close(lua_State *L) {
  if (!L) return;
  struct lmem *m = mem_of(L);
  lua_close(L);
  free(m);
}

static void trip(lua_State *L, lua_Debug *ar, const char *what) {
  struct lmem *m = mem_of(L);
  m->tripped = 1;
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
    snprintf(m->why, sizeof m->why, "%s:%d: %s", ar->short_src, ar->currentline, what);
  else
    snprintf(m->why, sizeof m->why, "%s", what);
}

static void l_hook(lua_State *L, lua_Debug *ar) {
  struct lmem *m = mem_of(L);
  m->ticks += HOOK_EVERY;
  if (!m->tripped) {
    if (interrupt_flag && *interrupt_flag)
      trip(L, ar, "stopped: the process is stopping");
    else if (m->ticks > SCRIPT_INSTRUCTION_BUDGET)
      trip(L, ar, "stopped after 400 million instructions (an endless loop?)");
    else if (now_ms() > m->deadline)
      trip(L, ar, "stopped after 10 seconds (an endless loop?)");
    else
      return;
  }
  luaL_error(L, "%s", m->why);
}

/* No metamethod of the error object is called: it would run with the hook off. */
static int l_msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) msg = lua_pushfstring(L, "(an error object of type %s)", luaL_typename(L, 1));
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int script_pcall(lua_State *L, int nargs, int nresults, char *err) {
  struct lmem *m = mem_of(L);
  int base = lua_gettop(L) - nargs;
  if (m->depth++ == 0) {
    m->ticks = 0;
    m->tripped = 0;
    m->deadline = now_ms() + SCRIPT_WALL_MS;
    lua_sethook(L, l_hook, LUA_MASKCOUNT, HOOK_EVERY);
  }
  lua_pushcfunction(L, l_msgh);
  lua_insert(L, base);
  int rc = lua_pcall(L, nargs, nresults, base);
  if (--m->depth == 0) lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if (rc == LUA_OK) return 0;
  if (m->tripped) {
    errf(err, "%s", m->why);
  } else if (rc == LUA_ERRMEM) {
    errf(err, "out of memory (a script may hold at most %zu MiB)", SCRIPT_MEMORY_LIMIT >> 20);
  } else {
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(no message)";
    const char *tb = strstr(msg, "\nstack traceback:");
    errf(err, "%.*s", tb ? (int)(tb - msg) : (int)strlen(msg), msg);
    err_one_line(err); /* a script's message may hold line breaks */
    if (tb) log_debug(NULL, NULL, "Lua %s", tb + 1);
  }
  if (m->depth == 0) m->tripped = 0;
  lua_pop(L, 1);
  return -1;
}

/* ---- the sandbox ---------------------------------------------------------- */

/* pcall and xpcall for user Lua: a limit that was hit is raised again, so no script
 * can catch it and go on. */
static int after_pcall(lua_State *L, int status, int first) {
  struct lmem *m = mem_of(L);
  if (m->tripped) {
    lua_pushstring(L, m->why);
    return lua_error(L);
  }
  if (status != LUA_OK) {
    lua_pushboolean(L, 0);
    lua_insert(L, -2);
    return 2;
  }
  lua_pushboolean(L, 1);
  lua_insert(L, first);
  return lua_gettop(L) - first + 1;
}

static int l_pcall(lua_State *L) {
  luaL_checkany(L, 1);
  int status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
  return after_pcall(L, status, 1);
}

/* Lua runs a message handler before it unwinds, with the count hook switched off (the
 * hook that raised the error has not returned): a looping handler could never be
 * stopped. So the handler runs after the protected call returned, where limits hold. */
static int l_xpcall(lua_State *L) {
  int n = lua_gettop(L);
  luaL_checktype(L, 2, LUA_TFUNCTION);
  lua_pushvalue(L, 1);
  for (int i = 3; i <= n; i++) lua_pushvalue(L, i);
  int status = lua_pcall(L, n - 2, LUA_MULTRET, 0);
  if (status != LUA_OK && !mem_of(L)->tripped) {
    lua_pushvalue(L, 2);
    lua_insert(L, -2);
    lua_pcall(L, 1, 1, 0); /* the handler's result, or its own error */
  }
  return after_pcall(L, status, n + 1);
}

/* A finalizer would run outside any protected call, where no limit holds. */
static int l_setmetatable(lua_State *L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  if (lua_istable(L, 2)) {
    lua_pushliteral(L, "__gc");
    if (lua_rawget(L, 2) != LUA_TNIL) return luaL_error(L, "setmetatable: __gc is not available to scripts");
  }
  lua_settop(L, 2);
  lua_getglobal(L, "setmetatable");
  lua_insert(L, 1);
  lua_call(L, 2, 1);
  return 1;
}

static const char *const pure_globals[] = {
    "assert", "error", "ipairs", "next", "pairs", "rawequal", "rawget", "rawlen", "rawset",
    "select", "getmetatable", "tonumber", "tostring", "type", "_VERSION", NULL};
static const char *const copied_libs[] = {"string", "table", "math", "utf8", NULL};

/* A shallow copy of the table at the top, replacing it. */
static void copy_table(lua_State *L) {
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, -3)) {
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
  lua_remove(L, -2);
}

void script_push_sandbox_base(lua_State *L) {
  lua_newtable(L);
  for (const char *const *g = pure_globals; *g; g++) {
    lua_getglobal(L, *g);
    lua_setfield(L, -2, *g);
  }
  for (const char *const *g = copied_libs; *g; g++) {
    lua_getglobal(L, *g);
    copy_table(L);
    lua_setfield(L, -2, *g);
  }
  lua_pushcfunction(L, l_pcall);
  lua_setfield(L, -2, "pcall");
  lua_pushcfunction(L, l_xpcall);
  lua_setfield(L, -2, "xpcall");
  lua_pushcfunction(L, l_setmetatable);
  lua_setfield(L, -2, "setmetatable");
}
