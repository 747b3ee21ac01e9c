/* Shared by the libFuzzer targets: an invariant that does not hold is a crash, with the
 * reason on stderr (libFuzzer then saves the input as crash-<sha1>). */
#pragma once
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...)                                                        \
  do {                                                                               \
    if (!(cond)) {                                                                   \
      fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, __LINE__, #cond);   \
      fprintf(stderr, __VA_ARGS__);                                                  \
      fputc('\n', stderr);                                                           \
      abort();                                                                       \
    }                                                                                \
  } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input as a C string (it ends at its first NUL byte, as a C caller would see it). */
static inline char *fuzz_cstr(const uint8_t *data, size_t size) {
  char *s = malloc(size + 1);
  if (!s) abort();
  memcpy(s, data, size);
  s[size] = 0;
  return s;
}

/* A private folder for files, on tmpfs when there is one (fsync costs nothing there). */
static inline const char *fuzz_dir(void) {
  static char dir[64];
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/dev/shm/pt-fuzz-XXXXXX");
    if (!mkdtemp(dir)) {
      snprintf(dir, sizeof dir, "/tmp/pt-fuzz-XXXXXX");
      if (!mkdtemp(dir)) abort();
    }
  }
  return dir;
}

/* One line of text: NUL-terminated within n bytes, no line break. */
static inline int fuzz_one_line(const char *s, size_t n) {
  const char *end = memchr(s, 0, n);
  return end && !memchr(s, '\n', (size_t)(end - s)) && !memchr(s, '\r', (size_t)(end - s));
}
