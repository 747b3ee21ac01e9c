/* The exit codes of every command (README, "Exit codes"). */
#pragma once

/** 0 done, 1 the sync failed, 2 usage, configuration or script error found before any
 *  request. */
enum exit_code { EXIT_OK = 0, EXIT_SYNC = 1, EXIT_USAGE = 2 };
