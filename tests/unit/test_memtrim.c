/* memtrim: the resident pages of read-only file mappings are let go, and everything in
 * them (code, constants) reads the same afterwards; private pages are kept. */
#include <curl/curl.h>
#include <stdlib.h>

#include "check.h"
#include "memtrim.h"

static const char TABLE[] = "constants of the binary, read again after the trim";
static int written = 41; /* a private (written) page: never dropped */

static long rss_file_kb(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long kb = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "RssFile: %ld kB", &kb) == 1) break;
  if (f) fclose(f);
  return kb;
}

static unsigned long sum(const char *s) {
  unsigned long h = 5381;
  for (; *s; s++) h = h * 33 + (unsigned char)*s;
  return h;
}

int main(void) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  char before[512];
  snprintf(before, sizeof before, "%s", curl_version());
  unsigned long h = sum(TABLE);
  written++;
  long file_before = rss_file_kb();
  long dropped = memtrim_file_pages();
  long file_after = rss_file_kb();
  CHECK(file_before > 0);
  CHECK(dropped > 0);
  CHECK(file_after < file_before);
  /* code and constants come back on their next use, unchanged */
  CHECK_STR(curl_version(), before);
  CHECK(sum(TABLE) == h);
  CHECK(written == 42);
  char *p = malloc(64);
  CHECK(p != NULL);
  snprintf(p, 64, "%d", written);
  CHECK_STR(p, "42");
  free(p);
  CHECK(memtrim_file_pages() >= 0);
  curl_global_cleanup();
  return CHECK_DONE();
}
