/* json.c: encoding Lua tables (arrays, empty tables, key order, errors) and the
 * strict parser used for the state file. */
#include <lauxlib.h>
#include <lua.h>
#include <math.h>
#include <stdlib.h>

#include "check.h"
#include "json.h"
#include "json_lua.h"
#include "script.h"

static char *encode(lua_State *L, const char *expr, char *err) {
  struct buf b;
  buf_init(&b);
  char code[512];
  snprintf(code, sizeof code, "return %s", expr);
  if (luaL_dostring(L, code) != 0) {
    fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
    lua_pop(L, 1);
    return NULL;
  }
  int rc = json_encode_lua(L, -1, "v", &b, err);
  lua_pop(L, 1);
  if (rc < 0) {
    buf_free(&b);
    return NULL;
  }
  return buf_steal(&b);
}

static void check_enc(lua_State *L, const char *expr, const char *want) {
  char err[ERR_LEN] = "";
  char *got = encode(L, expr, err);
  CHECK_STR(got, want);
  if (!got) fprintf(stderr, "  (%s: %s)\n", expr, err);
  free(got);
}

static void check_enc_fails(lua_State *L, const char *expr, const char *want_in_err) {
  char err[ERR_LEN] = "";
  char *got = encode(L, expr, err);
  CHECK(got == NULL);
  CHECK(strstr(err, want_in_err) != NULL);
  if (!strstr(err, want_in_err)) fprintf(stderr, "  error was: %s\n", err);
  free(got);
}

static void test_encode(void) {
  lua_State *L = script_lua_new();
  check_enc(L, "{}", "[]");
  check_enc(L, "{1, 2, 3}", "[1,2,3]");
  check_enc(L, "{body = {}, type = 'AdaptiveCard'}", "{\"type\":\"AdaptiveCard\",\"body\":[]}");
  check_enc(L, "{z = 1, version = '1.2', msteams = {width = 'Full'}, ['$schema'] = 's', type = 'x', a = true}",
            "{\"type\":\"x\",\"$schema\":\"s\",\"version\":\"1.2\",\"msteams\":{\"width\":\"Full\"},\"a\":true,\"z\":1}");
  check_enc(L, "{'a\"b\\\\c\\n\\1', 'é🎯/'}", "[\"a\\\"b\\\\c\\n\\u0001\",\"é🎯/\"]");
  check_enc(L, "{1.5, -0.25, 10}", "[1.5,-0.25,10]");
  check_enc_fails(L, "{1, 2, x = 3}", "mixes list items");
  check_enc_fails(L, "{a = {b = {print}}}", "v.a.b[1]: a function value");
  check_enc_fails(L, "{name = '\\xff\\xfe'}", "v.name: a string that is not valid UTF-8");
  check_enc_fails(L, "{n = 0/0}", "infinite or NaN");
  check_enc_fails(L, "(function() local t = {} t.self = t return t end)()", "nested too deeply");
  script_lua_close(L);
}

static void test_parse(void) {
  char err[ERR_LEN];
  struct json *v = NULL;
  const char *text = "{\"a\": [1, 2.5, \"x\\u00e9\\ud83c\\udfaf\"], \"b\": null, \"c\": true}";
  CHECK(json_parse(text, strlen(text), &v, err) == 0);
  const struct json *a = json_get(v, "a");
  CHECK(a && a->type == JSON_ARRAY && a->n == 3);
  CHECK(a && a->items[1].number == 2.5);
  CHECK_STR(a ? a->items[2].string : NULL, "xé🎯");
  CHECK(json_get(v, "b") && json_get(v, "b")->type == JSON_NULL);
  CHECK(json_get(v, "c") && json_get(v, "c")->boolean == 1);
  CHECK(json_get(v, "missing") == NULL);
  json_free(v);

  const char *bad[] = {"", "{", "{\"a\":}", "[1,]", "{\"a\":1} x", "\"abc", "nul", "{\"a\" 1}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    v = NULL;
    CHECK(json_parse(bad[i], strlen(bad[i]), &v, err) < 0);
    CHECK(v == NULL);
    CHECK(strstr(err, "at byte") != NULL);
  }
}

/* Numbers follow the JSON grammar exactly; a NUL byte is not a value. */
static void test_parse_strict(void) {
  char err[ERR_LEN];
  struct json *v = NULL;
  static const char nul[] = {'[', '1', ',', 0, ']'};
  CHECK(json_parse(nul, sizeof nul, &v, err) < 0 && v == NULL);
  static const char lone[] = {0};
  CHECK(json_parse(lone, sizeof lone, &v, err) < 0 && v == NULL);
  static const char after[] = {'1', 0};
  CHECK(json_parse(after, sizeof after, &v, err) < 0 && v == NULL);
  static const char in_string[] = {'"', 'a', 0, '"'};
  CHECK(json_parse(in_string, sizeof in_string, &v, err) < 0 && v == NULL);
  const char *bad[] = {"+1", "01", "-", "1.", ".5", "1e", "1e+", "--1", "1.2.3", "0x10", "1E5.5",
                       "-01", "00", "1-2", "[1e]", "[-]", "Infinity", "NaN", "1 2", "[01]"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    v = NULL;
    int rc = json_parse(bad[i], strlen(bad[i]), &v, err);
    CHECK(rc < 0 && v == NULL);
    if (rc == 0) fprintf(stderr, "  accepted %s\n", bad[i]), json_free(v);
  }
  const char *good[] = {"0", "-0", "1", "-1", "10", "1.5", "-0.25", "1e5", "1E+5", "2e-3",
                        "0.0e0", "123456789012345678901234567890", "1e400", "[0,-1.5e2]"};
  const double want[] = {0, 0, 1, -1, 10, 1.5, -0.25, 1e5, 1e5, 2e-3, 0, 1.2345678901234568e29,
                         HUGE_VAL, 0};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    v = NULL;
    int rc = json_parse(good[i], strlen(good[i]), &v, err);
    CHECK(rc == 0);
    if (rc < 0) fprintf(stderr, "  refused %s: %s\n", good[i], err);
    else if (v->type == JSON_NUMBER) CHECK(v->number == want[i]);
    json_free(v);
  }
  /* a surrogate escape must come in a pair */
  const char *bad_str[] = {"\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\ud800x\""};
  for (size_t i = 0; i < sizeof bad_str / sizeof *bad_str; i++) {
    v = NULL;
    CHECK(json_parse(bad_str[i], strlen(bad_str[i]), &v, err) < 0 && v == NULL);
  }
}

int main(void) {
  test_encode();
  test_parse();
  test_parse_strict();
  return CHECK_DONE();
}
