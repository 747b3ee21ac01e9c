/* The sentences of Plane's errors, from a status and its body. */
#include "plane_parts.h"

#include <stdio.h>
#include <string.h>

#include "json.h"

/* ---- error sentences --------------------------------------------------- */

void plane_body_detail(const char *body, char *out, size_t n) {
  struct json *v = NULL;
  char err[ERR_LEN];
  out[0] = 0;
  if (!body || !*body) return;
  if (json_parse(body, strlen(body), &v, err) == 0) {
    static const char *const keys[] = {"detail", "error", "error_message", "message"};
    for (int i = 0; i < 4; i++) {
      const struct json *m = json_get(v, keys[i]);
      if (m && m->type == JSON_STRING) {
        snprintf(out, n, "%s", m->string);
        break;
      }
    }
    json_free(v);
    if (out[0]) return;
  }
  const char *p = body;
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t') p++;
  if (*p == '<') {
    snprintf(out, n, "an HTML page");
    return;
  }
  size_t k = 0;
  for (; *p && k + 1 < n && k < 120; p++) out[k++] = (*p == '\n' || *p == '\r') ? ' ' : *p;
  out[k] = 0;
}

int plane_is_json_body(const char *body) {
  while (body && (*body == ' ' || *body == '\n' || *body == '\r' || *body == '\t')) body++;
  return body && (*body == '{' || *body == '[');
}

static int ends_with(const char *s, const char *suffix) {
  size_t a = strlen(s), b = strlen(suffix);
  return a >= b && !strcmp(s + a - b, suffix);
}

void plane_describe_error(long status, const char *body, const char *where, char *out, size_t n) {
  char detail[200], what[240];
  int list = ends_with(where, "/projects/"); /* the workspace's projects list */
  plane_body_detail(body, detail, sizeof detail);
  if (detail[0]) snprintf(what, sizeof what, "%ld %s", status, detail);
  else snprintf(what, sizeof what, "%ld", status);
  if (status == 401)
    snprintf(out, n, "Plane did not receive the API key (%s) at %s: set plane_api_token, and check "
             "that no proxy drops the X-API-Key header", what, where);
  else if (status == 403 && strstr(detail, "token"))
    snprintf(out, n, "Plane rejected the API key (%s) at %s: check plane_api_token (revoked, expired, "
             "or from another Plane?)", what, where);
  else if (status == 404 && !plane_is_json_body(body))
    snprintf(out, n, "not Plane's API: %s answered %ld with %s: plane_base_url must be the address that "
             "serves Plane's /api/v1/ (plane-teams adds /api/v1/ itself)", where, status,
             detail[0] ? detail : "an empty body");
  else if (list && (status == 403 || status == 404))
    snprintf(out, n, "Plane denied access to the workspace (%s) at %s: check the workspace slug (the "
             "<slug> in app.plane.so/<slug>/) and that the API key's user is a member of it", what, where);
  else if (status == 403)
    snprintf(out, n, "Plane denied access (%s) at %s: is the API key's user a member of the "
             "project, and is the workspace slug right?", what, where);
  else if (status == 404)
    snprintf(out, n, "Plane has no such workspace or project (%s) at %s", what, where);
  else if (status == 429)
    snprintf(out, n, "Plane kept refusing for its rate limit (%s) at %s", what, where);
  else if (status >= 300 && status < 400) /* its body may repeat the target's path and query */
    snprintf(out, n, "Plane answered %ld, a redirect, at %s: check plane_base_url", status, where);
  else
    snprintf(out, n, "Plane answered %s at %s", what, where);
}
