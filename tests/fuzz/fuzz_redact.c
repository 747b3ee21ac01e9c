/* Log redaction: a registered secret never reaches a log line. Input: secrets one a line,
 * a NUL byte, then the text. */
#include <ctype.h>

#include "fuzz.h"
#include "log.h"

static const char *const markers[] = {"plane_api_…(redacted)", "sig=(redacted)", "(redacted)"};

/* A secret made of a marker's own characters could be spelled by the markers themselves. */
static int checkable(const char *s) {
  if (strlen(s) < 4 || strpbrk(s, "()\xe2\x80\xa6")) return 0;
  for (size_t i = 0; i < sizeof markers / sizeof *markers; i++)
    if (strstr(markers[i], s)) return 0;
  return 1;
}

/* What log.c takes for a key: plane_api_ and at least 16 letters or digits (shorter, such
 * as the setting's name plane_api_token, is left as written). */
#define KEY_MIN 16
static size_t alnum_run(const char *s) {
  size_t n = 0;
  while (isalnum((unsigned char)s[n])) n++;
  return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, 0, size);
  if (!nul) return 0;
  char *secrets = fuzz_cstr(data, (size_t)(nul - data));
  char *text = fuzz_cstr(nul + 1, size - (size_t)(nul - data) - 1);
  for (char *line = strtok(secrets, "\n"); line; line = strtok(NULL, "\n")) log_add_secret(line);
  char *out = log_redact(text);
  memcpy(secrets, data, (size_t)(nul - data)); /* strtok cut it */
  for (char *line = strtok(secrets, "\n"); line; line = strtok(NULL, "\n"))
    if (checkable(line)) FUZZ_CHECK(!strstr(out, line), "secret \"%s\" in \"%s\"", line, out);
  for (const char *p = out; (p = strstr(p, "plane_api_")); p++)
    FUZZ_CHECK(!strncmp(p, "plane_api_…(redacted)", strlen("plane_api_…(redacted)")) ||
               alnum_run(p + 10) < KEY_MIN, "an API key in \"%s\"", out);
  log_clear_secrets();
  free(out);
  free(text);
  free(secrets);
  return 0;
}
