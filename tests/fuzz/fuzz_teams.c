/* How a Teams answer is classified: accepted, retry or refused, with one line saying why. Input: the webhook host, a line break, the HTTP
 * status, a line break, the body. */
#include "fuzz.h"
#include "teams.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = fuzz_cstr(data, size);
  char *status_line = strchr(in, '\n');
  if (!status_line) goto done;
  *status_line++ = 0;
  char *body = strchr(status_line, '\n');
  if (!body) goto done;
  *body++ = 0;
  long status = strtol(status_line, NULL, 10);
  char *flat = strdup(body); /* the body with line breaks read as spaces, as the excerpt does */
  for (char *p = flat; *p; p++)
    if (*p == '\n' || *p == '\r') *p = ' ';
  static const size_t sizes[] = {1, 2, 40, 256, ERR_LEN};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    char why[ERR_LEN];
    size_t n = sizes[i];
    memset(why, 0x55, sizeof why);
    enum teams_verdict v = teams_classify(in, status, body, why, n);
    FUZZ_CHECK(v == TEAMS_ACCEPTED || v == TEAMS_RETRY || v == TEAMS_REFUSED, "classified %d", (int)v);
    FUZZ_CHECK(n == ERR_LEN || ((unsigned char *)why)[n] == 0x55, "wrote beyond %zu bytes", n);
    FUZZ_CHECK(fuzz_one_line(why, n), "why (%zu bytes): %.*s", n, (int)n, why);
    if (v != TEAMS_ACCEPTED) FUZZ_CHECK(n == 1 || why[0], "no reason given");
    int ok = status >= 200 && status <= 299;
    if (!ok) FUZZ_CHECK(v != TEAMS_ACCEPTED, "status %ld accepted", status);
    if (!ok && (status == 408 || status == 429 || status >= 500))
      FUZZ_CHECK(v == TEAMS_RETRY, "status %ld not retried", status);
    /* any 2xx without a failure text is posted (a legacy connector's 200 says "1") */
    if (ok && !strstr(flat, "delivery failed") && !(teams_is_legacy_host(in) && status == 200))
      FUZZ_CHECK(v == TEAMS_ACCEPTED, "status %ld without a failure text refused", status);
  }
  free(flat);
done:
  free(in);
  return 0;
}
