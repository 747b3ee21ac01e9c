#include "memtrim.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define MAX_MAPPINGS 512

/* One mapping of /proc/self/smaps as far as it matters here. */
struct mapping {
  unsigned long start, end;
  int candidate; /* file-backed and not writable */
  long rss_kb, anon_kb;
};

static void header(const char *line, struct mapping *m) {
  char perms[8] = "", path[8] = "";
  unsigned long off, inode = 0;
  unsigned maj, min;
  memset(m, 0, sizeof *m);
  if (sscanf(line, "%lx-%lx %7s %lx %x:%x %lu %7s", &m->start, &m->end, perms, &off, &maj, &min, &inode,
             path) < 7)
    return;
  m->candidate = inode != 0 && path[0] == '/' && perms[1] != 'w';
}

static int is_header(const char *line) {
  return (line[0] >= '0' && line[0] <= '9') || (line[0] >= 'a' && line[0] <= 'f');
}

/* The mappings of the process, read to the end before anything is dropped. */
static size_t read_mappings(FILE *f, struct mapping *list) {
  char line[512];
  struct mapping m = {0};
  size_t n = 0;
  long kb;
  while (fgets(line, sizeof line, f)) {
    int more = line[strlen(line) - 1] != '\n'; /* a long path: the rest of the line is skipped */
    if (is_header(line)) {
      if (m.end && n < MAX_MAPPINGS) list[n++] = m;
      header(line, &m);
    } else if (sscanf(line, "Rss: %ld kB", &kb) == 1) {
      m.rss_kb = kb;
    } else if (sscanf(line, "Anonymous: %ld kB", &kb) == 1) {
      m.anon_kb = kb;
    }
    while (more && fgets(line, sizeof line, f)) more = line[strlen(line) - 1] != '\n';
  }
  if (m.end && n < MAX_MAPPINGS) list[n++] = m;
  return n;
}

long memtrim_file_pages(void) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return 0;
  struct mapping list[MAX_MAPPINGS];
  size_t n = read_mappings(f, list);
  fclose(f);
  long total = 0;
  for (size_t i = 0; i < n; i++) {
    const struct mapping *m = &list[i];
    /* a page that was written (a relocation, a debugger's breakpoint) is private: such a
     * mapping is left alone, as dropping it would lose the write */
    if (!m->candidate || m->anon_kb != 0 || m->rss_kb == 0) continue;
    if (madvise((void *)m->start, m->end - m->start, MADV_DONTNEED) == 0) total += m->rss_kb;
  }
  return total;
}
