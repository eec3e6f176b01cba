#pragma once
// The default Notifier (commands/notifier.hpp): instead of sending email or SMS, appends each
// notification as one JSON line to DATA/outbox/notifications.jsonl, where operators and tests
// read them (read_outbox below):
//   {"kind":"password-reset-code","customerId":"CUST_1a2b3c4d","channel":"email",
//    "recipient":"ada@example.com","code":"123456","createdAt":"2026-01-20T14:30:00.123Z"}
//
// The outbox stands in for a mail or SMS gateway, so it holds what such a gateway would carry:
// recipients (personal data, in the clear) and codes that let whoever reads them into an account.
// Operators must treat it like mail in flight: the file has mode 0600 in a directory of mode
// 0700, it is never copied into logs, tickets or backups, and it is emptied once delivered.
// forget_customer() removes an erased customer's lines (DESIGN.md §3: nothing readable of an
// erased customer may stay under the data directory).

#include <cstddef>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include "commands/notifier.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"

namespace clientele::infra {

class OutboxNotifier final : public commands::Notifier {
 public:
  static constexpr const char* kFileName = "notifications.jsonl";

  // Opens the outbox in `dir` (DATA/outbox), making the directory (mode 0700) and the file
  // (mode 0600, also enforced on an existing file) when missing. errc::unavailable when it
  // cannot. Several processes may open one outbox: each line is appended whole.
  static Result<std::unique_ptr<OutboxNotifier>> open(const std::filesystem::path& dir);

  ~OutboxNotifier() override;
  OutboxNotifier(const OutboxNotifier&) = delete;
  OutboxNotifier& operator=(const OutboxNotifier&) = delete;

  // Appends `notification` as one line and syncs it to disk before returning. Thread-safe.
  // errc::unavailable when the line could not be written and synced.
  Result<void> send(const commands::Notification& notification) override;

  // Removes every line about `customer` from the outbox (on erasure) and syncs; returns how many
  // were removed. Thread-safe, and excludes other processes' writers meanwhile. A crash during
  // the rewrite may lose other customers' lines: their codes can be asked for again.
  Result<std::size_t> forget_customer(const CustomerId& customer);

 private:
  explicit OutboxNotifier(int fd) : fd_(fd) {}

  std::mutex mutex_;  // one writer at a time within this process (flock excludes the others)
  int fd_;            // notifications.jsonl, opened for appending
};

// Every notification in the outbox in `dir`, oldest first; none when there is no outbox yet.
// An unfinished last line (a writer stopped mid-line) is left out; any other line that is not a
// notification is errc::corrupt. For tests and operators.
Result<std::vector<commands::Notification>> read_outbox(const std::filesystem::path& dir);

}  // namespace clientele::infra
