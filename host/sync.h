/* One digest's run: fetch → transform → card → budget → record attempt → post →
 * record outcome → log. The only place that knows the order of the steps. */
#pragma once

struct digest;
struct http;
struct loop;
struct plane;
struct script;

struct sync_env {
  struct loop *loop;
  struct http *http;
  struct plane *plane;
};

struct sync_opts {
  int dry_run;      /* build the message, post nothing, leave the state alone */
  const char *output; /* dry run: where the envelope goes (NULL: stdout) */
  const char *metrics_file; /* Prometheus text file to update after the sync, or NULL */
  const char *save;   /* dry run: where to write what was fetched (batch_save), or NULL */
};

enum sync_result { SYNC_OK = 0, SYNC_FAILED = 1 };

typedef void (*sync_done_cb)(enum sync_result r, void *ud);

struct sync;

/** Start a sync of d with the scripts s (kept alive by the caller until done). */
int sync_start(const struct sync_env *env, struct script *s, const struct digest *d,
               const struct sync_opts *o, sync_done_cb cb, void *ud, struct sync **out, char *err);
/** True while the POST is in flight (a stop should let it finish). */
int sync_posting(const struct sync *sy);
/** Stop now: no callback. A POST in flight is abandoned (its attempt stays recorded). */
void sync_abandon(struct sync *sy);
