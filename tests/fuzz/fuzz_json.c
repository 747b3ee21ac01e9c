/* The strict JSON parser (state files): whatever it accepts, written back out and parsed
 * again, is the same value; whatever it refuses gets one line naming the byte. */
#include <math.h>

#include "fuzz.h"
#include "json.h"

static void write_value(struct buf *b, const struct json *v) {
  switch (v->type) {
    case JSON_NULL: buf_adds(b, "null"); break;
    case JSON_BOOL: buf_adds(b, v->boolean ? "true" : "false"); break;
    case JSON_NUMBER:
      if (isinf(v->number)) buf_adds(b, v->number > 0 ? "1e999" : "-1e999");
      else buf_printf(b, "%.17g", v->number);
      break;
    case JSON_STRING: json_add_string(b, v->string); break;
    case JSON_ARRAY:
    case JSON_OBJECT:
      buf_addc(b, v->type == JSON_ARRAY ? '[' : '{');
      for (size_t i = 0; i < v->n; i++) {
        if (i) buf_addc(b, ',');
        if (v->type == JSON_OBJECT) {
          json_add_string(b, v->keys[i]);
          buf_addc(b, ':');
        }
        write_value(b, &v->items[i]);
      }
      buf_addc(b, v->type == JSON_ARRAY ? ']' : '}');
      break;
  }
}

static int same(const struct json *a, const struct json *b) {
  if (a->type != b->type) return 0;
  switch (a->type) {
    case JSON_NULL: return 1;
    case JSON_BOOL: return a->boolean == b->boolean;
    case JSON_NUMBER: return a->number == b->number;
    case JSON_STRING: return !strcmp(a->string, b->string);
    default: break;
  }
  if (a->n != b->n) return 0;
  for (size_t i = 0; i < a->n; i++) {
    if (a->type == JSON_OBJECT && strcmp(a->keys[i], b->keys[i])) return 0;
    if (!same(&a->items[i], &b->items[i])) return 0;
  }
  return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char err[ERR_LEN];
  struct json *v = NULL, *back = NULL;
  memset(err, 0x55, sizeof err);
  if (json_parse((const char *)data, size, &v, err) < 0) {
    FUZZ_CHECK(v == NULL, "a refused text left a value");
    FUZZ_CHECK(fuzz_one_line(err, sizeof err) && strstr(err, "at byte"), "error: %.80s", err);
    return 0;
  }
  FUZZ_CHECK(!memchr(data, 0, size), "a NUL byte was accepted");
  struct buf b;
  buf_init(&b);
  write_value(&b, v);
  int rc = json_parse(b.data, b.len, &back, err);
  FUZZ_CHECK(rc == 0, "the written value does not parse: %s: %.200s", err, b.data);
  FUZZ_CHECK(same(v, back), "the value changed: %.200s", b.data);
  json_free(back);
  json_free(v);
  buf_free(&b);
  return 0;
}
