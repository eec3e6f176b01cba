# Embeds a file in the executable: writes a C++ source that defines
#   std::string_view FUNCTION()
# returning the bytes of INPUT, exactly, whatever they hold (each byte is written as a character
# escape, so no delimiter or encoding can break the source). Run at build time:
#   cmake -DINPUT=file -DOUTPUT=out.cpp -DHEADER=api/x.hpp -DFUNCTION=clientele::api::x -P embed.cmake
# HEADER declares FUNCTION.
foreach(variable INPUT OUTPUT HEADER FUNCTION)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "embed.cmake: -D${variable}=... is missing")
  endif()
endforeach()

file(READ "${INPUT}" hex HEX)
# "7b0a" -> "'\x7b','\x0a',", sixteen bytes a line.
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
string(REGEX REPLACE "(('[^']+',){16})" "\\1\n    " bytes "${bytes}")

file(WRITE "${OUTPUT}.tmp" "// Generated from ${INPUT} by api/embed.cmake at build time: do not edit.
#include \"${HEADER}\"

#include <string_view>

namespace {
// The bytes of the file and a NUL, so that an empty file is an array too.
constexpr char kBytes[] = {
    ${bytes}'\\0'};
}  // namespace

std::string_view ${FUNCTION}() {
  return {kBytes, sizeof kBytes - 1};
}
")
# Replaced only when it changed, so that an unchanged input recompiles nothing.
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
