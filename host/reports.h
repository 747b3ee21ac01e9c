/* discover's and check --online's reports (host/onboard.lua) over a batch that
 * onboard.c filled. */
#pragma once

struct batch;
struct digest;

/** The listed projects that `wanted` names (identifiers or UUIDs, comma-separated; "" or
 *  NULL: all), as a malloc'd comma-separated list of UUIDs ("" when none). */
int report_choose_projects(struct batch *b, const char *wanted, const char *workspace, char **out,
                           char *err);
/** discover's report on the listed projects and their states, with the config.lua
 *  fragment for the chosen ones (for d's configured states), as text or JSON; malloc'd. */
int report_discover(struct batch *b, const struct digest *d, const char *chosen, int as_json, char **out,
                    char *err);
/** check --online: what d's configured states pick in project pid (which was read into
 *  b) and how many of its issues the card would take; malloc'd text, warnings counted. */
int report_online_project(struct batch *b, const struct digest *d, const char *pid, char **out,
                          int *warnings, char *err);
