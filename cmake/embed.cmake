# cmake -DSRC=file -DDST=header -DSYMBOL=name -P embed.cmake
# Writes a C header holding SRC's bytes as `static const unsigned char SYMBOL[]` (no NUL
# added: sizeof SYMBOL is the file's length). The build runs it whenever SRC changes.
foreach(var SRC DST SYMBOL)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "embed.cmake needs -D${var}=")
  endif()
endforeach()
file(READ "${SRC}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
# a line break every 16 bytes keeps the header readable by editors and compilers
string(REPEAT "0x..," 16 sixteen)
string(REGEX REPLACE "(${sixteen})" "\\1\n" hex "${hex}")
get_filename_component(base "${SRC}" NAME)
file(WRITE "${DST}.tmp"
  "/* generated from ${base} by cmake/embed.cmake: do not edit */\n"
  "static const unsigned char ${SYMBOL}[] = {\n${hex}};\n")
file(RENAME "${DST}.tmp" "${DST}")
