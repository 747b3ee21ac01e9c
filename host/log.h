/* Logging: one human line per event on stderr, JSON lines in a size-rotated file,
 * and redaction of secrets at the last moment before anything is written. */
#pragma once
#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARNING, LOG_ERROR };

/** A structured field of a log event; arrays of them end with {0}. */
struct log_field {
  const char *key;
  const char *str; /* string value, or NULL for a number */
  double num;
};
#define LF_S(k, v) {(k), (v), 0}
#define LF_N(k, v) {(k), NULL, (double)(v)}
#define LF(...) ((const struct log_field[]){__VA_ARGS__, {0}})

/** Parse "debug", "info", "warning" (or "warn"), "error"; -1 when unknown. */
int log_level_parse(const char *s);
const char *log_level_name(enum log_level l);

void log_set_level(enum log_level l);
/** Open the JSON log file (creating its folder); rotates at max_bytes keeping `keep`
 *  old files. path NULL or "" disables the file. */
int log_open_file(const char *path, size_t max_bytes, int keep, char *err);
void log_close(void);

/** Register a secret: every occurrence is replaced before a line is written. */
void log_add_secret(const char *secret);
void log_clear_secrets(void);
/** Redact registered secrets and token-looking strings of s into a new string. */
char *log_redact(const char *s);

/** Write an event. digest may be NULL; fields may be NULL. */
void log_event(enum log_level l, const char *digest, const struct log_field *fields,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#define log_debug(d, f, ...) log_event(LOG_DEBUG, d, f, __VA_ARGS__)
#define log_info(d, f, ...) log_event(LOG_INFO, d, f, __VA_ARGS__)
#define log_warn(d, f, ...) log_event(LOG_WARNING, d, f, __VA_ARGS__)
#define log_error(d, f, ...) log_event(LOG_ERROR, d, f, __VA_ARGS__)
