#include "loop.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

int loop_open(struct loop *l, char *err) {
  memset(l, 0, sizeof *l);
  int rc = uv_loop_init(&l->uv);
  if (rc < 0) return errf(err, "cannot start the event loop: %s", uv_strerror(rc));
  return 0;
}

static void on_signal(uv_signal_t *h, int signum) {
  struct loop *l = h->data;
  if (l->on_signal) l->on_signal(signum, l->ud);
}

int loop_watch_signals(struct loop *l, void (*cb)(int, void *), void *ud, char *err) {
  static const int nums[3] = {SIGHUP, SIGTERM, SIGINT};
  l->on_signal = cb;
  l->ud = ud;
  for (int i = 0; i < 3; i++) {
    uv_signal_init(&l->uv, &l->sig[i]);
    l->sig[i].data = l;
    int rc = uv_signal_start(&l->sig[i], on_signal, nums[i]);
    if (rc < 0) return errf(err, "cannot watch signal %d: %s", nums[i], uv_strerror(rc));
  }
  l->signals_on = 1;
  return 0;
}

void loop_unwatch_signals(struct loop *l) {
  if (!l->signals_on) return;
  for (int i = 0; i < 3; i++)
    if (!uv_is_closing((uv_handle_t *)&l->sig[i])) uv_close((uv_handle_t *)&l->sig[i], NULL);
  l->signals_on = 0;
}

void loop_run(struct loop *l) { uv_run(&l->uv, UV_RUN_DEFAULT); }

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

void loop_close(struct loop *l) {
  loop_unwatch_signals(l);
  uv_run(&l->uv, UV_RUN_NOWAIT);
  /* anything left is a leak of the caller; close it rather than abort */
  uv_walk(&l->uv, close_walk, NULL);
  uv_run(&l->uv, UV_RUN_DEFAULT);
  uv_loop_close(&l->uv);
}

struct delay {
  uv_timer_t timer;
  void (*cb)(void *);
  void *ud;
};

static void delay_closed(uv_handle_t *h) { free(h->data); }

static void delay_fired(uv_timer_t *t) {
  struct delay *d = t->data;
  void (*cb)(void *) = d->cb;
  void *ud = d->ud;
  uv_close((uv_handle_t *)&d->timer, delay_closed);
  cb(ud);
}

struct delay *delay_start(struct loop *l, uint64_t ms, void (*cb)(void *), void *ud) {
  struct delay *d = xcalloc(1, sizeof *d);
  d->cb = cb;
  d->ud = ud;
  uv_timer_init(&l->uv, &d->timer);
  d->timer.data = d;
  uv_timer_start(&d->timer, delay_fired, ms, 0);
  return d;
}

void delay_cancel(struct delay *d) {
  if (!d || uv_is_closing((uv_handle_t *)&d->timer)) return;
  uv_timer_stop(&d->timer);
  uv_close((uv_handle_t *)&d->timer, delay_closed);
}
