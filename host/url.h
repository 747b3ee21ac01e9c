/* The userinfo of a URL (scheme://user:password@host/…) is a credential: finding it,
 * taking it out of links, hiding it when a URL is shown. */
#pragma once
#include <stddef.h>

/** The userinfo of url into out; -1 when there is none (or it is empty). */
int url_userinfo(const char *url, char *out, size_t n);
/** Remove "user:password@" from url, in place. */
void url_strip_userinfo(char *url);
/** For showing: scheme://(redacted)@host/…, in place in a buffer of n bytes. */
void url_redact_userinfo(char *url, size_t n);
