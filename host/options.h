/* The `options` setting: values config.lua hands to the scripts as ctx.options. A tree
 * of plain values (strings, numbers, booleans, tables of them), held in C between the
 * configuration's Lua state and the render's. This header knows no Lua. */
#pragma once
#include <stddef.h>

/* How deep a value may sit below `options` (options.a.b.c.d at most). */
#define OPT_MAX_DEPTH 4

enum opt_type { OPT_STR, OPT_INT, OPT_NUM, OPT_BOOL, OPT_TABLE };

/** One entry of a table: its key (a name, or an integer index when name is NULL) and
 *  its value. */
struct opt {
  char *name;
  long long index;
  enum opt_type type;
  char *s; /* OPT_STR: the bytes, with their length in len */
  size_t len;
  long long i;      /* OPT_INT */
  double n;         /* OPT_NUM */
  int b;            /* OPT_BOOL */
  struct opt *items; /* OPT_TABLE: its entries */
  size_t nitems;
};

/** Free n entries and the array. */
void opt_free(struct opt *items, size_t n);
/** A deep copy of n entries (NULL for none). */
struct opt *opt_copy(const struct opt *items, size_t n);
/** Each named entry of add replaces the entry of that name in *items or is appended
 *  (a shallow merge); add's entries are moved, add itself freed. */
void opt_merge(struct opt **items, size_t *n, struct opt *add, size_t nadd);
