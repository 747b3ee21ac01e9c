/* JSON in C: writing strings, and a small strict parser for the host's own files (the
 * state file). Lua tables are encoded by json_lua.h; Plane pages are decoded by
 * lua-cjson inside the script state, not here. */
#pragma once
#include <stddef.h>

#include "util.h"

/** How deep arrays and objects may nest, in what is parsed and what is encoded. */
#define JSON_MAX_DEPTH 64

/** Append s as a JSON string literal (UTF-8 passed through, controls escaped). */
void json_add_string(struct buf *b, const char *s);
/** The same for n bytes (a NUL becomes U+FFFD). */
void json_add_stringn(struct buf *b, const char *s, size_t n);
/** True when the n bytes of s are valid UTF-8 (no surrogates, no overlong forms). */
int json_utf8_valid(const char *s, size_t n);

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
