/* One sync's issues, projects and states, held in the scripts' Lua state: Plane's pages
 * go in as they arrive (decoded by host/batch.lua), the rendering reads them out. */
#pragma once
#include <stddef.h>

#include "script.h"

struct batch;

int batch_new(struct script *s, struct batch **out, char *err);
/** The built-in sample (check and reloads run the scripts on it). */
int batch_sample(struct script *s, struct batch **out, char *err);
void batch_free(struct batch *b);
size_t batch_count(const struct batch *b);
struct script *batch_script(const struct batch *b);
/** The batch as an argument of script_host. */
struct script_val batch_val(const struct batch *b);

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
/** Decode a project object (identifier, name). */
int batch_set_project(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err);
/** Decode a project's members (a plain list of users) for assignee names. */
int batch_set_members(struct batch *b, const char *pid, const char *body, size_t len,
                      const char *where, char *err);
/** What the sync fetched (projects with their states and members, issues) as JSON that
 *  batch_add_issues_file reads back; *json is malloc'd. Holds no secret. */
int batch_save(struct batch *b, char **json, size_t *len, char *err);
/** Decode one page of the workspace's projects list (discover). */
int batch_add_projects_page(struct batch *b, const char *body, size_t len, const char *where,
                            struct page_info *pi, char *err);
/** The listed projects that `wanted` names (identifiers or UUIDs, comma-separated; "" or
 *  NULL: all), as a malloc'd comma-separated list of UUIDs ("" when none). */
int batch_choose_projects(struct batch *b, const char *wanted, const char *workspace, char **out,
                          char *err);
/** discover's report on the listed projects and their states, with the config.lua
 *  fragment for the chosen ones (ctx_json: render_ctx's, for the configured states),
 *  as text or JSON; malloc'd. */
int batch_discover(struct batch *b, const char *ctx_json, const char *chosen, int as_json, char **out,
                   char *err);
/** check --online: what the configured states pick in project pid (which was read into
 *  b) and how many of its issues the card would take; malloc'd text, warnings counted. */
int batch_online_project(struct batch *b, const char *ctx_json, const char *pid, char **out,
                         int *warnings, char *err);
/** Load a saved sync (batch_save), or a saved issue list (a Plane page, or a JSON array of
 *  issues) for preview: then projects and their states are derived from the issues. */
int batch_add_issues_file(struct batch *b, const char *body, size_t len, const char *fname,
                          char *err);
