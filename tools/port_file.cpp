#include "tools/port_file.hpp"

#include <unistd.h>

#include <fstream>

namespace clientele::tools {

Result<void> write_port_file(const std::filesystem::path& file, const std::string& line) {
  auto temporary = file;
  temporary += ".tmp." + std::to_string(::getpid());
  std::error_code ignored;
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << line << '\n';
    out.close();
    if (!out) {
      std::filesystem::remove(temporary, ignored);
      return make_error(errc::unavailable, "port-file", "cannot write " + temporary.string());
    }
  }
  std::error_code renamed;
  std::filesystem::rename(temporary, file, renamed);
  if (renamed) {
    std::filesystem::remove(temporary, ignored);
    return make_error(errc::unavailable, "port-file",
                      "cannot write " + file.string() + ": " + renamed.message());
  }
  return success();
}

void remove_port_file(const std::filesystem::path& file) {
  std::error_code ignored;
  if (!file.empty()) std::filesystem::remove(file, ignored);
}

}  // namespace clientele::tools
