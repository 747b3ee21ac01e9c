-- Example configuration for `make demo`: the bundled example workspace "acme" with
-- its two projects. No secret is needed to preview; the demo's fake Plane accepts
-- the token below, and posts go to a fake Teams on loopback.
return {
  plane_api_token = env("PLANE_API_TOKEN", "plane_api_00000000000000000000000000demo00"),
  plane_base_url = env("PLANE_BASE_URL", "http://127.0.0.1:8931"),
  plane_app_url = "https://app.plane.so",
  workspace = "acme",
  projects = "4af68566-94a4-4eb3-94aa-50dc9427067b,b1c0e7d2-5f3a-4c8e-9d61-2a7f0e4b9c13",
  teams_webhook_url = env("TEAMS_WEBHOOK_URL"),
  timezone = "Europe/Paris",
  state_file = env("STATE_FILE", "build/demo/state.json"),
  log_file = "",
  empty = "post",
  language = env("CARD_LANGUAGE", "en"),
  -- first_label: read by the gallery's examples/scripts/labels; stale_days and the
  -- mention: the example card shows stale rows and an @mention (docs/configuration.md)
  options = { first_label = "bug", stale_days = env("CARD_STALE_DAYS", "5") },
  mentions = env("CARD_MENTIONS", "true"),
  mention_ids = { ["zoe.martin"] = "zoe.martin@acme.example" },
}
