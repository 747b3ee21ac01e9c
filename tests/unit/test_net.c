/* net.c: proxy URLs shown without credentials, libcurl's NO_PROXY rules as `check`
 * explains them, and the added CAs joined to the system bundle (not replacing it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "net.h"

static void test_redact(void) {
  char out[300];
  net_redact_proxy("http://me:Secret@proxy.corp:3128", out, sizeof out);
  CHECK(!strcmp(out, "http://(redacted)@proxy.corp:3128"));
  net_redact_proxy("http://proxy.corp:3128/path?x=Secret", out, sizeof out);
  CHECK(!strcmp(out, "http://proxy.corp:3128"));
  net_redact_proxy("me:Secret@proxy.corp:3128", out, sizeof out); /* the environment may omit the scheme */
  CHECK(!strcmp(out, "(redacted)@proxy.corp:3128"));
  net_redact_proxy("", out, sizeof out);
  CHECK(!strcmp(out, "none"));
  net_proxy_credentials("http://dom%5Cme:Secret@proxy:3128", out, sizeof out);
  CHECK(!strcmp(out, "dom%5Cme:Secret"));
  net_proxy_credentials("http://proxy:3128", out, sizeof out);
  CHECK(out[0] == 0);
  CHECK(net_proxy_valid("") && net_proxy_valid("http://p:3128") && net_proxy_valid("socks5h://p:1080"));
  CHECK(!net_proxy_valid("proxy:3128") && !net_proxy_valid("ftp://p:21") && !net_proxy_valid("http://p :1"));
  CHECK(!net_proxy_valid("http://p:1\r\nX: y"));
}

static int says(const struct net_dest *d, const char *url, const char *want) {
  struct buf b;
  buf_init(&b);
  net_describe("Teams", "teams", d, url, &b);
  int ok = b.data && strstr(b.data, want) != NULL;
  if (!ok) fprintf(stderr, "  wanted \"%s\" in:\n%s", want, b.data ? b.data : "");
  buf_free(&b);
  return ok;
}

static void test_environment(void) {
  struct net_dest d = {0};
  const char *url = "https://x.webhook.office.com/a";
  unsetenv("https_proxy"), unsetenv("HTTPS_PROXY"), unsetenv("all_proxy"), unsetenv("ALL_PROXY");
  unsetenv("no_proxy"), unsetenv("NO_PROXY"), unsetenv("http_proxy"), unsetenv("HTTP_PROXY");
  CHECK(says(&d, url, "Teams proxy: none (teams_proxy not set"));
  setenv("HTTPS_PROXY", "http://u:pw@up:1", 1);
  CHECK(says(&d, url, "Teams proxy: http://(redacted)@up:1 (the environment's HTTPS_PROXY)"));
  setenv("https_proxy", "http://low:2", 1); /* lower case first, as libcurl */
  CHECK(says(&d, url, "http://low:2 (the environment's https_proxy)"));
  setenv("NO_PROXY", "example.org,.office.com", 1);
  CHECK(says(&d, url, "none (NO_PROXY matches x.webhook.office.com"));
  setenv("NO_PROXY", "webhook.office.com", 1); /* a domain without its dot matches too */
  CHECK(says(&d, url, "none (NO_PROXY matches"));
  setenv("NO_PROXY", "ice.com", 1); /* but not the middle of a label */
  CHECK(says(&d, url, "(the environment's https_proxy)"));
  setenv("NO_PROXY", "10.0.0.0/8", 1);
  CHECK(says(&d, "https://10.1.2.3/x", "none (NO_PROXY matches 10.1.2.3"));
  CHECK(says(&d, "https://11.1.2.3/x", "(the environment's https_proxy)"));
  setenv("NO_PROXY", "*", 1);
  CHECK(says(&d, url, "none (NO_PROXY matches"));
  unsetenv("NO_PROXY");
  /* plain http: only http_proxy, lower case (HTTP_PROXY is ignored on purpose) */
  setenv("HTTP_PROXY", "http://upper:3", 1);
  CHECK(says(&d, "http://127.0.0.1:8/hook", "Teams proxy: none"));
  d.proxy = "";
  CHECK(says(&d, url, "Teams proxy: none (teams_proxy is \"\": direct"));
  d.proxy = "http://cfg:4";
  CHECK(says(&d, url, "Teams proxy: http://cfg:4 (teams_proxy; NO_PROXY does not apply)"));
  unsetenv("https_proxy"), unsetenv("HTTPS_PROXY"), unsetenv("HTTP_PROXY");
}

static void test_ca(void) {
  char err[ERR_LEN], path[] = "/tmp/pt-net-XXXXXX";
  int fd = mkstemp(path);
  CHECK(fd >= 0);
  const char *pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  CHECK(write(fd, pem, strlen(pem)) == (ssize_t)strlen(pem));
  close(fd);
  struct net_dest d = {0};
  CHECK(net_load_ca(&d, err) == 0 && !d.ca_pem); /* nothing to add */
  d.ca_file = path;
  CHECK(net_load_ca(&d, err) == 0);
  CHECK(d.ca_count == 1);
  CHECK(d.ca_pem && strlen(d.ca_pem) == d.ca_pem_len);
  CHECK(d.ca_pem_len >= strlen(pem) && !strcmp(d.ca_pem + d.ca_pem_len - strlen(pem), pem)); /* last */
  const char *sys = net_system_bundle();
  char *sysdata = NULL;
  size_t syslen = 0;
  if (sys && read_file(sys, &sysdata, &syslen, err) == 0) { /* the system's first, whole */
    CHECK(d.system_count > 0);
    CHECK(d.ca_pem_len == syslen + 1 + strlen(pem) && !memcmp(d.ca_pem, sysdata, syslen));
  }
  free(sysdata);
  free(d.ca_pem);
  d.ca_pem = NULL;
  FILE *f = fopen(path, "w");
  fputs("not a certificate\n", f);
  fclose(f);
  CHECK(net_load_ca(&d, err) < 0 && strstr(err, "holds no PEM certificate"));
  unlink(path);
  CHECK(net_load_ca(&d, err) < 0 && strstr(err, "cannot be read"));
}

int main(void) {
  test_redact();
  test_environment();
  test_ca();
  return CHECK_DONE();
}
