/* The host of a URL and the loopback check, against libcurl's own URL parser (the one
 * that decides where a request goes). Whenever curl reads an http(s) URL whose host is
 * not a loopback address or localhost, our check must not call it loopback. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <strings.h>

#include "fuzz.h"
#include "util.h"

/* Loopback as curl will connect: an IPv4 127/8 or [::1] literal, or the name localhost. */
static int curl_loopback(const char *host) {
  unsigned char a[16];
  char inner[64];
  size_t n = strlen(host);
  if (!strcasecmp(host, "localhost")) return 1;
  if (inet_pton(AF_INET, host, a) == 1) return a[0] == 127;
  if (n >= 2 && n < sizeof inner && host[0] == '[' && host[n - 1] == ']') {
    memcpy(inner, host + 1, n - 2);
    inner[n - 2] = 0;
    static const unsigned char one[16] = {[15] = 1};
    return inet_pton(AF_INET6, inner, a) == 1 && !memcmp(a, one, 16);
  }
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int ready;
  if (!ready) curl_global_init(CURL_GLOBAL_ALL), ready = 1;
  char *url = fuzz_cstr(data, size);
  char scheme[16], host[256];
  memset(host, 0x55, sizeof host);
  int ours = url_host(url, scheme, sizeof scheme, host, sizeof host) == 0;
  int http = ours && (!strcmp(scheme, "http") || !strcmp(scheme, "https"));
  if (ours) FUZZ_CHECK(memchr(host, 0, sizeof host) && host[0], "host not a string");
  int loop = ours && is_loopback_host(host);

  CURLU *u = curl_url();
  char *cs = NULL, *ch = NULL;
  /* the flags libcurl itself uses for CURLOPT_URL */
  if (curl_url_set(u, CURLUPART_URL, url, CURLU_GUESS_SCHEME | CURLU_NON_SUPPORT_SCHEME) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_SCHEME, &cs, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &ch, 0) == CURLUE_OK) {
    int curl_http = !strcasecmp(cs, "http") || !strcasecmp(cs, "https");
    if (http && loop)
      FUZZ_CHECK(curl_http && curl_loopback(ch) && !strcasecmp(cs, scheme),
                 "ours: %s://%s is loopback; curl: %s://%s", scheme, host, cs, ch);
    if (http && curl_http) FUZZ_CHECK(!strcasecmp(cs, scheme), "scheme %s, curl %s", scheme, cs);
  }
  curl_free(cs);
  curl_free(ch);
  curl_url_cleanup(u);
  free(url);
  return 0;
}
