/* Rendering: the scripts' ctx (a table built here, once per render), transform.lua and
 * card.lua run by the host's Lua over a batch, the Teams envelope within the size
 * budget, and the self-check on the built-in sample. */
#pragma once
#include <stddef.h>
#include <time.h>

#include "batch.h"
#include "config.h"
#include "hook.h"
#include "state.h"
#include "util.h"

struct render_out {
  char *envelope; /* NULL when skipped */
  size_t size;
  int skipped;    /* no rows and empty = "skip" */
  size_t fetched; /* issues in the batch */
  size_t matching;/* ctx.total */
  size_t posted;  /* rows on the card */
  char **ids;     /* ids of the posted rows, in card order */
  struct state_row *rows; /* the posted rows (rank, priority, state, due date), for the state file */
  size_t nrows;
  double transform_ms; /* the host's preparation of the issues and transform.lua */
  double card_ms;      /* card.lua, the checks and the encoding, every render of the budget */
};
void render_out_free(struct render_out *o);

/** The fields of a configured state (id, name, group) as the hooks get them. */
extern const struct hook_field render_state_fields[3];
/** The fields of a posted row (struct state_row: id, rank, priority, state, target_date). */
extern const struct hook_field render_previous_row_fields[5];

/** transform + card + envelope + size budget over b, for digest d. keep_empty: render
 *  a card even when nothing matches and d says empty = "skip". */
int render_batch(struct batch *b, const struct digest *d, time_t now, const struct state *st,
                 int keep_empty, struct render_out *out, char *err);

/** Run the scripts on the built-in sample for every digest of c (what `check` and a
 *  reload do before trusting them). report (may be NULL) gets one line per digest. */
int render_selfcheck(struct script *s, const struct config *c, struct buf *report, char *err);
/** The digest's `language` against card.lua's LANGUAGES: a configuration error naming the
 *  setting and the languages card.lua has. */
int render_check_language(struct script *s, const struct config *c, const struct digest *d, char *err);
