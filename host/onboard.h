/* The first ten minutes: `discover` (the workspace's projects and their states, and a
 * config.lua fragment for them) and `check --online` (the configuration proved against
 * Plane, without posting). Both return an exit code (daemon.h) and print to stdout. */
#pragma once

#include "config.h"
#include "script.h"

/** List the projects the API key sees in the first digest's workspace, each project's
 *  states, and the config.lua fragment for the projects `wanted` names (identifiers or
 *  UUIDs, comma-separated; NULL: the configured projects, else all). */
int onboard_discover(const struct config *cfg, struct script *s, const char *wanted, int as_json);

/** For every digest: read each project, show what each configured state picks there and
 *  by what, warn when one picks nothing or a project adds nothing to today's card, and
 *  name the webhook's kind. EXIT_SYNC when a project cannot be read. */
int onboard_check_online(const struct config *cfg, struct script *s);
