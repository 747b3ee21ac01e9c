#define _XOPEN_SOURCE 700
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop_uv.h"
#include "net.h"

struct http_req {
  struct http *h;
  CURL *easy;
  struct curl_slist *headers;
  struct buf body;
  size_t max_bytes;
  int too_big;
  char retry_after[64];
  char rate_remaining[24], rate_reset[24];
  char errbuf[CURL_ERROR_SIZE];
  size_t body_out;     /* request body bytes written to the server (after any tunnel and TLS) */
  int has_body;
  char ca_setting[32];
  char proxy_shown[160]; /* the configured proxy, credentials redacted; "" for none or the environment's */
  http_cb cb;
  void *ud;
  struct http_req *prev, *next;
};

struct sock {
  uv_poll_t poll;
  curl_socket_t fd;
  struct http *h;
};

struct http {
  struct loop *loop;
  uv_timer_t timer;
  CURLM *multi;
  struct http_req *reqs;
};

static void check_done(struct http *h);

/* ---- libcurl -> libuv -------------------------------------------------- */

/* A socket's poll handle is closed: its struct sock goes. */
static void sock_closed(uv_handle_t *handle) { free(container_of(handle, struct sock, poll)); }

/* The client's timer is its last handle: once it is closed, the client goes. */
static void client_closed(uv_handle_t *handle) { free(container_of(handle, struct http, timer)); }

static void on_poll(uv_poll_t *p, int status, int events) {
  struct sock *s = container_of(p, struct sock, poll);
  struct http *h = s->h;
  int flags = 0, running;
  if (status < 0) flags = CURL_CSELECT_ERR;
  else {
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
  }
  curl_multi_socket_action(h->multi, s->fd, flags, &running);
  check_done(h);
}

static int on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp) {
  (void)easy;
  struct http *h = userp;
  struct sock *s = socketp;
  if (what == CURL_POLL_REMOVE) {
    if (s) {
      uv_poll_stop(&s->poll);
      uv_close((uv_handle_t *)&s->poll, sock_closed);
      curl_multi_assign(h->multi, fd, NULL);
    }
    return 0;
  }
  if (!s) {
    s = xcalloc(1, sizeof *s);
    s->fd = fd;
    s->h = h;
    if (uv_poll_init_socket(loop_uv(h->loop), &s->poll, fd) < 0) {
      free(s);
      return -1;
    }
    curl_multi_assign(h->multi, fd, s);
  }
  int events = 0;
  if (what == CURL_POLL_IN || what == CURL_POLL_INOUT) events |= UV_READABLE;
  if (what == CURL_POLL_OUT || what == CURL_POLL_INOUT) events |= UV_WRITABLE;
  uv_poll_start(&s->poll, events, on_poll);
  return 0;
}

static void on_timer(uv_timer_t *t) {
  struct http *h = container_of(t, struct http, timer);
  int running;
  curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  check_done(h);
}

static int on_curl_timer(CURLM *multi, long timeout_ms, void *userp) {
  (void)multi;
  struct http *h = userp;
  if (timeout_ms < 0) uv_timer_stop(&h->timer);
  else uv_timer_start(&h->timer, on_timer, (uint64_t)timeout_ms, 0);
  return 0;
}

/* ---- per request ------------------------------------------------------- */

/* libcurl callbacks only buffer. */
static size_t on_write(char *ptr, size_t size, size_t n, void *ud) {
  struct http_req *r = ud;
  size_t len = size * n;
  if (r->body.len + len > r->max_bytes) {
    r->too_big = 1;
    return 0;
  }
  buf_add(&r->body, ptr, len);
  return len;
}

/* The value of a header line "Name: value" when it is `name` (lower case, with its
 * colon), trimmed into out; else out is left as it is. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t n) {
  size_t nl = strlen(name);
  if (len <= nl || strncasecmp(line, name, nl)) return;
  const char *v = line + nl;
  size_t vl = len - nl;
  while (vl && isspace((unsigned char)*v)) v++, vl--;
  while (vl && isspace((unsigned char)v[vl - 1])) vl--;
  snprintf(out, n, "%.*s", (int)vl, v);
}

static size_t on_header(char *ptr, size_t size, size_t n, void *ud) {
  struct http_req *r = ud;
  size_t len = size * n;
  header_value(ptr, len, "retry-after:", r->retry_after, sizeof r->retry_after);
  header_value(ptr, len, "x-ratelimit-remaining:", r->rate_remaining, sizeof r->rate_remaining);
  header_value(ptr, len, "x-ratelimit-reset:", r->rate_reset, sizeof r->rate_reset);
  return len;
}

/* Counts the request body bytes libcurl wrote on the connection to the server. A CONNECT
 * to a proxy has no body, and libcurl reports it as a header: a refused tunnel or a failed
 * handshake never counts. Only DATA_OUT is looked at; nothing is printed. */
static int on_debug(CURL *e, curl_infotype type, char *data, size_t len, void *ud) {
  (void)e, (void)data;
  struct http_req *r = ud;
  if (type == CURLINFO_DATA_OUT) r->body_out += len;
  return 0;
}

static void req_free(struct http_req *r) {
  if (r->prev) r->prev->next = r->next;
  else r->h->reqs = r->next;
  if (r->next) r->next->prev = r->prev;
  curl_easy_cleanup(r->easy);
  curl_slist_free_all(r->headers);
  buf_free(&r->body);
  free(r);
}

static int is_cert_error(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_ISSUER_ERROR;
}

/* Whether the request may have reached the server: the tunnel (if any) and the TLS session
 * were set up (libcurl got to the transfer: PRETRANSFER) and request bytes were written on
 * them. Everything before is a plain failure that a retry may heal. */
static int went_out(struct http_req *r, CURLcode code, long connect_code) {
  curl_off_t pre_us = 0;
  if (code == CURLE_OK) return 1;
  if (code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_COULDNT_RESOLVE_HOST ||
      code == CURLE_COULDNT_CONNECT || code == CURLE_PROXY || is_cert_error(code) ||
      code == CURLE_SSL_CONNECT_ERROR)
    return 0;
  if (connect_code && (connect_code < 200 || connect_code >= 300)) return 0;
  curl_easy_getinfo(r->easy, CURLINFO_PRETRANSFER_TIME_T, &pre_us);
  if (pre_us <= 0) return 0;
  return r->has_body ? r->body_out > 0 : 1;
}

static void describe_failure(struct http_req *r, CURLcode code, long connect_code, char *out, size_t n) {
  const char *what = r->errbuf[0] ? r->errbuf : curl_easy_strerror(code);
  if (r->too_big) snprintf(out, n, "the response is larger than %zu MiB", r->max_bytes >> 20);
  else if (code == CURLE_OPERATION_TIMEDOUT) snprintf(out, n, "timed out (%.200s)", what);
  else if (connect_code == 407)
    snprintf(out, n, "the proxy asked for credentials (%.120s): give them in the proxy URL "
             "(http://user:password@host:port), or check the ones given", what);
  else if (connect_code >= 300) snprintf(out, n, "the proxy refused the tunnel (%.160s)", what);
  else if (code == CURLE_COULDNT_CONNECT && r->proxy_shown[0])
    snprintf(out, n, "the proxy %.120s cannot be reached (%.160s)", r->proxy_shown, what);
  else if (is_cert_error(code) && r->ca_setting[0])
    snprintf(out, n, "%.160s: set %s to your CA's PEM file", what, r->ca_setting);
  else snprintf(out, n, "%.200s", what);
}

/* Only the host a redirect points to: its path and query may hold anything. */
static void redirect_host(struct http_req *r, char *out, size_t n) {
  char *loc = NULL, scheme[16];
  out[0] = 0;
  if (curl_easy_getinfo(r->easy, CURLINFO_REDIRECT_URL, &loc) != CURLE_OK || !loc) return;
  if (url_host(loc, scheme, sizeof scheme, out, n) < 0) snprintf(out, n, "(an unreadable address)");
}

static void finish(struct http_req *r, CURLcode code) {
  struct http_response res;
  long status = 0;
  curl_off_t total_us = 0;
  memset(&res, 0, sizeof res);
  curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME_T, &total_us);
  curl_easy_getinfo(r->easy, CURLINFO_HTTP_CONNECTCODE, &res.proxy_status);
  res.ms = (double)total_us / 1000.0;
  res.sent = went_out(r, code, res.proxy_status);
  snprintf(res.retry_after, sizeof res.retry_after, "%s", r->retry_after);
  snprintf(res.rate_remaining, sizeof res.rate_remaining, "%s", r->rate_remaining);
  snprintf(res.rate_reset, sizeof res.rate_reset, "%s", r->rate_reset);
  if (code != CURLE_OK) {
    res.transport_error = 1;
    res.permanent = is_cert_error(code);
    describe_failure(r, code, res.proxy_status, res.error, sizeof res.error);
  } else {
    res.status = status;
    if (status >= 300 && status < 400) redirect_host(r, res.redirect_host, sizeof res.redirect_host);
  }
  buf_addc(&r->body, 0);
  r->body.len--;
  res.body = r->body.data ? r->body.data : "";
  res.len = r->body.len;
  http_cb cb = r->cb;
  void *ud = r->ud;
  cb(&res, ud);
  req_free(r);
}

static void check_done(struct http *h) {
  CURLMsg *msg;
  int left;
  while ((msg = curl_multi_info_read(h->multi, &left))) {
    if (msg->msg != CURLMSG_DONE) continue;
    struct http_req *r = NULL;
    CURL *easy = msg->easy_handle;
    CURLcode code = msg->data.result;
    curl_easy_getinfo(easy, CURLINFO_PRIVATE, (char **)&r);
    curl_multi_remove_handle(h->multi, easy);
    finish(r, code);
  }
}

int http_open(struct http **out, struct loop *loop, char *err) {
  struct http *h = xcalloc(1, sizeof *h);
  h->loop = loop;
  h->multi = curl_multi_init();
  if (!h->multi) {
    free(h);
    return errf(err, "cannot start libcurl");
  }
  uv_timer_init(loop_uv(loop), &h->timer);
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
  *out = h;
  return 0;
}

int http_start(struct http *h, const struct http_request *q, http_cb cb, void *ud,
               struct http_req **out, char *err) {
  struct http_req *r = xcalloc(1, sizeof *r);
  r->h = h;
  r->cb = cb;
  r->ud = ud;
  r->max_bytes = q->max_bytes ? q->max_bytes : (64u << 20);
  buf_init(&r->body);
  r->easy = curl_easy_init();
  if (!r->easy) {
    free(r);
    return errf(err, "cannot create an HTTP request (out of memory)");
  }
  for (const char *const *hd = q->headers; hd && *hd; hd++) r->headers = curl_slist_append(r->headers, *hd);
  CURL *e = r->easy;
  curl_easy_setopt(e, CURLOPT_URL, q->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, r);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, r->headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, r->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, q->connect_timeout_ms ? q->connect_timeout_ms : 10000L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, q->timeout_ms ? q->timeout_ms : 30000L);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)r->max_bytes);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "plane-teams/" PT_VERSION);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  if (q->proxy) {
    curl_easy_setopt(e, CURLOPT_PROXY, q->proxy);
    if (q->proxy[0]) curl_easy_setopt(e, CURLOPT_NOPROXY, ""); /* a configured proxy serves its destination */
  }
  if (q->ca_pem) {
    struct curl_blob blob = {.data = (void *)q->ca_pem, .len = q->ca_pem_len, .flags = CURL_BLOB_COPY};
    curl_easy_setopt(e, CURLOPT_CAINFO_BLOB, &blob);
  }
  snprintf(r->ca_setting, sizeof r->ca_setting, "%s", q->ca_setting ? q->ca_setting : "");
  if (q->proxy && q->proxy[0]) net_redact_proxy(q->proxy, r->proxy_shown, sizeof r->proxy_shown);
  if (!strcmp(q->method, "POST")) {
    r->has_body = q->body_len > 0;
    curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(e, CURLOPT_DEBUGDATA, r);
    curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body ? q->body : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->body_len);
  }
  r->next = h->reqs;
  if (h->reqs) h->reqs->prev = r;
  h->reqs = r;
  CURLMcode mc = curl_multi_add_handle(h->multi, e);
  if (mc != CURLM_OK) {
    req_free(r);
    return errf(err, "cannot start an HTTP request: %s", curl_multi_strerror(mc));
  }
  if (out) *out = r;
  return 0;
}

void http_cancel(struct http_req *r) {
  if (!r) return;
  curl_multi_remove_handle(r->h->multi, r->easy);
  req_free(r);
}

void http_close(struct http *h) {
  if (!h) return;
  while (h->reqs) {
    curl_multi_remove_handle(h->multi, h->reqs->easy);
    req_free(h->reqs);
  }
  curl_multi_cleanup(h->multi);
  uv_timer_stop(&h->timer);
  uv_close((uv_handle_t *)&h->timer, client_closed);
}

double http_retry_after_seconds(const char *v, time_t now) {
  if (!v || !*v) return -1;
  if (v[strspn(v, "0123456789")] == 0) return strtod(v, NULL); /* delta-seconds: digits only */
  struct tm tm;
  memset(&tm, 0, sizeof tm);
  const char *rest = strptime(v, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!rest || *rest) return -1;
  double d = difftime(timegm(&tm), now);
  return d < 0 ? 0 : d;
}

double http_backoff_ms(int attempt, const char *retry_after) {
  static int seeded;
  double ra = http_retry_after_seconds(retry_after, time(NULL));
  if (ra >= 0) return (ra > 600 ? 600 : ra) * 1000.0;
  if (!seeded) {
    srandom((unsigned)time(NULL) ^ (unsigned)getpid());
    seeded = 1;
  }
  double cap = 1000.0;
  for (int i = 1; i < attempt && cap < 60000.0; i++) cap *= 2;
  if (cap > 60000.0) cap = 60000.0;
  return cap * ((double)random() / (double)RAND_MAX);
}

int http_retry(struct loop *l, struct retry *r, const char *digest, const char *endpoint,
               const char *why, const char *retry_after, void (*cb)(void *), void *ud,
               char *gave_up, size_t n) {
  if (r->attempt >= r->max) {
    snprintf(gave_up, n, "%s (gave up after %d attempt%s)", why, r->attempt + 1, r->attempt ? "s" : "");
    return -1;
  }
  r->attempt++;
  double ms = http_backoff_ms(r->attempt, retry_after);
  log_warn(digest, LF(LF_S("endpoint", endpoint), LF_N("attempt", r->attempt + 1), LF_N("wait_ms", ms)),
           "%s; retry %d of %d in %.1f s", why, r->attempt, r->max, ms / 1000.0);
  r->wait = delay_start(l, (uint64_t)ms, cb, ud);
  return 0;
}
