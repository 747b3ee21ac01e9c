/* Shared by the libFuzzer targets: an invariant that does not hold is a crash, with the
 * reason on stderr (libFuzzer then saves the input as crash-<sha1>). */
#pragma once
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static char fuzz_dir_path[64];

/* Empty and remove the private folder when the run ends (a crash leaves it for study). */
static inline void fuzz_dir_remove(void) {
  char path[sizeof fuzz_dir_path + 256];
  DIR *d = opendir(fuzz_dir_path);
  struct dirent *e;
  while (d && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", fuzz_dir_path, e->d_name);
    unlink(path);
  }
  if (d) closedir(d);
  rmdir(fuzz_dir_path);
}

/* A private folder for files, on tmpfs when there is one (fsync costs nothing there). */
static inline const char *fuzz_dir(void) {
  if (!fuzz_dir_path[0]) {
    snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/dev/shm/pt-fuzz-XXXXXX");
    if (!mkdtemp(fuzz_dir_path)) {
      snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "/tmp/pt-fuzz-XXXXXX");
      if (!mkdtemp(fuzz_dir_path)) abort();
    }
    atexit(fuzz_dir_remove);
  }
  return fuzz_dir_path;
}

/* One line of text: NUL-terminated within n bytes, no line break. */
static inline int fuzz_one_line(const char *s, size_t n) {
  const char *end = memchr(s, 0, n);
  return end && !memchr(s, '\n', (size_t)(end - s)) && !memchr(s, '\r', (size_t)(end - s));
}
