/* Retry-After parsing, backoff bounds, and how Teams answers are classified. */
#include <stdlib.h>

#include "check.h"
#include "http.h"
#include "teams.h"

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

static void test_classify(void) {
  char why[512];
  CHECK(teams_classify("prod-01.westeurope.logic.azure.com", 202, "", why, sizeof why) == 0);
  CHECK(teams_classify("x.webhook.office.com", 200, "1", why, sizeof why) == 0);
  CHECK(teams_classify("x.webhook.office.com", 200, "Webhook message delivery failed with error: "
                       "Microsoft Teams endpoint returned HTTP error 429 with ContextId x", why, sizeof why) == 1);
  CHECK(teams_classify("x.webhook.office.com", 200, "Webhook message delivery failed with error: "
                       "Microsoft Teams endpoint returned HTTP error 413 with ContextId x", why, sizeof why) == 2);
  CHECK(strstr(why, "did not deliver") != NULL);
  CHECK(teams_classify("x.webhook.office.com", 200, "Summary or Text is required.", why, sizeof why) == 2);
  CHECK(teams_classify("127.0.0.1", 429, "", why, sizeof why) == 1);
  CHECK(teams_classify("127.0.0.1", 408, "", why, sizeof why) == 1);
  CHECK(teams_classify("127.0.0.1", 503, "", why, sizeof why) == 1);
  CHECK(teams_classify("127.0.0.1", 400, "{\"error\":{\"code\":\"InvalidRequestContent\"}}", why, sizeof why) == 2);
  CHECK(strstr(why, "InvalidRequestContent") != NULL);
  CHECK(teams_classify("127.0.0.1", 404, "", why, sizeof why) == 2);
  CHECK(teams_classify("127.0.0.1", 413, "", why, sizeof why) == 2 && strstr(why, "too large"));
}

int main(void) {
  test_retry_after();
  test_backoff();
  test_classify();
  return CHECK_DONE();
}
