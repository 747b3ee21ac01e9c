-- plane-teams configuration. A Lua chunk that returns a table of settings.
-- env(NAME [, default]) returns $NAME, or the content of the file named by
-- $NAME_FILE (for secrets), or default. Every key is described in
-- docs/configuration.md; an unknown key is an error.
return {
  -- Plane
  plane_api_token = env("PLANE_API_TOKEN"),              -- secret, sent as X-API-Key
  plane_base_url = env("PLANE_BASE_URL", "https://api.plane.so"),
  plane_app_url = env("PLANE_APP_URL"),                  -- web app, for links
  workspace = env("PLANE_WORKSPACE"),
  projects = env("PLANE_PROJECT_ID"),                    -- one UUID or several, comma-separated

  -- Teams
  teams_webhook_url = env("TEAMS_WEBHOOK_URL"),          -- secret

  -- Network (docs/network.md, "Corporate networks"): a proxy URL per destination, or ""
  -- for none; nil: the standard variables (https_proxy, NO_PROXY). A CA file adds PEM
  -- CAs to the system's for that destination.
  plane_proxy = env("PLANE_PROXY"),
  teams_proxy = env("TEAMS_PROXY"),
  plane_ca_file = env("PLANE_CA_FILE"),
  teams_ca_file = env("TEAMS_CA_FILE"),

  -- Schedule
  hour = env("NOTIFICATION_HOUR", "08:00"),
  days = env("NOTIFICATION_DAYS", "daily"),
  timezone = env("TZ"),                                  -- nil: the system's local time
  holidays = env("NOTIFICATION_HOLIDAYS"),               -- dates with no digest: 2026-12-25,2027-01-01

  -- Behaviour
  max_retries = env("MAX_RETRIES", "3"),
  rate_limit = env("PLANE_RATE_LIMIT", "60"),
  limit = env("DIGEST_LIMIT", "10"),
  language = env("CARD_LANGUAGE", "en"),                 -- the card's words: en, fr (card.lua)
  mentions = env("CARD_MENTIONS", "false"),              -- true: @mention assignees Teams can identify
  -- the Teams id (UPN or Entra object id) of a Plane user id or display name, when it is
  -- not their Plane e-mail: mention_ids = { ["Zoé Martin"] = "zoe.martin@contoso.com" },
  -- Settings for the scripts (ctx.options; see the end of this file). The default scripts read stale_days:
  -- mark rows with no activity for more than N working days ("" or unset: off).
  options = { stale_days = env("CARD_STALE_DAYS") },
  state_file = env("STATE_FILE", ".state.json"),
  metrics_file = env("METRICS_FILE"),                    -- Prometheus text file, or nil
  log_level = env("LOG_LEVEL", "info"),
  log_file = env("LOG_FILE", "logs/plane-teams.log"),

  -- Which states make the card, in this order (each matched by id, then by
  -- name, then by group in every project).
  states = {
    { id = "daaf8056-e88d-40ba-b527-d58f3e518059", name = "En cours", group = "started" },
    { id = "9ce312cc-0018-4864-9867-064939dda809", name = "A faire", group = "unstarted" },
    { id = "318803e3-f0ce-4dbf-b0b4-beb1cfba9e81", name = "Backlog", group = "backlog" },
  },
  empty = "post",                                        -- or "skip": no card when nothing matches

  -- Settings for your own scripts go in the options table above, handed to them as
  -- ctx.options (strings, numbers, booleans and tables of them); a digest's own options
  -- replace these key by key, e.g.
  -- options = { first_label = "customer", stale_days = 5, people = { "Ada Lovelace" } },
}
