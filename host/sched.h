/* When a digest is due: wall-clock time in its time zone, its days and holidays, and what the
 * state file says of today. Pure functions of time: no I/O. */
#pragma once
#include <time.h>

#include "config.h"

#define SCHED_RETRY_SECONDS (15 * 60) /* after a failed sync, try again this much later */
#define SCHED_MAX_SLEEP 60            /* never sleep longer than this between checks */

/** What the state file says, as instants (0 = never). */
struct sched_view {
  time_t last_success; /* last_sync */
  time_t last_attempt; /* when the last attempt began */
  time_t pending;      /* an attempt whose outcome was never recorded (a crash) */
  int last_failed;     /* the last attempt failed (last_sync_status = error) */
  int last_unknown;    /* the last attempt may have posted (last_sync_status = unknown) */
};

/** Today's digest was posted, or may have been (unknown outcome): never again today. */
int sched_done_today(const struct digest *d, const struct sched_view *v, time_t now);
/** Today (in the digest's time zone) is one of its holidays. */
int sched_holiday(const struct digest *d, time_t now);
/** Due now: a day of the digest and not a holiday, at or past its hour, not done today,
 *  and not within 15 minutes of a failed attempt of today. */
int sched_due(const struct digest *d, const struct sched_view *v, time_t now);
/** Seconds to sleep before checking again (1 .. SCHED_MAX_SLEEP). */
int sched_sleep(const struct digest *d, const struct sched_view *v, time_t now);
/** The next instant the digest will be due (0 if none within a week plus a week per
 *  holiday, at most 60: in practice never). */
time_t sched_next(const struct digest *d, const struct sched_view *v, time_t now);
