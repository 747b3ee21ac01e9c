/* The libuv loop of the process: signals, one-shot delays, orderly shutdown. */
#pragma once
#include <signal.h>
#include <stdint.h>
#include "util.h"

/** The loop, opaque: its libuv side is loop_uv.h's, for the files that speak libuv. */
struct loop;

/** Non-zero from the moment SIGTERM or SIGINT arrives (set by the signal handler
 *  itself): long work, such as a script, can stop at once. */
extern volatile sig_atomic_t loop_stop_requested;

int loop_open(struct loop **out, char *err);
/** Deliver SIGHUP, SIGTERM and SIGINT to cb on the loop thread. */
int loop_watch_signals(struct loop *l, void (*cb)(int signum, void *ud), void *ud, char *err);
/** Stop watching signals (their default actions come back). */
void loop_unwatch_signals(struct loop *l);
/** Run until loop_stop, or until nothing is left to wait for. */
void loop_run(struct loop *l);
/** Make loop_run return once the current callback is done. */
void loop_stop(struct loop *l);
/** Close every handle still open, run until they are closed, close and free the loop
 *  (NULL: nothing). */
void loop_close(struct loop *l);

/** A one-shot timer, owned by the loop: cb(ud) runs once after ms, counted from now (the
 *  loop's clock is refreshed first, so time spent in long work is not lost). Returns its
 *  id, never 0. */
uint64_t delay_start(struct loop *l, uint64_t ms, void (*cb)(void *ud), void *ud);
/** Cancel a pending delay: its callback will not run. 0, or the id of a delay that
 *  already fired or was cancelled, is harmless: owners need not forget their ids. */
void delay_cancel(struct loop *l, uint64_t id);
