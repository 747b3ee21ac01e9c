/* The Lua side of the host: the one protected call, the sandboxed scripts
 * (transform.lua, card.lua), Plane pages decoded into a batch of issues, and the
 * rendering of a batch into a Teams envelope within the size budget. */
#pragma once
#include <stddef.h>

#include "util.h"

typedef struct lua_State lua_State;

/** Instructions one entry into Lua may run before it is stopped. */
#define SCRIPT_INSTRUCTION_BUDGET 400000000L
/** Memory one Lua state may hold. */
#define SCRIPT_MEMORY_LIMIT ((size_t)1 << 30)

/** A fresh Lua state with the standard libraries, a memory cap and a panic guard. */
lua_State *script_lua_new(void);
/** Close a state made by script_lua_new (NULL is fine). */
void script_lua_close(lua_State *L);
/** The single protected call: function and nargs on the stack, traceback handler,
 *  instruction budget. On error returns -1 with err = the script's message
 *  (file:line first, as Lua gives it) and the stack as before the function. */
int script_pcall(lua_State *L, int nargs, int nresults, char *err);

struct script;

/** Load scripts_dir/transform.lua and scripts_dir/card.lua into a new state. */
int script_open(const char *scripts_dir, struct script **out, char *err);
void script_close(struct script *s);
const char *script_dir(const struct script *s);

/** One configured state of the filter. */
struct state_sel {
  char *id;
  char *name;
  char *group;
};

/** What the scripts are told about the digest being rendered. */
struct render_ctx {
  const char *digest;
  const char *app_url;
  const char *workspace;
  const struct state_sel *states;
  size_t nstates;
  int limit;
  size_t budget;      /* bytes of the encoded envelope */
  int empty_skip;     /* no rows: post nothing */
  const char *now;    /* ISO 8601 with offset */
  const char *date;   /* local date YYYY-MM-DD */
  int has_previous;   /* 0 before the first post: nothing is marked new */
  char **previous;    /* ids of the last posted rows */
  size_t nprevious;
};

struct render_out {
  char *envelope; /* NULL when skipped */
  size_t size;
  int skipped;    /* no rows and empty = "skip" */
  size_t fetched; /* issues in the batch */
  size_t matching;/* ctx.total */
  size_t posted;  /* rows on the card */
  char **ids;     /* ids of the posted rows, in card order */
  double transform_ms; /* transform.lua (and the host's preparation of the issues) */
  double card_ms;      /* card.lua, the checks and the encoding, every render of the budget */
};
void render_out_free(struct render_out *o);

/** The issues, projects and states of one sync, held in the script's state. */
struct batch;
int batch_new(struct script *s, struct batch **out, char *err);
void batch_free(struct batch *b);

struct page_info {
  int has_next;
  char next_cursor[128];
  size_t count;
};

/** Decode one Plane issues page of project pid and add its issues (by id, once).
 *  `where` names the endpoint in errors. */
int batch_add_issues_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err);
/** Decode one page of a project's states. */
int batch_add_states_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err);
/** Decode a project object (identifier, name). */
int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err);
/** Load a saved issue list (a Plane page, or a JSON array of issues) for preview:
 *  projects and their states are derived from the issues. */
int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err);
size_t batch_count(const struct batch *b);
/** Memory the script's Lua state holds, in KiB. */
size_t script_memory_kb(const struct script *s);

/** transform.lua + card.lua + envelope + size budget. */
int batch_render(struct batch *b, const struct render_ctx *rc, struct render_out *out, char *err);

/** Run the scripts on the built-in sample and check what they return. */
int script_selfcheck(struct script *s, const struct render_ctx *rc, struct render_out *out,
                     char *err);
