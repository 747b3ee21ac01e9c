std = "lua54"
max_line_length = 110
read_globals = { "host" }
files["config.lua"] = { read_globals = { "env" } }
files["examples/*.lua"] = { read_globals = { "env" } }
files["tests/**/*.lua"] = { std = "+busted", max_line_length = 130 }
files["host/card_rules.lua"] = { max_line_length = false }
