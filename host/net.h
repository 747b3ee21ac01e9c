/* The network settings of one destination (Plane or Teams): its proxy and the CAs it
 * trusts in addition to the system's; what `check` says about them. */
#pragma once
#include <stddef.h>

#include "util.h"

struct net_dest {
  char *proxy;      /* a proxy URL; "" for none; NULL: the standard environment (libcurl's rules) */
  char *ca_file;    /* PEM CAs added to the system's; NULL: the system's only */
  char *ca_pem;     /* loaded: the system bundle followed by ca_file (what libcurl is given) */
  size_t ca_pem_len;
  int ca_count;     /* certificates in ca_file */
  int system_count; /* certificates read from the system bundle (0: it could not be read) */
};

/** Read dest->ca_file and join it to the system bundle; err: what is wrong with the file.
 *  A missing, unreadable or certificate-less file is an error. Nothing to do without one. */
int net_load_ca(struct net_dest *d, char *err);
/** Check a proxy URL: http://, https://, socks4(a)://, socks5(h):// with a host. */
int net_proxy_valid(const char *url);
/** "http://(redacted)@proxy:3128": the proxy URL without its credentials, path or query. */
void net_redact_proxy(const char *url, char *out, size_t n);
/** The "user:password" part of a proxy URL into out ("" when none), to redact from logs. */
void net_proxy_credentials(const char *url, char *out, size_t n);
/** Lines for `check`: the proxy used for url and where it comes from, and the CA file. */
void net_describe(const char *label, const char *setting_prefix, const struct net_dest *d, const char *url,
                  struct buf *out);
/** The system CA bundle libcurl uses (CURLINFO_CAINFO), or NULL. */
const char *net_system_bundle(void);
void net_dest_free(struct net_dest *d);
void net_dest_copy(struct net_dest *to, const struct net_dest *from);
