/* The Lua runtime: states with a memory cap, the one protected call (instruction budget,
 * wall-clock limit, traceback), the sandbox the user's Lua runs in, and the scripts
 * (transform.lua, card.lua) loaded beside the host's own Lua (host/batch.lua).
 * Every other room reaches Lua through this header; only this file, and the files
 * that implement Lua-visible functions (config.c: env(), json.c: the encoder), include
 * lua.h. */
#pragma once
#include <signal.h>
#include <stddef.h>

#include "util.h"

typedef struct lua_State lua_State;

/** Instructions one entry into Lua may run before it is stopped. */
#define SCRIPT_INSTRUCTION_BUDGET 400000000L
/** Wall-clock time one entry into Lua may take. */
#define SCRIPT_WALL_MS 10000.0
/** Memory one Lua state may hold. */
#define SCRIPT_MEMORY_LIMIT ((size_t)1 << 30)

/** A fresh Lua state with the standard libraries, a memory cap and a panic guard. */
lua_State *script_lua_new(void);
/** Close a state made by script_lua_new (NULL is fine). */
void script_lua_close(lua_State *L);
/** The single protected call: function and nargs on the stack, traceback handler,
 *  instruction budget and wall-clock limit. A script cannot catch the limit's error:
 *  its own pcall re-raises it. On error returns -1 with err = the message (file:line
 *  first, as Lua gives it) and the stack as before the function. */
int script_pcall(lua_State *L, int nargs, int nresults, char *err);
/** Push a new table holding what user Lua may use: its own copies of string, table,
 *  math and utf8, the pure base functions, and a pcall/xpcall that cannot catch the
 *  limits. Changing them changes nothing for the host. */
void script_push_sandbox_base(lua_State *L);
/** While *flag is non-zero (a stop signal arrived), Lua stops at its next check. */
void script_set_interrupt(volatile sig_atomic_t *flag);

/** The user's scripts and the host's own Lua, in one state. */
struct script;

/** Load scripts_dir/transform.lua and scripts_dir/card.lua into a new state. NULL
 *  scripts_dir: the host's own Lua only, for commands that render nothing (discover). */
int script_open(const char *scripts_dir, struct script **out, char *err);
void script_close(struct script *s);
const char *script_dir(const struct script *s);
/** Memory the state holds, in KiB. */
size_t script_memory_kb(const struct script *s);

/** A value going into or coming out of the host's own Lua. */
enum script_type { SV_NIL, SV_BOOL, SV_INT, SV_NUM, SV_STR, SV_REF };
struct script_val {
  enum script_type type;
  long long i;   /* SV_BOOL, SV_INT */
  double n;      /* SV_NUM */
  char *s;       /* SV_STR (results: a copy, freed by script_vals_free) */
  size_t len;
  int ref;       /* SV_REF: a value kept in the state (script_unref) */
};
#define SV_S(str, n) {SV_STR, 0, 0, (char *)(str), (n), 0}
#define SV_I(v) {SV_INT, (v), 0, NULL, 0, 0}
#define SV_R(r) {SV_REF, 0, 0, NULL, 0, (r)}

/** Call fn of the host's own Lua (host/batch.lua) with in[0..nin). Each out[k].type says
 *  what result k must be (SV_NIL: anything, ignored; SV_STR also accepts nil, giving
 *  s = NULL; SV_REF keeps any value). A wrong type is an internal error. */
int script_host(struct script *s, const char *fn, const struct script_val *in, int nin,
                struct script_val *out, int nout, char *err);
void script_vals_free(struct script_val *v, int n);
void script_unref(struct script *s, int ref);
/** Collect garbage now (after a sync, before a long wait). */
void script_collect(struct script *s);
