/* The `holidays` key: dates with no digest, as a list of "YYYY-MM-DD" strings or one
 * comma-separated string (NOTIFICATION_HOLIDAYS), each checked against the calendar,
 * kept sorted and without repeats. */
#include <ctype.h>
#include <lauxlib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parts.h"

#define bad config_bad
#define esc config_esc

static int days_in_month(int y, int m) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : days[m - 1];
}

int config_parse_date(const char *s) {
  static const char form[] = "dddd-dd-dd";
  for (size_t i = 0; i < sizeof form - 1; i++)
    if (form[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != form[i]) return -1;
  if (s[sizeof form - 1]) return -1;
  int y = atoi(s), m = atoi(s + 5), d = atoi(s + 8);
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m)) return -2;
  return 0;
}

/* holidays[i] of the list; value: what to name when the list came from one string. */
static int check_date(const char *date, size_t i, const char *where, const char *value, char *err) {
  static const char *const months[] = {"January", "February", "March", "April", "May", "June", "July",
                                       "August", "September", "October", "November", "December"};
  char key[40];
  snprintf(key, sizeof key, "holidays[%zu]", i);
  int rc = config_parse_date(date);
  if (rc == 0) return 0;
  if (rc == -1)
    return bad(err, where, key, value, "= \"%s\" is not a date; write YYYY-MM-DD, e.g. 2026-12-25",
               esc(date));
  int y = atoi(date), m = atoi(date + 5);
  if (y < 1970) return bad(err, where, key, value, "= \"%s\" is before 1970", esc(date));
  if (m < 1 || m > 12)
    return bad(err, where, key, value, "= \"%s\" is not a date: there is no month %02d", esc(date), m);
  return bad(err, where, key, value, "= \"%s\" is not a date: %s %d has %d days", esc(date),
             months[m - 1], y, days_in_month(y, m));
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort_unique(char **list, size_t *n) {
  size_t k = 0;
  if (!*n) return;
  qsort(list, *n, sizeof *list, cmp_str);
  for (size_t i = 1; i < *n; i++) {
    if (!strcmp(list[i], list[k])) free(list[i]);
    else list[++k] = list[i];
  }
  *n = k + 1;
}

static void push(char ***list, size_t *n, const char *s) {
  *list = xrealloc(*list, (*n + 1) * sizeof **list);
  (*list)[(*n)++] = xstrdup(s);
}

/* The list at idx, each entry checked; -1 with err at the first bad one. */
static int collect(lua_State *L, int idx, const char *where, char ***list, size_t *n, char *err) {
  if (lua_type(L, idx) == LUA_TSTRING) {
    const char *all = lua_tostring(L, idx);
    char *copy = xstrdup(all), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(copy, ", \t", &save); tok && rc == 0; tok = strtok_r(NULL, ", \t", &save)) {
      rc = check_date(tok, *n + 1, where, all, err);
      if (rc == 0) push(list, n, tok);
    }
    free(copy);
    return rc;
  }
  if (!lua_istable(L, idx))
    return bad(err, where, "holidays", NULL, "must be a list of dates such as { \"2026-12-25\" } or "
               "a comma-separated string, not a %s", luaL_typename(L, idx));
  size_t len = (size_t)lua_rawlen(L, idx);
  for (size_t i = 1; i <= len; i++) {
    char key[40];
    snprintf(key, sizeof key, "holidays[%zu]", i);
    lua_rawgeti(L, idx, (lua_Integer)i);
    int rc = lua_type(L, -1) != LUA_TSTRING
                 ? bad(err, where, key, NULL, "must be a date string (YYYY-MM-DD), not a %s",
                       luaL_typename(L, -1))
                 : check_date(lua_tostring(L, -1), i, where, NULL, err);
    if (rc == 0) push(list, n, lua_tostring(L, -1));
    lua_pop(L, 1);
    if (rc < 0) return -1;
  }
  return 0;
}

int config_read_holidays(lua_State *L, int idx, const char *where, struct digest *d, char *err) {
  char **list = NULL;
  size_t n = 0;
  if (lua_isnil(L, idx)) return 0;
  if (collect(L, idx, where, &list, &n, err) < 0) {
    config_free_list(list, n);
    return -1;
  }
  sort_unique(list, &n);
  config_free_list(d->holidays, d->nholidays);
  d->holidays = list, d->nholidays = n;
  return 0;
}
