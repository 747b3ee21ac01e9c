#include "url.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *userinfo_span(const char *url, size_t *len) {
  const char *p = strstr(url, "://");
  if (!p) return NULL;
  p += 3;
  size_t n = strcspn(p, "/?#");
  const char *at = NULL;
  for (size_t i = 0; i < n; i++)
    if (p[i] == '@') at = p + i;
  if (!at) return NULL;
  *len = (size_t)(at - p);
  return p;
}

int url_userinfo(const char *url, char *out, size_t n) {
  size_t len;
  const char *p = userinfo_span(url, &len);
  if (!p || !len) return -1;
  snprintf(out, n, "%.*s", (int)len, p);
  return 0;
}

void url_strip_userinfo(char *url) {
  size_t len;
  char *p = (char *)userinfo_span(url, &len);
  if (p) memmove(p, p + len + 1, strlen(p + len + 1) + 1);
}

void url_redact_userinfo(char *url, size_t n) {
  size_t len;
  const char *p = userinfo_span(url, &len);
  if (!p) return;
  char *rest = xstrdup(p + len);
  snprintf((char *)p, n - (size_t)(p - url), "(redacted)%s", rest);
  free(rest);
}
