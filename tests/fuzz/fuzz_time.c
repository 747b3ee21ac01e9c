/* The small parsers of times and schedules: ISO 8601 (state file), the hour, days and
 * holiday dates of a digest (config), and Retry-After (HTTP). Each accepts only its exact grammar. */
#include <ctype.h>
#include <math.h>
#include <time.h>

#include "config.h"
#include "fuzz.h"
#include "http.h"
#include "util.h"

/* What iso8601_parse accepted names the same instant it reads as: the fields written
 * back from the time are the fields given (a leap second reads as the next instant). */
static void check_iso(const char *s) {
  time_t t;
  if (iso8601_parse(s, &t) < 0) return;
  size_t n = strlen(s);
  FUZZ_CHECK(n >= 20, "too short: %s", s);
  long off = 0;
  char z = s[n - 1];
  if (z != 'Z' && z != 'z') {
    FUZZ_CHECK(n >= 25 && (s[n - 6] == '+' || s[n - 6] == '-') && s[n - 3] == ':', "offset: %s", s);
    off = ((s[n - 5] - '0') * 10 + (s[n - 4] - '0')) * 3600L + ((s[n - 2] - '0') * 10 + (s[n - 1] - '0')) * 60L;
    if (s[n - 6] == '-') off = -off;
  }
  if (!strncmp(s + 17, "60", 2)) return;
  time_t local = t + off;
  struct tm tm;
  char back[32];
  FUZZ_CHECK(gmtime_r(&local, &tm), "time %ld", (long)t);
  snprintf(back, sizeof back, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
           tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  FUZZ_CHECK(!strncmp(back, s, 19), "\"%s\" read as %s", s, back);
}

static void check_hour(const char *s) {
  int h = -1, m = -1;
  if (config_parse_hour(s, &h, &m) < 0) return;
  FUZZ_CHECK(h >= 0 && h <= 23 && m >= 0 && m <= 59, "\"%s\": %d:%d", s, h, m);
  char a[16], b[16], c[16];
  snprintf(a, sizeof a, "%d", h);
  snprintf(b, sizeof b, "%02d", h);
  snprintf(c, sizeof c, "%s:%02d", strchr(s, ':') ? (s[1] == ':' ? a : b) : "", m);
  FUZZ_CHECK(!strchr(s, ':') ? m == 0 && (!strcmp(s, a) || !strcmp(s, b)) : !strcmp(s, c), "\"%s\" read as %d:%02d", s, h, m);
}

static void check_days(const char *s) {
  unsigned mask = config_parse_days(s);
  FUZZ_CHECK(!(mask & ~0x7fu), "\"%s\": mask %#x", s, mask);
  if (!mask) return;
  for (const char *p = s; *p; p++) FUZZ_CHECK(isalpha((unsigned char)*p) || *p == ',' || *p == ' ', "\"%s\"", s);
}

/* A holiday date accepted is a day of the calendar: libc's calendar gives it back as is. */
static void check_date(const char *s) {
  int rc = config_parse_date(s);
  FUZZ_CHECK(rc == 0 || rc == -1 || rc == -2, "\"%s\": %d", s, rc);
  if (rc == -1 || atoi(s) < 1970) return; /* the form is wrong, or the year is refused */
  struct tm tm = {0};
  char back[16];
  tm.tm_year = atoi(s) - 1900, tm.tm_mon = atoi(s + 5) - 1, tm.tm_mday = atoi(s + 8), tm.tm_hour = 12;
  time_t t = timegm(&tm);
  FUZZ_CHECK(gmtime_r(&t, &tm), "\"%s\"", s);
  snprintf(back, sizeof back, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  FUZZ_CHECK(!strcmp(back, s) == (rc == 0), "\"%s\" (%s) read back as %s", s, rc ? "refused" : "accepted", back);
}

static void check_retry_after(const char *s) {
  double d = http_retry_after_seconds(s, 1777626753);
  FUZZ_CHECK(d == -1 || (d >= 0 && !isnan(d)), "\"%s\": %f", s, d);
  if (d >= 0 && isdigit((unsigned char)s[0])) FUZZ_CHECK(s[strspn(s, "0123456789")] == 0, "\"%s\"", s);
  double b = http_backoff_ms(1, s);
  FUZZ_CHECK(b >= 0 && b <= 600000, "\"%s\": backoff %f ms", s, b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *s = fuzz_cstr(data, size);
  check_iso(s);
  check_hour(s);
  check_days(s);
  check_date(s);
  check_retry_after(s);
  free(s);
  return 0;
}
