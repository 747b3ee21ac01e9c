#include "batch.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "hook.h"
#include "render.h"
#include "script.h"

struct batch {
  struct script *s;
  int ref; /* the batch table of host/pages.lua */
};

/* ---- the hooks (host/hooks.lua) ------------------------------------------------- */

struct made {
  int batch;
};
static const struct hook_field MADE[] = {{"batch", HF_REF, offsetof(struct made, batch), 0, NULL, 0, 0}};
static const struct hook_field NO_FIELDS[1];
static const struct hook NEW = {"new", NO_FIELDS, 0, HOOK_FIELDS(MADE)};
static const struct hook SAMPLE = {"sample", NO_FIELDS, 0, HOOK_FIELDS(MADE)};

struct one_batch {
  int batch;
};
static const struct hook_field ONE_BATCH[] = {{"batch", HF_REF, offsetof(struct one_batch, batch), 0, NULL, 0, 0}};
struct counted {
  long long count;
};
static const struct hook_field COUNTED[] = {{"count", HF_INT, offsetof(struct counted, count), 0, NULL, 0, 0}};
static const struct hook COUNT = {"count", HOOK_FIELDS(ONE_BATCH), HOOK_FIELDS(COUNTED)};

/* A Plane reply for one project (pid NULL: the workspace's projects list). */
struct reply {
  int batch;
  const char *pid, *body;
  size_t len;
  const char *where;
};
#define REPLY_F(n, t, m) {n, t, offsetof(struct reply, m), 0, NULL, 0, 0}
static const struct hook_field REPLY[] = {
    REPLY_F("batch", HF_REF, batch), REPLY_F("pid", HF_STR, pid),
    {"body", HF_LSTR, offsetof(struct reply, body), offsetof(struct reply, len), NULL, 0, 0},
    REPLY_F("where", HF_STR, where)};
struct paged {
  int has_next;
  char *cursor;
  long long count;
};
static const struct hook_field PAGED[] = {
    {"has_next", HF_BOOL, offsetof(struct paged, has_next), 0, NULL, 0, 0},
    {"next_cursor", HF_STR, offsetof(struct paged, cursor), 0, NULL, 0, 0},
    {"count", HF_INT, offsetof(struct paged, count), 0, NULL, 0, 0}};
static const struct hook ISSUES_PAGE = {"add_issues_page", HOOK_FIELDS(REPLY), HOOK_FIELDS(PAGED)};
static const struct hook STATES_PAGE = {"add_states_page", HOOK_FIELDS(REPLY), HOOK_FIELDS(PAGED)};
static const struct hook PROJECTS_PAGE = {"add_projects_page", HOOK_FIELDS(REPLY), HOOK_FIELDS(PAGED)};
static const struct hook PROJECT = {"set_project", HOOK_FIELDS(REPLY), NO_FIELDS, 0};
static const struct hook MEMBERS = {"set_members", HOOK_FIELDS(REPLY), NO_FIELDS, 0};
static const struct hook ISSUES_FILE = {"add_issues_file", HOOK_FIELDS(REPLY), NO_FIELDS, 0};

static const struct hook LABELS_PAGE = {"add_labels_page", HOOK_FIELDS(REPLY), HOOK_FIELDS(PAGED)};

/* The cycles or modules of a reply whose issues come next. */
struct named {
  char **ids;
  size_t n;
  int has_next;
  char *cursor;
  long long count;
};
static const struct hook_field NAMED[] = {
    {"ids", HF_STRLIST, offsetof(struct named, ids), offsetof(struct named, n), NULL, 0, 0},
    {"has_next", HF_BOOL, offsetof(struct named, has_next), 0, NULL, 0, 0},
    {"next_cursor", HF_STR, offsetof(struct named, cursor), 0, NULL, 0, 0},
    {"count", HF_INT, offsetof(struct named, count), 0, NULL, 0, 0}};
static const struct hook CYCLES = {"set_cycles", HOOK_FIELDS(REPLY), HOOK_FIELDS(NAMED)};
static const struct hook MODULES_PAGE = {"add_modules_page", HOOK_FIELDS(REPLY), HOOK_FIELDS(NAMED)};

/* A page of the issues of one cycle or module. */
struct items_of {
  int batch;
  const char *pid, *need, *of, *body;
  size_t len;
  const char *where;
};
#define ITEMS_F(n, t, m) {n, t, offsetof(struct items_of, m), 0, NULL, 0, 0}
static const struct hook_field ITEMS_OF[] = {
    ITEMS_F("batch", HF_REF, batch), ITEMS_F("pid", HF_STR, pid), ITEMS_F("need", HF_STR, need),
    ITEMS_F("of", HF_STR, of),
    {"body", HF_LSTR, offsetof(struct items_of, body), offsetof(struct items_of, len), NULL, 0, 0},
    ITEMS_F("where", HF_STR, where)};
static const struct hook ITEMS_PAGE = {"add_items_of", HOOK_FIELDS(ITEMS_OF), HOOK_FIELDS(PAGED)};

struct dropped {
  int batch;
  const char *pid, *need;
};
static const struct hook_field DROPPED[] = {
    {"batch", HF_REF, offsetof(struct dropped, batch), 0, NULL, 0, 0},
    {"pid", HF_STR, offsetof(struct dropped, pid), 0, NULL, 0, 0},
    {"need", HF_STR, offsetof(struct dropped, need), 0, NULL, 0, 0}};
static const struct hook DROP = {"drop_need", HOOK_FIELDS(DROPPED), NO_FIELDS, 0};

struct picking {
  int batch;
  const struct state_sel *states;
  size_t nstates;
};
static const struct hook_field PICKING[] = {
    {"batch", HF_REF, offsetof(struct picking, batch), 0, NULL, 0, 0},
    {"states", HF_RECORDS, offsetof(struct picking, states), offsetof(struct picking, nstates),
     render_state_fields, 3, sizeof(struct state_sel)}};
static const struct hook PICK = {"pick_states", HOOK_FIELDS(PICKING), NO_FIELDS, 0};

struct saved {
  char *json;
  size_t len;
};
static const struct hook_field SAVED[] = {
    {"json", HF_LSTR, offsetof(struct saved, json), offsetof(struct saved, len), NULL, 0, 0}};
struct save_in {
  int batch;
  const struct state_row *previous; /* the last posted card's rows, NULL: none */
  size_t nprevious;
};
static const struct hook_field SAVE_IN[] = {
    {"batch", HF_REF, offsetof(struct save_in, batch), 0, NULL, 0, 0},
    {"previous", HF_RECORDS, offsetof(struct save_in, previous), offsetof(struct save_in, nprevious),
     render_previous_row_fields, 5, sizeof(struct state_row)}};
static const struct hook SAVE = {"save", HOOK_FIELDS(SAVE_IN), HOOK_FIELDS(SAVED)};

/* ---- the batch ------------------------------------------------------------------- */

static int batch_from(struct script *s, const struct hook *h, struct batch **out, char *err) {
  struct made m = {0};
  if (hook_call(s, h, NULL, &m, err) < 0) return -1;
  struct batch *b = xcalloc(1, sizeof *b);
  b->s = s;
  b->ref = m.batch;
  *out = b;
  return 0;
}

int batch_new(struct script *s, struct batch **out, char *err) { return batch_from(s, &NEW, out, err); }

int batch_sample(struct script *s, struct batch **out, char *err) { return batch_from(s, &SAMPLE, out, err); }

void batch_free(struct batch *b) {
  if (!b) return;
  hook_unref(b->s, b->ref);
  script_collect(b->s);
  free(b);
}

struct script *batch_script(const struct batch *b) { return b->s; }

int batch_ref(const struct batch *b) { return b->ref; }

int batch_pick_states(struct batch *b, const struct state_sel *states, size_t n, char *err) {
  struct picking in = {b->ref, states, n};
  return hook_call(b->s, &PICK, &in, NULL, err);
}

size_t batch_count(const struct batch *b) {
  struct one_batch in = {b->ref};
  struct counted out = {0};
  char err[ERR_LEN];
  return hook_call(b->s, &COUNT, &in, &out, err) < 0 ? 0 : (size_t)out.count;
}

static int add_page(struct batch *b, const struct hook *h, const char *pid, const char *body, size_t len,
                    const char *where, struct page_info *pi, char *err) {
  struct reply in = {b->ref, pid, body, len, where};
  struct paged out = {0};
  if (hook_call(b->s, h, &in, &out, err) < 0) return -1;
  pi->has_next = out.has_next;
  snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", out.cursor);
  pi->count = (size_t)out.count;
  hook_free(h, &out);
  return 0;
}

int batch_add_issues_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, &ISSUES_PAGE, pid, body, len, where, pi, err);
}

int batch_add_states_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, &STATES_PAGE, pid, body, len, where, pi, err);
}

int batch_add_projects_page(struct batch *b, const char *body, size_t len, const char *where,
                            struct page_info *pi, char *err) {
  return add_page(b, &PROJECTS_PAGE, NULL, body, len, where, pi, err);
}

int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err) {
  struct reply in = {b->ref, pid, body, len, where};
  return hook_call(b->s, &PROJECT, &in, NULL, err);
}

int batch_set_members(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err) {
  struct reply in = {b->ref, pid, body, len, where};
  return hook_call(b->s, &MEMBERS, &in, NULL, err);
}

int batch_add_labels_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err) {
  return add_page(b, &LABELS_PAGE, pid, body, len, where, pi, err);
}

static int add_named(struct batch *b, const struct hook *h, const char *pid, const char *body, size_t len,
                     const char *where, struct page_info *pi, char ***ids, size_t *n, char *err) {
  struct reply in = {b->ref, pid, body, len, where};
  struct named out = {0};
  if (hook_call(b->s, h, &in, &out, err) < 0) return -1;
  if (pi) {
    pi->has_next = out.has_next;
    snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", out.cursor);
    pi->count = (size_t)out.count;
  }
  *ids = out.ids, *n = out.n;
  out.ids = NULL, out.n = 0;
  hook_free(h, &out);
  return 0;
}

int batch_set_cycles(struct batch *b, const char *pid, const char *body, size_t len, const char *where,
                     char ***ids, size_t *n, char *err) {
  return add_named(b, &CYCLES, pid, body, len, where, NULL, ids, n, err);
}

int batch_add_modules_page(struct batch *b, const char *pid, const char *body, size_t len,
                           const char *where, struct page_info *pi, char ***ids, size_t *n, char *err) {
  return add_named(b, &MODULES_PAGE, pid, body, len, where, pi, ids, n, err);
}

int batch_add_items_of(struct batch *b, const char *pid, const char *need, const char *of, const char *body,
                       size_t len, const char *where, struct page_info *pi, char *err) {
  struct items_of in = {b->ref, pid, need, of, body, len, where};
  struct paged out = {0};
  if (hook_call(b->s, &ITEMS_PAGE, &in, &out, err) < 0) return -1;
  pi->has_next = out.has_next;
  snprintf(pi->next_cursor, sizeof pi->next_cursor, "%s", out.cursor);
  pi->count = (size_t)out.count;
  hook_free(&ITEMS_PAGE, &out);
  return 0;
}

void batch_drop_need(struct batch *b, const char *pid, const char *need) {
  struct dropped in = {b->ref, pid, need};
  char err[ERR_LEN];
  hook_call(b->s, &DROP, &in, NULL, err); /* forgetting fails only without memory */
}

int batch_save(struct batch *b, const struct state_row *previous, size_t nprevious, char **json, size_t *len,
               char *err) {
  static const struct state_row none[1];
  struct save_in in = {b->ref, previous ? previous : none, previous ? nprevious : 0};
  struct saved out = {0};
  if (hook_call(b->s, &SAVE, &in, &out, err) < 0) return -1;
  *json = out.json;
  *len = out.len;
  return 0;
}

int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err) {
  struct reply in = {b->ref, NULL, body, len, fname};
  return hook_call(b->s, &ISSUES_FILE, &in, NULL, err);
}
