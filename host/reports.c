#include "reports.h"

#include <stddef.h>
#include <stdlib.h>

#include "batch.h"
#include "config.h"
#include "hook.h"
#include "render.h"
#include "util.h"

#define F(st, n, t, m) {n, t, offsetof(struct st, m), 0, NULL, 0, 0}

/* ---- the hooks (host/hooks.lua, host/onboard.lua) ---------------------------------- */

struct choose_in {
  int batch;
  const char *wanted, *workspace;
};
static const struct hook_field CHOOSE_IN[] = {F(choose_in, "batch", HF_REF, batch),
                                              F(choose_in, "wanted", HF_STR, wanted),
                                              F(choose_in, "workspace", HF_STR, workspace)};

/* discover and check --online: the batch, the digest's configured states and what to
 * report on. */
struct report_in {
  int batch;
  const char *workspace;
  long long limit;
  const struct state_sel *states;
  size_t nstates;
  const char *chosen, *pid;
  int as_json;
};
static const struct hook_field REPORT_IN[] = {
    F(report_in, "batch", HF_REF, batch), F(report_in, "workspace", HF_STR, workspace),
    F(report_in, "limit", HF_INT, limit),
    {"states", HF_RECORDS, offsetof(struct report_in, states), offsetof(struct report_in, nstates),
     render_state_fields, 3, sizeof(struct state_sel)},
    F(report_in, "chosen", HF_STR, chosen), F(report_in, "pid", HF_STR, pid),
    F(report_in, "as_json", HF_BOOL, as_json)};

struct report_out {
  char *text;
  long long warnings;
};
static const struct hook_field TEXT_OUT[] = {F(report_out, "text", HF_STR, text)};
static const struct hook_field REPORT_OUT[] = {F(report_out, "text", HF_STR, text),
                                               F(report_out, "warnings", HF_INT, warnings)};

static const struct hook CHOOSE = {"choose_projects", HOOK_FIELDS(CHOOSE_IN), HOOK_FIELDS(TEXT_OUT)};
static const struct hook DISCOVER = {"discover", HOOK_FIELDS(REPORT_IN), HOOK_FIELDS(TEXT_OUT)};
static const struct hook ONLINE = {"online_project", HOOK_FIELDS(REPORT_IN), HOOK_FIELDS(REPORT_OUT)};

/* ---- the reports ------------------------------------------------------------------- */

int report_choose_projects(struct batch *b, const char *wanted, const char *workspace, char **out,
                           char *err) {
  struct choose_in in = {batch_ref(b), wanted ? wanted : "", workspace};
  struct report_out res = {0};
  if (hook_call(batch_script(b), &CHOOSE, &in, &res, err) < 0) return -1;
  *out = res.text;
  return 0;
}

static struct report_in report_in(struct batch *b, const struct digest *d) {
  struct report_in in = {batch_ref(b), d->workspace, d->limit, d->states, d->nstates, NULL, NULL, 0};
  return in;
}

int report_discover(struct batch *b, const struct digest *d, const char *chosen, int as_json, char **out,
                    char *err) {
  struct report_in in = report_in(b, d);
  struct report_out res = {0};
  in.chosen = chosen;
  in.as_json = as_json;
  if (hook_call(batch_script(b), &DISCOVER, &in, &res, err) < 0) return -1;
  *out = res.text;
  return 0;
}

int report_online_project(struct batch *b, const struct digest *d, const char *pid, char **out,
                          int *warnings, char *err) {
  struct report_in in = report_in(b, d);
  struct report_out res = {0};
  in.pid = pid;
  if (hook_call(batch_script(b), &ONLINE, &in, &res, err) < 0) return -1;
  *out = res.text;
  *warnings = (int)res.warnings;
  return 0;
}
