/* Running config.lua: env() and _FILE secrets, the origin of each value for error
 * sentences, what each command needs, freeing. */
#include "config.h"

#include <lauxlib.h>
#include <lua.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_parts.h"
#include "log.h"
#include "script.h"

/* Which variable produced which value while config.lua runs (env() records it), so
 * that an error names a variable only when the rejected value came from it. */
struct origin {
  char *var, *value;
};
static struct {
  struct origin *v;
  size_t n;
} origins;

static void origin_add(const char *var, const char *value, size_t len) {
  origins.v = xrealloc(origins.v, (origins.n + 1) * sizeof *origins.v);
  origins.v[origins.n].var = xstrdup(var);
  origins.v[origins.n++].value = xstrndup(value, len);
}

static void origins_clear(void) {
  for (size_t i = 0; i < origins.n; i++) free(origins.v[i].var), free(origins.v[i].value);
  free(origins.v);
  origins.v = NULL;
  origins.n = 0;
}

static const char *origin_of(const char *value) {
  for (size_t i = 0; value && i < origins.n; i++)
    if (!strcmp(origins.v[i].value, value)) return origins.v[i].var;
  return NULL;
}

const char *config_esc(const char *s) {
  static char ring[4][500];
  static int next;
  char *out = ring[next++ % 4];
  size_t k = 0;
  for (; *s && k < 480; s++) {
    unsigned char c = (unsigned char)*s;
    if (k >= 120 && (c & 0xC0) != 0x80) {
      k += (size_t)snprintf(out + k, 500 - k, "…");
      break;
    }
    if (c < 0x20 || c == 0x7f) k += (size_t)snprintf(out + k, 500 - k, "\\x%02x", c);
    else out[k++] = (char)c;
  }
  out[k] = 0;
  return out;
}

int config_bad(char *err, const char *where, const char *key, const char *value, const char *fmt, ...) {
  char msg[ERR_LEN];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  const char *var = origin_of(value);
  if (var) return errf(err, "%s: %s %s (set by %s)", where, key, msg, var);
  return errf(err, "%s: %s %s", where, key, msg);
}

/* ---- env() ------------------------------------------------------------- */

static int l_env(lua_State *L) {
  const char *name = luaL_checkstring(L, 1);
  char fname[256], msg[ERR_LEN];
  snprintf(fname, sizeof fname, "%s_FILE", name);
  const char *v = getenv(name), *f = getenv(fname);
  if (v && *v && f && *f) return luaL_error(L, "both %s and %s are set; set only one", name, fname);
  if (f && *f) {
    char *data = NULL;
    size_t len = 0;
    if (read_file(f, &data, &len, msg) < 0) return luaL_error(L, "%s: %s", fname, msg);
    if (len && data[len - 1] == '\n') len--;
    if (len && data[len - 1] == '\r') len--;
    origin_add(fname, data, len);
    lua_pushlstring(L, data, len);
    free(data);
    return 1;
  }
  if (v) {
    origin_add(name, v, strlen(v));
    lua_pushstring(L, v);
    return 1;
  }
  lua_settop(L, 2);
  return 1;
}

/* ---- loading ----------------------------------------------------------- */

int config_load(const char *path, struct config **out, char *err) {
  struct config *c = xcalloc(1, sizeof *c);
  lua_State *L = script_lua_new();
  int rc = -1;
  c->path = xstrdup(path);
  c->log_level = LOG_INFO;
  c->log_file = xstrdup("logs/plane-teams.log");
  c->log_max_bytes = 10u << 20;
  c->log_keep = 5;
  if (!L) {
    errf(err, "cannot create a Lua state for %s (out of memory)", path);
    goto cleanup;
  }
  if (luaL_loadfilex(L, path, "t") != LUA_OK) {
    const char *m = lua_tostring(L, -1);
    if (strstr(m, "cannot open")) errf(err, "cannot read the configuration file %s", path);
    else errf(err, "the configuration file has a syntax error: %s", m);
    err_one_line(err);
    goto cleanup;
  }
  script_push_sandbox_base(L);
  lua_pushcfunction(L, l_env);
  lua_setfield(L, -2, "env");
  lua_setupvalue(L, -2, 1);
  if (script_pcall(L, 0, 1, err) < 0) {
    errctx(err, "the configuration file %s failed", path);
    goto cleanup;
  }
  if (!lua_istable(L, -1)) {
    errf(err, "%s must return a table of settings (it returned %s)", path, luaL_typename(L, -1));
    goto cleanup;
  }
  rc = config_read_table(L, lua_gettop(L), c, err);
cleanup:
  origins_clear();
  script_lua_close(L);
  if (rc < 0) {
    err_one_line(err); /* a value quoted from the file may hold a line break */
    config_free(c);
    return -1;
  }
  *out = c;
  return 0;
}

int config_require(const struct config *c, unsigned need, char *err) {
  for (size_t i = 0; i < c->ndigests; i++) {
    const struct digest *d = &c->digests[i];
    char where[600];
    if (c->ndigests > 1) snprintf(where, sizeof where, "%s: digest %s", c->path, d->name);
    else snprintf(where, sizeof where, "%s", c->path);
    if (!d->workspace) return config_bad(err, where, "workspace", NULL, "is required (the slug in app.plane.so/<slug>/)");
    if ((need & (CONFIG_NEED_PLANE | CONFIG_NEED_TOKEN)) && !d->api_token)
      return config_bad(err, where, "plane_api_token", NULL, "is required: the Plane API key, sent as X-API-Key");
    if ((need & CONFIG_NEED_PLANE) && !d->nprojects)
      return config_bad(err, where, "projects", NULL, "is required: one or more project UUIDs "
                 "(`plane-teams discover` lists them)");
    if ((need & CONFIG_NEED_TEAMS) && !d->webhook_url)
      return config_bad(err, where, "teams_webhook_url", NULL, "is required to post: the Teams webhook's URL");
  }
  return 0;
}

void config_free(struct config *c) {
  if (!c) return;
  for (size_t i = 0; i < c->ndigests; i++) config_digest_clear(&c->digests[i]);
  free(c->digests);
  config_free_list(c->warnings, c->nwarnings);
  free(c->path), free(c->scripts_dir), free(c->log_file), free(c->metrics_file);
  free(c);
}
