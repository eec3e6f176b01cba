#pragma once
// Structured logs: one JSON object per line on stderr (DESIGN.md §7):
//   {"ts":"2026-01-20T14:30:00.123Z","level":"info","msg":"event log opened","partitions":12}
// Never pass personal data (names, emails, phones, addresses, free text) in a message or field.

#include <spdlog/common.h>

#include <nlohmann/json.hpp>
#include <string_view>

namespace clientele::infra {

// Installs the JSON-lines logger as the process default. Call once, early in main().
void init_logging(spdlog::level::level_enum level = spdlog::level::info);

// Logs `message` with `fields` (a JSON object) merged into the line. Thread-safe.
void log(spdlog::level::level_enum level, std::string_view message,
         const nlohmann::json& fields = nlohmann::json::object());

inline void log_info(std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object()) {
  log(spdlog::level::info, message, fields);
}
inline void log_warn(std::string_view message,
                     const nlohmann::json& fields = nlohmann::json::object()) {
  log(spdlog::level::warn, message, fields);
}
inline void log_error(std::string_view message,
                      const nlohmann::json& fields = nlohmann::json::object()) {
  log(spdlog::level::err, message, fields);
}

}  // namespace clientele::infra
