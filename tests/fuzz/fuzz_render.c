/* A Plane issues page through the batch decoder and the shipped scripts into a Teams
 * envelope: valid JSON, within the budget. The project and its states are fixed; the
 * input is the body of GET …/issues/. Run from the repository root (scripts/). */
#include "fuzz.h"
#include "json.h"
#include "render.h"
#include "script.h"

#define PID "4af68566-94a4-4eb3-94aa-50dc9427067b"

static const char project[] = "{\"id\":\"" PID "\",\"identifier\":\"WEB\",\"name\":\"Site web\"}";
static const char states[] =
    "{\"results\":[{\"id\":\"daaf8056-e88d-40ba-b527-d58f3e518059\",\"name\":\"En cours\","
    "\"color\":\"#F59E0B\",\"group\":\"started\"},{\"id\":\"9ce312cc-0018-4864-9867-064939dda809\","
    "\"name\":\"A faire\",\"color\":\"#60646C\",\"group\":\"unstarted\"}],\"next_page_results\":false}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static struct script *s;
  char err[ERR_LEN];
  struct batch *b = NULL;
  struct page_info pi;
  struct render_out out;
  if (!s && script_open("scripts", &s, err) < 0) {
    fprintf(stderr, "%s (run from the repository root)\n", err);
    abort();
  }
  static struct state_sel sel[] = {{"daaf8056-e88d-40ba-b527-d58f3e518059", "En cours", "started"},
                                   {"9ce312cc-0018-4864-9867-064939dda809", "A faire", "unstarted"}};
  static char *previous[] = {"0fd630f1-f29d-4da9-953f-48f1a09f76b5"};
  static char *projects[] = {PID};
  static struct digest d = {.name = "main", .app_url = "https://app.plane.so", .workspace = "acme",
                            .projects = projects, .nprojects = 1, .tz = "Europe/Paris",
                            .states = sel, .nstates = 2, .limit = 10, .budget = 24000,
                            .language = "en"};
  struct state st = {.last_sync = "2026-11-27T08:00:00+01:00", .last_issues = previous, .nlast = 1};
  const time_t now = 1795849200; /* 2026-11-28T08:00:00+01:00 */
  memset(&out, 0, sizeof out);
  FUZZ_CHECK(batch_new(s, &b, err) == 0, "%s", err);
  FUZZ_CHECK(batch_set_project(b, PID, project, strlen(project), "project", err) == 0, "%s", err);
  FUZZ_CHECK(batch_add_states_page(b, PID, states, strlen(states), "states", &pi, err) == 0, "%s", err);
  memset(err, 0x55, sizeof err);
  if (batch_add_issues_page(b, PID, (const char *)data, size, "issues", &pi, err) < 0) {
    FUZZ_CHECK(memchr(err, 0, sizeof err) && err[0], "no error message");
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "page refused: %s\n", err);
    goto done;
  }
  FUZZ_CHECK(memchr(pi.next_cursor, 0, sizeof pi.next_cursor), "next_cursor not a string");
  memset(err, 0x55, sizeof err);
  if (render_batch(b, &d, now, &st, 0, &out, err) < 0) {
    FUZZ_CHECK(memchr(err, 0, sizeof err) && err[0], "no error message");
    if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "render failed: %s\n", err);
    goto done;
  }
  if (getenv("FUZZ_VERBOSE")) fprintf(stderr, "envelope: %zu bytes, %zu rows\n", out.size, out.posted);
  FUZZ_CHECK(out.envelope && !out.skipped, "no envelope");
  FUZZ_CHECK(out.size == strlen(out.envelope), "size %zu, text %zu", out.size, strlen(out.envelope));
  FUZZ_CHECK(out.size <= d.budget, "%zu bytes over a budget of %zu", out.size, d.budget);
  FUZZ_CHECK(out.posted <= (size_t)d.limit && out.posted <= out.matching, "%zu rows", out.posted);
  struct json *v = NULL;
  FUZZ_CHECK(json_parse(out.envelope, out.size, &v, err) == 0, "envelope: %s", err);
  FUZZ_CHECK(v->type == JSON_OBJECT, "envelope not an object");
  json_free(v);
done:
  render_out_free(&out);
  batch_free(b);
  return 0;
}
