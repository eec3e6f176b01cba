#pragma once
// Raw-byte searches over files on disk: the erasure proofs (DESIGN.md §3) look for personal values
// and keys in every file a store wrote.

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace clientele::testing {

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
