/* What a digest's state file says, outside a sync: for the daemon (runs, wake-ups,
 * metrics at start-up) and for `status`. */
#pragma once
#include <time.h>

#include "config.h"
#include "sched.h"
#include "state.h"

struct metrics;

/** Read the digest's state for a run: a corrupt file is moved aside and an attempt
 *  without an outcome becomes "unknown"; both mean no post today. */
int digest_state_load(const struct digest *d, struct state *st, time_t now, char *err);
/** The scheduler's view of a state. */
void digest_state_view(const struct state *st, struct sched_view *v);
/** The figures of a state that the metrics file shows (last success, errors…). */
void digest_state_metrics(const struct state *st, struct metrics *m);
/** Put a digest's figures from its state file into the metrics file (at start-up). */
void digest_state_seed_metrics(const struct digest *d, const char *metrics_file);
