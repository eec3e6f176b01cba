#pragma once
// Erasures asked for over HTTP (POST /api/v1/admin/erasures, DESIGN.md §3): each request is
// checked, recorded durably and only then acknowledged, so that an acknowledged erasure is never
// lost; a worker carries them out one at a time, in the order asked, and resumes what a stop
// interrupted. An erasure goes through two steps, each recorded when done:
//   1. erase: the same operation as `clientele erase` (ErasureService): customer.erased appended,
//      the key destroyed; its receipt is kept;
//   2. settle: what must follow before the erasure is complete (in the service: the read models
//      have folded customer.erased, and their files are compacted so that no copy of a personal
//      value is left in them).
// A step that fails with errc::unavailable is tried again later; any other failure ends the
// erasure as failed, with the error's message (which names no personal value).
//
// Records live in the write-side store (Lookup::erasure) and hold nothing personal: ids, codes,
// times and the receipt.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "commands/erasure.hpp"
#include "commands/write_model.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::commands {

enum class ErasureStatus {
  pending,    // recorded; not erased yet
  erased,     // the key is gone (the receipt holds); settling
  completed,  // erased and settled
  failed,     // refused while carried out; `failure` says why
};

struct ErasureRecord {
  std::string id;
  ErasureRequest request;
  Timestamp requested_at;
  ErasureStatus status = ErasureStatus::pending;
  std::optional<ErasureReceipt> receipt;  // from `erased` on
  std::optional<Timestamp> completed_at;  // when it became completed or failed
  std::string failure;                    // the error's message when failed
};
nlohmann::json to_json(const ErasureRecord& record);

struct ErasureDeskOptions {
  std::chrono::milliseconds retry_after{5000};  // after a step failed with errc::unavailable
};

class ErasureDesk {
 public:
  // Refuses a request before it is recorded (errc::not_found for an unknown customer,
  // errc::invalid naming the field).
  using Check = std::function<Result<void>(const ErasureRequest&)>;
  using Erase = std::function<Result<ErasureReceipt>(const ErasureRequest&)>;
  using Settle = std::function<Result<void>(const ErasureReceipt&)>;
  using NewId = std::function<std::string()>;
  using Clock = std::function<Timestamp()>;

  // `store` must outlive the desk. Nothing runs until start().
  ErasureDesk(WriteModelStore& store, Check check, Erase erase, Settle settle, NewId new_id,
              Clock clock, ErasureDeskOptions options = {});
  ~ErasureDesk();  // stop()
  ErasureDesk(const ErasureDesk&) = delete;
  ErasureDesk& operator=(const ErasureDesk&) = delete;

  // Starts the worker on every recorded erasure that is not completed or failed yet.
  Result<void> start();
  // Lets the step under way finish and stops the worker; what is left resumes at the next start.
  // Idempotent.
  void stop();

  // Checks `request`, records it (durably) as pending and hands it to the worker.
  Result<ErasureRecord> submit(const ErasureRequest& request);

  // The erasure `id`, or nullopt.
  Result<std::optional<ErasureRecord>> find(std::string_view id);

 private:
  void work(const std::stop_token& stop);
  // Carries out the next step of `record`; false when it must be tried again later.
  bool advance(ErasureRecord& record);
  Result<void> save(const ErasureRecord& record);

  WriteModelStore& store_;
  Check check_;
  Erase erase_;
  Settle settle_;
  NewId new_id_;
  Clock clock_;
  ErasureDeskOptions options_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::deque<std::string> queue_;  // ids of the erasures to carry out, in order
  std::jthread worker_;
};

}  // namespace clientele::commands

namespace clientele {

template <>
struct EnumNames<commands::ErasureStatus> {
  static constexpr std::array<std::pair<commands::ErasureStatus, std::string_view>, 4> values{{
      {commands::ErasureStatus::pending, "pending"},
      {commands::ErasureStatus::erased, "erased"},
      {commands::ErasureStatus::completed, "completed"},
      {commands::ErasureStatus::failed, "failed"},
  }};
};

}  // namespace clientele
