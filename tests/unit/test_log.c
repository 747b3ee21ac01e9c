/* log.c: JSON lines, size rotation, and redaction of secrets. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "json.h"
#include "log.h"
#include "util.h"

static char dir[] = "/tmp/pt-log-XXXXXX";

static char *slurp(const char *name) {
  char path[256], err[ERR_LEN], *data = NULL;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return read_file(path, &data, NULL, err) == 0 ? data : NULL;
}

static void test_json_lines_and_redaction(void) {
  char path[256], err[ERR_LEN];
  snprintf(path, sizeof path, "%s/logs/pt.log", dir); /* the folder is created */
  CHECK(log_open_file(path, 1 << 20, 3, err) == 0);
  log_add_secret("https://example.webhook.office.com/hook/abc");
  log_info("main", LF(LF_S("endpoint", "POST https://example.webhook.office.com/hook/abc"),
                      LF_N("status", 202), LF_N("duration_ms", 12.5)),
           "posted with key plane_api_0123456789abcdef0123456789abcdef to %s",
           "https://example.webhook.office.com/hook/abc");
  log_debug(NULL, NULL, "not written at info level");
  log_close();
  char *text = slurp("logs/pt.log");
  CHECK(text != NULL);
  if (!text) return;
  struct json *v = NULL;
  CHECK(json_parse(text, strlen(text), &v, err) == 0);
  CHECK_STR(json_get(v, "level") ? json_get(v, "level")->string : NULL, "info");
  CHECK_STR(json_get(v, "digest") ? json_get(v, "digest")->string : NULL, "main");
  CHECK_STR(json_get(v, "msg") ? json_get(v, "msg")->string : NULL,
            "posted with key plane_api_…(redacted) to (redacted)");
  CHECK_STR(json_get(v, "endpoint") ? json_get(v, "endpoint")->string : NULL, "POST (redacted)");
  CHECK(json_get(v, "status") && json_get(v, "status")->number == 202);
  CHECK(json_get(v, "duration_ms") && json_get(v, "duration_ms")->number == 12.5);
  CHECK(json_get(v, "ts") && strlen(json_get(v, "ts")->string) == 25);
  CHECK(strstr(text, "abc") == NULL);
  CHECK(strstr(text, "not written") == NULL);
  json_free(v);
  free(text);
  log_clear_secrets();
}

static void test_rotation(void) {
  char path[256], err[ERR_LEN], name[64];
  struct stat st;
  snprintf(path, sizeof path, "%s/rot.log", dir);
  CHECK(log_open_file(path, 2000, 2, err) == 0);
  for (int i = 0; i < 100; i++) log_warn(NULL, NULL, "line %03d of a log that rotates by size", i);
  log_close();
  CHECK(stat(path, &st) == 0 && st.st_size <= 2000);
  for (int i = 1; i <= 3; i++) {
    snprintf(name, sizeof name, "%s/rot.log.%d", dir, i);
    CHECK((stat(name, &st) == 0) == (i <= 2)); /* two old files kept, no third */
  }
  char *last = slurp("rot.log");
  CHECK(last && strstr(last, "line 099"));
  free(last);
}

static void test_redact_signature(void) {
  char *r = log_redact("GET /invoke?api-version=1&sig=AbC123&sp=x");
  CHECK_STR(r, "GET /invoke?api-version=1&sig=(redacted)&sp=x");
  free(r);
}

/* Every registered secret is redacted, however many there are (there was a cap of 32). */
static void test_many_secrets(void) {
  char secret[64], line[256];
  for (int i = 0; i < 200; i++) {
    snprintf(secret, sizeof secret, "key-%03d-of-a-digest", i);
    log_add_secret(secret);
  }
  for (int i = 0; i < 200; i += 7) {
    snprintf(line, sizeof line, "echoed key-%03d-of-a-digest back", i);
    char *r = log_redact(line);
    CHECK_STR(r, "echoed (redacted) back");
    free(r);
  }
  log_clear_secrets();
  char *r = log_redact("echoed key-150-of-a-digest back");
  CHECK_STR(r, "echoed key-150-of-a-digest back");
  free(r);
}

/* Overlapping secrets: no part of either is left, whichever was registered first. */
static void test_overlapping_secrets(void) {
  log_add_secret("abcdEFGH");
  log_add_secret("abcd");
  log_add_secret("GHijklmn");
  char *r = log_redact("x abcdEFGHijklmn y abcd z");
  CHECK_STR(r, "x (redacted) y (redacted) z");
  free(r);
  log_clear_secrets();
}

/* The JSON log line escapes control characters like the rest of the host's JSON. */
static void test_json_escaping(void) {
  char path[256], err[ERR_LEN];
  snprintf(path, sizeof path, "%s/esc.log", dir);
  CHECK(log_open_file(path, 1 << 20, 1, err) == 0);
  log_warn("d\"1", LF(LF_S("why", "tab\there\rcr\x01\x1f \"q\" back\\slash é")), "line\nbreak");
  log_close();
  char *text = slurp("esc.log");
  CHECK(text && strstr(text, "\"msg\":\"line\\nbreak\""));
  CHECK(text && strstr(text, "\"digest\":\"d\\\"1\""));
  CHECK(text && strstr(text, "\"why\":\"tab\\there\\rcr\\u0001\\u001f \\\"q\\\" back\\\\slash é\""));
  struct json *v = NULL;
  CHECK(text && json_parse(text, strlen(text), &v, err) == 0);
  CHECK_STR(v && json_get(v, "why") ? json_get(v, "why")->string : NULL,
            "tab\there\rcr\x01\x1f \"q\" back\\slash é");
  json_free(v);
  free(text);
}

/* The setting's name, which errors tell the user to check, is not a key; a key is. */
static void test_setting_name_is_not_a_key(void) {
  char *r = log_redact("check plane_api_token (revoked?); key plane_api_0123456789abcdef seen");
  CHECK_STR(r, "check plane_api_token (revoked?); key plane_api_…(redacted) seen");
  free(r);
}

int main(void) {
  if (!mkdtemp(dir)) return 2;
  log_set_level(LOG_INFO);
  test_json_lines_and_redaction();
  test_rotation();
  test_redact_signature();
  test_setting_name_is_not_a_key();
  test_many_secrets();
  test_overlapping_secrets();
  test_json_escaping();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  if (system(cmd) != 0) return 2;
  return CHECK_DONE();
}
