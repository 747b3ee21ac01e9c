/* preview --html: a self-contained page that renders a Teams message with
 * Microsoft's Adaptive Cards renderer and a Teams-like (light) host config. */
#pragma once
#include <stddef.h>

#include "util.h"

/** Where the renderer bundle (adaptivecards.min.js) is: $PLANE_TEAMS_RENDERER, then
 *  tools/cardcheck/node_modules/adaptivecards/dist/ beside the binary's source tree or
 *  the working directory, then /usr/share/plane-teams/. NULL with err when none. */
char *html_find_renderer(char *err);

/** tools/cardcheck/check.js (Microsoft's renderer and the 1.2 schema, run with Node)
 *  beside the binary's source tree or in the working directory; NULL when absent. */
char *html_find_checker(void);

/** The page for envelope (len bytes), with the renderer's code inlined. */
int html_page(const char *envelope, size_t len, const char *renderer_path, struct buf *out, char *err);
