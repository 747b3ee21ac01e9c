#include "ratelimit.h"

#include <stdlib.h>
#include <string.h>

#include "log.h"

#define WINDOW_MS 60000.0

struct waiter {
  void (*cb)(void *ud);
  void *ud;
  struct waiter *next;
};

struct limiter {
  char *key;
  int limit;
  int in_flight;
  double *expires; /* answered requests: monotonic ms when their place frees, ascending */
  size_t nexpires, cap;
  double paused_until; /* monotonic ms: the server said no request is left before then */
  struct waiter *head, *tail;
  uint64_t wake;
  struct loop *loop;
  struct limiter *next;
};

struct limiters {
  struct loop *loop;
  struct limiter *list;
};

static void prune(struct limiter *lm, double now) {
  size_t k = 0;
  while (k < lm->nexpires && lm->expires[k] <= now) k++;
  if (!k) return;
  memmove(lm->expires, lm->expires + k, (lm->nexpires - k) * sizeof *lm->expires);
  lm->nexpires -= k;
}

/* Start the waiters that have a place; wake up again when the next place frees. */
static void pump(void *ud) {
  struct limiter *lm = ud;
  delay_cancel(lm->loop, lm->wake);
  lm->wake = 0;
  while (lm->head) {
    double now = now_ms();
    prune(lm, now);
    if (lm->paused_until > now) {
      lm->wake = delay_start(lm->loop, (uint64_t)(lm->paused_until - now) + 1, pump, lm);
      return;
    }
    if (lm->in_flight + (int)lm->nexpires >= lm->limit) {
      if (lm->nexpires) { /* else: an answer will pump */
        lm->wake = delay_start(lm->loop, (uint64_t)(lm->expires[0] - now) + 1, pump, lm);
        log_debug(NULL, LF(LF_N("rate_limit", lm->limit)), "rate limit: %d requests a minute reached; "
                  "the next waits %.1f s", lm->limit, (lm->expires[0] - now) / 1000.0);
      }
      return;
    }
    struct waiter *w = lm->head;
    lm->head = w->next;
    if (!lm->head) lm->tail = NULL;
    lm->in_flight++;
    void (*cb)(void *) = w->cb;
    void *wud = w->ud;
    free(w);
    cb(wud);
  }
}

void limiter_acquire(struct limiter *lm, void (*cb)(void *), void *ud) {
  struct waiter *w = xcalloc(1, sizeof *w);
  w->cb = cb, w->ud = ud;
  if (lm->tail) lm->tail->next = w;
  else lm->head = w;
  lm->tail = w;
  pump(lm);
}

void limiter_release(struct limiter *lm) {
  if (lm->nexpires == lm->cap) {
    lm->cap = lm->cap ? lm->cap * 2 : 64;
    lm->expires = xrealloc(lm->expires, lm->cap * sizeof *lm->expires);
  }
  lm->in_flight--;
  lm->expires[lm->nexpires++] = now_ms() + WINDOW_MS;
  if (lm->head) pump(lm);
}

void limiter_forget(struct limiter *lm, void *ud) {
  struct waiter **pp = &lm->head;
  lm->tail = NULL;
  while (*pp) {
    if ((*pp)->ud == ud) {
      struct waiter *w = *pp;
      *pp = w->next;
      free(w);
    } else {
      lm->tail = *pp;
      pp = &(*pp)->next;
    }
  }
}

int limiter_pause(struct limiter *lm, double until_ms) {
  if (until_ms <= lm->paused_until || until_ms <= now_ms()) return 0;
  lm->paused_until = until_ms;
  if (lm->head) pump(lm);
  return 1;
}

int limiter_limit(const struct limiter *lm) { return lm->limit; }

void limiter_set(struct limiter *lm, int limit) {
  if (limit == lm->limit) return;
  lm->limit = limit;
  if (lm->head) pump(lm);
}

struct limiters *limiters_new(struct loop *loop) {
  struct limiters *set = xcalloc(1, sizeof *set);
  set->loop = loop;
  return set;
}

struct limiter *limiters_find(const struct limiters *set, const char *key) {
  for (struct limiter *lm = set->list; lm; lm = lm->next)
    if (!strcmp(lm->key, key)) return lm;
  return NULL;
}

struct limiter *limiters_get(struct limiters *set, const char *key, int limit) {
  struct limiter *lm = limiters_find(set, key);
  if (lm) return lm;
  lm = xcalloc(1, sizeof *lm);
  lm->key = xstrdup(key);
  lm->limit = limit;
  lm->loop = set->loop;
  lm->next = set->list;
  set->list = lm;
  return lm;
}

void limiters_free(struct limiters *set) {
  if (!set) return;
  while (set->list) {
    struct limiter *lm = set->list;
    set->list = lm->next;
    delay_cancel(lm->loop, lm->wake);
    while (lm->head) {
      struct waiter *w = lm->head;
      lm->head = w->next;
      free(w);
    }
    free(lm->expires);
    free(lm->key);
    free(lm);
  }
  free(set);
}
