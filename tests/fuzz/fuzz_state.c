/* The state file: whatever state_read accepts, state_write writes and state_read reads
 * back as the same state; whatever it refuses is reported "corrupt" in one line. */
#include <unistd.h>

#include "fuzz.h"
#include "state.h"

static int same_str(const char *a, const char *b) { return (!a && !b) || (a && b && !strcmp(a, b)); }

static void check_same(const struct state *a, const struct state *b) {
  FUZZ_CHECK(same_str(a->last_sync, b->last_sync), "last_sync");
  FUZZ_CHECK(same_str(a->last_sync_status, b->last_sync_status), "last_sync_status");
  FUZZ_CHECK(same_str(a->last_error, b->last_error), "last_error");
  FUZZ_CHECK(same_str(a->attempt, b->attempt), "attempt");
  FUZZ_CHECK(same_str(a->last_attempt, b->last_attempt), "last_attempt");
  FUZZ_CHECK(a->error_count == b->error_count, "error_count %ld, then %ld", a->error_count, b->error_count);
  FUZZ_CHECK(a->nlast == b->nlast, "last_issues: %zu, then %zu", a->nlast, b->nlast);
  for (size_t i = 0; i < a->nlast; i++) FUZZ_CHECK(!strcmp(a->last_issues[i], b->last_issues[i]), "id %zu", i);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static char in[128], out[128];
  char err[ERR_LEN];
  struct state st, back;
  int exists;
  if (!in[0]) {
    snprintf(in, sizeof in, "%s/in.json", fuzz_dir());
    snprintf(out, sizeof out, "%s/state.json", fuzz_dir());
  }
  FILE *f = fopen(in, "wb");
  if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) abort();
  memset(err, 0x55, sizeof err);
  if (state_read(in, &st, &exists, err) < 0) {
    FUZZ_CHECK(exists == 1 && strstr(err, "is corrupt") && fuzz_one_line(err, sizeof err), "error: %.200s", err);
    FUZZ_CHECK(!st.last_sync && !st.nlast && !st.last_error, "a refused file left a state");
    return 0;
  }
  FUZZ_CHECK(exists == 1, "the file exists");
  FUZZ_CHECK(st.error_count >= 0, "error_count %ld", st.error_count);
  FUZZ_CHECK(state_write(out, &st, err) == 0, "write: %s", err);
  FUZZ_CHECK(state_read(out, &back, &exists, err) == 0, "the written state is refused: %s", err);
  check_same(&st, &back);
  state_clear(&st);
  state_clear(&back);
  return 0;
}
