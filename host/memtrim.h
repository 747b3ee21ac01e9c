/* Library pages touched only while starting (OpenSSL's and GnuTLS's initialisation, the
 * configuration's and scripts' loading) are let go once the daemon is set up: they stay in
 * the page cache, shared, and come back on their next use. */
#pragma once

/* Unmaps the resident pages of every read-only file mapping that holds no private page
 * (code and constants of the binary and its libraries). Returns how many KiB were resident
 * in them; 0 when /proc/self/smaps cannot be read (nothing is done then). */
long memtrim_file_pages(void);
