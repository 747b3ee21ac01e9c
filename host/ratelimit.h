/* A client-side rate limit: at most `limit` requests in any 60 s. A request takes its
 * place when it leaves and keeps it until 60 s after its answer came back, so a server
 * that counts arrivals never sees more than `limit`. A server's own word that the key
 * has nothing left (limiter_pause) holds every request of the key until then. One
 * limiter per key (for Plane: base URL and API key), kept in a set. */
#pragma once
#include "loop.h"

struct limiter;
struct limiters;

struct limiters *limiters_new(struct loop *loop);
/** Free every limiter; their waiting callbacks never run. */
void limiters_free(struct limiters *set);
/** The limiter of key, made with `limit` when it is new. */
struct limiter *limiters_get(struct limiters *set, const char *key, int limit);
/** The limiter of key, or NULL. */
struct limiter *limiters_find(const struct limiters *set, const char *key);

int limiter_limit(const struct limiter *lm);
/** A new limit, applied at once (waiting requests may go). */
void limiter_set(struct limiter *lm, int limit);
/** cb(ud) runs, from this call or later from the loop, when a place is free; the place
 *  is the caller's until limiter_release. */
void limiter_acquire(struct limiter *lm, void (*cb)(void *ud), void *ud);
/** The request of a place was answered (or never left): its place frees in 60 s.
 *  Waiting callbacks may run from this call. */
void limiter_release(struct limiter *lm);
/** The server said the key has no request left before until_ms (monotonic): no place
 *  is given before then. 1 when that pauses the key longer than it was (a new pause,
 *  for the caller to log), else 0. */
int limiter_pause(struct limiter *lm, double until_ms);
/** Drop every wait of ud: its callbacks will not run. */
void limiter_forget(struct limiter *lm, void *ud);
