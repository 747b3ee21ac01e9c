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

#include "util.h"

#define MAX_SECRETS 32

static struct {
  enum log_level level;
  int fd;
  char *path;
  size_t max_bytes;
  int keep;
  size_t size;
  char *secrets[MAX_SECRETS];
  int nsecrets;
} g = {LOG_INFO, -1, NULL, 0, 0, 0, {0}, 0};

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
  if (!secret || strlen(secret) < 4 || g.nsecrets == MAX_SECRETS) return;
  for (int i = 0; i < g.nsecrets; i++)
    if (!strcmp(g.secrets[i], secret)) return;
  g.secrets[g.nsecrets++] = xstrdup(secret);
}

void log_clear_secrets(void) {
  for (int i = 0; i < g.nsecrets; i++) free(g.secrets[i]);
  g.nsecrets = 0;
}

/* A Plane API key is plane_api_ followed by 32 hex digits; a webhook signature
 * travels as sig=... in a query string. Both are cut even when not registered. */
static size_t token_like(const char *s) {
  if (!strncmp(s, "plane_api_", 10)) {
    size_t n = 10;
    while (isalnum((unsigned char)s[n])) n++;
    return n > 10 ? n : 0;
  }
  if (!strncmp(s, "sig=", 4)) {
    size_t n = 4;
    while (s[n] && s[n] != '&' && s[n] != '"' && !isspace((unsigned char)s[n])) n++;
    return n > 4 ? n : 0;
  }
  return 0;
}

char *log_redact(const char *s) {
  struct buf b;
  buf_init(&b);
  while (*s) {
    size_t hit = 0;
    for (int i = 0; i < g.nsecrets && !hit; i++) {
      size_t n = strlen(g.secrets[i]);
      if (!strncmp(s, g.secrets[i], n)) hit = n;
    }
    if (!hit && (hit = token_like(s)) > 0) {
      buf_adds(&b, !strncmp(s, "sig=", 4) ? "sig=(redacted)" : "plane_api_…(redacted)");
      s += hit;
      continue;
    }
    if (hit) {
      buf_adds(&b, "(redacted)");
      s += hit;
      continue;
    }
    buf_addc(&b, *s++);
  }
  return buf_steal(&b);
}

static void json_str(struct buf *b, const char *s) {
  buf_addc(b, '"');
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') {
      buf_addc(b, '\\');
      buf_addc(b, (char)c);
    } else if (c == '\n') {
      buf_adds(b, "\\n");
    } else if (c < 0x20) {
      buf_printf(b, "\\u%04x", c);
    } else {
      buf_addc(b, (char)c);
    }
  }
  buf_addc(b, '"');
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
    json_str(&b, iso);
    buf_adds(&b, ",\"level\":");
    json_str(&b, names[l]);
    buf_adds(&b, ",\"msg\":");
    json_str(&b, msg);
    if (digest) {
      buf_adds(&b, ",\"digest\":");
      json_str(&b, digest);
    }
    for (const struct log_field *f = fields; f && f->key; f++) {
      buf_addc(&b, ',');
      json_str(&b, f->key);
      buf_addc(&b, ':');
      if (f->str) {
        char *v = log_redact(f->str);
        json_str(&b, v);
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
