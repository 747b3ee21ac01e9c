/* config.c: the value parsers and loading config files (good and bad). */
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "config.h"

static void test_hour(void) {
  int h = -1, m = -1;
  CHECK(config_parse_hour("8", &h, &m) == 0 && h == 8 && m == 0);
  CHECK(config_parse_hour("08:30", &h, &m) == 0 && h == 8 && m == 30);
  CHECK(config_parse_hour("23:59", &h, &m) == 0 && h == 23 && m == 59);
  CHECK(config_parse_hour("0", &h, &m) == 0 && h == 0);
  const char *bad[] = {"25", "24:00", "8h", "", "8:5", "08:60", "123", "-1", "8:30:00", " 8"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) CHECK(config_parse_hour(bad[i], &h, &m) < 0);
}

static void test_days(void) {
  CHECK(config_parse_days("daily") == DAYS_ALL);
  CHECK(config_parse_days("weekdays") == 0x3e);
  CHECK(config_parse_days("mon,wed,fri") == ((1u << 1) | (1u << 3) | (1u << 5)));
  CHECK(config_parse_days("Sun, Saturday") == ((1u << 0) | (1u << 6)));
  CHECK(config_parse_days("mon,funday") == 0);
  CHECK(config_parse_days("") == 0);
}

static void test_tz(void) {
  CHECK(config_tz_valid("Europe/Paris"));
  CHECK(config_tz_valid("UTC"));
  CHECK(!config_tz_valid("Europe/Pariss"));
  CHECK(!config_tz_valid("../etc/passwd"));
  CHECK(!config_tz_valid("/etc/localtime"));
  CHECK(!config_tz_valid(""));
}

static void test_date(void) {
  CHECK(config_parse_date("2026-12-25") == 0);
  CHECK(config_parse_date("2028-02-29") == 0); /* a leap year */
  CHECK(config_parse_date("2000-02-29") == 0);
  const char *form[] = {"2026-12-5", "26-12-25", "2026/12/25", "2026-12-25 ", " 2026-12-25",
                        "2026-12-25T00:00", "", "2026-1a-25", "25.12.2026"};
  for (size_t i = 0; i < sizeof form / sizeof *form; i++) CHECK(config_parse_date(form[i]) == -1);
  const char *impossible[] = {"2026-02-29", "2026-02-30", "1900-02-29", "2026-13-01", "2026-00-10",
                              "2026-04-31", "2026-12-00", "0026-12-25"};
  for (size_t i = 0; i < sizeof impossible / sizeof *impossible; i++)
    CHECK(config_parse_date(impossible[i]) == -2);
}

static int write_tmp(const char *text, char *path) {
  strcpy(path, "/tmp/pt-config-XXXXXX");
  int fd = mkstemp(path);
  if (fd < 0) return -1;
  ssize_t n = write(fd, text, strlen(text));
  close(fd);
  return n == (ssize_t)strlen(text) ? 0 : -1;
}

static int load(const char *text, struct config **c, char *err) {
  char path[64];
  if (write_tmp(text, path) < 0) return -2;
  int rc = config_load(path, c, err);
  unlink(path);
  return rc;
}

static void expect_error(const char *text, const char *want) {
  struct config *c = NULL;
  char err[ERR_LEN] = "";
  CHECK(load(text, &c, err) == -1);
  CHECK(c == NULL);
  CHECK(strstr(err, want) != NULL);
  if (!strstr(err, want)) fprintf(stderr, "  wanted \"%s\" in: %s\n", want, err);
}

static void test_load(void) {
  struct config *c = NULL;
  char err[ERR_LEN] = "";
  CHECK(load("return { workspace = 'acme', projects = '4af68566-94a4-4eb3-94aa-50dc9427067b', "
             "plane_base_url = 'https://plane.example.com/api/v1/', hour = '07:45', "
             "timezone = 'Europe/Paris', days = 'weekdays' }", &c, err) == 0);
  if (c) {
    CHECK(c->ndigests == 1);
    CHECK_STR(c->digests[0].name, "main");
    CHECK_STR(c->digests[0].base_url, "https://plane.example.com");
    CHECK_STR(c->digests[0].app_url, "https://plane.example.com");
    CHECK(c->digests[0].hour == 7 && c->digests[0].minute == 45);
    CHECK(c->digests[0].nstates == 3);
    CHECK(config_require(c, CONFIG_NEED_PLANE, err) < 0 && strstr(err, "plane_api_token is required"));
    config_free(c);
  }
  c = NULL;
  CHECK(load("return { workspace = 'acme', plane_api_token = 'plane_api_x', "
             "digests = { { name = 'web', projects = { '4af68566-94a4-4eb3-94aa-50dc9427067b' } },"
             "            { name = 'ops', projects = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d', limit = 5 } } }",
             &c, err) == 0);
  if (c) {
    CHECK(c->ndigests == 2);
    CHECK_STR(c->digests[0].app_url, "https://app.plane.so");
    CHECK_STR(c->digests[0].state_file, ".state.web.json");
    CHECK_STR(c->digests[1].state_file, ".state.ops.json");
    CHECK_STR(c->digests[1].api_token, "plane_api_x");
    CHECK(c->digests[1].limit == 5 && c->digests[0].limit == 10);
    config_free(c);
  }
  c = NULL; /* holidays: sorted, repeats dropped; a digest's own list replaces the top level's */
  CHECK(load("return { holidays = '2027-01-01, 2026-12-25,2027-01-01', "
             "digests = { { name = 'a' }, { name = 'b', holidays = { '2026-05-01' } }, "
             "{ name = 'c', holidays = {} } } }", &c, err) == 0);
  if (c) {
    CHECK(c->digests[0].nholidays == 2);
    if (c->digests[0].nholidays == 2) {
      CHECK_STR(c->digests[0].holidays[0], "2026-12-25");
      CHECK_STR(c->digests[0].holidays[1], "2027-01-01");
    }
    CHECK(c->digests[1].nholidays == 1 && !strcmp(c->digests[1].holidays[0], "2026-05-01"));
    CHECK(c->digests[2].nholidays == 0);
    config_free(c);
  }
  expect_error("return { holidays = { '2026-12-25', '2026-02-30' } }",
               ": holidays[2] = \"2026-02-30\" is not a date: February 2026 has 28 days");
  expect_error("return { holidays = '2026-12-25,2026-13-01' }",
               ": holidays[2] = \"2026-13-01\" is not a date: there is no month 13");
  expect_error("return { digests = { { name = 'a', holidays = { '2026-12-25', '2026-12-26', '26/12/2026' } } } }",
               ": digests[1]: holidays[3] = \"26/12/2026\" is not a date; write YYYY-MM-DD");
  expect_error("return { holidays = { 20261225 } }", ": holidays[1] must be a date string (YYYY-MM-DD), not a number");
  expect_error("return { holidays = true }", ": holidays must be a list of dates");
  expect_error("return { hour = '25' }", "hour = \"25\" is not a time of day");
  expect_error("return { huor = 8 }", "unknown key 'huor'");
  expect_error("return { timezone = 'Mars/Olympus' }", "not a known IANA time zone");
  expect_error("return { projects = 'abc' }", "\"abc\", which is not a project UUID");
  expect_error("return { teams_webhook_url = 'http://example.com/hook' }", "must use https");
  expect_error("return { digests = { { name = 'a', log_level = 'debug' } } }", "belongs at the top level");
  expect_error("return { digests = { { name = 'a' }, { name = 'a' } } }", "two digests are named \"a\"");
  expect_error("return 42", "must return a table");
  expect_error("return {", "syntax error");
  expect_error("local x = nil; return x.y", "attempt to index");
  expect_error("return { limit = 0 }", "limit = 0 is out of range");
  expect_error("return { states = { { group = 'doing' } } }", "group \"doing\" is not one of");
}

static const struct opt *opt_find(const struct digest *d, const char *name) {
  for (size_t i = 0; i < d->noptions; i++)
    if (!strcmp(d->options[i].name, name)) return &d->options[i];
  return NULL;
}

/* options: the top level's merged with each digest's, key by key; plain values only */
static void test_options(void) {
  struct config *c = NULL;
  char err[ERR_LEN] = "";
  CHECK(load("return { options = { focus = 'Ada', stale_days = 5, ratio = 0.5, strict = true, "
             "people = { 'Ada', 'Lin' }, weights = { urgent = 3 } }, "
             "digests = { { name = 'a' }, { name = 'b', options = { focus = 'Lin', extra = false } } } }",
             &c, err) == 0);
  if (c) {
    const struct digest *a = &c->digests[0], *b = &c->digests[1];
    const struct opt *o;
    CHECK(a->noptions == 6 && b->noptions == 7);
    CHECK((o = opt_find(a, "focus")) && o->type == OPT_STR && !strcmp(o->s, "Ada"));
    CHECK((o = opt_find(b, "focus")) && o->type == OPT_STR && !strcmp(o->s, "Lin"));
    CHECK((o = opt_find(b, "stale_days")) && o->type == OPT_INT && o->i == 5);
    CHECK((o = opt_find(a, "ratio")) && o->type == OPT_NUM && o->n == 0.5);
    CHECK((o = opt_find(b, "extra")) && o->type == OPT_BOOL && !o->b);
    CHECK(!opt_find(a, "extra"));
    CHECK((o = opt_find(b, "people")) && o->type == OPT_TABLE && o->nitems == 2 && !o->items[0].name);
    CHECK((o = opt_find(a, "weights")) && o->type == OPT_TABLE && o->nitems == 1 &&
          !strcmp(o->items[0].name, "urgent") && o->items[0].i == 3);
    config_free(c);
  }
  c = NULL; /* a digest's table replaces a top-level table whole: the merge is shallow */
  CHECK(load("return { options = { weights = { urgent = 3, high = 2 } }, "
             "digests = { { name = 'a', options = { weights = { low = 1 } } } } }", &c, err) == 0);
  if (c) {
    const struct opt *o = opt_find(&c->digests[0], "weights");
    CHECK(o && o->nitems == 1 && !strcmp(o->items[0].name, "low"));
    config_free(c);
  }
  expect_error("return { digests = { { name = 'a' }, { name = 'b', options = { focus = function() end } } } }",
               ": digests[2].options.focus is a function: options hold strings, numbers, booleans and tables");
  expect_error("return { options = { people = { 'Ada', function() end } } }", ": options.people[2] is a function");
  expect_error("return { options = { a = { b = { c = { d = { e = 1 } } } } } }", ": options.a.b.c.d is nested too deep");
  expect_error("local t = {}; t.t = t; return { options = { loop = t } }", ": options.loop.t.t.t is nested too deep");
  expect_error("return { options = { 'Ada' } }", ": options has a key that is a number: options are named");
  expect_error("return { options = { m = { [true] = 1 } } }", ": options.m has a key that is a boolean");
  expect_error("return { options = 'focus=Ada' }", ": options must be a table of named values");
}

static const char *teams_id_of(const struct digest *d, const char *who) {
  for (size_t i = 0; i < d->nmention_ids; i++)
    if (!strcmp(d->mention_ids[i].who, who)) return d->mention_ids[i].id;
  return NULL;
}

static void test_mentions(void) {
  struct config *c = NULL;
  char err[ERR_LEN] = "";
  CHECK(load("return { mentions = 'true', mention_ids = { ['Zoé Martin'] = 'zoe@contoso.example', "
             "['5b0b4c6e-1f7a-4d0e-9a51-0c1d2e3f4a01'] = '4af68566-94a4-4eb3-94aa-50dc9427067b' }, "
             "digests = { { name = 'a' }, { name = 'b', mentions = false, mention_ids = {} }, "
             "{ name = 'c', mentions = 'off' }, { name = 'd', mentions = '' } } }", &c, err) == 0);
  if (c) {
    const struct digest *a = &c->digests[0];
    CHECK(a->mentions == 1 && a->nmention_ids == 2);
    CHECK_STR(teams_id_of(a, "Zoé Martin"), "zoe@contoso.example");
    CHECK_STR(teams_id_of(a, "5b0b4c6e-1f7a-4d0e-9a51-0c1d2e3f4a01"), "4af68566-94a4-4eb3-94aa-50dc9427067b");
    CHECK(c->digests[1].mentions == 0 && c->digests[1].nmention_ids == 0); /* a digest's table replaces */
    CHECK(c->digests[2].mentions == 0);
    CHECK(c->digests[3].mentions == 1); /* "" is unset: the top level's */
    config_free(c);
  }
  c = NULL; /* off by default */
  CHECK(load("return {}", &c, err) == 0);
  if (c) {
    CHECK(c->digests[0].mentions == 0 && c->digests[0].nmention_ids == 0);
    config_free(c);
  }
  expect_error("return { mentions = 'maybe' }", ": mentions = \"maybe\" must be true or false");
  expect_error("return { mentions = 1 }", ": mentions must be true or false, not a number");
  expect_error("return { mention_ids = 'zoe@contoso.example' }", ": mention_ids must be a table");
  expect_error("return { mention_ids = { 'zoe@contoso.example' } }", ": mention_ids keys must be Plane user ids");
  expect_error("return { mention_ids = { Zoe = 'zoe' } }",
               ": mention_ids [\"Zoe\"] = \"zoe\" is neither a UPN (name@domain) nor an Entra object id");
  expect_error("return { mention_ids = { Zoe = 'zoe martin@contoso.example' } }", "is neither a UPN");
  expect_error("return { mention_ids = { Zoe = '<at>x@y</at>' } }", "is neither a UPN");
  expect_error("return { mention_ids = { Zoe = true } }", ": mention_ids [\"Zoe\"] must be a string");
  expect_error("return { digests = { { name = 'a', mention_ids = { Zoe = '@contoso.example' } } } }",
               ": digests[1]: mention_ids [\"Zoe\"]");
}

int main(void) {
  test_hour();
  test_days();
  test_tz();
  test_date();
  test_load();
  test_options();
  test_mentions();
  return CHECK_DONE();
}
