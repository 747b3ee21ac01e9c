/* How Teams answers are classified, and which hosts are legacy connectors. */
#include <string.h>

#include "check.h"
#include "teams.h"

static void test_classify(void) {
  char why[512];
  CHECK(teams_classify("prod-01.westeurope.logic.azure.com", 202, "", why, sizeof why) == TEAMS_ACCEPTED);
  CHECK(teams_classify("x.webhook.office.com", 200, "1", why, sizeof why) == TEAMS_ACCEPTED);
  CHECK(teams_classify("x.webhook.office.com", 200, "Webhook message delivery failed with error: "
                       "Microsoft Teams endpoint returned HTTP error 429 with ContextId x", why, sizeof why) == TEAMS_RETRY);
  CHECK(teams_classify("x.webhook.office.com", 200, "Webhook message delivery failed with error: "
                       "Microsoft Teams endpoint returned HTTP error 413 with ContextId x", why, sizeof why) == TEAMS_REFUSED);
  CHECK(strstr(why, "did not deliver") != NULL);
  CHECK(teams_classify("x.webhook.office.com", 200, "Summary or Text is required.", why, sizeof why) == TEAMS_REFUSED);
  CHECK(teams_classify("127.0.0.1", 429, "", why, sizeof why) == TEAMS_RETRY);
  CHECK(teams_classify("127.0.0.1", 408, "", why, sizeof why) == TEAMS_RETRY);
  CHECK(teams_classify("127.0.0.1", 503, "", why, sizeof why) == TEAMS_RETRY);
  CHECK(teams_classify("127.0.0.1", 400, "{\"error\":{\"code\":\"InvalidRequestContent\"}}", why, sizeof why) == TEAMS_REFUSED);
  CHECK(strstr(why, "InvalidRequestContent") != NULL);
  CHECK(teams_classify("127.0.0.1", 404, "", why, sizeof why) == TEAMS_REFUSED);
  CHECK(teams_classify("127.0.0.1", 413, "", why, sizeof why) == TEAMS_REFUSED && strstr(why, "too large"));
}

/* Every host form of an Office 365 connector: a 200 that is not "1" is not delivered,
 * and teams_kind calls it a legacy connector. */
static void test_legacy_hosts(void) {
  static const struct {
    const char *host, *url;
  } forms[] = {
      {"outlook.office.com", "https://outlook.office.com/webhook/g@t/IncomingWebhook/0123/abcd"},
      {"outlook.office365.com", "https://outlook.office365.com/webhook/g@t/IncomingWebhook/0123/abcd"},
      {"contoso.webhook.office.com", "https://contoso.webhook.office.com/webhookb2/g@t/IncomingWebhook/0123/abcd"},
      {"contoso.webhook.office365.com", "https://contoso.webhook.office365.com/webhookb2/g@t/IncomingWebhook/0123/abcd"},
      {"Outlook.Office365.COM", "https://Outlook.Office365.COM/webhook/g@t/IncomingWebhook/0123/abcd"},
  };
  char why[512], note[512];
  for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
    const char *h = forms[i].host;
    int ok = teams_is_legacy_host(h) &&
             teams_classify(h, 200, "Summary or Text is required.", why, sizeof why) == TEAMS_REFUSED &&
             teams_classify(h, 200, "1", why, sizeof why) == TEAMS_ACCEPTED &&
             !strcmp(teams_kind(forms[i].url, note, sizeof note), "legacy connector");
    CHECK(ok);
    if (!ok) fprintf(stderr, "  legacy host %s\n", h);
  }
  static const char *const not_legacy[] = {"office.com", "evil-outlook.office.com.example.org",
                                           "webhook.office.com.example.org", "prod-01.westeurope.logic.azure.com",
                                           "127.0.0.1"};
  for (size_t i = 0; i < sizeof not_legacy / sizeof *not_legacy; i++) {
    CHECK(!teams_is_legacy_host(not_legacy[i]));
    CHECK(teams_classify(not_legacy[i], 200, "Summary or Text is required.", why, sizeof why) == TEAMS_ACCEPTED);
  }
}

int main(void) {
  test_classify();
  test_legacy_hosts();
  return CHECK_DONE();
}
