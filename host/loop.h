/* The libuv loop of the process: signals, one-shot delays, orderly shutdown. */
#pragma once
#include <stdint.h>
#include <uv.h>

#include "util.h"

struct loop {
  uv_loop_t uv;
  uv_signal_t sig[3]; /* HUP, TERM, INT */
  void (*on_signal)(int signum, void *ud);
  void *ud;
  int signals_on;
};

int loop_open(struct loop *l, char *err);
/** Deliver SIGHUP, SIGTERM and SIGINT to cb on the loop thread. */
int loop_watch_signals(struct loop *l, void (*cb)(int signum, void *ud), void *ud, char *err);
/** Stop watching signals (their handles close). */
void loop_unwatch_signals(struct loop *l);
void loop_run(struct loop *l);
/** Close every handle still open, run until they are closed, close the loop. */
void loop_close(struct loop *l);

/** A one-shot timer; it frees itself after firing or being cancelled. */
struct delay;
struct delay *delay_start(struct loop *l, uint64_t ms, void (*cb)(void *ud), void *ud);
/** Cancel a pending delay (its callback will not run). NULL is fine. */
void delay_cancel(struct delay *d);
