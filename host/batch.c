#include "batch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct batch {
  struct script *s;
  int ref; /* host/batch.lua's batch table */
};

static int batch_from(struct script *s, const char *fn, struct batch **out, char *err) {
  struct script_val r = {SV_REF, 0, 0, NULL, 0, 0};
  if (script_host(s, fn, NULL, 0, &r, 1, err) < 0) return -1;
  struct batch *b = xcalloc(1, sizeof *b);
  b->s = s;
  b->ref = r.ref;
  *out = b;
  return 0;
}

int batch_new(struct script *s, struct batch **out, char *err) { return batch_from(s, "new", out, err); }

int batch_sample(struct script *s, struct batch **out, char *err) { return batch_from(s, "sample", out, err); }

void batch_free(struct batch *b) {
  if (!b) return;
  script_unref(b->s, b->ref);
  script_collect(b->s);
  free(b);
}

struct script *batch_script(const struct batch *b) { return b->s; }

struct script_val batch_val(const struct batch *b) {
  struct script_val v = SV_R(b->ref);
  return v;
}

size_t batch_count(const struct batch *b) {
  struct script_val in[] = {SV_R(b->ref)}, out[] = {SV_I(0)};
  char err[ERR_LEN];
  return script_host(b->s, "count", in, 1, out, 1, err) < 0 ? 0 : (size_t)out[0].i;
}

static int add_page(struct batch *b, const char *fn, const char *pid, const char *body, size_t len,
                    const char *where, struct page_info *pi, char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(pid, strlen(pid)), SV_S(body ? body : "", body ? len : 0),
                            SV_S(where, strlen(where))};
  struct script_val out[] = {{SV_BOOL, 0, 0, NULL, 0, 0}, SV_S(NULL, 0), SV_I(0)};
  if (script_host(b->s, fn, in, 4, out, 3, err) < 0) return -1;
  pi->has_next = (int)out[0].i;
  snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", out[1].s ? out[1].s : "");
  pi->count = (size_t)out[2].i;
  script_vals_free(out, 3);
  return 0;
}

int batch_add_issues_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, "add_issues_page", pid, body, len, where, pi, err);
}

int batch_add_states_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, "add_states_page", pid, body, len, where, pi, err);
}

static int set_one(struct batch *b, const char *fn, const char *pid, const char *body, size_t len,
                   const char *where, char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(pid, strlen(pid)), SV_S(body ? body : "", body ? len : 0),
                            SV_S(where, strlen(where))};
  return script_host(b->s, fn, in, 4, NULL, 0, err);
}

int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err) {
  return set_one(b, "set_project", pid, body, len, where, err);
}

int batch_set_members(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err) {
  return set_one(b, "set_members", pid, body, len, where, err);
}

int batch_save(struct batch *b, char **json, size_t *len, char *err) {
  struct script_val in[] = {SV_R(b->ref)}, out[] = {SV_S(NULL, 0)};
  if (script_host(b->s, "save", in, 1, out, 1, err) < 0) return -1;
  *json = out[0].s;
  *len = out[0].len;
  return 0;
}

int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(body, len), SV_S(fname, strlen(fname))};
  return script_host(b->s, "add_issues_file", in, 3, NULL, 0, err);
}

int batch_add_projects_page(struct batch *b, const char *body, size_t len, const char *where,
                            struct page_info *pi, char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(body ? body : "", body ? len : 0), SV_S(where, strlen(where))};
  struct script_val out[] = {{SV_BOOL, 0, 0, NULL, 0, 0}, SV_S(NULL, 0), SV_I(0)};
  if (script_host(b->s, "add_projects_page", in, 3, out, 3, err) < 0) return -1;
  pi->has_next = (int)out[0].i;
  snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", out[1].s ? out[1].s : "");
  pi->count = (size_t)out[2].i;
  script_vals_free(out, 3);
  return 0;
}

/* A host function that returns one string: *out takes it over. */
static int one_string(struct batch *b, const char *fn, struct script_val *in, int nin, char **out,
                      int *count, char *err) {
  struct script_val res[] = {SV_S(NULL, 0), SV_I(0)};
  if (script_host(b->s, fn, in, nin, res, count ? 2 : 1, err) < 0) return -1;
  *out = res[0].s ? res[0].s : xstrdup("");
  if (count) *count = (int)res[1].i;
  return 0;
}

int batch_choose_projects(struct batch *b, const char *wanted, const char *workspace, char **out,
                          char *err) {
  wanted = wanted ? wanted : "";
  struct script_val in[] = {SV_R(b->ref), SV_S(wanted, strlen(wanted)), SV_S(workspace, strlen(workspace))};
  return one_string(b, "choose_projects", in, 3, out, NULL, err);
}

int batch_discover(struct batch *b, const char *ctx_json, const char *chosen, int as_json, char **out,
                   char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(ctx_json, strlen(ctx_json)), SV_S(chosen, strlen(chosen)),
                            {SV_BOOL, as_json, 0, NULL, 0, 0}};
  return one_string(b, "discover", in, 4, out, NULL, err);
}

int batch_online_project(struct batch *b, const char *ctx_json, const char *pid, char **out,
                         int *warnings, char *err) {
  struct script_val in[] = {SV_R(b->ref), SV_S(ctx_json, strlen(ctx_json)), SV_S(pid, strlen(pid))};
  return one_string(b, "online_project", in, 3, out, warnings, err);
}
