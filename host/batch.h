/* One sync's issues, projects and states, held in the scripts' Lua state: Plane's pages
 * go in as they arrive (decoded by host/pages.lua), the rendering reads them out. */
#pragma once
#include <stddef.h>

struct script;
struct batch;
struct state_sel;
struct state_row;

int batch_new(struct script *s, struct batch **out, char *err);
/** The built-in sample (check and reloads run the scripts on it). */
int batch_sample(struct script *s, struct batch **out, char *err);
void batch_free(struct batch *b);
/** Keep only the issues whose state one of `states` picks (host/states.lua): each
 *  other issue is dropped as its page is decoded, once its project's states are known.
 *  batch_count still counts them. */
int batch_pick_states(struct batch *b, const struct state_sel *states, size_t n, char *err);
/** The issues the pages carried, kept or dropped. */
size_t batch_count(const struct batch *b);
struct script *batch_script(const struct batch *b);
/** The batch's table in the state (a registry reference), for a hook's argument. */
int batch_ref(const struct batch *b);

struct page_info {
  int has_next;
  char next_cursor[128];
  size_t count;
};

/** Decode one Plane issues page of project pid and add its issues (by id, once).
 *  `where` names the endpoint in errors. */
int batch_add_issues_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err);
/** Decode one page of a project's states. */
int batch_add_states_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err);
/** Decode one page of the workspace's projects list (discover). */
int batch_add_projects_page(struct batch *b, const char *body, size_t len, const char *where,
                            struct page_info *pi, char *err);
/** Decode a project object (identifier, name). */
int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err);
/** Decode a project's members (a plain list of users) for assignee names. */
int batch_set_members(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err);
/** The scripts' needs: one page of a project's labels. */
int batch_add_labels_page(struct batch *b, const char *pid, const char *body, size_t len,
                          const char *where, struct page_info *pi, char *err);
/** A project's current cycles (a plain array); *ids (malloc'd, *n of them) names them. */
int batch_set_cycles(struct batch *b, const char *pid, const char *body, size_t len, const char *where,
                     char ***ids, size_t *n, char *err);
/** One page of a project's modules; *ids names those on it whose issues are read (the
 *  modules neither completed nor cancelled). */
int batch_add_modules_page(struct batch *b, const char *pid, const char *body, size_t len,
                           const char *where, struct page_info *pi, char ***ids, size_t *n, char *err);
/** One page of the issues (ids) of cycle or module `of` of project pid; need: "cycles" or
 *  "modules". */
int batch_add_items_of(struct batch *b, const char *pid, const char *need, const char *of, const char *body,
                       size_t len, const char *where, struct page_info *pi, char *err);
/** Forget what need ("labels", "cycles", "modules") brought for project pid. */
void batch_drop_need(struct batch *b, const char *pid, const char *need);
/** What the sync fetched (projects with their states and members, issues) and the last
 *  posted card's rows (previous, NULL: none) as JSON that batch_add_issues_file reads
 *  back; *json is malloc'd. Holds no secret. */
int batch_save(struct batch *b, const struct state_row *previous, size_t nprevious, char **json, size_t *len,
               char *err);
/** Load a saved sync (batch_save), or a saved issue list (a Plane page, or a JSON array of
 *  issues) for preview: then projects and their states are derived from the issues. */
int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err);
