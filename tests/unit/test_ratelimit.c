/* The rate limiter: places, waits, forgetting, a new limit, a server's pause. */
#include "check.h"
#include "loop.h"
#include "ratelimit.h"

static int ran[4];
static void go(void *ud) { ran[(int)(long)ud]++; }

/* A forgotten wait never runs, even when a place frees right after. */
static void test_forget_then_release(struct loop *l) {
  struct limiters *set = limiters_new(l);
  struct limiter *lm = limiters_get(set, "k", 1);
  limiter_acquire(lm, go, (void *)0L);
  CHECK(ran[0] == 1);
  limiter_acquire(lm, go, (void *)1L); /* no place: waits */
  limiter_acquire(lm, go, (void *)2L);
  CHECK(ran[1] == 0 && ran[2] == 0);
  limiter_forget(lm, (void *)1L);
  limiter_set(lm, 3); /* places for both, but only 2 still waits */
  CHECK(ran[1] == 0 && ran[2] == 1);
  limiter_release(lm);
  limiter_release(lm);
  CHECK(ran[1] == 0);
  limiters_free(set);
}

/* A released place stays taken for 60 s: the next wait does not start at once. */
static void test_release_keeps_the_place(struct loop *l) {
  struct limiters *set = limiters_new(l);
  struct limiter *lm = limiters_get(set, "k", 1);
  CHECK(limiters_get(set, "k", 5) == lm && limiter_limit(lm) == 1);
  CHECK(limiters_find(set, "other") == NULL);
  limiter_acquire(lm, go, (void *)3L);
  limiter_acquire(lm, go, (void *)3L);
  limiter_release(lm);
  CHECK(ran[3] == 1);
  limiters_free(set); /* the wait is dropped with its wake-up */
}

/* A pause (the server said nothing is left) holds every wait, even with places free,
 * until it ends; a shorter or past pause changes nothing. */
static double started_at;
static double ran_at;
static void stamp(void *ud) {
  (void)ud;
  ran_at = now_ms();
}
static void test_pause_holds_until_its_end(struct loop *l) {
  struct limiters *set = limiters_new(l);
  struct limiter *lm = limiters_get(set, "k", 100);
  started_at = now_ms();
  CHECK(limiter_pause(lm, started_at + 150) == 1);
  CHECK(limiter_pause(lm, started_at + 50) == 0);  /* not longer: no new pause */
  CHECK(limiter_pause(lm, started_at - 10) == 0);  /* in the past */
  limiter_acquire(lm, stamp, NULL);
  CHECK(ran_at == 0);
  loop_run(l);
  CHECK(ran_at >= started_at + 150);
  limiter_release(lm);
  limiters_free(set);
}

int main(void) {
  struct loop *l = NULL;
  char err[ERR_LEN];
  CHECK(loop_open(&l, err) == 0);
  test_forget_then_release(l);
  test_release_keeps_the_place(l);
  test_pause_holds_until_its_end(l);
  loop_close(l);
  return CHECK_DONE();
}
