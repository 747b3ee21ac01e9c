/* preview --html: a self-contained page (host/preview.html, compiled in) that renders a
 * Teams message with Microsoft's Adaptive Cards renderer and a Teams-like host config. */
#pragma once
#include <stddef.h>

#include "util.h"

/** Where the renderer (adaptivecards.min.js) is: `option` (--renderer) when given, then
 *  $PLANE_TEAMS_RENDERER, then the installed data folder (PT_DATADIR). NULL with err
 *  when the file named is unreadable or none is found. */
char *html_find_renderer(const char *option, char *err);

/** The page for envelope (len bytes), with the renderer's code (read from
 *  renderer_path) and markdown-it's (markdown-it.umd.min.js, beside the renderer or in
 *  its node_modules) inlined; appended to out. */
int html_page(const char *envelope, size_t len, const char *renderer_path, struct buf *out, char *err);
