/* state.c: atomic write, strict read, quarantine and the lock. */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "state.h"

static char dir[] = "/tmp/pt-state-XXXXXX";
static char path[256];

static void put(const char *text) {
  FILE *f = fopen(path, "w");
  fputs(text, f);
  fclose(f);
}

static void test_round_trip(void) {
  struct state st = {0}, back;
  char err[ERR_LEN];
  int exists = -1;
  CHECK(state_read(path, &back, &exists, err) == 0 && exists == 0); /* missing: empty */
  state_set(&st.last_sync, "2026-11-26T08:00:01+01:00");
  state_set(&st.last_sync_status, "success");
  st.last_issues = calloc(2, sizeof *st.last_issues);
  st.last_issues[0] = strdup("id1");
  st.last_issues[1] = strdup("id\"2");
  st.nlast = 2;
  st.last_rows = calloc(2, sizeof *st.last_rows);
  st.last_rows[0] = (struct state_row){strdup("id1"), 1, strdup("high"), {strdup("s1"), strdup("En cours"), strdup("started")},
                                       strdup("2026-11-30")};
  st.last_rows[1] = (struct state_row){strdup("id\"2"), 2, NULL, {NULL, NULL, NULL}, NULL};
  st.nrows = 2;
  st.error_count = 0;
  state_set(&st.last_error, "line\nbreak");
  CHECK(state_write(path, &st, err) == 0);
  struct stat sb;
  CHECK(stat(path, &sb) == 0 && (sb.st_mode & 0777) == 0600);
  CHECK(state_read(path, &back, &exists, err) == 0 && exists == 1);
  CHECK_STR(back.last_sync, "2026-11-26T08:00:01+01:00");
  CHECK_STR(back.last_sync_status, "success");
  CHECK(back.nlast == 2);
  CHECK_STR(back.nlast == 2 ? back.last_issues[1] : NULL, "id\"2");
  CHECK_STR(back.last_error, "line\nbreak");
  CHECK(back.nrows == 2);
  if (back.nrows == 2) {
    CHECK_STR(back.last_rows[0].id, "id1");
    CHECK(back.last_rows[0].rank == 1 && back.last_rows[1].rank == 2);
    CHECK_STR(back.last_rows[0].priority, "high");
    CHECK_STR(back.last_rows[0].state.name, "En cours");
    CHECK_STR(back.last_rows[0].state.group, "started");
    CHECK_STR(back.last_rows[0].target_date, "2026-11-30");
    CHECK(!back.last_rows[1].priority && !back.last_rows[1].state.id && !back.last_rows[1].target_date);
  }
  CHECK(back.attempt == NULL);
  state_clear(&back);
  state_clear(&st);
  /* no temp file is left behind */
  char cmd[512];
  snprintf(cmd, sizeof cmd, "ls -A %s | grep -q tmp", dir);
  CHECK(system(cmd) != 0);
}

static void test_seed_format_is_read(void) {
  struct state st;
  char err[ERR_LEN];
  int exists;
  put("{\"last_sync\": \"2024-01-30T08:00:00+01:00\", \"last_sync_status\": \"success\","
      " \"last_issues\": [\"id1\", \"id2\"], \"error_count\": 0, \"last_error\": null, \"extra\": 1}");
  CHECK(state_read(path, &st, &exists, err) == 0);
  CHECK(st.nlast == 2 && st.error_count == 0);
  CHECK(st.nrows == 0); /* ids only: the rows are unknown */
  state_clear(&st);
  /* a row whose id is not in last_issues (a hand edit) is left out, never shown for another */
  put("{\"last_issues\": [\"a\", \"b\"], \"last_rows\": [{\"id\": \"x\", \"rank\": 1, \"priority\": \"high\"}, "
      "{\"id\": \"b\", \"rank\": 2, \"priority\": \"low\", \"state\": null}]}");
  CHECK(state_read(path, &st, &exists, err) == 0);
  CHECK(st.nrows == 1 && !strcmp(st.last_rows[0].id, "b") && !strcmp(st.last_rows[0].priority, "low"));
  state_clear(&st);
}

static void test_corrupt_files(void) {
  const char *bad[] = {"", "{", "[]", "{\"last_sync\": 5}", "{\"last_sync\": \"yesterday\"}",
                       "{\"last_sync_status\": \"great\"}", "{\"error_count\": -1}",
                       "{\"last_issues\": [1]}", "{\"last_sync\": \"2999-01-01T00:00:00Z\"}",
                       /* lenient parses that once passed */
                       "{\"error_count\": 1e300}", "{\"error_count\": -1e300}",
                       "{\"error_count\": 1.5}", "{\"error_count\": 9223372036854775808}",
                       "{\"last_sync\": \"2026-11-28T-1:-1:-1Z\"}",
                       "{\"last_sync\": \"2026-11-28T 8:00:00Z\"}",
                       "{\"last_sync\": \"2026-11-28T+8:+0:00Z\"}",
                       "{\"last_sync\": \"2026-02-31T08:00:00Z\"}",
                       "{\"attempt\": \"2026-02-31T08:00:00Z\"}",
                       "{\"last_attempt\": \"2026-11-31T08:00:00Z\"}",
                       /* the rows of the last card */
                       "{\"last_rows\": {}}", "{\"last_issues\": [\"a\"], \"last_rows\": [\"a\"]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"rank\": 1}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\"}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\", \"rank\": 0}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\", \"rank\": 1, \"priority\": 3}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\", \"rank\": 1, \"state\": \"x\"}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\", \"rank\": 1, \"state\": {\"name\": 1}}]}",
                       "{\"last_issues\": [\"a\"], \"last_rows\": [{\"id\": \"a\", \"rank\": 1, \"target_date\": []}]}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    struct state st;
    char err[ERR_LEN] = "";
    int exists;
    put(bad[i]);
    CHECK(state_read(path, &st, &exists, err) == -1);
    CHECK(strstr(err, "is corrupt") != NULL);
    if (!strstr(err, "is corrupt")) fprintf(stderr, "  case %zu: %s\n", i, err);
  }
  /* a NUL byte where a number belongs (it once read as 0) */
  static const char nul[] = "{\"error_count\": \0}";
  FILE *f = fopen(path, "w");
  fwrite(nul, 1, sizeof nul - 1, f);
  fclose(f);
  {
    struct state st;
    char err[ERR_LEN] = "";
    int exists;
    CHECK(state_read(path, &st, &exists, err) == -1);
    CHECK(strstr(err, "is corrupt") != NULL);
  }
  /* a value echoed in the error keeps it on one line */
  put("{\"last_sync\": \"2026\\n11\\r\\u001b[31m\"}");
  {
    struct state st;
    char err[ERR_LEN] = "";
    int exists;
    CHECK(state_read(path, &st, &exists, err) == -1);
    CHECK(strstr(err, "\"2026\\x0a11\\x0d\\x1b[31m\"") != NULL);
    CHECK(!strpbrk(err, "\n\r\x1b"));
  }
  char moved[512], err[ERR_LEN];
  CHECK(state_quarantine(path, moved, sizeof moved, err) == 0);
  CHECK(access(path, F_OK) != 0 && access(moved, F_OK) == 0);
  CHECK(strstr(moved, ".corrupt-") != NULL);
}

static void test_lock(void) {
  struct state_lock *a = NULL;
  char err[ERR_LEN];
  CHECK(state_lock(path, &a, err) == 0);
  pid_t pid = fork();
  if (pid == 0) {
    struct state_lock *b = NULL;
    char e[ERR_LEN];
    int rc = state_lock(path, &b, e);
    char want[64];
    snprintf(want, sizeof want, "(pid %ld)", (long)getppid());
    _exit(rc == -2 && strstr(e, want) && strstr(e, path) ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  state_unlock(a);
  CHECK(state_lock(path, &a, err) == 0);
  state_unlock(a);
}

static int exists_in_dir(const char *name) {
  char p[300];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  return access(p, F_OK) == 0;
}

static void touch_in_dir(const char *name) {
  char p[300];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  FILE *f = fopen(p, "w");
  if (f) fclose(f);
}

/* A write killed before its rename leaves ".state.json.tmp-XXXXXX": taking the lock removes
 * it, and only it; a process that does not get the lock removes nothing. */
static void test_lock_removes_stale_tmp(void) {
  struct state_lock *a = NULL;
  char err[ERR_LEN], p[300];
  touch_in_dir("..state.json.tmp-a1B2c3");   /* a leftover of .state.json */
  touch_in_dir("..state.json.tmp-abc");      /* not mkstemp's six characters */
  touch_in_dir("..other.json.tmp-a1B2c3");   /* another state file's */
  touch_in_dir(".state.json.tmp-a1B2c3");    /* the leftover of a file named "state.json" */
  snprintf(p, sizeof p, "%s/..state.json.tmp-dir123", dir);
  CHECK(mkdir(p, 0700) == 0);                /* not a regular file */
  CHECK(state_lock(path, &a, err) == 0);
  CHECK(!exists_in_dir("..state.json.tmp-a1B2c3"));
  CHECK(exists_in_dir("..state.json.tmp-abc"));
  CHECK(exists_in_dir("..other.json.tmp-a1B2c3"));
  CHECK(exists_in_dir(".state.json.tmp-a1B2c3"));
  CHECK(exists_in_dir("..state.json.tmp-dir123"));
  touch_in_dir("..state.json.tmp-Zz9Zz9");   /* the holder's write in progress */
  pid_t pid = fork();
  if (pid == 0) {
    struct state_lock *b = NULL;
    char e[ERR_LEN];
    int rc = state_lock(path, &b, e);
    _exit(rc == -2 && exists_in_dir("..state.json.tmp-Zz9Zz9") ? 0 : 1);
  }
  int status;
  waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  state_unlock(a);
  rmdir(p);
}

int main(void) {
  if (!mkdtemp(dir)) return 2;
  snprintf(path, sizeof path, "%s/.state.json", dir);
  test_round_trip();
  test_seed_format_is_read();
  test_corrupt_files();
  test_lock();
  test_lock_removes_stale_tmp();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 2;
  return CHECK_DONE();
}
