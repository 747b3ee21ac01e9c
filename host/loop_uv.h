/* The loop's libuv side, for the files that implement libuv handles (loop.c, http.c). */
#pragma once
#include <uv.h>

#include "loop.h"

uv_loop_t *loop_uv(struct loop *l);
