#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

int errf(char *err, const char *fmt, ...) {
  va_list ap;
  if (!err) return -1;
  va_start(ap, fmt);
  vsnprintf(err, ERR_LEN, fmt, ap);
  va_end(ap);
  return -1;
}

int errctx(char *err, const char *fmt, ...) {
  char old[ERR_LEN];
  va_list ap;
  if (!err) return -1;
  memcpy(old, err, ERR_LEN);
  old[ERR_LEN - 1] = 0;
  va_start(ap, fmt);
  int n = vsnprintf(err, ERR_LEN, fmt, ap);
  va_end(ap);
  if (n >= 0 && n < ERR_LEN - 3) {
    memcpy(err + n, ": ", 3);
    size_t room = (size_t)(ERR_LEN - n - 2);
    strncat(err + n + 2, old, room - 1);
  }
  return -1;
}

static void oom(void) {
  fputs("plane-teams: out of memory\n", stderr);
  abort();
}

void *xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom();
  return p;
}

void *xcalloc(size_t n, size_t m) {
  void *p = calloc(n ? n : 1, m ? m : 1);
  if (!p) oom();
  return p;
}

void *xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom();
  return q;
}

char *xstrdup(const char *s) { return xstrndup(s, strlen(s)); }

char *xstrndup(const char *s, size_t n) {
  char *p = xmalloc(n + 1);
  memcpy(p, s, n);
  p[n] = 0;
  return p;
}

char *xasprintf(const char *fmt, ...) {
  struct buf b;
  va_list ap;
  buf_init(&b);
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < 0) n = 0;
  if ((size_t)n < sizeof tmp) {
    buf_add(&b, tmp, (size_t)n);
  } else {
    char *big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf_add(&b, big, (size_t)n);
    free(big);
  }
  return buf_steal(&b);
}

void buf_init(struct buf *b) { b->data = NULL, b->len = 0, b->cap = 0; }

void buf_free(struct buf *b) {
  free(b->data);
  buf_init(b);
}

static void buf_grow(struct buf *b, size_t extra) {
  size_t need = b->len + extra + 1;
  if (need <= b->cap) return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < need) cap *= 2;
  b->data = xrealloc(b->data, cap);
  b->cap = cap;
}

void buf_add(struct buf *b, const void *p, size_t n) {
  buf_grow(b, n);
  if (n) memcpy(b->data + b->len, p, n);
  b->len += n;
  b->data[b->len] = 0;
}

void buf_adds(struct buf *b, const char *s) { buf_add(b, s, strlen(s)); }

void buf_addc(struct buf *b, char c) { buf_add(b, &c, 1); }

void buf_printf(struct buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return;
  buf_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

char *buf_steal(struct buf *b) {
  char *p = b->data;
  if (!p) p = xstrdup("");
  buf_init(b);
  return p;
}

int read_file(const char *path, char **out, size_t *len, char *err) {
  struct buf b;
  char chunk[65536];
  size_t n;
  int rc = 0;
  FILE *f = fopen(path, "rb");
  buf_init(&b);
  if (!f) return errf(err, "cannot read %s: %s", path, strerror(errno));
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) buf_add(&b, chunk, n);
  if (ferror(f)) {
    rc = errf(err, "cannot read %s: %s", path, strerror(errno));
    buf_free(&b);
    goto cleanup;
  }
  if (len) *len = b.len;
  *out = buf_steal(&b);
cleanup:
  fclose(f);
  return rc;
}

double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Switching TZ makes glibc re-read the zone file, so nothing is done when the
 * requested zone is already the current one. */
char *tz_push(const char *tz) {
  const char *old = getenv("TZ");
  char *saved = old ? xstrdup(old) : NULL;
  if (tz && (!old || strcmp(old, tz))) {
    setenv("TZ", tz, 1);
    tzset();
  }
  return saved;
}

void tz_pop(char *saved) {
  const char *cur = getenv("TZ");
  if (saved) {
    if (!cur || strcmp(cur, saved)) {
      setenv("TZ", saved, 1);
      tzset();
    }
    free(saved);
  } else if (cur) {
    unsetenv("TZ");
    tzset();
  }
}

void iso8601_local(time_t t, const char *tz, char *out, size_t n) {
  struct tm tm;
  char *saved = tz ? tz_push(tz) : NULL;
  localtime_r(&t, &tm);
  if (tz) tz_pop(saved);
  long off = tm.tm_gmtoff;
  char sign = off < 0 ? '-' : '+';
  if (off < 0) off = -off;
  snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", tm.tm_year + 1900,
           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, sign, off / 3600,
           (off % 3600) / 60);
}

int is_uuid(const char *s) {
  static const int groups[] = {8, 4, 4, 4, 12};
  for (int g = 0; g < 5; g++) {
    for (int i = 0; i < groups[g]; i++, s++)
      if (!isxdigit((unsigned char)*s)) return 0;
    if (g < 4 && *s++ != '-') return 0;
  }
  return *s == 0;
}

int is_loopback_host(const char *host) {
  if (!strcasecmp(host, "localhost") || !strcmp(host, "::1") || !strcmp(host, "[::1]")) return 1;
  int a, b, c, d;
  char tail;
  if (sscanf(host, "%d.%d.%d.%d%c", &a, &b, &c, &d, &tail) == 4)
    return a == 127 && b >= 0 && b < 256 && c >= 0 && c < 256 && d >= 0 && d < 256;
  return 0;
}

int url_host(const char *url, char *scheme, size_t slen, char *out, size_t n) {
  const char *p = strstr(url, "://");
  if (!p || p == url) return -1;
  snprintf(scheme, slen, "%.*s", (int)(p - url), url);
  for (char *s = scheme; *s; s++) *s = (char)tolower((unsigned char)*s);
  const char *h = p + 3;
  const char *at = NULL;
  const char *end = h;
  while (*end && *end != '/' && *end != '?' && *end != '#') {
    if (*end == '@') at = end;
    end++;
  }
  if (at) h = at + 1;
  const char *hend = end;
  if (*h == '[') {
    const char *rb = memchr(h, ']', (size_t)(end - h));
    if (!rb) return -1;
    hend = rb + 1;
  } else {
    const char *colon = memchr(h, ':', (size_t)(end - h));
    if (colon) hend = colon;
  }
  if (hend == h) return -1;
  snprintf(out, n, "%.*s", (int)(hend - h), h);
  return 0;
}

int iso8601_parse(const char *s, time_t *t) {
  struct tm tm;
  int y, mo, d, h, mi, sec, n = 0;
  memset(&tm, 0, sizeof tm);
  if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 || n != 19)
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return -1;
  const char *p = s + n;
  if (*p == '.') {
    p++;
    if (!isdigit((unsigned char)*p)) return -1;
    while (isdigit((unsigned char)*p)) p++;
  }
  long off = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om;
    if (!isdigit((unsigned char)p[1]) || !isdigit((unsigned char)p[2]) || p[3] != ':' ||
        !isdigit((unsigned char)p[4]) || !isdigit((unsigned char)p[5]))
      return -1;
    oh = (p[1] - '0') * 10 + (p[2] - '0');
    om = (p[4] - '0') * 10 + (p[5] - '0');
    if (oh > 23 || om > 59) return -1;
    off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return -1;
  }
  if (*p) return -1;
  tm.tm_year = y - 1900, tm.tm_mon = mo - 1, tm.tm_mday = d;
  tm.tm_hour = h, tm.tm_min = mi, tm.tm_sec = sec;
  *t = timegm(&tm) - off;
  return 0;
}

void local_date(time_t t, const char *tz, char out[11]) {
  struct tm tm;
  char *saved = tz ? tz_push(tz) : NULL;
  localtime_r(&t, &tm);
  if (tz) tz_pop(saved);
  strftime(out, 11, "%Y-%m-%d", &tm);
}

int mkdir_parent(const char *path, char *err) {
  char *dir = xstrdup(path);
  char *slash = strrchr(dir, '/');
  int rc = 0;
  if (slash && slash != dir) {
    *slash = 0;
    if (mkdir(dir, 0750) != 0 && errno != EEXIST) rc = errf(err, "cannot create the folder %s: %s", dir, strerror(errno));
  }
  free(dir);
  return rc;
}
