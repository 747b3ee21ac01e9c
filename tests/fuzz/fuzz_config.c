/* Loading config.lua: any text gives a configuration or one line saying what is wrong;
 * never a crash, a leak or a hang. */
#include "config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char path[128];
  char err[ERR_LEN];
  struct config *c = NULL;
  if (!path[0]) snprintf(path, sizeof path, "%s/config.lua", fuzz_dir());
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
  memset(err, 0x55, sizeof err);
  if (config_load(path, &c, err) < 0) {
    FUZZ_CHECK(c == NULL, "a refused file left a configuration");
    FUZZ_CHECK(fuzz_one_line(err, sizeof err) && err[0], "error: %.300s", err);
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "refused: %s\n", err);
    return 0;
  }
  FUZZ_CHECK(c != NULL, "no configuration");
  if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "loaded: %zu digest(s)\n", c->ndigests);
  struct buf b;
  buf_init(&b);
  config_describe(c, &b);
  buf_free(&b);
  config_free(c);
  return 0;
}
