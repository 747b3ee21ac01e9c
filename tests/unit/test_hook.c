/* hook.c, the typed seam: results are read by field name, and a field that is missing or
 * of another type, or a hook that does not exist, fails loudly with the hook's and the
 * field's names. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "batch.h"
#include "check.h"
#include "hook.h"
#include "script.h"

struct in_batch {
  int batch;
};
static const struct hook_field IN[] = {{"batch", HF_REF, offsetof(struct in_batch, batch), 0, NULL, 0, 0}};

struct out_int {
  long long v;
};
struct out_str {
  char *s;
};

static int call(struct script *s, const char *fn, const struct hook_field *out, size_t nout, int batch,
                void *res, char *err) {
  struct hook h = {fn, IN, 1, out, nout};
  struct in_batch in = {batch};
  return hook_call(s, &h, &in, res, err);
}

int main(void) {
  char err[ERR_LEN];
  struct script *s = NULL;
  struct batch *b = NULL;
  CHECK(script_open("scripts", &s, err) == 0);
  CHECK(batch_sample(s, &b, err) == 0);
  CHECK(batch_count(b) == 7); /* the real hook, by its real field */

  /* the right name and type */
  static const struct hook_field COUNT[] = {{"count", HF_INT, offsetof(struct out_int, v), 0, NULL, 0, 0}};
  struct out_int n = {0};
  CHECK(call(s, "count", COUNT, 1, batch_ref(b), &n, err) == 0);
  CHECK(n.v == 7);

  /* a field the hook does not return */
  static const struct hook_field TOTAL[] = {{"total", HF_INT, offsetof(struct out_int, v), 0, NULL, 0, 0}};
  CHECK(call(s, "count", TOTAL, 1, batch_ref(b), &n, err) < 0);
  CHECK_STR(err, "internal: hook count returned nil as field 'total', expected an integer");

  /* the right name, another type */
  static const struct hook_field AS_STR[] = {{"count", HF_STR, offsetof(struct out_str, s), 0, NULL, 0, 0}};
  struct out_str str = {NULL};
  CHECK(call(s, "count", AS_STR, 1, batch_ref(b), &str, err) < 0);
  CHECK_STR(err, "internal: hook count returned number as field 'count', expected a string");
  CHECK(str.s == NULL);

  /* a number where an integer is expected: render's figures cannot turn into others */
  static const struct hook_field NUM[] = {{"count", HF_NUM, offsetof(struct out_int, v), 0, NULL, 0, 0}};
  double d = 0;
  CHECK(call(s, "count", NUM, 1, batch_ref(b), &d, err) == 0 && d == 7.0);

  /* an argument the hook reads and the C side did not send */
  struct hook no_batch = {"count", NULL, 0, COUNT, 1};
  CHECK(hook_call(s, &no_batch, NULL, &n, err) < 0);
  CHECK(strstr(err, "internal: hook count: no argument 'batch'") != NULL);

  /* a hook that does not exist */
  CHECK(call(s, "no_such_hook", COUNT, 1, batch_ref(b), &n, err) < 0);
  CHECK_STR(err, "internal: host/hooks.lua has no hook no_such_hook");

  batch_free(b);
  script_close(s);
  return CHECK_DONE();
}
