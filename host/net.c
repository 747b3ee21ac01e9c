#include "net.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char pem_begin[] = "-----BEGIN CERTIFICATE-----";

static int count_certs(const char *pem) {
  int n = 0;
  for (const char *p = pem; (p = strstr(p, pem_begin)); p += sizeof pem_begin - 1) n++;
  return n;
}

const char *net_system_bundle(void) {
  static char path[1024];
  static int done;
  if (!done) {
    CURL *e = curl_easy_init();
    char *p = NULL;
    if (e && curl_easy_getinfo(e, CURLINFO_CAINFO, &p) == CURLE_OK && p) snprintf(path, sizeof path, "%s", p);
    if (e) curl_easy_cleanup(e);
    done = 1;
  }
  return path[0] ? path : NULL;
}

/* libcurl's CURLOPT_CAINFO replaces the system bundle: so the bundle given to it is the
 * system's followed by the added file, read once here. */
int net_load_ca(struct net_dest *d, char *err) {
  char *mine = NULL, *sys = NULL, e2[ERR_LEN];
  size_t mine_len = 0, sys_len = 0;
  const char *bundle = net_system_bundle();
  if (!d->ca_file) return 0;
  FILE *f = fopen(d->ca_file, "rb");
  if (!f) return errf(err, "= %s cannot be read (%s): it must name a PEM file of CA certificates", d->ca_file,
                      strerror(errno));
  fclose(f);
  if (read_file(d->ca_file, &mine, &mine_len, e2) < 0)
    return errf(err, "= %s cannot be read (%s): it must name a PEM file of CA certificates", d->ca_file, e2);
  d->ca_count = count_certs(mine);
  if (!d->ca_count) {
    free(mine);
    return errf(err, "= %s holds no PEM certificate (no \"%s\" line)", d->ca_file, pem_begin);
  }
  struct buf b;
  buf_init(&b);
  if (bundle && read_file(bundle, &sys, &sys_len, e2) == 0) {
    d->system_count = count_certs(sys);
    buf_add(&b, sys, sys_len);
    buf_addc(&b, '\n');
  }
  buf_add(&b, mine, mine_len);
  buf_addc(&b, 0);
  d->ca_pem_len = b.len - 1;
  d->ca_pem = buf_steal(&b);
  free(mine);
  free(sys);
  return 0;
}

int net_proxy_valid(const char *url) {
  static const char *const schemes[] = {"http", "https", "socks4", "socks4a", "socks5", "socks5h", NULL};
  char scheme[16], host[256];
  if (!*url) return 1;
  for (const char *p = url; *p; p++)
    if ((unsigned char)*p <= ' ' || *p == 0x7f) return 0;
  if (url_host(url, scheme, sizeof scheme, host, sizeof host) < 0) return 0;
  for (const char *const *s = schemes; *s; s++)
    if (!strcmp(scheme, *s)) return 1;
  return 0;
}

/* The scheme://[userinfo@]host:port part of a URL, split. */
static void split(const char *url, const char **hp, size_t *hn, const char **up, size_t *un) {
  const char *p = strstr(url, "://");
  const char *h = p ? p + 3 : url, *end = h + strcspn(h, "/?#"); /* the environment may omit http:// */
  *up = h;
  *un = 0;
  for (const char *at = h; at < end; at++)
    if (*at == '@') {
      *un = (size_t)(at - h);
      h = at + 1;
    }
  *hp = h;
  *hn = (size_t)(end - h);
}

void net_redact_proxy(const char *url, char *out, size_t n) {
  const char *h, *u;
  size_t hn, un;
  if (!url || !*url) {
    snprintf(out, n, "none");
    return;
  }
  split(url, &h, &hn, &u, &un);
  snprintf(out, n, "%.*s%s%.*s", (int)(u - url), url, un ? "(redacted)@" : "", (int)hn, h);
}

void net_proxy_credentials(const char *url, char *out, size_t n) {
  const char *h, *u;
  size_t hn, un;
  out[0] = 0;
  if (!url) return;
  split(url, &h, &hn, &u, &un);
  if (un) snprintf(out, n, "%.*s", (int)un, u);
}

static const char *env2(const char *lower, const char *upper, const char **name) {
  const char *v = getenv(lower);
  *name = lower;
  if ((!v || !*v) && upper) {
    v = getenv(upper);
    *name = upper;
  }
  return v && *v ? v : NULL;
}

/* An IPv4 host inside an "a.b.c.d/n" entry (libcurl 7.86 and later). */
static int in_cidr(const char *entry, size_t len, const char *host) {
  char net[64];
  struct in_addr a, h;
  const char *slash = memchr(entry, '/', len);
  if (!slash || len >= sizeof net) return 0;
  snprintf(net, sizeof net, "%.*s", (int)(slash - entry), entry);
  int bits = atoi(slash + 1);
  if (bits < 0 || bits > 32 || inet_pton(AF_INET, net, &a) != 1 || inet_pton(AF_INET, host, &h) != 1) return 0;
  uint32_t mask = bits ? htonl(0xffffffffu << (32 - bits)) : 0;
  return (a.s_addr & mask) == (h.s_addr & mask);
}

/* libcurl's NO_PROXY test: "*", a host name equal to an entry or inside its domain
 * (a leading dot allowed), an address as written, or inside an IPv4 range. */
static int no_proxy_matches(const char *list, const char *host) {
  size_t hl = strlen(host);
  if (host[0] == '[' && hl > 2) host++, hl -= 2;
  for (const char *p = list; *p;) {
    p += strspn(p, ", \t");
    size_t len = strcspn(p, ", \t");
    const char *e = p;
    if (len == 1 && *p == '*') return 1;
    if (in_cidr(p, len, host)) return 1;
    if (len && *e == '.') e++, len--;
    if (len && hl >= len && !strncasecmp(host + hl - len, e, len) && (hl == len || host[hl - len - 1] == '.'))
      return 1;
    p = e + len;
  }
  return 0;
}

void net_describe(const char *label, const char *prefix, const struct net_dest *d, const char *url,
                  struct buf *out) {
  char shown[300], scheme[16] = "https", host[256] = "";
  const char *var = NULL, *v, *nvar = NULL, *np;
  if (url) url_host(url, scheme, sizeof scheme, host, sizeof host);
  if (d->proxy) {
    net_redact_proxy(d->proxy, shown, sizeof shown);
    buf_printf(out, "  %s proxy: %s (%s_proxy%s)\n", label, shown, prefix,
               d->proxy[0] ? "; NO_PROXY does not apply" : " is \"\": direct, whatever the environment says");
  } else {
    /* libcurl: <scheme>_proxy (lower case only for http: HTTP_PROXY is ignored), then ALL_PROXY */
    v = env2(!strcmp(scheme, "http") ? "http_proxy" : "https_proxy", !strcmp(scheme, "http") ? NULL : "HTTPS_PROXY",
             &var);
    if (!v) v = env2("all_proxy", "ALL_PROXY", &var);
    np = env2("no_proxy", "NO_PROXY", &nvar);
    if (!v) buf_printf(out, "  %s proxy: none (%s_proxy not set, no proxy variable in the environment)\n", label, prefix);
    else if (np && host[0] && no_proxy_matches(np, host)) {
      net_redact_proxy(v, shown, sizeof shown);
      buf_printf(out, "  %s proxy: none (%s matches %s; the environment's %s is %s)\n", label, nvar, host, var, shown);
    } else {
      net_redact_proxy(v, shown, sizeof shown);
      buf_printf(out, "  %s proxy: %s (the environment's %s)\n", label, shown, var);
    }
  }
  const char *sys = net_system_bundle();
  if (!d->ca_file) buf_printf(out, "  %s_ca_file: (not set: the system's CAs%s%s)\n", prefix, sys ? ", " : "", sys ? sys : "");
  else
    buf_printf(out, "  %s_ca_file: %s (%d certificate%s, trusted in addition to the system's %d in %s)\n", prefix,
               d->ca_file, d->ca_count, d->ca_count == 1 ? "" : "s", d->system_count, sys ? sys : "(none)");
}

void net_dest_free(struct net_dest *d) {
  free(d->proxy);
  free(d->ca_file);
  free(d->ca_pem);
  memset(d, 0, sizeof *d);
}

void net_dest_copy(struct net_dest *to, const struct net_dest *from) {
  memset(to, 0, sizeof *to);
  to->proxy = from->proxy ? xstrdup(from->proxy) : NULL;
  to->ca_file = from->ca_file ? xstrdup(from->ca_file) : NULL;
  if (from->ca_pem) to->ca_pem = xstrndup(from->ca_pem, from->ca_pem_len);
  to->ca_pem_len = from->ca_pem_len;
  to->ca_count = from->ca_count;
  to->system_count = from->system_count;
}
