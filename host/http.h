/* Asynchronous HTTP: libcurl's multi-socket API driven by the libuv loop.
 * Callbacks run from the loop (never from inside libcurl). */
#pragma once
#include <stddef.h>

#include "loop.h"
#include "util.h"

struct http;

struct http_request {
  const char *method; /* "GET" or "POST" */
  const char *url;
  const char *const *headers; /* NULL-terminated "Name: value" lines */
  const char *body;           /* POST body, may be NULL */
  size_t body_len;
  long connect_timeout_ms;
  long timeout_ms;
  size_t max_bytes; /* response size cap */
  const char *proxy;  /* a proxy URL, "" for none, NULL: the standard environment (libcurl's) */
  const char *ca_pem; /* PEM CAs trusted for this request (the system's and any added), NULL: libcurl's */
  size_t ca_pem_len;
  const char *ca_setting; /* the setting that adds a CA ("plane_ca_file"), named by certificate errors */
};

struct http_response {
  long status;         /* 0 when no HTTP answer came */
  char *body;          /* NUL-terminated, decoded (gzip) */
  size_t len;
  char retry_after[64];/* the Retry-After header, if any */
  char rate_remaining[24]; /* X-RateLimit-Remaining and X-RateLimit-Reset (Plane), if any */
  char rate_reset[24];
  int transport_error; /* no answer: connect, TLS, timeout, reset, size cap */
  int sent;            /* request body bytes were written to the server itself (through any tunnel
                          and TLS): a POST may have been applied */
  int permanent;       /* a failure that a retry cannot heal (the certificate was not trusted) */
  long proxy_status;   /* the proxy's answer to CONNECT, 0 when none */
  char redirect_host[256]; /* for a 3xx: the host the Location points to (never its path or query) */
  char error[256];     /* what went wrong without an answer */
  double ms;           /* total time */
};

typedef void (*http_cb)(struct http_response *res, void *ud);

int http_open(struct http **out, struct loop *loop, char *err);
struct http_req;
/** Start a request; cb runs once, from the loop, unless the request is cancelled.
 *  *out (may be NULL) is valid until cb runs or http_cancel is called. */
int http_start(struct http *h, const struct http_request *req, http_cb cb, void *ud,
               struct http_req **out, char *err);
/** Abandon one request: its callback will not run. */
void http_cancel(struct http_req *r);
/** Abandon every request in flight (no callbacks) and close the handles. */
void http_close(struct http *h);
/** Parse a Retry-After value (seconds or HTTP date) into seconds from now; -1 if none. */
double http_retry_after_seconds(const char *value, time_t now);
/** Milliseconds to wait before retry number `attempt` (1, 2, …): the server's
 *  Retry-After when it gave one (at most 10 min), else exponential backoff with full
 *  jitter (base 1 s, cap 60 s). */
double http_backoff_ms(int attempt, const char *retry_after);

/** The retries of one request: how many so far, how many allowed, the pending wait. */
struct retry {
  int attempt; /* retries so far */
  int max;
  uint64_t wait; /* the delay of the next try (loop.h: harmless to cancel twice) */
};
/** After a failed try: wait the backoff (or the server's Retry-After), saying so in a
 *  warning ("<why>; retry 1 of 3 in 0.4 s"), then cb(ud). When the retries are spent,
 *  returns -1 with gave_up = "<why> (gave up after N attempts)" ("1 attempt"). */
int http_retry(struct loop *l, struct retry *r, const char *digest, const char *endpoint,
               const char *why, const char *retry_after, void (*cb)(void *ud), void *ud,
               char *gave_up, size_t n);
