#include "sched.h"

#include <string.h>

static void local_tm(time_t t, const char *tz, struct tm *tm) {
  char *saved = tz ? tz_push(tz) : NULL;
  localtime_r(&t, tm);
  if (tz) tz_pop(saved);
}

static int holiday_tm(const struct digest *d, const struct tm *tm) {
  char date[11];
  if (!d->nholidays) return 0;
  strftime(date, sizeof date, "%Y-%m-%d", tm);
  for (size_t i = 0; i < d->nholidays; i++)
    if (!strcmp(d->holidays[i], date)) return 1;
  return 0;
}

/* One of the digest's days and not one of its holidays. */
static int day_on(const struct digest *d, const struct tm *tm) {
  return (d->days & (1u << tm->tm_wday)) && !holiday_tm(d, tm);
}

int sched_holiday(const struct digest *d, time_t now) {
  struct tm tm;
  local_tm(now, d->tz, &tm);
  return holiday_tm(d, &tm);
}

static int same_day(time_t a, time_t b, const char *tz) {
  char da[11], db[11];
  if (!a || !b) return 0;
  local_date(a, tz, da);
  local_date(b, tz, db);
  return !strcmp(da, db);
}

int sched_done_today(const struct digest *d, const struct sched_view *v, time_t now) {
  if (same_day(v->last_success, now, d->tz)) return 1;
  if (v->last_unknown && same_day(v->last_attempt, now, d->tz)) return 1;
  if (same_day(v->pending, now, d->tz)) return 1;
  return 0;
}

static int at_or_past_hour(const struct digest *d, const struct tm *tm) {
  return tm->tm_hour * 60 + tm->tm_min >= d->hour * 60 + d->minute;
}

int sched_due(const struct digest *d, const struct sched_view *v, time_t now) {
  struct tm tm;
  local_tm(now, d->tz, &tm);
  if (!day_on(d, &tm)) return 0;
  if (!at_or_past_hour(d, &tm)) return 0;
  if (sched_done_today(d, v, now)) return 0;
  if (v->last_failed && same_day(v->last_attempt, now, d->tz) && now >= v->last_attempt &&
      now < v->last_attempt + SCHED_RETRY_SECONDS)
    return 0;
  return 1;
}

int sched_sleep(const struct digest *d, const struct sched_view *v, time_t now) {
  struct tm tm;
  local_tm(now, d->tz, &tm);
  long secs = SCHED_MAX_SLEEP;
  long wall = tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec;
  long target = d->hour * 3600L + d->minute * 60L;
  if (target > wall && target - wall < secs) secs = target - wall;
  if (v->last_failed && v->last_attempt + SCHED_RETRY_SECONDS > now &&
      v->last_attempt + SCHED_RETRY_SECONDS - now < secs)
    secs = (long)(v->last_attempt + SCHED_RETRY_SECONDS - now);
  return secs < 1 ? 1 : (int)secs;
}

/* The first instant of the local day after t's (time zone already set). */
static time_t next_midnight(time_t t) {
  struct tm tm;
  localtime_r(&t, &tm);
  tm.tm_mday++;
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_isdst = -1;
  return mktime(&tm);
}

time_t sched_next(const struct digest *d, const struct sched_view *v, time_t now) {
  time_t found = 0;
  char *saved = d->tz ? tz_push(d->tz) : NULL; /* once, not per minute */
  if (sched_due(d, v, now)) {
    found = now;
  } else {
    /* minute by minute (wall clocks and DST make arithmetic unreliable), but a day that
     * is not the digest's, or a holiday, is skipped whole */
    time_t t = now - now % 60 + 60;
    /* a week, and a week more for each holiday (it may cost a weekly digest its week) */
    size_t weeks = 1 + (d->nholidays < 60 ? d->nholidays : 60);
    time_t end = now + (time_t)(weeks * 7 + 1) * 24 * 3600;
    while (!found && t < end) {
      struct tm tm;
      localtime_r(&t, &tm);
      time_t next = day_on(d, &tm) ? t + 60 : next_midnight(t);
      if (next <= t) next = t + 60; /* a midnight that does not exist (DST at 00:00) */
      if (sched_due(d, v, t)) found = t;
      t = next;
    }
  }
  if (d->tz) tz_pop(saved);
  return found;
}
