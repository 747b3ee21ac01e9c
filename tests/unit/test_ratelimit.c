/* The rate limiter: places, waits, forgetting, a new limit. */
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

int main(void) {
  struct loop *l = NULL;
  char err[ERR_LEN];
  CHECK(loop_open(&l, err) == 0);
  test_forget_then_release(l);
  test_release_keeps_the_place(l);
  loop_close(l);
  return CHECK_DONE();
}
