#pragma once
// Files on disk for tests: raw-byte searches (the erasure proofs of DESIGN.md §3 look for
// personal values and keys in every file a store wrote), and writing a file whole.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace clientele::testing {

// Writes `text` to `path` (replacing what was there).
inline void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// The regular files under `dirs` (recursively) whose bytes contain `needle`.
inline std::vector<std::string> files_containing(const std::vector<std::filesystem::path>& dirs,
                                                 const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& dir : dirs) {
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::string bytes((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
      if (bytes.find(needle) != std::string::npos) found.push_back(entry.path().string());
    }
  }
  return found;
}

}  // namespace clientele::testing
