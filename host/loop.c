#include "loop_uv.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

volatile sig_atomic_t loop_stop_requested;

struct delay;

struct loop {
  uv_loop_t uv;
  uv_async_t wake; /* the signal handler wakes the loop through it */
  void (*on_signal)(int signum, void *ud);
  void *ud;
  int signals_on;
  struct delay *delays; /* pending, by id */
  uint64_t last_id;
};

static const int watched[3] = {SIGHUP, SIGTERM, SIGINT};
static volatile sig_atomic_t pending[3];
static uv_async_t *wake_target;

int loop_open(struct loop **out, char *err) {
  struct loop *l = xcalloc(1, sizeof *l);
  int rc = uv_loop_init(&l->uv);
  if (rc < 0) {
    free(l);
    return errf(err, "cannot start the event loop: %s", uv_strerror(rc));
  }
  *out = l;
  return 0;
}

uv_loop_t *loop_uv(struct loop *l) { return &l->uv; }

/* Only async-signal-safe work here: flags and uv_async_send. */
static void on_raw_signal(int signum) {
  for (int i = 0; i < 3; i++)
    if (watched[i] == signum) pending[i] = 1;
  if (signum != SIGHUP) loop_stop_requested = 1;
  if (wake_target) uv_async_send(wake_target);
}

static void on_wake(uv_async_t *a) {
  struct loop *l = a->data;
  for (int i = 0; i < 3; i++) {
    if (!pending[i]) continue;
    pending[i] = 0;
    if (l->on_signal) l->on_signal(watched[i], l->ud);
  }
}

int loop_watch_signals(struct loop *l, void (*cb)(int, void *), void *ud, char *err) {
  struct sigaction sa;
  l->on_signal = cb;
  l->ud = ud;
  int rc = uv_async_init(&l->uv, &l->wake, on_wake);
  if (rc < 0) return errf(err, "cannot watch signals: %s", uv_strerror(rc));
  l->wake.data = l;
  wake_target = &l->wake;
  l->signals_on = 1;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_raw_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  for (int i = 0; i < 3; i++)
    if (sigaction(watched[i], &sa, NULL) < 0) return errf(err, "cannot watch signal %d", watched[i]);
  return 0;
}

void loop_unwatch_signals(struct loop *l) {
  if (!l->signals_on) return;
  for (int i = 0; i < 3; i++) signal(watched[i], SIG_DFL);
  wake_target = NULL;
  uv_close((uv_handle_t *)&l->wake, NULL);
  l->signals_on = 0;
}

void loop_run(struct loop *l) { uv_run(&l->uv, UV_RUN_DEFAULT); }

void loop_stop(struct loop *l) { uv_stop(&l->uv); }

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

struct delay {
  uv_timer_t timer;
  struct loop *loop;
  uint64_t id;
  void (*cb)(void *);
  void *ud;
  struct delay *next;
};

static void delay_closed(uv_handle_t *h) { free(h->data); }

/* Take d off the loop's list and close its timer (memory goes in the close callback). */
static void delay_retire(struct delay *d) {
  struct delay **pp = &d->loop->delays;
  while (*pp && *pp != d) pp = &(*pp)->next;
  if (*pp) *pp = d->next;
  uv_timer_stop(&d->timer);
  uv_close((uv_handle_t *)&d->timer, delay_closed);
}

void loop_close(struct loop *l) {
  if (!l) return;
  loop_unwatch_signals(l);
  while (l->delays) delay_retire(l->delays);
  uv_run(&l->uv, UV_RUN_NOWAIT);
  /* anything left is a leak of the caller; close it rather than abort */
  uv_walk(&l->uv, close_walk, NULL);
  uv_run(&l->uv, UV_RUN_DEFAULT);
  uv_loop_close(&l->uv);
  free(l);
}

static void delay_fired(uv_timer_t *t) {
  struct delay *d = t->data;
  void (*cb)(void *) = d->cb;
  void *ud = d->ud;
  delay_retire(d);
  cb(ud);
}

uint64_t delay_start(struct loop *l, uint64_t ms, void (*cb)(void *), void *ud) {
  struct delay *d = xcalloc(1, sizeof *d);
  d->loop = l;
  d->id = ++l->last_id;
  d->cb = cb;
  d->ud = ud;
  d->next = l->delays;
  l->delays = d;
  uv_timer_init(&l->uv, &d->timer);
  d->timer.data = d;
  uv_update_time(&l->uv);
  uv_timer_start(&d->timer, delay_fired, ms, 0);
  return d->id;
}

void delay_cancel(struct loop *l, uint64_t id) {
  for (struct delay *d = l->delays; id && d; d = d->next) {
    if (d->id == id) {
      delay_retire(d);
      return;
    }
  }
}
