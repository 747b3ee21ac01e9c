#include "teams.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "http.h"
#include "log.h"

struct teams_post {
  struct loop *loop;
  struct http *http;
  const struct digest *d;
  char *envelope;
  size_t len;
  char host[256];
  struct retry retry;
  int in_flight;
  struct http_req *req;
  struct teams_stats st;
  double started;
  teams_done_cb cb;
  void *ud;
};

static int ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), m = strlen(suffix);
  return n >= m && !strcasecmp(s + n - m, suffix);
}

/* The hosts of Office 365 connectors: outlook.office.com/webhook/… (v1),
 * <tenant>.webhook.office.com/webhookb2/… (v2), and their office365.com twins. */
int teams_is_legacy_host(const char *host) {
  return ends_with(host, ".webhook.office.com") || ends_with(host, ".webhook.office365.com") ||
         !strcasecmp(host, "outlook.office.com") || !strcasecmp(host, "outlook.office365.com");
}

const char *teams_kind(const char *url, char *note, size_t n) {
  char scheme[16], host[256];
  if (!url || url_host(url, scheme, sizeof scheme, host, sizeof host) < 0) {
    snprintf(note, n, "no webhook URL");
    return "unknown";
  }
  if (ends_with(host, ".logic.azure.com") || ends_with(host, ".powerplatform.com")) {
    snprintf(note, n, "a Power Automate Workflows webhook (%s)", host);
    return "Workflows";
  }
  if (teams_is_legacy_host(host)) {
    snprintf(note, n, "an Office 365 connector (%s): retired in 2026, it may accept posts and deliver "
             "nothing; move to a Workflows webhook (docs/setup.md)", host);
    return "legacy connector";
  }
  const char *path = strchr(strstr(url, "://") ? strstr(url, "://") + 3 : url, '/');
  if (path && (strstr(path, "/workflows/") || strstr(path, "/powerautomate/"))) {
    snprintf(note, n, "Workflows by its path, but %s is not Microsoft's host: a relay or a test server?", host);
    return "Workflows";
  }
  snprintf(note, n, "%s is neither a Workflows nor a connector host: a relay or a test server?", host);
  return "unknown";
}

/* A short, single-line, secret-free excerpt of an answer body. */
static void excerpt(const char *body, char *out, size_t n) {
  size_t k = 0;
  while (*body && isspace((unsigned char)*body)) body++;
  for (; *body && k + 1 < n && k < 200; body++) out[k++] = (*body == '\n' || *body == '\r') ? ' ' : *body;
  out[k] = 0;
}

/* Legacy connectors wrap errors in a 200: "Microsoft Teams endpoint returned HTTP error 429". */
static long wrapped_status(const char *body) {
  const char *p = strstr(body, "HTTP error ");
  return p ? strtol(p + 11, NULL, 10) : 0;
}

static int is_number_body(const char *body) {
  while (isspace((unsigned char)*body)) body++;
  if (!isdigit((unsigned char)*body)) return 0;
  while (isdigit((unsigned char)*body)) body++;
  while (isspace((unsigned char)*body)) body++;
  return *body == 0;
}

static int retryable(long status) { return status == 408 || status == 429 || status >= 500; }

enum teams_verdict teams_classify(const char *host, long status, const char *body, char *why, size_t n) {
  char ex[256];
  excerpt(body ? body : "", ex, sizeof ex);
  int legacy = teams_is_legacy_host(host);
  why[0] = 0;
  if (status >= 200 && status < 300) {
    int failed = strstr(ex, "delivery failed") != NULL;
    if (status == 200 && legacy && !is_number_body(body ? body : "")) failed = 1;
    if (!failed) return TEAMS_ACCEPTED;
    long inner = wrapped_status(ex);
    snprintf(why, n, "Teams answered %ld but did not deliver the message (%s)", status, ex);
    return inner && retryable(inner) ? TEAMS_RETRY : TEAMS_REFUSED;
  }
  if (ex[0] && (status < 300 || status >= 400)) snprintf(why, n, "Teams answered %ld (%s)", status, ex);
  else snprintf(why, n, "Teams answered %ld", status);
  if (retryable(status)) return TEAMS_RETRY;
  if (status == 413) snprintf(why + strlen(why), n - strlen(why), ": the message is too large");
  if (status == 404) snprintf(why + strlen(why), n - strlen(why), ": does the webhook still exist?");
  return TEAMS_REFUSED;
}

static void post_free(struct teams_post *tp) {
  delay_cancel(tp->loop, tp->retry.wait);
  free(tp->envelope);
  free(tp);
}

static void done(struct teams_post *tp, enum teams_outcome o, const char *err) {
  tp->st.ms = now_ms() - tp->started;
  teams_done_cb cb = tp->cb;
  void *ud = tp->ud;
  struct teams_stats st = tp->st;
  char msg[ERR_LEN];
  snprintf(msg, sizeof msg, "%s", err ? err : "");
  post_free(tp);
  cb(o, err ? msg : NULL, &st, ud);
}

static void send_now(void *ud);

static void retry_or_fail(struct teams_post *tp, const char *why, const char *retry_after) {
  char msg[ERR_LEN];
  if (http_retry(tp->loop, &tp->retry, tp->d->name, tp->host, why, retry_after, send_now, tp, msg,
                 sizeof msg) < 0)
    done(tp, TEAMS_FAILED, msg);
}

static void on_answer(struct http_response *res, void *ud) {
  struct teams_post *tp = ud;
  char why[ERR_LEN];
  tp->in_flight = 0;
  tp->req = NULL;
  tp->st.status = res->status;
  if (res->transport_error) {
    snprintf(why, sizeof why, "cannot post to Teams at %.120s: %.250s", tp->host, res->error);
    if (res->sent) {
      /* the message may have been applied: never send it twice */
      snprintf(why + strlen(why), sizeof why - strlen(why),
               "; the message had left, so it may have been posted: not sending it again");
      done(tp, TEAMS_UNKNOWN, why);
      return;
    }
    if (res->permanent) done(tp, TEAMS_FAILED, why); /* an untrusted certificate stays untrusted */
    else retry_or_fail(tp, why, NULL);
    return;
  }
  enum teams_verdict v = teams_classify(tp->host, res->status, res->body, why, sizeof why);
  log_debug(tp->d->name, LF(LF_S("endpoint", tp->host), LF_N("status", res->status), LF_N("duration_ms", res->ms)),
            "Teams answered %ld in %.0f ms", res->status, res->ms);
  if (res->status >= 300 && res->status < 400)
    snprintf(why + strlen(why), sizeof why - strlen(why), ": a redirect to %s, not followed%s",
             res->redirect_host[0] ? res->redirect_host : "nowhere named",
             res->redirect_host[0] ? " (is teams_webhook_url the webhook's current address?)" : "");
  if (v == TEAMS_ACCEPTED) done(tp, TEAMS_POSTED, NULL);
  else if (v == TEAMS_RETRY) retry_or_fail(tp, why, res->retry_after);
  else done(tp, TEAMS_FAILED, why);
}

static void send_now(void *ud) {
  struct teams_post *tp = ud;
  char err[ERR_LEN];
  const char *headers[] = {"Content-Type: application/json; charset=utf-8", "Accept: application/json, text/plain",
                           NULL};
  struct http_request q = {.method = "POST", .url = tp->d->webhook_url, .headers = headers,
                           .body = tp->envelope, .body_len = tp->len, .max_bytes = 1 << 20,
                           .proxy = tp->d->teams.proxy, .ca_pem = tp->d->teams.ca_pem,
                           .ca_pem_len = tp->d->teams.ca_pem_len, .ca_setting = "teams_ca_file"};
  tp->st.requests++;
  tp->in_flight = 1;
  if (http_start(tp->http, &q, on_answer, tp, &tp->req, err) < 0) {
    tp->in_flight = 0;
    retry_or_fail(tp, err, NULL);
  }
}

int teams_post(struct loop *loop, struct http *http, const struct digest *d, const char *envelope,
               size_t len, teams_done_cb cb, void *ud, struct teams_post **out, char *err) {
  char scheme[16];
  struct teams_post *tp = xcalloc(1, sizeof *tp);
  if (!d->webhook_url || url_host(d->webhook_url, scheme, sizeof scheme, tp->host, sizeof tp->host) < 0) {
    free(tp);
    return errf(err, "digest %s has no usable teams_webhook_url", d->name);
  }
  tp->loop = loop;
  tp->http = http;
  tp->d = d;
  tp->envelope = xstrndup(envelope, len);
  tp->len = len;
  tp->cb = cb;
  tp->ud = ud;
  tp->started = now_ms();
  tp->retry.max = d->max_retries;
  tp->retry.wait = delay_start(loop, 0, send_now, tp);
  if (out) *out = tp;
  return 0;
}

void teams_cancel(struct teams_post *tp) {
  if (!tp) return;
  if (tp->in_flight) http_cancel(tp->req);
  post_free(tp);
}
