#include "json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH JSON_MAX_DEPTH

/* ---- writing ----------------------------------------------------------- */

int json_utf8_valid(const char *str, size_t n) {
  const unsigned char *s = (const unsigned char *)str;
  size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    size_t k;
    unsigned cp;
    if (c < 0x80) { i++; continue; }
    if (c >= 0xC2 && c <= 0xDF) k = 1, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF) k = 2, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4) k = 3, cp = c & 0x07;
    else return 0;
    if (i + k >= n) return 0;
    for (size_t j = 1; j <= k; j++) {
      if ((s[i + j] & 0xC0) != 0x80) return 0;
      cp = (cp << 6) | (s[i + j] & 0x3F);
    }
    if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return 0;
    i += k + 1;
  }
  return 1;
}

void json_add_stringn(struct buf *b, const char *s, size_t n) {
  buf_addc(b, '"');
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    buf_add(b, s + start, i - start);
    switch (c) {
      case '"': buf_adds(b, "\\\""); break;
      case '\\': buf_adds(b, "\\\\"); break;
      case '\n': buf_adds(b, "\\n"); break;
      case '\r': buf_adds(b, "\\r"); break;
      case '\t': buf_adds(b, "\\t"); break;
      case 0: buf_adds(b, "\\ufffd"); break; /* a NUL cannot be held by what reads it back */
      default: buf_printf(b, "\\u%04x", c);
    }
    start = i + 1;
  }
  buf_add(b, s + start, n - start);
  buf_addc(b, '"');
}

void json_add_string(struct buf *b, const char *s) { json_add_stringn(b, s, strlen(s)); }

/* ---- parsing ----------------------------------------------------------- */

struct parser {
  const char *s, *end, *start;
  char *err;
};

static int p_fail(struct parser *p, const char *what) {
  return errf(p->err, "%s at byte %zu", what, (size_t)(p->s - p->start));
}

static void p_ws(struct parser *p) {
  while (p->s < p->end && (*p->s == ' ' || *p->s == '\n' || *p->s == '\r' || *p->s == '\t')) p->s++;
}

static void put_utf8(struct buf *b, unsigned cp) {
  char u[4];
  if (cp < 0x80) buf_addc(b, (char)cp);
  else if (cp < 0x800) {
    u[0] = (char)(0xC0 | (cp >> 6)), u[1] = (char)(0x80 | (cp & 0x3F));
    buf_add(b, u, 2);
  } else if (cp < 0x10000) {
    u[0] = (char)(0xE0 | (cp >> 12)), u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    u[2] = (char)(0x80 | (cp & 0x3F));
    buf_add(b, u, 3);
  } else {
    u[0] = (char)(0xF0 | (cp >> 18)), u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    u[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F));
    buf_add(b, u, 4);
  }
}

static int p_hex4(struct parser *p, unsigned *cp) {
  if (p->end - p->s < 4) return p_fail(p, "truncated \\u escape");
  *cp = 0;
  for (int i = 0; i < 4; i++) {
    char c = *p->s++;
    *cp <<= 4;
    if (c >= '0' && c <= '9') *cp |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') *cp |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *cp |= (unsigned)(c - 'A' + 10);
    else return p_fail(p, "bad \\u escape");
  }
  return 0;
}

static int p_string(struct parser *p, char **out) {
  struct buf b;
  buf_init(&b);
  p->s++; /* opening quote */
  while (p->s < p->end && *p->s != '"') {
    unsigned char c = (unsigned char)*p->s;
    if (c < 0x20) goto bad;
    if (c != '\\') {
      buf_addc(&b, (char)c);
      p->s++;
      continue;
    }
    if (++p->s >= p->end) goto bad;
    char esc = *p->s++;
    unsigned cp;
    switch (esc) {
      case '"': buf_addc(&b, '"'); break;
      case '\\': buf_addc(&b, '\\'); break;
      case '/': buf_addc(&b, '/'); break;
      case 'b': buf_addc(&b, '\b'); break;
      case 'f': buf_addc(&b, '\f'); break;
      case 'n': buf_addc(&b, '\n'); break;
      case 'r': buf_addc(&b, '\r'); break;
      case 't': buf_addc(&b, '\t'); break;
      case 'u':
        if (p_hex4(p, &cp) < 0) goto fail;
        if (cp >= 0xDC00 && cp <= 0xDFFF) goto bad_surrogate;
        if (cp >= 0xD800 && cp < 0xDC00) {
          unsigned lo;
          if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u') goto bad_surrogate;
          p->s += 2;
          if (p_hex4(p, &lo) < 0) goto fail;
          if (lo < 0xDC00 || lo > 0xDFFF) goto bad_surrogate;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        }
        if (cp == 0) {
          p_fail(p, "a \\u0000 escape (a NUL byte cannot be held)");
          goto fail;
        }
        put_utf8(&b, cp);
        break;
      default: goto bad;
    }
  }
  if (p->s >= p->end) goto bad;
  p->s++;
  *out = buf_steal(&b);
  return 0;
bad:
  p_fail(p, "bad or unterminated string");
  goto fail;
bad_surrogate:
  p_fail(p, "a \\u escape that is half of a surrogate pair");
fail:
  buf_free(&b);
  return -1;
}

static int p_value(struct parser *p, struct json *v, int depth);

static int p_container(struct parser *p, struct json *v, int depth, int object) {
  size_t cap = 0;
  char close = object ? '}' : ']';
  v->type = object ? JSON_OBJECT : JSON_ARRAY;
  p->s++;
  p_ws(p);
  if (p->s < p->end && *p->s == close) {
    p->s++;
    return 0;
  }
  for (;;) {
    if (v->n == cap) {
      cap = cap ? cap * 2 : 4;
      v->items = xrealloc(v->items, cap * sizeof *v->items);
      if (object) v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
    }
    memset(&v->items[v->n], 0, sizeof v->items[v->n]);
    if (object) {
      p_ws(p);
      if (p->s >= p->end || *p->s != '"') return p_fail(p, "expected a key");
      if (p_string(p, &v->keys[v->n]) < 0) return -1;
      p_ws(p);
      if (p->s >= p->end || *p->s != ':') {
        v->n++;
        return p_fail(p, "expected ':'");
      }
      p->s++;
    }
    v->n++;
    if (p_value(p, &v->items[v->n - 1], depth + 1) < 0) return -1;
    p_ws(p);
    if (p->s < p->end && *p->s == ',') {
      p->s++;
      continue;
    }
    if (p->s < p->end && *p->s == close) {
      p->s++;
      return 0;
    }
    return p_fail(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
  }
}

static int p_literal(struct parser *p, const char *lit) {
  size_t n = strlen(lit);
  if ((size_t)(p->end - p->s) < n || memcmp(p->s, lit, n)) return p_fail(p, "unexpected text");
  p->s += n;
  return 0;
}

static size_t p_digits(const char *s, const char *end) {
  size_t n = 0;
  while (s + n < end && s[n] >= '0' && s[n] <= '9') n++;
  return n;
}

/* number = [ "-" ] ( "0" / 1-9 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "-" / "+" ] 1*DIGIT ]
 * (RFC 8259 section 6); too large a magnitude reads as infinity. */
static int p_number(struct parser *p, struct json *v) {
  const char *s = p->s, *end = p->end;
  if (s < end && *s == '-') s++;
  size_t n = p_digits(s, end);
  if (!n) return p_fail(p, p->s < end && *p->s == '-' ? "bad number" : "unexpected character");
  if (n > 1 && *s == '0') return p_fail(p, "bad number (a leading zero)");
  s += n;
  if (s < end && *s == '.') {
    if (!(n = p_digits(s + 1, end))) return p_fail(p, "bad number");
    s += 1 + n;
  }
  if (s < end && (*s == 'e' || *s == 'E')) {
    s++;
    if (s < end && (*s == '+' || *s == '-')) s++;
    if (!(n = p_digits(s, end))) return p_fail(p, "bad number");
    s += n;
  }
  char *text = xstrndup(p->s, (size_t)(s - p->s));
  v->type = JSON_NUMBER;
  v->number = strtod(text, NULL);
  free(text);
  p->s = s;
  return 0;
}

static int p_value(struct parser *p, struct json *v, int depth) {
  if (depth > MAX_DEPTH) return p_fail(p, "nested too deeply");
  p_ws(p);
  if (p->s >= p->end) return p_fail(p, "unexpected end");
  switch (*p->s) {
    case '{': return p_container(p, v, depth, 1);
    case '[': return p_container(p, v, depth, 0);
    case '"': v->type = JSON_STRING; return p_string(p, &v->string);
    case 't': v->type = JSON_BOOL, v->boolean = 1; return p_literal(p, "true");
    case 'f': v->type = JSON_BOOL, v->boolean = 0; return p_literal(p, "false");
    case 'n': v->type = JSON_NULL; return p_literal(p, "null");
    default: break;
  }
  return p_number(p, v);
}

static void json_clear(struct json *v) {
  free(v->string);
  for (size_t i = 0; i < v->n; i++) {
    json_clear(&v->items[i]);
    if (v->keys) free(v->keys[i]);
  }
  free(v->items);
  free(v->keys);
}

void json_free(struct json *v) {
  if (!v) return;
  json_clear(v);
  free(v);
}

int json_parse(const char *text, size_t len, struct json **out, char *err) {
  struct parser p = {text, text + len, text, err};
  struct json *v = xcalloc(1, sizeof *v);
  if (p_value(&p, v, 0) < 0) goto fail;
  p_ws(&p);
  if (p.s != p.end) {
    p_fail(&p, "trailing characters");
    goto fail;
  }
  *out = v;
  return 0;
fail:
  json_free(v);
  return -1;
}

const struct json *json_get(const struct json *obj, const char *key) {
  if (!obj || obj->type != JSON_OBJECT) return NULL;
  for (size_t i = 0; i < obj->n; i++)
    if (!strcmp(obj->keys[i], key)) return &obj->items[i];
  return NULL;
}
