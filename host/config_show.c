/* Presenting and applying a loaded configuration: `check`'s description with secrets
 * redacted, and putting it to work in the process (secrets, log level, log file). */
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "url.h"

void config_redact_url(const char *url, char *out, size_t n) {
  char scheme[16], host[256];
  if (!url) snprintf(out, n, "(not set)");
  else if (url_host(url, scheme, sizeof scheme, host, sizeof host) < 0) snprintf(out, n, "(redacted)");
  else snprintf(out, n, "%s://%s/…(redacted)", scheme, host);
}

static void register_secrets(const struct config *c) {
  for (size_t i = 0; i < c->ndigests; i++) {
    char info[1024];
    log_add_secret(c->digests[i].api_token);
    log_add_secret(c->digests[i].webhook_url);
    if (url_userinfo(c->digests[i].base_url, info, sizeof info) == 0) log_add_secret(info);
    net_proxy_credentials(c->digests[i].plane.proxy, info, sizeof info);
    if (info[0]) log_add_secret(info);
    net_proxy_credentials(c->digests[i].teams.proxy, info, sizeof info);
    if (info[0]) log_add_secret(info);
  }
}

int config_apply(const struct config *c, int open_log, char *err) {
  register_secrets(c);
  log_set_level((enum log_level)c->log_level);
  for (size_t i = 0; i < c->nwarnings; i++) log_warn(NULL, NULL, "%s", c->warnings[i]);
  if (open_log && log_open_file(c->log_file, c->log_max_bytes, c->log_keep, err) < 0) return -1;
  return 0;
}

static void describe_days(unsigned days, struct buf *out) {
  static const char *const names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  if (days == DAYS_ALL) {
    buf_adds(out, "daily");
    return;
  }
  int first = 1;
  for (int i = 1; i <= 7; i++) {
    int d = i % 7;
    if (!(days & (1u << d))) continue;
    buf_printf(out, "%s%s", first ? "" : ",", names[d]);
    first = 0;
  }
}

void config_describe(const struct config *c, struct buf *out) {
  buf_printf(out, "config: %s\n", c->path);
  buf_printf(out, "log_level: %s\n", log_level_name((enum log_level)c->log_level));
  buf_printf(out, "log_file: %s\n", c->log_file ? c->log_file : "(none)");
  if (c->metrics_file) buf_printf(out, "metrics_file: %s\n", c->metrics_file);
  for (size_t i = 0; i < c->ndigests; i++) {
    const struct digest *d = &c->digests[i];
    char hook[300];
    config_redact_url(d->webhook_url, hook, sizeof hook);
    buf_printf(out, "digest %s:\n", d->name);
    buf_printf(out, "  plane_api_token: %s\n", !d->api_token ? "(not set)"
               : !strncmp(d->api_token, "plane_api_", 10) ? "plane_api_…(redacted)" : "…(redacted)");
    char base[1024];
    snprintf(base, sizeof base, "%s", d->base_url);
    url_redact_userinfo(base, sizeof base);
    buf_printf(out, "  plane_base_url: %s\n  plane_app_url: %s\n", base, d->app_url);
    buf_printf(out, "  workspace: %s\n  projects:", d->workspace ? d->workspace : "(not set)");
    for (size_t j = 0; j < d->nprojects; j++) buf_printf(out, " %s", d->projects[j]);
    buf_printf(out, "%s\n  teams_webhook_url: %s\n", d->nprojects ? "" : " (none)", hook);
    buf_printf(out, "  schedule: %02d:%02d ", d->hour, d->minute);
    describe_days(d->days, out);
    buf_printf(out, " (%s)\n", d->tz ? d->tz : "system local time");
    buf_adds(out, "  holidays:");
    for (size_t j = 0; j < d->nholidays; j++) buf_printf(out, "%s %s", j ? "," : "", d->holidays[j]);
    buf_adds(out, d->nholidays ? "\n" : " (none)\n");
    buf_adds(out, "  options:"); /* names only: a value may come from env() */
    for (size_t j = 0; j < d->noptions; j++) {
      buf_adds(out, j ? ", " : " ");
      for (const char *p = d->options[j].name; *p; p++) /* one line, whatever the name */
        buf_printf(out, (unsigned char)*p < 0x20 || *p == 0x7f ? "\\x%02x" : "%c", (unsigned char)*p);
    }
    buf_adds(out, d->noptions ? "\n" : " (none)\n");
    buf_printf(out, "  limit: %d rows, budget: %zu bytes, empty: %s, language: %s\n", d->limit,
               d->budget, d->empty_skip ? "skip" : "post", d->language ? d->language : "en");
    buf_printf(out, "  mentions: %s (%zu in mention_ids)\n", d->mentions ? "on" : "off", d->nmention_ids);
    buf_adds(out, "  states:");
    for (size_t j = 0; j < d->nstates; j++) {
      const struct state_sel *s = &d->states[j];
      buf_printf(out, "%s %s", j ? "," : "", s->name ? s->name : s->id ? s->id : s->group);
      if (s->group && (s->name || s->id)) buf_printf(out, " (%s)", s->group);
    }
    buf_printf(out, "\n  max_retries: %d, rate_limit: %d/min\n  state_file: %s\n", d->max_retries,
               d->rate_limit, d->state_file);
    net_describe("Plane", "plane", &d->plane, d->base_url, out);
    net_describe("Teams", "teams", &d->teams, d->webhook_url, out);
  }
}
