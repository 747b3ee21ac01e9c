#include "state.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

void state_set(char **slot, const char *value) {
  free(*slot);
  *slot = value ? xstrdup(value) : NULL;
}

static void row_clear(struct state_row *r) {
  free(r->id), free(r->priority), free(r->target_date);
  free(r->state.id), free(r->state.name), free(r->state.group);
  memset(r, 0, sizeof *r);
}

void state_rows_free(struct state_row *rows, size_t n) {
  for (size_t i = 0; i < n; i++) row_clear(&rows[i]);
  free(rows);
}

void state_clear(struct state *st) {
  state_rows_free(st->last_rows, st->nrows);
  free(st->last_sync), free(st->last_sync_status), free(st->last_error);
  free(st->attempt), free(st->last_attempt);
  for (size_t i = 0; i < st->nlast; i++) free(st->last_issues[i]);
  free(st->last_issues);
  memset(st, 0, sizeof *st);
}

/* At most max bytes of s for an error line: control bytes as \xNN, so the line stays one line. */
static void quote(const char *s, size_t max, char *out, size_t n) {
  size_t k = 0;
  for (; *s && max && k + 5 < n; s++, max--) {
    unsigned char c = (unsigned char)*s;
    if (c < 0x20 || c == 0x7f) k += (size_t)snprintf(out + k, n - k, "\\x%02x", c);
    else out[k++] = (char)c;
  }
  out[k] = 0;
}

/* A string-or-null member; time members must parse as ISO 8601. */
static int get_opt(const struct json *v, const char *key, int is_time, char **out, char *err) {
  const struct json *m = json_get(v, key);
  time_t t;
  if (!m || m->type == JSON_NULL) return 0;
  if (m->type != JSON_STRING) return errf(err, "'%s' is not a string", key);
  if (is_time && iso8601_parse(m->string, &t) < 0) {
    char q[200];
    quote(m->string, 40, q, sizeof q);
    return errf(err, "'%s' is not an ISO 8601 time: \"%s\"", key, q);
  }
  *out = xstrdup(m->string);
  return 0;
}

/* One entry of last_rows: {id, rank, priority, state {id, name, group}, target_date}. */
static int parse_row(const struct json *v, size_t i, struct state_row *r, char *err) {
  char what[64];
  snprintf(what, sizeof what, "'last_rows' entry %zu", i + 1);
  if (v->type != JSON_OBJECT) return errf(err, "%s is not an object", what);
  const struct json *id = json_get(v, "id"), *rank = json_get(v, "rank"), *s = json_get(v, "state");
  if (!id || id->type != JSON_STRING) return errf(err, "%s has no string 'id'", what);
  r->id = xstrdup(id->string);
  if (!rank || rank->type != JSON_NUMBER || !(rank->number >= 1 && rank->number <= 1e6) ||
      rank->number != floor(rank->number))
    return errf(err, "%s has no 'rank' (a whole number from 1)", what);
  r->rank = (long long)rank->number;
  if (get_opt(v, "priority", 0, &r->priority, err) < 0 || get_opt(v, "target_date", 0, &r->target_date, err) < 0)
    return errctx(err, "%s", what);
  if (s && s->type != JSON_NULL) {
    if (s->type != JSON_OBJECT) return errf(err, "%s: 'state' is not an object", what);
    if (get_opt(s, "id", 0, &r->state.id, err) < 0 || get_opt(s, "name", 0, &r->state.name, err) < 0 ||
        get_opt(s, "group", 0, &r->state.group, err) < 0)
      return errctx(err, "%s: state", what);
  }
  return 0;
}

static int in_list(char **list, size_t n, const char *id) {
  for (size_t i = 0; i < n; i++)
    if (!strcmp(list[i], id)) return 1;
  return 0;
}

/* last_rows, checked strictly; a row whose id is not in last_issues (a hand edit) is left
 * out: a row is known or unknown, never wrong. */
static int parse_rows(const struct json *a, struct state *st, char *err) {
  if (!a || a->type == JSON_NULL) return 0;
  if (a->type != JSON_ARRAY) return errf(err, "'last_rows' is not a list");
  st->last_rows = xcalloc(a->n ? a->n : 1, sizeof *st->last_rows);
  for (size_t i = 0; i < a->n; i++) {
    struct state_row *r = &st->last_rows[st->nrows++];
    if (parse_row(&a->items[i], i, r, err) < 0) return -1;
    if (!in_list(st->last_issues, st->nlast, r->id)) row_clear(r), st->nrows--;
  }
  return 0;
}

static int parse_state(const struct json *v, struct state *st, char *err) {
  if (v->type != JSON_OBJECT) return errf(err, "not a JSON object");
  if (get_opt(v, "last_sync", 1, &st->last_sync, err) < 0 ||
      get_opt(v, "last_sync_status", 0, &st->last_sync_status, err) < 0 ||
      get_opt(v, "last_error", 0, &st->last_error, err) < 0 ||
      get_opt(v, "attempt", 1, &st->attempt, err) < 0 ||
      get_opt(v, "last_attempt", 1, &st->last_attempt, err) < 0)
    return -1;
  const char *s = st->last_sync_status;
  if (s && strcmp(s, "success") && strcmp(s, "error") && strcmp(s, "unknown")) {
    char q[120];
    quote(s, 20, q, sizeof q);
    return errf(err, "'last_sync_status' is \"%s\", expected success, error or unknown", q);
  }
  const struct json *n = json_get(v, "error_count");
  if (n && n->type != JSON_NULL) {
    /* checked as a double before the conversion, which is undefined out of range */
    if (n->type != JSON_NUMBER || !(n->number >= 0 && n->number <= 1e9) || n->number != floor(n->number))
      return errf(err, "'error_count' is not a whole number from 0 to 1000000000");
    st->error_count = (long)n->number;
  }
  const struct json *a = json_get(v, "last_issues");
  if (a && a->type != JSON_NULL) {
    if (a->type != JSON_ARRAY) return errf(err, "'last_issues' is not a list");
    st->last_issues = xcalloc(a->n, sizeof *st->last_issues);
    for (size_t i = 0; i < a->n; i++) {
      if (a->items[i].type != JSON_STRING) return errf(err, "'last_issues' holds a value that is not an id");
      st->last_issues[st->nlast++] = xstrdup(a->items[i].string);
    }
  }
  if (parse_rows(json_get(v, "last_rows"), st, err) < 0) return -1;
  time_t t;
  if (st->last_sync && iso8601_parse(st->last_sync, &t) == 0 && t > time(NULL) + 36 * 3600)
    return errf(err, "'last_sync' %s is in the future", st->last_sync);
  return 0;
}

int state_read(const char *path, struct state *st, int *exists, char *err) {
  char *text = NULL, why[ERR_LEN];
  size_t len = 0;
  struct json *v = NULL;
  int rc = 0;
  memset(st, 0, sizeof *st);
  *exists = 0;
  if (access(path, F_OK) != 0 && errno == ENOENT) return 0;
  *exists = 1;
  if (read_file(path, &text, &len, err) < 0) return -1;
  if (json_parse(text, len, &v, why) < 0 || parse_state(v, st, why) < 0) {
    rc = errf(err, "the state file %s is corrupt: %s", path, why);
    state_clear(st);
  }
  json_free(v);
  free(text);
  return rc;
}

static void add_opt(struct buf *b, const char *key, const char *v, int last) {
  buf_printf(b, "  \"%s\": ", key);
  if (v) json_add_string(b, v);
  else buf_adds(b, "null");
  buf_adds(b, last ? "\n" : ",\n");
}

static void add_str(struct buf *b, const char *key, const char *v) {
  buf_printf(b, "\"%s\": ", key);
  if (v) json_add_string(b, v);
  else buf_adds(b, "null");
}

static void add_row(struct buf *b, const struct state_row *r, int first) {
  buf_adds(b, first ? "\n    {" : ",\n    {");
  add_str(b, "id", r->id);
  buf_printf(b, ", \"rank\": %lld, ", r->rank);
  add_str(b, "priority", r->priority);
  buf_adds(b, ", \"state\": {");
  add_str(b, "id", r->state.id);
  buf_adds(b, ", ");
  add_str(b, "name", r->state.name);
  buf_adds(b, ", ");
  add_str(b, "group", r->state.group);
  buf_adds(b, "}, ");
  add_str(b, "target_date", r->target_date);
  buf_adds(b, "}");
}

static void render(const struct state *st, struct buf *b) {
  buf_adds(b, "{\n");
  add_opt(b, "last_sync", st->last_sync, 0);
  add_opt(b, "last_sync_status", st->last_sync_status, 0);
  buf_adds(b, "  \"last_issues\": [");
  for (size_t i = 0; i < st->nlast; i++) {
    if (i) buf_adds(b, ", ");
    json_add_string(b, st->last_issues[i]);
  }
  buf_adds(b, "],\n  \"last_rows\": [");
  for (size_t i = 0; i < st->nrows; i++) add_row(b, &st->last_rows[i], i == 0);
  buf_printf(b, "%s],\n  \"error_count\": %ld,\n", st->nrows ? "\n  " : "", st->error_count);
  add_opt(b, "last_error", st->last_error, 0);
  add_opt(b, "attempt", st->attempt, 0);
  add_opt(b, "last_attempt", st->last_attempt, 1);
  buf_adds(b, "}\n");
}

static int fsync_dir(const char *path) {
  char *copy = xstrdup(path);
  int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  free(copy);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

int state_write(const char *path, const struct state *st, char *err) {
  struct buf b;
  char *copy = xstrdup(path), *tmp = NULL;
  int fd = -1, rc = -1;
  buf_init(&b);
  render(st, &b);
  tmp = xasprintf("%s/.%s.tmp-XXXXXX", dirname(copy), strrchr(path, '/') ? strrchr(path, '/') + 1 : path);
  fd = mkstemp(tmp); /* mode 0600 */
  if (fd < 0) {
    errf(err, "cannot write the state file %s: %s", path, strerror(errno));
    goto cleanup;
  }
  size_t off = 0;
  while (off < b.len) {
    ssize_t w = write(fd, b.data + off, b.len - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      errf(err, "cannot write the state file %s: %s", path, strerror(errno));
      goto cleanup;
    }
    off += (size_t)w;
  }
  if (fchmod(fd, 0600) < 0 || fsync(fd) < 0) {
    errf(err, "cannot sync the state file %s: %s", path, strerror(errno));
    goto cleanup;
  }
  if (close(fd) < 0) {
    fd = -1;
    errf(err, "cannot write the state file %s: %s", path, strerror(errno));
    goto cleanup;
  }
  fd = -1;
  if (rename(tmp, path) < 0) {
    errf(err, "cannot replace the state file %s: %s", path, strerror(errno));
    goto cleanup;
  }
  fsync_dir(path);
  rc = 0;
cleanup:
  if (fd >= 0) close(fd);
  if (rc < 0 && tmp) unlink(tmp);
  free(tmp);
  free(copy);
  buf_free(&b);
  return rc;
}

int state_quarantine(const char *path, char *moved_to, size_t n, char *err) {
  char stamp[32];
  struct tm tm;
  time_t now = time(NULL);
  gmtime_r(&now, &tm);
  strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  snprintf(moved_to, n, "%s.corrupt-%s", path, stamp);
  if (rename(path, moved_to) < 0)
    return errf(err, "cannot move the corrupt state file %s aside: %s", path, strerror(errno));
  fsync_dir(path);
  return 0;
}

struct state_lock {
  int fd;
  char *path;
};

/* The pid a holder wrote into its lock file, "" when none (the file is read from offset 0). */
static void read_pid(int fd, char *pid, size_t n) {
  ssize_t got = pread(fd, pid, n - 1, 0);
  pid[got > 0 ? got : 0] = 0;
  pid[strcspn(pid, "\n")] = 0;
}

/* The temporary file of a write (state_write: ".<name>.tmp-" and mkstemp's six characters). */
static int is_own_tmp(const char *name, const char *prefix, size_t plen) {
  if (strncmp(name, prefix, plen)) return 0;
  const char *x = name + plen;
  size_t n = strspn(x, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789");
  return n == 6 && !x[n];
}

/* A write stopped between mkstemp and rename (SIGKILL, a power cut) leaves its temporary
 * file behind. Called with the lock held: no other process writes this state file, so
 * every temporary file of it is such a leftover. Regular files only; best effort. */
static void remove_stale_tmp(const char *path) {
  char *copy = xstrdup(path);
  const char *slash = strrchr(path, '/');
  char *prefix = xasprintf(".%s.tmp-", slash ? slash + 1 : path);
  size_t plen = strlen(prefix);
  DIR *d = opendir(dirname(copy));
  if (!d) goto cleanup;
  struct dirent *e;
  while ((e = readdir(d))) {
    struct stat sb;
    if (!is_own_tmp(e->d_name, prefix, plen)) continue;
    if (fstatat(dirfd(d), e->d_name, &sb, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(sb.st_mode))
      unlinkat(dirfd(d), e->d_name, 0);
  }
  closedir(d);
cleanup:
  free(prefix);
  free(copy);
}

int state_lock(const char *path, struct state_lock **out, char *err) {
  char *lpath = xasprintf("%s.lock", path);
  int fd = open(lpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    free(lpath);
    return errf(err, "cannot create the lock file %s.lock: %s", path, strerror(e));
  }
  if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
    char pid[32];
    read_pid(fd, pid, sizeof pid);
    close(fd);
    free(lpath);
    errf(err, "another plane-teams (pid %s) is using the state file %s; only one process may "
         "run a digest at a time", pid[0] ? pid : "unknown", path);
    return -2;
  }
  char pid[32];
  int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
  if (ftruncate(fd, 0) == 0 && pwrite(fd, pid, (size_t)len, 0) < 0) { /* best effort */ }
  remove_stale_tmp(path);
  struct state_lock *l = xcalloc(1, sizeof *l);
  l->fd = fd;
  l->path = lpath;
  *out = l;
  return 0;
}

void state_unlock(struct state_lock *l) {
  if (!l) return;
  close(l->fd);
  free(l->path);
  free(l);
}

/* A shared lock that cannot be had means an exclusive one is held: by a daemon or a
 * 'once' (state_lock). One that can be had is let go at once. */
int state_lock_held(const char *path, char *pid, size_t n, char *err) {
  char *lpath = xasprintf("%s.lock", path);
  int fd = open(lpath, O_RDONLY | O_CLOEXEC), rc = 0;
  pid[0] = 0;
  if (fd < 0) {
    if (errno != ENOENT) rc = errf(err, "cannot open the lock file %s: %s", lpath, strerror(errno));
    goto cleanup;
  }
  if (flock(fd, LOCK_SH | LOCK_NB) == 0) goto cleanup; /* closing the file lets the lock go */
  if (errno == EWOULDBLOCK) {
    read_pid(fd, pid, n);
    rc = 1;
  } else {
    rc = errf(err, "cannot test the lock file %s: %s", lpath, strerror(errno));
  }
cleanup:
  if (fd >= 0) close(fd);
  free(lpath);
  return rc;
}
