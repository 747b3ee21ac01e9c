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
  FUZZ_CHECK(a->nrows == b->nrows, "last_rows: %zu, then %zu", a->nrows, b->nrows);
  for (size_t i = 0; i < a->nrows; i++) {
    const struct state_row *x = &a->last_rows[i], *y = &b->last_rows[i];
    FUZZ_CHECK(!strcmp(x->id, y->id) && x->rank == y->rank && same_str(x->priority, y->priority) &&
               same_str(x->target_date, y->target_date) && same_str(x->state.id, y->state.id) &&
               same_str(x->state.name, y->state.name) && same_str(x->state.group, y->state.group),
               "row %zu", i);
  }
}

/* Every row kept is a row of last_issues: a row is known or absent, never another's. */
static void check_rows_known(const struct state *st) {
  for (size_t i = 0; i < st->nrows; i++) {
    int found = 0;
    for (size_t k = 0; k < st->nlast; k++) found |= !strcmp(st->last_rows[i].id, st->last_issues[k]);
    FUZZ_CHECK(found, "row %zu (%.60s) is not in last_issues", i, st->last_rows[i].id);
  }
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
    FUZZ_CHECK(!st.last_sync && !st.nlast && !st.nrows && !st.last_error, "a refused file left a state");
    return 0;
  }
  FUZZ_CHECK(exists == 1, "the file exists");
  FUZZ_CHECK(st.error_count >= 0, "error_count %ld", st.error_count);
  check_rows_known(&st);
  FUZZ_CHECK(state_write(out, &st, err) == 0, "write: %s", err);
  FUZZ_CHECK(state_read(out, &back, &exists, err) == 0, "the written state is refused: %s", err);
  check_same(&st, &back);
  state_clear(&st);
  state_clear(&back);
  return 0;
}
