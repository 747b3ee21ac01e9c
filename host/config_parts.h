/* Between the files of the configuration room only (config.c, config_keys.c,
 * config_digest.c, config_holidays.c, config_show.c): the error helpers and the steps of
 * reading. */
#pragma once
#include <lua.h>

#include "config.h"

/** "<where>: <key> <message> [(set by VAR)]"; value is the rejected value (or NULL): the
 *  variable is named only when env() produced that value. Returns -1. */
int config_bad(char *err, const char *where, const char *key, const char *value, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/** A value as it may be shown in one line: control bytes escaped, at most 120 bytes.
 *  A few buffers in turn, so one message may show two values. */
const char *config_esc(const char *s);

/** Read the value at the top of the stack as digest key `key` into d.
 *  1: read, 0: not a digest key, -1: error. */
int config_digest_key(lua_State *L, const char *key, const char *where, struct digest *d, char *err);
/** The same for a top-level key of struct config. */
int config_global_key(lua_State *L, const char *key, struct config *c, char *err);
int config_is_global_key(const char *key);

/** The `holidays` value at idx (a list of dates or one comma-separated string) into d,
 *  sorted and without repeats; nil leaves d as it is. */
int config_read_holidays(lua_State *L, int idx, const char *where, struct digest *d, char *err);

/** `mentions` (true/false or 1/0, yes/no, on/off) and `mention_ids` (a table of strings,
 *  each a UPN or an Entra object id) at idx into d; nil leaves d as it is. */
int config_read_mentions(lua_State *L, int idx, const char *where, struct digest *d, char *err);
int config_read_mention_ids(lua_State *L, int idx, const char *where, struct digest *d, char *err);
void config_free_mention_ids(struct mention_id *m, size_t n);
/** The `options` value at idx (a table of named plain values) merged into d's options
 *  (its names replace those d has); nil leaves d as it is. */
int config_read_options(lua_State *L, int idx, const char *where, struct digest *d, char *err);

/** The table config.lua returned (at idx) into c: top-level keys, digests, checks. */
int config_read_table(lua_State *L, int idx, struct config *c, char *err);
void config_digest_clear(struct digest *d);
void config_free_list(char **l, size_t n);
void config_free_states(struct state_sel *st, size_t n);
