/* How a Teams answer is classified. Input: the webhook host, a line break, the HTTP
 * status, a line break, the body. */
#include <strings.h>

#include "fuzz.h"
#include "teams.h"

static int legacy(const char *host) {
  size_t n = strlen(host), m = strlen(".webhook.office.com");
  return (n >= m && !strcasecmp(host + n - m, ".webhook.office.com")) || !strcasecmp(host, "outlook.office.com");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *in = fuzz_cstr(data, size);
  char *status_line = strchr(in, '\n');
  if (!status_line) goto done;
  *status_line++ = 0;
  char *body = strchr(status_line, '\n');
  if (!body) goto done;
  *body++ = 0;
  long status = strtol(status_line, NULL, 10);
  static const size_t sizes[] = {1, 2, 40, 256, ERR_LEN};
  for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
    char why[ERR_LEN];
    size_t n = sizes[i];
    memset(why, 0x55, sizeof why);
    int rc = teams_classify(in, status, body, why, n);
    FUZZ_CHECK(rc >= 0 && rc <= 2, "classified %d", rc);
    FUZZ_CHECK(n == ERR_LEN || ((unsigned char *)why)[n] == 0x55, "wrote beyond %zu bytes", n);
    if (rc != 0) {
      FUZZ_CHECK(fuzz_one_line(why, n), "why (%zu bytes): %.*s", n, (int)n, why);
      FUZZ_CHECK(n == 1 || why[0], "no reason given");
    }
    if (status < 200 || status > 299) FUZZ_CHECK(rc != 0, "status %ld accepted", status);
    if (status == 408 || status == 429 || status >= 500) FUZZ_CHECK(rc == 1, "status %ld not retried", status);
    if ((status == 200 || status == 202) && !legacy(in) && body[strspn(body, " \t\r\n")] == 0)
      FUZZ_CHECK(rc == 0, "status %ld with an empty body refused", status);
  }
done:
  free(in);
  return 0;
}
