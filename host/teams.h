/* The Teams client: POST the envelope, classify the answer, retry what is safe. */
#pragma once
#include <stddef.h>

struct digest;
struct http;
struct loop;

enum teams_outcome {
  TEAMS_POSTED = 0, /* 2xx accepted */
  TEAMS_FAILED,     /* refused or gave up: nothing was posted */
  TEAMS_UNKNOWN,    /* the message left and no answer came: it may have been posted */
};

struct teams_stats {
  int requests;
  long status; /* the last HTTP status, 0 if none */
  double ms;   /* total time including waits */
};

typedef void (*teams_done_cb)(enum teams_outcome o, const char *err, const struct teams_stats *st,
                              void *ud);

struct teams_post;

/** POST envelope (len bytes) to d's webhook; cb runs once from the loop. */
int teams_post(struct loop *loop, struct http *http, const struct digest *d, const char *envelope,
               size_t len, teams_done_cb cb, void *ud, struct teams_post **out, char *err);
/** Stop: no callback; a request in flight is abandoned (it may still be applied). */
void teams_cancel(struct teams_post *tp);

/** What an answer means. */
enum teams_verdict {
  TEAMS_ACCEPTED = 0, /* any 2xx that does not say it failed */
  TEAMS_RETRY,        /* 408, 429, 5xx, or a legacy 200 wrapping one of those */
  TEAMS_REFUSED,      /* anything else: never sent again */
};
/** True when host is an Office 365 connector's (the legacy webhook): its 200 means
 *  delivered only with the body "1". */
int teams_is_legacy_host(const char *host);
/** Classify an answer; why gets one sentence (for RETRY and REFUSED). */
enum teams_verdict teams_classify(const char *host, long status, const char *body, char *why, size_t n);

/** The kind of Teams webhook a URL is, from its host (and path): "Workflows", "legacy
 *  connector" or "unknown"; note gets one secret-free sentence to show. Posts nothing. */
const char *teams_kind(const char *url, char *note, size_t n);
