/* Small helpers shared by every room: the error convention, strings, time. */
#pragma once
#include <stdarg.h>
#include <stddef.h>
#include <time.h>

/** Size of every error buffer. Functions return 0 or a negative code and put one
 *  human sentence (what, where, why) into `err`. */
#define ERR_LEN 512

/** Format into err (ERR_LEN bytes); returns -1 so callers can `return errf(...)`. */
int errf(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Prefix err with context: "ctx: old message". Returns -1. */
int errctx(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/** Keep err on one line: control bytes (a line break quoted from a script, say) become
 *  \n, \t or \xNN, cut to the buffer. Returns -1. */
int err_one_line(char *err);

/** The struct of type `type` whose member `member` is at ptr. */
#define container_of(ptr, type, member) ((type *)(void *)((char *)(ptr) - offsetof(type, member)))

/** malloc/strdup that abort with a message on exhaustion (there is no recovery). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t m);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/** A growable byte buffer, always NUL-terminated. */
struct buf {
  char *data;
  size_t len;
  size_t cap;
};
void buf_init(struct buf *b);
void buf_free(struct buf *b);
void buf_add(struct buf *b, const void *p, size_t n);
void buf_adds(struct buf *b, const char *s);
void buf_addc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Hand the data to the caller (buffer becomes empty). */
char *buf_steal(struct buf *b);

/** Read a whole file. Returns 0, or -1 with err naming the file. */
int read_file(const char *path, char **out, size_t *len, char *err);

/** Monotonic milliseconds. */
double now_ms(void);

/** Format t as ISO 8601 local time with offset in time zone tz (NULL: process
 *  local time), e.g. 2026-11-26T08:00:01+01:00. */
void iso8601_local(time_t t, const char *tz, char *out, size_t n);

/** Run tzset() for tz (NULL restores the process default). Returns the previous
 *  TZ value to hand back to tz_pop. Single-threaded use only. */
char *tz_push(const char *tz);
void tz_pop(char *saved);

/** True when s is a UUID of the 8-4-4-4-12 hex form. */
int is_uuid(const char *s);

/** True when host is a loopback name or address (127.0.0.0/8, ::1, localhost). */
int is_loopback_host(const char *host);

/** Extract the host of an http(s) URL into out; returns 0, or -1 when the URL
 *  has no scheme://host part. scheme gets "http" or "https" (or other). */
int url_host(const char *url, char *scheme, size_t slen, char *out, size_t n);

/** Parse an ISO 8601 date-time with Z or ±HH:MM (fractions allowed) into *t. */
int iso8601_parse(const char *s, time_t *t);

/** The local date (YYYY-MM-DD) of t in time zone tz (NULL: process local time). */
void local_date(time_t t, const char *tz, char out[11]);

/** Create the folder that holds path (one level), if it is missing. */
int mkdir_parent(const char *path, char *err);
