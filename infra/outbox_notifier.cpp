#include "infra/outbox_notifier.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/json.hpp"

namespace clientele::infra {
namespace {

using commands::Notification;
using nlohmann::json;

Error unavailable(std::string_view what) {
  return make_error(errc::unavailable, "", "outbox: " + std::string(what));
}

std::string to_line(const Notification& n) {
  const json line = {{"kind", n.kind},       {"customerId", n.customer_id},
                     {"channel", n.channel}, {"recipient", n.recipient},
                     {"code", n.code},       {"createdAt", n.created_at}};
  return line.dump() + "\n";
}

// The notification one line spells; throws nlohmann::json::exception when it spells none.
Notification from_line(std::string_view line) {
  const auto parsed = json::parse(line);
  Notification n;
  parsed.at("kind").get_to(n.kind);
  parsed.at("customerId").get_to(n.customer_id);
  parsed.at("channel").get_to(n.channel);
  parsed.at("recipient").get_to(n.recipient);
  parsed.at("code").get_to(n.code);
  parsed.at("createdAt").get_to(n.created_at);
  return n;
}

// The complete lines of `text`, without their '\n'; an unfinished last line is left out.
std::vector<std::string_view> complete_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (auto end = text.find('\n'); end != std::string_view::npos; end = text.find('\n')) {
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(fd, bytes.data(), bytes.size());
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::optional<std::string> read_all(int fd) {
  std::string text;
  char buffer[1 << 14];
  for (off_t offset = 0;;) {
    const auto got = ::pread(fd, buffer, sizeof buffer, offset);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::nullopt;
    if (got == 0) return text;
    text.append(buffer, static_cast<std::size_t>(got));
    offset += got;
  }
}

// An exclusive flock on a file for as long as it lives: writers in other processes wait.
class FileLock {
 public:
  explicit FileLock(int fd) : fd_(fd) {
    while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  ~FileLock() { ::flock(fd_, LOCK_UN); }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_;  // the locked file, owned by the caller
};

// Makes the directory entries in `dir` durable (a new file's name).
bool sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool synced = ::fsync(fd) == 0;
  ::close(fd);
  return synced;
}

}  // namespace

Result<std::unique_ptr<OutboxNotifier>> OutboxNotifier::open(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return unavailable("the directory cannot be made");
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);
  const auto file = dir / kFileName;
  const int fd = ::open(file.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return unavailable("the file cannot be opened");
  if (::fchmod(fd, 0600) != 0 || !sync_directory(dir)) {
    ::close(fd);
    return unavailable("the file cannot be secured");
  }
  return std::unique_ptr<OutboxNotifier>(new OutboxNotifier(fd));
}

OutboxNotifier::~OutboxNotifier() {
  ::close(fd_);
}

Result<void> OutboxNotifier::send(const Notification& notification) {
  std::string line;
  try {
    line = to_line(notification);
  } catch (const json::exception&) {  // a string that is not UTF-8
    return make_error(errc::invalid, "", "outbox: the notification is not valid UTF-8");
  }
  const std::lock_guard guard(mutex_);
  const FileLock lock(fd_);
  // One write of the whole line to a file opened O_APPEND: lines never interleave.
  if (!write_all(fd_, line) || ::fdatasync(fd_) != 0)
    return unavailable("the notification cannot be written");
  return success();
}

Result<std::size_t> OutboxNotifier::forget_customer(const CustomerId& customer) {
  const std::lock_guard guard(mutex_);
  const FileLock lock(fd_);
  const auto text = read_all(fd_);
  if (!text) return unavailable("the file cannot be read");
  std::string kept;
  std::size_t removed = 0;
  for (const auto line : complete_lines(*text)) {
    const auto parsed = json::parse(line, nullptr, /*allow_exceptions=*/false);
    const auto id = parsed.is_object() ? parsed.find("customerId") : parsed.end();
    if (id != parsed.end() && id->is_string() && *id == customer.str()) {
      ++removed;
      continue;
    }
    kept.append(line);
    kept.push_back('\n');
  }
  if (removed == 0) return removed;
  // Rewritten in place rather than renamed over, so that other processes' open descriptors
  // keep appending to the one file.
  if (::ftruncate(fd_, 0) != 0 || !write_all(fd_, kept) || ::fsync(fd_) != 0)
    return unavailable("the file cannot be rewritten");
  return removed;
}

Result<std::vector<Notification>> read_outbox(const std::filesystem::path& dir) {
  std::vector<Notification> out;
  const auto file = dir / OutboxNotifier::kFileName;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec) && !ec) return out;
  std::ifstream in(file, std::ios::binary);
  if (!in) return unavailable("the file cannot be read");
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t number = 0;
  for (const auto line : complete_lines(text)) {
    ++number;
    try {
      out.push_back(from_line(line));
    } catch (const json::exception&) {
      return make_error(errc::corrupt, "",
                        "outbox: line " + std::to_string(number) + " is not a notification");
    }
  }
  return out;
}

}  // namespace clientele::infra
