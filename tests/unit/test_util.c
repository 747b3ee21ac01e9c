/* util.c: the loopback check, the host of a URL and the strict ISO 8601 parser. */
#include <stdlib.h>
#include <time.h>

#include "check.h"
#include "util.h"

static void test_loopback(void) {
  const char *yes[] = {"127.0.0.1", "127.1.2.3", "127.255.255.255", "localhost", "LocalHost",
                       "::1", "[::1]", "0:0:0:0:0:0:0:1", "[0:0::1]"};
  const char *no[] = {"127.0.0.-0", "+127.0.0.1", "127.0.0.4294967297", " 127.0.0.1",
                      "127.0.0.1 ", "127.0.0.01", "127.0.0", "127.0.0.1.", "0127.0.0.1",
                      "128.0.0.1", "10.0.0.1", "localhost.", "localhost.evil.com", "::2",
                      "[::1", "::1]", "[127.0.0.1]", "", "127.0.0.256", "2130706433", "0x7f.0.0.1"};
  for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
    CHECK(is_loopback_host(yes[i]));
    if (!is_loopback_host(yes[i])) fprintf(stderr, "  should be loopback: \"%s\"\n", yes[i]);
  }
  for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
    CHECK(!is_loopback_host(no[i]));
    if (is_loopback_host(no[i])) fprintf(stderr, "  should not be loopback: \"%s\"\n", no[i]);
  }
}

static void check_host(const char *url, const char *scheme, const char *host) {
  char s[16] = "", h[256] = "";
  int rc = url_host(url, s, sizeof s, h, sizeof h);
  if (!host) {
    CHECK(rc < 0);
    if (rc == 0) fprintf(stderr, "  %s: expected no host, got \"%s\" \"%s\"\n", url, s, h);
    return;
  }
  CHECK(rc == 0);
  CHECK_STR(s, scheme);
  CHECK_STR(h, host);
}

static void test_url_host(void) {
  check_host("https://example.com/a", "https", "example.com");
  check_host("HTTP://127.0.0.1:8080/hook?x=1", "http", "127.0.0.1");
  check_host("http://user:pw@localhost:9/", "http", "localhost");
  check_host("http://a@b@127.0.0.1/", "http", "127.0.0.1");
  check_host("http://[::1]:8080/x", "http", "[::1]");
  check_host("http://[::1]/x", "http", "[::1]");
  check_host("http://h?q=@evil.com", "http", "h");
  check_host("http://h#@evil.com", "http", "h");
  check_host("https://example.com", "https", "example.com");
  check_host("git+ssh://example.com/", "git+ssh", "example.com");
  /* what has no usable host */
  check_host("://example.com", NULL, NULL);
  check_host("http://", NULL, NULL);
  check_host("http://:80/", NULL, NULL);
  check_host("http://user@/", NULL, NULL);
  check_host("http://[::1/", NULL, NULL);
  check_host("http://[::1]x/", NULL, NULL);
  check_host("http://[::1]:8o/", NULL, NULL);
  check_host("http://127.0.0.1:80:90/", NULL, NULL);
  check_host("http://127.0.0.1:8x/", NULL, NULL);
  check_host("http:/evil.com/a://127.0.0.1/", NULL, NULL);
  check_host("1http://127.0.0.1/", NULL, NULL);
  check_host("ht tp://127.0.0.1/", NULL, NULL);
  check_host("averyveryverylongscheme://h/", NULL, NULL); /* does not fit the buffer */
  char longhost[600] = "http://";
  memset(longhost + 7, 'a', 400);
  strcpy(longhost + 407, "/x");
  check_host(longhost, NULL, NULL); /* a host cut to its buffer is not returned */
  /* a host cut by the buffer could otherwise read as a loopback name */
  char s[16], h[10];
  CHECK(url_host("http://127.0.0.1x/", s, sizeof s, h, sizeof h) < 0);
}

static void check_time(const char *s, long want) {
  time_t t = 0;
  int rc = iso8601_parse(s, &t);
  if (want < 0) {
    CHECK(rc < 0);
    if (rc == 0) fprintf(stderr, "  accepted \"%s\" as %ld\n", s, (long)t);
  } else {
    CHECK(rc == 0 && (long)t == want);
    if (rc != 0 || (long)t != want) fprintf(stderr, "  \"%s\": rc %d t %ld\n", s, rc, (long)t);
  }
}

static void test_iso8601(void) {
  check_time("2026-11-28T08:00:00Z", 1795852800);
  check_time("2026-11-28T08:00:00.5z", 1795852800);
  check_time("2026-11-28T09:00:00+01:00", 1795852800);
  check_time("2026-11-28T02:30:00-05:30", 1795852800);
  check_time("2024-02-29T00:00:00Z", 1709164800);
  check_time("2026-12-31T23:59:60Z", 1798761600); /* a leap second is the next instant */
  const char *bad[] = {"2026-11-28T-1:-1:-1Z", "2026-11-28T 8:00:00Z", "2026-11-28T+8:+0:00Z",
                       "2026-02-31T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z",
                       "2100-02-29T00:00:00Z", "2026-00-10T00:00:00Z", "2026-11-00T00:00:00Z",
                       "2026-11-28T24:00:00Z", "2026-11-28T08:60:00Z", "2026-11-28T08:00:61Z",
                       " 2026-11-28T08:00:00Z", "+2026-11-28T08:00:00Z", "2026-1-28T08:00:00Z",
                       "2026-11-28T08:00:00", "2026-11-28T08:00:00.Z", "2026-11-28T08:00:00+1:00",
                       "2026-11-28T08:00:00+01:0", "2026-11-28T08:00:00+24:00",
                       "2026-11-28T08:00:00Z ", "20261128T080000Z", ""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) check_time(bad[i], -1);
  time_t t;
  CHECK(iso8601_parse(NULL, &t) < 0);
}

int main(void) {
  test_loopback();
  test_url_host();
  test_iso8601();
  return CHECK_DONE();
}
