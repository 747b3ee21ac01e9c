/* sched.c: due or not, across days, holidays, failures and daylight saving (Europe/Paris). */
#include <stdlib.h>

#include "check.h"
#include "sched.h"
#include "util.h"

static time_t at(const char *iso) {
  time_t t = 0;
  if (iso8601_parse(iso, &t) < 0) fprintf(stderr, "bad time %s\n", iso);
  return t;
}

static struct digest paris(int hour, int minute, unsigned days) {
  struct digest d;
  memset(&d, 0, sizeof d);
  d.name = "main";
  d.tz = "Europe/Paris";
  d.hour = hour;
  d.minute = minute;
  d.days = days;
  return d;
}

static void test_basic(void) {
  struct digest d = paris(8, 0, DAYS_ALL);
  struct sched_view v = {0};
  CHECK(!sched_due(&d, &v, at("2026-11-26T07:59:59+01:00")));
  CHECK(sched_due(&d, &v, at("2026-11-26T08:00:00+01:00")));
  CHECK(sched_due(&d, &v, at("2026-11-26T23:59:00+01:00"))); /* catch-up */
  v.last_success = at("2026-11-26T08:00:03+01:00");
  CHECK(!sched_due(&d, &v, at("2026-11-26T12:00:00+01:00")));  /* never twice */
  CHECK(sched_due(&d, &v, at("2026-11-27T08:00:00+01:00")));
  v.last_success = at("2026-11-20T08:00:00+01:00"); /* down for days: one digest, today's */
  CHECK(sched_due(&d, &v, at("2026-11-26T09:00:00+01:00")));
  CHECK(sched_next(&d, &v, at("2026-11-26T07:00:00+01:00")) == at("2026-11-26T08:00:00+01:00"));
}

static void test_days(void) {
  struct digest d = paris(8, 30, 0x3e); /* weekdays */
  struct sched_view v = {0};
  CHECK(!sched_due(&d, &v, at("2026-11-28T09:00:00+01:00"))); /* Saturday */
  CHECK(!sched_due(&d, &v, at("2026-11-29T09:00:00+01:00"))); /* Sunday */
  CHECK(sched_due(&d, &v, at("2026-11-30T08:30:00+01:00")));  /* Monday */
  CHECK(sched_next(&d, &v, at("2026-11-28T09:00:00+01:00")) == at("2026-11-30T08:30:00+01:00"));
}

static void test_failures_retry_every_15_minutes(void) {
  struct digest d = paris(8, 0, DAYS_ALL);
  struct sched_view v = {0};
  v.last_failed = 1;
  v.last_attempt = at("2026-11-26T08:00:00+01:00");
  CHECK(!sched_due(&d, &v, at("2026-11-26T08:14:59+01:00")));
  CHECK(sched_due(&d, &v, at("2026-11-26T08:15:00+01:00")));
  CHECK(sched_sleep(&d, &v, at("2026-11-26T08:14:30+01:00")) == 30);
  v.last_failed = 0;
  v.last_unknown = 1; /* maybe posted: not again today */
  CHECK(!sched_due(&d, &v, at("2026-11-26T20:00:00+01:00")));
  CHECK(sched_due(&d, &v, at("2026-11-27T08:00:00+01:00")));
  struct sched_view crash = {0};
  crash.pending = at("2026-11-26T08:00:00+01:00");
  CHECK(sched_done_today(&d, &crash, at("2026-11-26T09:00:00+01:00")));
}

static void test_spring_forward_gap(void) {
  /* 2026-03-29: 02:00 CET jumps to 03:00 CEST; 02:30 does not exist */
  struct digest d = paris(2, 30, DAYS_ALL);
  struct sched_view v = {0};
  CHECK(!sched_due(&d, &v, at("2026-03-29T01:59:59+01:00")));
  CHECK(sched_due(&d, &v, at("2026-03-29T03:00:00+02:00"))); /* the end of the gap */
  CHECK(sched_next(&d, &v, at("2026-03-29T01:30:00+01:00")) == at("2026-03-29T03:00:00+02:00"));
}

static void test_fall_back_overlap(void) {
  /* 2026-10-25: 03:00 CEST goes back to 02:00 CET; 02:30 happens twice */
  struct digest d = paris(2, 30, DAYS_ALL);
  struct sched_view v = {0};
  time_t first = at("2026-10-25T02:30:00+02:00");
  CHECK(sched_due(&d, &v, first));
  v.last_success = first + 2;
  CHECK(!sched_due(&d, &v, at("2026-10-25T02:30:00+01:00"))); /* the second 02:30 */
  CHECK(sched_next(&d, &v, first + 60) == at("2026-10-26T02:30:00+01:00"));
}

static void test_holiday_on_a_monday(void) {
  char *holidays[] = {"2026-11-30"}; /* a Monday */
  struct digest d = paris(8, 30, 0x3e);
  d.holidays = holidays, d.nholidays = 1;
  struct sched_view v = {0};
  v.last_success = at("2026-11-27T08:30:02+01:00"); /* Friday's */
  CHECK(sched_holiday(&d, at("2026-11-30T09:00:00+01:00")));
  CHECK(!sched_holiday(&d, at("2026-12-01T09:00:00+01:00")));
  CHECK(!sched_due(&d, &v, at("2026-11-30T08:30:00+01:00")));
  CHECK(!sched_due(&d, &v, at("2026-11-30T23:59:00+01:00")));
  CHECK(sched_next(&d, &v, at("2026-11-28T09:00:00+01:00")) == at("2026-12-01T08:30:00+01:00"));
  CHECK(sched_next(&d, &v, at("2026-11-30T12:00:00+01:00")) == at("2026-12-01T08:30:00+01:00"));
  /* the holiday is judged by the local date: 23:30 UTC on the 29th is the 30th in Paris */
  CHECK(sched_holiday(&d, at("2026-11-29T23:30:00Z")));
  CHECK(!sched_holiday(&d, at("2026-11-30T23:30:00Z")));
  /* down over the holiday: Tuesday's digest, once; the holiday is not caught up */
  CHECK(sched_due(&d, &v, at("2026-12-01T10:00:00+01:00")));
  v.last_success = at("2026-12-01T10:00:03+01:00");
  CHECK(!sched_due(&d, &v, at("2026-12-01T10:30:00+01:00")));
  CHECK(sched_next(&d, &v, at("2026-12-01T10:30:00+01:00")) == at("2026-12-02T08:30:00+01:00"));
  /* a failure the day before does not make the holiday due */
  struct sched_view failed = {0};
  failed.last_failed = 1;
  failed.last_attempt = at("2026-11-27T23:50:00+01:00");
  CHECK(!sched_due(&d, &failed, at("2026-11-30T08:30:00+01:00")));
}

static void test_holiday_list_that_ends(void) {
  /* nine days off in a row: the next digest is more than 8 days away */
  char *holidays[] = {"2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27", "2026-12-28",
                      "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-01"};
  struct digest d = paris(8, 0, DAYS_ALL);
  d.holidays = holidays, d.nholidays = 9;
  struct sched_view v = {0};
  v.last_success = at("2026-12-23T08:00:01+01:00");
  CHECK(!sched_due(&d, &v, at("2026-12-24T08:00:00+01:00")));
  CHECK(!sched_due(&d, &v, at("2027-01-01T20:00:00+01:00")));
  CHECK(sched_due(&d, &v, at("2027-01-02T08:00:00+01:00"))); /* after the last one */
  CHECK(sched_next(&d, &v, at("2026-12-23T09:00:00+01:00")) == at("2027-01-02T08:00:00+01:00"));
  /* a list whose dates are all past changes nothing */
  char *past[] = {"2025-12-25", "2026-01-01"};
  d.holidays = past, d.nholidays = 2;
  CHECK(sched_due(&d, &v, at("2026-12-24T08:00:00+01:00")));
  CHECK(sched_next(&d, &v, at("2026-12-23T09:00:00+01:00")) == at("2026-12-24T08:00:00+01:00"));
}

static void test_weekly_digest_over_holidays(void) {
  /* a Monday digest, three Mondays off in a row: the next is four weeks away */
  char *holidays[] = {"2026-12-07", "2026-12-14", "2026-12-21"};
  struct digest d = paris(9, 0, 1u << 1);
  d.holidays = holidays, d.nholidays = 3;
  struct sched_view v = {0};
  v.last_success = at("2026-11-30T09:00:01+01:00");
  CHECK(sched_next(&d, &v, at("2026-11-30T10:00:00+01:00")) == at("2026-12-28T09:00:00+01:00"));
}

static void test_holiday_on_a_daylight_saving_change(void) {
  char *spring[] = {"2026-03-29"}; /* 02:00 CET jumps to 03:00 CEST */
  struct digest d = paris(2, 30, DAYS_ALL);
  d.holidays = spring, d.nholidays = 1;
  struct sched_view v = {0};
  CHECK(!sched_due(&d, &v, at("2026-03-29T03:00:00+02:00"))); /* the end of the gap */
  CHECK(!sched_due(&d, &v, at("2026-03-29T23:59:00+02:00")));
  v.last_success = at("2026-03-28T02:30:01+01:00");
  CHECK(sched_next(&d, &v, at("2026-03-28T03:00:00+01:00")) == at("2026-03-30T02:30:00+02:00"));
  char *fall[] = {"2026-10-25"}; /* 03:00 CEST goes back to 02:00 CET */
  d.holidays = fall;
  CHECK(!sched_due(&d, &v, at("2026-10-25T02:30:00+02:00")));
  CHECK(!sched_due(&d, &v, at("2026-10-25T02:30:00+01:00")));
  v.last_success = at("2026-10-24T02:30:01+02:00");
  CHECK(sched_next(&d, &v, at("2026-10-24T03:00:00+02:00")) == at("2026-10-26T02:30:00+01:00"));
  /* a holiday the day before: the change day's digest fires at the end of the gap */
  char *before[] = {"2026-03-28"};
  d.holidays = before;
  v.last_success = at("2026-03-27T02:30:01+01:00");
  CHECK(sched_next(&d, &v, at("2026-03-27T03:00:00+01:00")) == at("2026-03-29T03:00:00+02:00"));
}

static void test_sleep_is_bounded(void) {
  struct digest d = paris(8, 0, DAYS_ALL);
  struct sched_view v = {0};
  CHECK(sched_sleep(&d, &v, at("2026-11-26T03:00:00+01:00")) == SCHED_MAX_SLEEP);
  CHECK(sched_sleep(&d, &v, at("2026-11-26T07:59:50+01:00")) == 10);
  CHECK(sched_sleep(&d, &v, at("2026-11-26T09:00:00+01:00")) == SCHED_MAX_SLEEP);
}

static void test_iso(void) {
  time_t t;
  CHECK(iso8601_parse("2026-05-01T09:12:33.512345Z", &t) == 0 && t == 1777626753);
  CHECK(iso8601_parse("2026-05-01T14:42:33+05:30", &t) == 0 && t == 1777626753);
  CHECK(iso8601_parse("2026-05-01T09:12:33", &t) < 0);
  CHECK(iso8601_parse("2026-05-01 09:12:33Z", &t) < 0);
  CHECK(iso8601_parse("2026-13-01T09:12:33Z", &t) < 0);
}

int main(void) {
  test_basic();
  test_days();
  test_failures_retry_every_15_minutes();
  test_spring_forward_gap();
  test_fall_back_overlap();
  test_holiday_on_a_monday();
  test_holiday_list_that_ends();
  test_holiday_on_a_daylight_saving_change();
  test_weekly_digest_over_holidays();
  test_sleep_is_bounded();
  test_iso();
  return CHECK_DONE();
}
