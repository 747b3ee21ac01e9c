/* The typed seam between the C host and the host's own Lua (host/hooks.lua): every call
 * is a named hook with one argument table built from a C struct and one result table
 * read back into a C struct, field by field, by name. A field that is missing or of
 * another type is an internal error naming the hook and the field: reordering or
 * renaming on one side fails at once, it cannot swap figures.
 * This header knows no Lua: the descriptors below say where each field lives. */
#pragma once
#include <stddef.h>

struct script;

enum hook_type {
  HF_BOOL,    /* int */
  HF_INT,     /* long long */
  HF_NUM,     /* double */
  HF_STR,     /* const char * (in: NULL leaves the field out; out: malloc'd copy, required) */
  HF_OPTSTR,  /* out only: char *, nil gives NULL */
              /* (out, HF_STR and HF_OPTSTR: a non-zero len is where its size_t length goes) */
  HF_LSTR,    /* char * at off with its size_t length at len (in: bytes; out: malloc'd) */
  HF_REF,     /* int: a registry reference (in: the value; out: a new reference) */
  HF_STRLIST, /* char ** at off, size_t count at len (in: NULL leaves the field out) */
  HF_RECORD,  /* in only: a struct at off, described by sub[0..nsub) */
  HF_OPTIONS, /* in only: a tree of plain values (const struct opt * at off, its size_t
               * count at len; options.h), always a table, empty when NULL */
  HF_RECORDS, /* in only: an array (pointer at off, size_t count at len) of structs of size
               * `size`, each described by sub[0..nsub) */
};

struct hook_field {
  const char *name;
  enum hook_type type;
  size_t off, len;
  const struct hook_field *sub;
  size_t nsub, size;
};

/** One hook: the function of host/hooks.lua and the fields of its argument and result. */
struct hook {
  const char *fn;
  const struct hook_field *in;
  size_t nin;
  const struct hook_field *out;
  size_t nout;
};

#define HOOK_FIELDS(a) (a), (sizeof(a) / sizeof *(a))

/** Call h with the fields of *in (and `scripts`: the user's transform, card and folder,
 *  when s loaded them) and fill *out from the table it returns. On error returns -1,
 *  *out holds nothing to free. */
int hook_call(struct script *s, const struct hook *h, const void *in, void *out, char *err);
/** Free what hook_call allocated in *out (strings, lists); references are the caller's. */
void hook_free(const struct hook *h, void *out);
/** Drop a reference an HF_REF result gave. */
void hook_unref(struct script *s, int ref);
