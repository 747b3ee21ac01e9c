/* The state file of a digest: read (strictly), atomic write, quarantine, lock. */
#pragma once
#include <stddef.h>

#include "util.h"

/** A posted row's state: the issue's state when it was posted (NULL: unknown). */
struct row_state {
  char *id, *name, *group;
};

/** One row of the last posted card, as the host saw its issue (ctx.previous_rows). */
struct state_row {
  char *id;
  long long rank;     /* 1 = the card's first row */
  char *priority;     /* urgent, high, medium, low, none; NULL: unknown */
  struct row_state state;
  char *target_date;  /* as Plane gave it (YYYY-MM-DD), NULL: none */
};

struct state {
  char *last_sync;        /* ISO 8601 of the last successful post, NULL */
  char *last_sync_status; /* "success", "error", "unknown", NULL */
  char **last_issues;     /* ids of the last posted rows, in card order */
  size_t nlast;
  struct state_row *last_rows; /* the rows of last_issues, in card order; none in a file of
                                * ids only (written before the rows were kept) */
  size_t nrows;
  long error_count;       /* failed attempts since the last success */
  char *last_error;       /* NULL */
  char *attempt;          /* ISO 8601: a POST was about to leave, outcome not recorded */
  char *last_attempt;     /* ISO 8601: when the last attempt began */
};

/** Read path. A missing file is an empty state (*exists = 0). A file that cannot be
 *  read or is not a valid state returns -1 with err saying why. */
int state_read(const char *path, struct state *st, int *exists, char *err);
/** Replace path atomically: temp file in the same folder, fsync, rename, fsync folder; 0600. */
int state_write(const char *path, const struct state *st, char *err);
/** Move a bad state file aside to path.corrupt-<UTC time>; moved_to gets the name. */
int state_quarantine(const char *path, char *moved_to, size_t n, char *err);
void state_clear(struct state *st);
/** Free n rows and the array. */
void state_rows_free(struct state_row *rows, size_t n);
/** Set *slot to a copy of value (NULL clears it). */
void state_set(char **slot, const char *value);

struct state_lock;
/** Lock path for this process (a path.lock file, held until unlock or exit), then remove
 *  the temporary files of path that a killed write left (state_write's ".name.tmp-XXXXXX").
 *  Returns -2 when another process holds it (nothing is removed); err names the file and its pid. */
int state_lock(const char *path, struct state_lock **out, char *err);
void state_unlock(struct state_lock *l);
/** Whether a process holds path's lock (path.lock), without taking it for more than an
 *  instant: 1 held (pid gets the pid it wrote, "" if none), 0 not held or no lock file,
 *  -1 on an error (err says which file and why). */
int state_lock_held(const char *path, char *pid, size_t n, char *err);
