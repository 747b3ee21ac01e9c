/* Encoding Lua values to JSON: for the files that implement Lua (script.c, and the
 * tests), not for the rest of the host. */
#pragma once
#include <lua.h>

#include "util.h"

/** Append the value at Lua stack index idx as compact JSON. Tables with keys 1..n
 *  are arrays, an empty table is `[]`, other tables are objects with string keys
 *  (written in a stable order: type, $schema, version, msteams, then by name).
 *  cjson.null (a NULL light userdata) is null. `what` names the value in errors,
 *  e.g. "card"; err then says which path is wrong. */
int json_encode_lua(lua_State *L, int idx, const char *what, struct buf *out, char *err);
/** The same as a Lua function for the host's own Lua: encode(value [, name]) returns the
 *  JSON text, or raises "name.path: what is wrong". */
int json_l_encode(lua_State *L);

