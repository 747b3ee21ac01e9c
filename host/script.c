#include "script.h"

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch_lua.h"
#include "card_rules_lua.h"
#include "cardcheck_lua.h"
#include "json.h"
#include "log.h"

#define MAX_NAME 200
#define HOOK_EVERY 10000

/* ---- the Lua state: memory cap, instruction budget, protected call ---- */

struct lmem {
  size_t used, limit;
  long ticks;
  int depth; /* nested protected calls share one budget */
};

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
  /* generational: decoded pages die young, the issues live for the sync; peak memory stays
   * close to the live data */
  lua_gc(L, LUA_GCGEN, 0, 0);
  return L;
}

void script_lua_close(lua_State *L) {
  void *ud;
  if (!L) return;
  lua_getallocf(L, &ud);
  lua_close(L);
  free(ud);
}

static void l_hook(lua_State *L, lua_Debug *ar) {
  void *ud;
  lua_getallocf(L, &ud);
  struct lmem *m = ud;
  m->ticks += HOOK_EVERY;
  if (m->ticks <= SCRIPT_INSTRUCTION_BUDGET) return;
  m->ticks = 0; /* room for the message handler */
  if (lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
    luaL_error(L, "%s:%d: stopped after %d million instructions (an endless loop?)", ar->short_src,
               ar->currentline, (int)(SCRIPT_INSTRUCTION_BUDGET / 1000000));
  luaL_error(L, "stopped after %d million instructions (an endless loop?)",
             (int)(SCRIPT_INSTRUCTION_BUDGET / 1000000));
}

static int l_msgh(lua_State *L) {
  const char *msg = lua_tostring(L, 1);
  if (!msg) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING) msg = lua_tostring(L, -1);
    else msg = lua_pushfstring(L, "(an error object of type %s)", luaL_typename(L, 1));
  }
  luaL_traceback(L, L, msg, 1);
  return 1;
}

int script_pcall(lua_State *L, int nargs, int nresults, char *err) {
  void *ud;
  int base = lua_gettop(L) - nargs;
  lua_getallocf(L, &ud);
  struct lmem *m = ud;
  if (m->depth++ == 0) {
    m->ticks = 0;
    lua_sethook(L, l_hook, LUA_MASKCOUNT, HOOK_EVERY);
  }
  lua_pushcfunction(L, l_msgh);
  lua_insert(L, base);
  int rc = lua_pcall(L, nargs, nresults, base);
  if (--m->depth == 0) lua_sethook(L, NULL, 0, 0);
  lua_remove(L, base);
  if (rc == LUA_OK) return 0;
  if (rc == LUA_ERRMEM) {
    errf(err, "out of memory (a script may hold at most %zu MiB)", SCRIPT_MEMORY_LIMIT >> 20);
  } else {
    const char *msg = lua_tostring(L, -1);
    if (!msg) msg = "(no message)";
    const char *tb = strstr(msg, "\nstack traceback:");
    errf(err, "%.*s", tb ? (int)(tb - msg) : (int)strlen(msg), msg);
    if (tb) log_debug(NULL, NULL, "Lua %s", tb + 1);
  }
  lua_pop(L, 1);
  return -1;
}

/* ---- the scripts ------------------------------------------------------- */

struct script {
  lua_State *L;
  char *dir;
  int prelude;   /* ref: the host's batch.lua module */
  int transform; /* ref: transform.lua's M.transform */
  int card;      /* ref: card.lua's M.card */
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

/* Load dir/name.lua in a fresh environment whose reads fall back to the sandbox
 * (upvalue 1). Leaves the chunk's first result on the stack. */
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
  lua_newtable(L);                 /* chunk env */
  lua_newtable(L);                 /* chunk env mt */
  lua_pushvalue(L, sandbox);
  lua_setfield(L, -2, "__index");
  lua_setmetatable(L, -2);
  if (!lua_setupvalue(L, -2, 1)) lua_pop(L, 1);
  return script_pcall(L, 0, 1, err);
}

/* Sandboxed require: cjson, host, or another module of the scripts folder. */
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

static const char *const safe_globals[] = {
    "assert", "error", "ipairs", "next", "pairs", "pcall", "rawequal", "rawget", "rawlen",
    "rawset", "select", "setmetatable", "getmetatable", "tonumber", "tostring", "type",
    "xpcall", "string", "table", "math", "utf8", "_VERSION", NULL};

/* Leaves the sandbox table on the stack: only pure functions, host.log, require. */
static void push_sandbox(lua_State *L, const char *dir) {
  lua_newtable(L);
  int sb = lua_gettop(L);
  for (const char *const *g = safe_globals; *g; g++) {
    lua_getglobal(L, *g);
    lua_setfield(L, sb, *g);
  }
  lua_pushcfunction(L, l_print);
  lua_setfield(L, sb, "print");
  lua_newtable(L);
  lua_pushcfunction(L, l_host_log);
  lua_setfield(L, -2, "log");
  lua_pushvalue(L, -1);
  lua_setfield(L, sb, "host");
  /* module cache: cjson and host are there from the start */
  lua_newtable(L);
  lua_insert(L, -2);
  lua_setfield(L, -2, "host");
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "loaded");
  lua_getfield(L, -1, "cjson");
  lua_setfield(L, -4, "cjson");
  lua_pop(L, 2);
  lua_pushvalue(L, sb);
  lua_pushstring(L, dir);
  lua_pushcclosure(L, l_require, 3);
  lua_setfield(L, sb, "require");
}

/* Make an embedded module available to require() in the host's own Lua. */
static int preload(lua_State *L, const char *name, const unsigned char *code, size_t len, char *err) {
  char chunk[64];
  snprintf(chunk, sizeof chunk, "=host/%s.lua", name);
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

static int load_prelude(struct script *s, char *err) {
  lua_State *L = s->L;
  lua_getglobal(L, "require");
  lua_pushstring(L, "cjson");
  if (script_pcall(L, 1, 1, err) < 0)
    return errctx(err, "cannot load lua-cjson (Debian package lua-cjson)");
  lua_pop(L, 1);
  if (preload(L, "card_rules", card_rules_lua, sizeof card_rules_lua, err) < 0 ||
      preload(L, "cardcheck", cardcheck_lua, sizeof cardcheck_lua, err) < 0)
    return -1;
  if (luaL_loadbufferx(L, (const char *)batch_lua, sizeof batch_lua, "=host/batch.lua", "t") != LUA_OK) {
    errf(err, "internal: %s", lua_tostring(L, -1));
    lua_pop(L, 1);
    return -1;
  }
  if (script_pcall(L, 0, 1, err) < 0) return -1;
  s->prelude = luaL_ref(L, LUA_REGISTRYINDEX);
  return 0;
}

static int load_entry(struct script *s, int sandbox, const char *name, int *ref, char *err) {
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
  *ref = luaL_ref(L, LUA_REGISTRYINDEX);
  lua_pop(L, 1);
  return 0;
}

int script_open(const char *scripts_dir, struct script **out, char *err) {
  struct script *s = xcalloc(1, sizeof *s);
  int rc = -1;
  s->dir = xstrdup(scripts_dir);
  s->prelude = s->transform = s->card = LUA_NOREF;
  s->L = script_lua_new();
  if (!s->L) {
    errf(err, "cannot create a Lua state (out of memory)");
    goto cleanup;
  }
  if (load_prelude(s, err) < 0) goto cleanup;
  push_sandbox(s->L, s->dir);
  int sb = lua_gettop(s->L);
  rc = load_entry(s, sb, "transform", &s->transform, err);
  if (rc == 0) rc = load_entry(s, sb, "card", &s->card, err);
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

/* ---- batches ----------------------------------------------------------- */

struct batch {
  struct script *s;
  int ref;
};

/* Push prelude[fn]; the caller pushes the arguments and calls script_pcall. */
static void push_prelude(struct script *s, const char *fn) {
  lua_rawgeti(s->L, LUA_REGISTRYINDEX, s->prelude);
  lua_getfield(s->L, -1, fn);
  lua_remove(s->L, -2);
}

int batch_new(struct script *s, struct batch **out, char *err) {
  push_prelude(s, "new");
  if (script_pcall(s->L, 0, 1, err) < 0) return -1;
  struct batch *b = xcalloc(1, sizeof *b);
  b->s = s;
  b->ref = luaL_ref(s->L, LUA_REGISTRYINDEX);
  *out = b;
  return 0;
}

void batch_free(struct batch *b) {
  if (!b) return;
  luaL_unref(b->s->L, LUA_REGISTRYINDEX, b->ref);
  lua_gc(b->s->L, LUA_GCCOLLECT);
  free(b);
}

size_t script_memory_kb(const struct script *s) {
  return (size_t)lua_gc(s->L, LUA_GCCOUNT, 0);
}

size_t batch_count(const struct batch *b) {
  lua_State *L = b->s->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, b->ref);
  lua_getfield(L, -1, "issues");
  size_t n = (size_t)lua_rawlen(L, -1);
  lua_pop(L, 2);
  return n;
}

static int add_page(struct batch *b, const char *fn, const char *pid, const char *body,
                    size_t len, const char *where, struct page_info *pi, char *err) {
  lua_State *L = b->s->L;
  int top = lua_gettop(L);
  push_prelude(b->s, fn);
  lua_rawgeti(L, LUA_REGISTRYINDEX, b->ref);
  lua_pushstring(L, pid);
  lua_pushlstring(L, body ? body : "", body ? len : 0);
  lua_pushstring(L, where);
  if (script_pcall(L, 4, 3, err) < 0) return -1;
  pi->has_next = lua_toboolean(L, -3);
  snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", lua_tostring(L, -2));
  pi->count = (size_t)lua_tointeger(L, -1);
  lua_settop(L, top);
  return 0;
}

int batch_add_issues_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, "add_issues_page", pid, body, len, where, pi, err);
}

int batch_add_states_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, "add_states_page", pid, body, len, where, pi, err);
}

int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err) {
  lua_State *L = b->s->L;
  push_prelude(b->s, "set_project");
  lua_rawgeti(L, LUA_REGISTRYINDEX, b->ref);
  lua_pushstring(L, pid);
  lua_pushlstring(L, body ? body : "", body ? len : 0);
  lua_pushstring(L, where);
  return script_pcall(L, 4, 0, err);
}

int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err) {
  lua_State *L = b->s->L;
  push_prelude(b->s, "add_issues_file");
  lua_rawgeti(L, LUA_REGISTRYINDEX, b->ref);
  lua_pushlstring(L, body, len);
  lua_pushstring(L, fname);
  if (script_pcall(L, 3, 1, err) < 0) return -1;
  lua_pop(L, 1);
  return 0;
}

/* ---- rendering --------------------------------------------------------- */

void render_out_free(struct render_out *o) {
  free(o->envelope);
  for (size_t i = 0; i < o->posted; i++) free(o->ids[i]);
  free(o->ids);
  memset(o, 0, sizeof *o);
}

static void set_str(lua_State *L, const char *k, const char *v) {
  if (!v) return;
  lua_pushstring(L, v);
  lua_setfield(L, -2, k);
}

/* ctx for the scripts; projects must be on top of the stack and is consumed. */
static void push_ctx(lua_State *L, const struct render_ctx *rc) {
  lua_newtable(L);
  lua_insert(L, -2);
  lua_setfield(L, -2, "projects");
  set_str(L, "digest", rc->digest);
  set_str(L, "app_url", rc->app_url);
  set_str(L, "workspace", rc->workspace);
  set_str(L, "now", rc->now);
  set_str(L, "date", rc->date);
  lua_pushinteger(L, rc->limit);
  lua_setfield(L, -2, "limit");
  lua_pushstring(L, rc->empty_skip ? "skip" : "post");
  lua_setfield(L, -2, "empty");
  lua_createtable(L, (int)rc->nstates, 0);
  for (size_t i = 0; i < rc->nstates; i++) {
    lua_newtable(L);
    set_str(L, "id", rc->states[i].id);
    set_str(L, "name", rc->states[i].name);
    set_str(L, "group", rc->states[i].group);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "states");
  if (!rc->has_previous) return;
  lua_createtable(L, (int)rc->nprevious, 0);
  for (size_t i = 0; i < rc->nprevious; i++) {
    lua_pushstring(L, rc->previous[i]);
    lua_rawseti(L, -2, (lua_Integer)i + 1);
  }
  lua_setfield(L, -2, "previous");
}

static const char ENV_HEAD[] =
    "{\"type\":\"message\",\"attachments\":[{\"contentType\":"
    "\"application/vnd.microsoft.card.adaptive\",\"contentUrl\":null,\"content\":";
static const char ENV_TAIL[] = "}]}";

/* card(rows[1..n], ctx) -> envelope in out. Stack: rows at irows, ctx at ictx. */
static int render_card(struct script *s, int irows, int ictx, lua_Integer n, struct buf *out,
                       char *err) {
  lua_State *L = s->L;
  int top = lua_gettop(L);
  int rc = -1;
  push_prelude(s, "slice");
  lua_pushvalue(L, irows);
  lua_pushinteger(L, n);
  if (script_pcall(L, 2, 1, err) < 0) goto cleanup;
  lua_rawgeti(L, LUA_REGISTRYINDEX, s->card);
  lua_insert(L, -2);
  lua_pushvalue(L, ictx);
  if (script_pcall(L, 2, 1, err) < 0) goto cleanup;
  if (!lua_istable(L, -1)) {
    errf(err, "%s/card.lua: card() returned %s, expected a table (the Adaptive Card)", s->dir,
         luaL_typename(L, -1));
    goto cleanup;
  }
  lua_getfield(L, -1, "type");
  const char *type = lua_tostring(L, -1);
  if (!type || strcmp(type, "AdaptiveCard")) {
    errf(err, "%s/card.lua: the card's type is %s%s%s, expected \"AdaptiveCard\"", s->dir,
         type ? "\"" : "", type ? type : "missing", type ? "\"" : "");
    goto cleanup;
  }
  lua_pop(L, 1);
  push_prelude(s, "check_card");
  lua_pushvalue(L, -2);
  if (script_pcall(L, 1, 0, err) < 0) {
    errctx(err, "%s/card.lua returned a card that Teams cannot show", s->dir);
    goto cleanup;
  }
  buf_free(out);
  buf_add(out, ENV_HEAD, sizeof ENV_HEAD - 1);
  if (json_encode_lua(L, -1, "card", out, err) < 0) {
    errctx(err, "%s/card.lua returned a card that cannot be sent", s->dir);
    goto cleanup;
  }
  buf_add(out, ENV_TAIL, sizeof ENV_TAIL - 1);
  rc = 0;
cleanup:
  lua_settop(L, top);
  return rc;
}

/* The largest row count whose envelope fits the budget (rows are dropped from the end). */
static int fit_budget(struct script *s, int irows, int ictx, lua_Integer nrows, size_t budget,
                      struct buf *out, lua_Integer *posted, char *err) {
  if (render_card(s, irows, ictx, nrows, out, err) < 0) return -1;
  if (out->len <= budget) {
    *posted = nrows;
    return 0;
  }
  lua_Integer lo = 0, hi = nrows - 1, best = -1;
  struct buf probe;
  buf_init(&probe);
  while (lo <= hi) {
    lua_Integer mid = (lo + hi) / 2;
    if (render_card(s, irows, ictx, mid, &probe, err) < 0) {
      buf_free(&probe);
      return -1;
    }
    if (probe.len <= budget) {
      best = mid;
      buf_free(out);
      *out = probe;
      buf_init(&probe);
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  buf_free(&probe);
  if (best < 0)
    return errf(err, "even an empty card is %zu bytes, over the size budget of %zu bytes",
                out->len, budget);
  *posted = best;
  return 0;
}

static int collect_ids(lua_State *L, int irows, lua_Integer n, struct render_out *out) {
  out->ids = xcalloc((size_t)n, sizeof *out->ids);
  for (lua_Integer i = 1; i <= n; i++) {
    lua_rawgeti(L, irows, i);
    lua_getfield(L, -1, "id");
    out->ids[out->posted++] = xstrdup(lua_tostring(L, -1));
    lua_pop(L, 2);
  }
  return 0;
}

static int render_batch(struct script *s, int ibatch, const struct render_ctx *rc,
                        struct render_out *out, char *err) {
  lua_State *L = s->L;
  int top = lua_gettop(L);
  int ret = -1;
  struct buf env;
  buf_init(&env);
  memset(out, 0, sizeof *out);

  double t0 = now_ms();
  push_prelude(s, "prepare");
  lua_pushvalue(L, ibatch);
  if (script_pcall(L, 1, 2, err) < 0) goto cleanup;
  int iissues = top + 1;
  out->fetched = (size_t)lua_rawlen(L, iissues);
  push_ctx(L, rc); /* consumes projects */
  int ictx = top + 2;

  lua_rawgeti(L, LUA_REGISTRYINDEX, s->transform);
  lua_pushvalue(L, iissues);
  lua_pushvalue(L, ictx);
  if (script_pcall(L, 2, 2, err) < 0) goto cleanup;
  int irows = top + 3;

  push_prelude(s, "check_rows");
  lua_pushvalue(L, irows);
  lua_pushvalue(L, irows + 1);
  lua_pushinteger(L, rc->limit);
  lua_pushinteger(L, MAX_NAME);
  if (script_pcall(L, 4, 1, err) < 0) {
    errctx(err, "%s/transform.lua", s->dir);
    goto cleanup;
  }
  lua_Integer total = lua_tointeger(L, -1);
  lua_pop(L, 1);
  lua_pushinteger(L, total);
  lua_setfield(L, ictx, "total");
  out->matching = (size_t)total;

  lua_Integer nrows = (lua_Integer)lua_rawlen(L, irows), posted = 0;
  double t1 = now_ms();
  out->transform_ms = t1 - t0;
  if (nrows == 0 && rc->empty_skip) {
    out->skipped = 1;
    ret = 0;
    goto cleanup;
  }
  if (fit_budget(s, irows, ictx, nrows, rc->budget, &env, &posted, err) < 0) goto cleanup;
  out->card_ms = now_ms() - t1;
  collect_ids(L, irows, posted, out);
  out->size = env.len;
  out->envelope = buf_steal(&env);
  ret = 0;
cleanup:
  buf_free(&env);
  if (ret < 0) render_out_free(out);
  lua_settop(L, top);
  return ret;
}

int batch_render(struct batch *b, const struct render_ctx *rc, struct render_out *out, char *err) {
  lua_State *L = b->s->L;
  lua_rawgeti(L, LUA_REGISTRYINDEX, b->ref);
  int rc_ = render_batch(b->s, lua_gettop(L), rc, out, err);
  lua_pop(L, 1);
  return rc_;
}

int script_selfcheck(struct script *s, const struct render_ctx *rc, struct render_out *out,
                     char *err) {
  lua_State *L = s->L;
  push_prelude(s, "sample");
  if (script_pcall(L, 0, 1, err) < 0) return -1;
  int ret = render_batch(s, lua_gettop(L), rc, out, err);
  lua_pop(L, 1);
  lua_gc(L, LUA_GCCOLLECT);
  if (ret < 0) return errctx(err, "the scripts failed on the built-in sample");
  return 0;
}
