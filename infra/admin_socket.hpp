#pragma once
// The local admin channel (DESIGN.md §7): the running service listens on a Unix socket in its data
// directory (DATA/admin.sock); a subcommand that changes state connects, sends one request and
// reads one answer, each one JSON object on one line, and the connection ends. Only the
// service's own user can connect: the socket file has mode 0600 (set before it gets its name, so
// there is no moment it has another), and the server also checks each peer's uid. What the
// requests mean is not this layer's business (tools/admin.hpp).

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "domain/result.hpp"

namespace clientele::infra {

// The admin socket of the installation in `data_dir`.
std::filesystem::path admin_socket_path(const std::filesystem::path& data_dir);

// Answers one request. Called on a thread of its own per connection, so it may take long (a
// rebuild) and must be thread-safe.
using AdminHandler = std::function<nlohmann::json(const nlohmann::json& request)>;

class AdminServer {
 public:
  // Listens on `path` (of any length: one longer than a socket address holds is reached through
  // its directory). A socket file there that nobody listens on (left by a killed process) is
  // replaced; errc::conflict when a process listens on it already; errc::unavailable when the
  // socket cannot be made.
  static Result<std::unique_ptr<AdminServer>> listen(const std::filesystem::path& path,
                                                     AdminHandler handler);
  // Stops accepting, removes the socket file, then waits for the requests being answered.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  struct Impl;

 private:
  explicit AdminServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;  // the socket, the accepting thread, the connections' threads
};

// Sends `request` to the server listening on `path` and returns its answer. errc::not_found when
// none listens there (no socket file, or one left by a killed process); errc::unavailable when it
// did not answer — it closed the connection, or `timeout` (zero: none) passed —, so the outcome is
// unknown; errc::corrupt when the answer is not a JSON object.
Result<nlohmann::json> admin_call(const std::filesystem::path& path, const nlohmann::json& request,
                                  std::chrono::milliseconds timeout = std::chrono::milliseconds{0});

}  // namespace clientele::infra
