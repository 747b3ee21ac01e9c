/* The Lua runtime: states with a memory cap, the one protected call (instruction budget,
 * wall-clock limit, traceback), the sandbox the user's Lua runs in, and the scripts
 * (transform.lua, card.lua) loaded beside the host's own Lua (the .lua files of host/). The other
 * rooms reach the host's Lua through host/hook.h; only this file, hook.c and the files
 * that implement Lua-visible functions (config.c: env(), json.c: the encoder) include
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
/** What the scripts' M.needs ask the host to fetch besides the issues (read when they load). */
enum { SCRIPT_NEED_LABELS = 1u, SCRIPT_NEED_CYCLES = 2u, SCRIPT_NEED_MODULES = 4u };
unsigned script_needs(const struct script *s);
/** Memory the state holds, in KiB. */
size_t script_memory_kb(const struct script *s);

/** For host/hook.c, the typed seam: the state, host/hooks.lua's table of hooks and the
 *  table of the user's scripts (registry references; LUA_NOREF when none). */
lua_State *script_state(struct script *s);
int script_hooks_ref(const struct script *s);
int script_scripts_ref(const struct script *s);
void script_unref(struct script *s, int ref);
/** Collect garbage now (after a sync, before a long wait). */
void script_collect(struct script *s);
