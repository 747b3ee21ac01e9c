#include "log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"
#include "util.h"

static struct {
  enum log_level level;
  int fd;
  char *path;
  size_t max_bytes;
  int keep;
  size_t size;
  char **secrets; /* as many as are registered */
  size_t nsecrets, cap;
} g = {LOG_INFO, -1, NULL, 0, 0, 0, NULL, 0, 0};

static const char *names[] = {"debug", "info", "warning", "error"};

int log_level_parse(const char *s) {
  for (int i = 0; i < 4; i++)
    if (!strcasecmp(s, names[i])) return i;
  if (!strcasecmp(s, "warn")) return LOG_WARNING;
  return -1;
}

const char *log_level_name(enum log_level l) { return names[l]; }

void log_set_level(enum log_level l) { g.level = l; }

int log_open_file(const char *path, size_t max_bytes, int keep, char *err) {
  struct stat st;
  log_close();
  if (!path || !*path) return 0;
  if (mkdir_parent(path, err) < 0) return errctx(err, "log file");
  int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) return errf(err, "cannot open log file %s: %s", path, strerror(errno));
  g.fd = fd;
  g.path = xstrdup(path);
  g.max_bytes = max_bytes;
  g.keep = keep;
  g.size = fstat(fd, &st) == 0 ? (size_t)st.st_size : 0;
  return 0;
}

void log_close(void) {
  if (g.fd >= 0) close(g.fd);
  g.fd = -1;
  free(g.path);
  g.path = NULL;
}

void log_add_secret(const char *secret) {
  if (!secret || strlen(secret) < 4) return;
  for (size_t i = 0; i < g.nsecrets; i++)
    if (!strcmp(g.secrets[i], secret)) return;
  if (g.nsecrets == g.cap) {
    g.cap = g.cap ? g.cap * 2 : 16;
    g.secrets = xrealloc(g.secrets, g.cap * sizeof *g.secrets);
  }
  g.secrets[g.nsecrets++] = xstrdup(secret);
}

void log_clear_secrets(void) {
  for (size_t i = 0; i < g.nsecrets; i++) free(g.secrets[i]);
  free(g.secrets);
  g.secrets = NULL;
  g.nsecrets = g.cap = 0;
}

/* A Plane API key is plane_api_ followed by 32 hex digits; a webhook signature
 * travels as sig=... in a query string. Both are cut even when not registered. At least
 * PLANE_KEY_MIN characters after the prefix: "plane_api_token", the setting's own name
 * that the errors tell the user to check, is not a key. */
#define PLANE_KEY_MIN 16
static size_t token_like(const char *s) {
  if (!strncmp(s, "plane_api_", 10)) {
    size_t n = 10;
    while (isalnum((unsigned char)s[n])) n++;
    return n >= 10 + PLANE_KEY_MIN ? n : 0;
  }
  if (!strncmp(s, "sig=", 4)) {
    size_t n = 4;
    while (s[n] && s[n] != '&' && s[n] != '"' && !isspace((unsigned char)s[n])) n++;
    return n > 4 ? n : 0;
  }
  return 0;
}

/* Every occurrence of every secret is marked first (they may overlap), then each run
 * of marked bytes is written as one "(redacted)"; a token-like string that no secret
 * touches keeps a hint of what it was. */
char *log_redact(const char *s) {
  struct buf b;
  size_t len = strlen(s);
  unsigned char *mark = xcalloc(len + 1, 1); /* 1: a secret, 2: a token */
  for (size_t i = 0; i < g.nsecrets; i++) {
    size_t n = strlen(g.secrets[i]);
    for (const char *hit = strstr(s, g.secrets[i]); hit; hit = strstr(hit + 1, g.secrets[i]))
      memset(mark + (hit - s), 1, n);
  }
  for (size_t i = 0; i < len;) {
    size_t n = token_like(s + i); /* a token never ends beyond one that holds it */
    for (size_t j = i; j < i + n; j++)
      if (!mark[j]) mark[j] = 2;
    i += n ? n : 1;
  }
  buf_init(&b);
  for (size_t i = 0; i < len;) {
    if (!mark[i]) {
      buf_addc(&b, s[i++]);
      continue;
    }
    size_t j = i;
    int secret = 0;
    while (j < len && mark[j]) secret |= mark[j++] == 1;
    if (secret) buf_adds(&b, "(redacted)");
    else if (!strncmp(s + i, "sig=", 4)) buf_adds(&b, "sig=(redacted)");
    else buf_adds(&b, "plane_api_…(redacted)");
    i = j;
  }
  free(mark);
  return buf_steal(&b);
}

static void rotate(void) {
  char from[4096], to[4096];
  for (int i = g.keep - 1; i >= 1; i--) {
    snprintf(from, sizeof from, "%s.%d", g.path, i);
    snprintf(to, sizeof to, "%s.%d", g.path, i + 1);
    rename(from, to);
  }
  snprintf(to, sizeof to, "%s.1", g.path);
  if (g.keep > 0) rename(g.path, to);
  else unlink(g.path);
  char *path = xstrdup(g.path);
  size_t max = g.max_bytes;
  int keep = g.keep;
  char err[ERR_LEN];
  if (log_open_file(path, max, keep, err) < 0) fprintf(stderr, "plane-teams: %s\n", err);
  free(path);
}

static void write_file_line(const char *line, size_t n) {
  if (g.fd < 0) return;
  if (g.max_bytes && g.size > 0 && g.size + n > g.max_bytes) rotate();
  if (g.fd < 0) return;
  ssize_t w = write(g.fd, line, n);
  if (w > 0) g.size += (size_t)w;
}

static void add_num(struct buf *b, double v) {
  if (!isfinite(v)) buf_adds(b, "null");
  else if (v == floor(v) && fabs(v) < 1e15) buf_printf(b, "%.0f", v);
  else buf_printf(b, "%.3f", v);
}

void log_event(enum log_level l, const char *digest, const struct log_field *fields,
               const char *fmt, ...) {
  if (l < g.level) return;
  char raw[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(raw, sizeof raw, fmt, ap);
  va_end(ap);
  char *msg = log_redact(raw);

  struct timespec ts;
  struct tm tm;
  clock_gettime(CLOCK_REALTIME, &ts);
  localtime_r(&ts.tv_sec, &tm);
  char stamp[32];
  strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", &tm);
  static const char *upper[] = {"DEBUG", "INFO ", "WARN ", "ERROR"};
  if (digest) fprintf(stderr, "%s %s digest=%s %s\n", stamp, upper[l], digest, msg);
  else fprintf(stderr, "%s %s %s\n", stamp, upper[l], msg);

  if (g.fd >= 0) {
    struct buf b;
    char iso[40];
    buf_init(&b);
    iso8601_local(ts.tv_sec, NULL, iso, sizeof iso);
    buf_adds(&b, "{\"ts\":");
    json_add_string(&b, iso);
    buf_adds(&b, ",\"level\":");
    json_add_string(&b, names[l]);
    buf_adds(&b, ",\"msg\":");
    json_add_string(&b, msg);
    if (digest) {
      buf_adds(&b, ",\"digest\":");
      json_add_string(&b, digest);
    }
    for (const struct log_field *f = fields; f && f->key; f++) {
      buf_addc(&b, ',');
      json_add_string(&b, f->key);
      buf_addc(&b, ':');
      if (f->str) {
        char *v = log_redact(f->str);
        json_add_string(&b, v);
        free(v);
      } else {
        add_num(&b, f->num);
      }
    }
    buf_adds(&b, "}\n");
    write_file_line(b.data, b.len);
    buf_free(&b);
  }
  free(msg);
}
