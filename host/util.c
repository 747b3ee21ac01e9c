#include "util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>
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

int err_one_line(char *err) {
  char out[ERR_LEN];
  size_t k = 0;
  for (const unsigned char *p = (const unsigned char *)err; *p && k + 5 < sizeof out; p++) {
    if (*p == '\n') k += (size_t)snprintf(out + k, sizeof out - k, "\\n");
    else if (*p == '\t') k += (size_t)snprintf(out + k, sizeof out - k, "\\t");
    else if (*p < 0x20 || *p == 0x7f) k += (size_t)snprintf(out + k, sizeof out - k, "\\x%02x", *p);
    else out[k++] = (char)*p;
  }
  out[k] = 0;
  memcpy(err, out, k + 1);
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

/* Only what inet_pton reads as an address (no sign, no spaces, no leading zeros, each
 * part 0-255) or the exact name localhost: anything else goes to the resolver. */
int is_loopback_host(const char *host) {
  struct in_addr a4;
  struct in6_addr a6;
  char inner[INET6_ADDRSTRLEN + 1];
  if (!host) return 0;
  if (!strcasecmp(host, "localhost")) return 1;
  if (inet_pton(AF_INET, host, &a4) == 1) return (ntohl(a4.s_addr) >> 24) == 127;
  size_t n = strlen(host);
  if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
    if (n - 2 >= sizeof inner) return 0;
    memcpy(inner, host + 1, n - 2);
    inner[n - 2] = 0;
    host = inner;
  }
  return inet_pton(AF_INET6, host, &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

/* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (RFC 3986 section 3.1) */
static int scheme_valid(const char *s, size_t n) {
  if (!n || !isalpha((unsigned char)s[0])) return 0;
  for (size_t i = 1; i < n; i++)
    if (!isalnum((unsigned char)s[i]) && !strchr("+-.", s[i])) return 0;
  return 1;
}

/* The authority ends at the first '/', '?' or '#'; userinfo ends at its last '@'; an
 * IPv6 literal is bracketed; a port is digits only. Whatever does not fit the grammar
 * or the buffers is refused rather than guessed. */
int url_host(const char *url, char *scheme, size_t slen, char *out, size_t n) {
  const char *p = strstr(url, "://");
  if (!p || !scheme_valid(url, (size_t)(p - url)) || (size_t)(p - url) >= slen) return -1;
  const char *h = p + 3;
  const char *end = h + strcspn(h, "/?#");
  for (const char *at = h; at < end; at++)
    if (*at == '@') h = at + 1;
  const char *hend;
  if (*h == '[') {
    const char *rb = memchr(h, ']', (size_t)(end - h));
    if (!rb) return -1;
    hend = rb + 1;
  } else {
    hend = memchr(h, ':', (size_t)(end - h));
    if (!hend) hend = end;
  }
  if (hend == h || (h[0] == '[' && hend - h == 2)) return -1;
  if (hend < end) {
    if (*hend != ':') return -1;
    for (const char *q = hend + 1; q < end; q++)
      if (!isdigit((unsigned char)*q)) return -1;
  }
  if ((size_t)(hend - h) >= n) return -1;
  memcpy(scheme, url, (size_t)(p - url));
  scheme[p - url] = 0;
  for (char *s = scheme; *s; s++) *s = (char)tolower((unsigned char)*s);
  memcpy(out, h, (size_t)(hend - h));
  out[hend - h] = 0;
  return 0;
}

/* Exactly n ASCII digits at s into *v. */
static int digits(const char *s, int n, int *v) {
  *v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return -1;
    *v = *v * 10 + (s[i] - '0');
  }
  return 0;
}

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

/* YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM), every field its exact digits, a real
 * calendar date; a leap second (:60) reads as the next instant. */
int iso8601_parse(const char *s, time_t *t) {
  struct tm tm;
  int y, mo, d, h, mi, sec;
  if (!s || strlen(s) < 20) return -1;
  if (digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
      digits(s + 8, 2, &d) || s[10] != 'T' || digits(s + 11, 2, &h) || s[13] != ':' ||
      digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
    return -1;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
    return -1;
  const char *p = s + 19;
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
    if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om)) return -1;
    if (oh > 23 || om > 59) return -1;
    off = (oh * 3600L + om * 60L) * (*p == '-' ? -1 : 1);
    p += 6;
  } else {
    return -1;
  }
  if (*p) return -1;
  memset(&tm, 0, sizeof tm);
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
