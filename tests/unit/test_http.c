/* Retry-After parsing, backoff bounds, the retry sentence. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"

static void test_retry_after(void) {
  time_t now = 1777626753; /* 2026-05-01T09:12:33Z */
  CHECK(http_retry_after_seconds("7", now) == 7);
  CHECK(http_retry_after_seconds("Fri, 01 May 2026 09:12:43 GMT", now) == 10);
  CHECK(http_retry_after_seconds("Fri, 01 May 2026 09:00:00 GMT", now) == 0); /* past */
  CHECK(http_retry_after_seconds("soon", now) == -1);
  CHECK(http_retry_after_seconds("", now) == -1);
  CHECK(http_retry_after_seconds(NULL, now) == -1);
  /* delta-seconds is digits only */
  const char *bad[] = {"+7", " 7", "-5", "7.5", "1e3", "0x10", "7 ", "Fri, 01 May 2026 09:12:43 GMT x"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    CHECK(http_retry_after_seconds(bad[i], now) == -1);
    if (http_retry_after_seconds(bad[i], now) != -1) fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
  }
  CHECK(http_retry_after_seconds("0", now) == 0);
  CHECK(http_retry_after_seconds("99999999999999999999999", now) >= 600); /* huge: still a wait */
}

static void test_backoff(void) {
  for (int i = 0; i < 200; i++) {
    double a1 = http_backoff_ms(1, NULL), a3 = http_backoff_ms(3, NULL), a9 = http_backoff_ms(9, NULL);
    CHECK(a1 >= 0 && a1 <= 1000);
    CHECK(a3 >= 0 && a3 <= 4000);
    CHECK(a9 >= 0 && a9 <= 60000);
  }
  CHECK(http_backoff_ms(1, "3") == 3000);
  CHECK(http_backoff_ms(1, "99999") == 600000);
}

/* Spent retries return at once: no loop is needed. */
static void gave_up(struct retry *r, char *out, size_t n) {
  CHECK(http_retry(NULL, r, "d", "GET /x", "Plane answered 503", NULL, NULL, NULL, out, n) == -1);
}

/* "gave up after 1 attempt", "after 3 attempts" */
static void test_gave_up(void) {
  char msg[256];
  struct retry r = {.attempt = 0, .max = 0};
  gave_up(&r, msg, sizeof msg);
  CHECK(!strcmp(msg, "Plane answered 503 (gave up after 1 attempt)"));
  r = (struct retry){.attempt = 2, .max = 2};
  gave_up(&r, msg, sizeof msg);
  CHECK(!strcmp(msg, "Plane answered 503 (gave up after 3 attempts)"));
}

int main(void) {
  test_retry_after();
  test_backoff();
  test_gave_up();
  return CHECK_DONE();
}
