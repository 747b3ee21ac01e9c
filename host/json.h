/* JSON in C: encoding a Lua table (cards, envelopes), writing strings, and a small
 * strict parser for the host's own files (the state file). Plane pages are decoded
 * by lua-cjson inside the script state, not here. */
#pragma once
#include <stddef.h>

#include "util.h"

typedef struct lua_State lua_State;

/** Append the value at Lua stack index idx as compact JSON. Tables with keys 1..n
 *  are arrays, an empty table is `[]`, other tables are objects with string keys
 *  (written in a stable order: type, $schema, version, msteams, then by name).
 *  cjson.null (a NULL light userdata) is null. `what` names the value in errors,
 *  e.g. "card"; err then says which path is wrong. */
int json_encode_lua(lua_State *L, int idx, const char *what, struct buf *out, char *err);
/** The same as a Lua function for the host's own Lua: encode(value [, name]) returns the
 *  JSON text, or raises "name.path: what is wrong". */
int json_l_encode(lua_State *L);

/** Append s as a JSON string literal (UTF-8 passed through, controls escaped). */
void json_add_string(struct buf *b, const char *s);

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
  enum json_type type;
  int boolean;
  double number;
  char *string;
  size_t n;           /* items of an array or object */
  struct json *items; /* values */
  char **keys;        /* object keys, parallel to items */
};

/** Parse a complete JSON text; err gives the byte offset of the problem. */
int json_parse(const char *text, size_t len, struct json **out, char *err);
void json_free(struct json *v);
/** Member of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
