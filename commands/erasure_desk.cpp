#include "commands/erasure_desk.hpp"

#include "events/json.hpp"

namespace clientele::commands {
namespace {

// The record as stored: to_json() plus what it leaves out.
nlohmann::json stored(const ErasureRecord& record) {
  auto out = to_json(record);
  if (record.receipt) out["receipt"] = to_json(*record.receipt);
  return out;
}

Result<ErasureRecord> record_from(std::string_view text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  const auto corrupt = [] {
    return make_error(errc::corrupt, "", "an erasure record does not read");
  };
  if (!json.is_object()) return corrupt();
  try {
    ErasureRecord r;
    r.id = json.at("erasureId").get<std::string>();
    r.request = {json.at("customerId").get<CustomerId>(), json.at("reasonCode").get<std::string>(),
                 json.at("legalBasis").get<std::string>(),
                 json.at("requestedBy").get<std::string>()};
    r.requested_at = json.at("requestedAt").get<Timestamp>();
    const auto status = enum_from_string<ErasureStatus>(json.at("status").get<std::string>());
    if (!status) return corrupt();
    r.status = *status;
    if (json.contains("receipt")) {
      auto receipt = receipt_from_json(json["receipt"]);
      if (!receipt) return receipt.error();
      r.receipt = std::move(*receipt);
    }
    if (json.contains("completedAt")) r.completed_at = json["completedAt"].get<Timestamp>();
    r.failure = json.value("failure", "");
    return r;
  } catch (const nlohmann::json::exception&) {
    return corrupt();
  }
}

bool finished(ErasureStatus status) {
  return status == ErasureStatus::completed || status == ErasureStatus::failed;
}

}  // namespace

nlohmann::json to_json(const ErasureRecord& r) {
  nlohmann::json out = {{"erasureId", r.id},
                        {"customerId", r.request.customer_id},
                        {"reasonCode", r.request.reason_code},
                        {"legalBasis", r.request.legal_basis},
                        {"requestedBy", r.request.requested_by},
                        {"requestedAt", r.requested_at},
                        {"status", to_string(r.status)}};
  if (r.receipt) {
    const auto receipt = to_json(*r.receipt);
    for (const char* member :
         {"erasedAt", "position", "keyDestroyed", "sealedEventsUnreadable", "alreadyErased"}) {
      out[member] = receipt[member];
    }
  }
  if (r.completed_at) out["completedAt"] = *r.completed_at;
  if (r.status == ErasureStatus::failed) out["failure"] = r.failure;
  return out;
}

ErasureDesk::ErasureDesk(WriteModelStore& store, Check check, Erase erase, Settle settle,
                         NewId new_id, Clock clock, ErasureDeskOptions options)
    : store_(store),
      check_(std::move(check)),
      erase_(std::move(erase)),
      settle_(std::move(settle)),
      new_id_(std::move(new_id)),
      clock_(std::move(clock)),
      options_(options) {}

ErasureDesk::~ErasureDesk() {
  stop();
}

Result<void> ErasureDesk::start() {
  std::vector<std::pair<Timestamp, std::string>> unfinished;
  std::optional<Error> unreadable;
  auto scanned = store_.scan(Lookup::erasure, [&](std::string_view, std::string_view value) {
    auto record = record_from(value);
    if (!record) {
      unreadable = record.error();
      return;
    }
    if (!finished(record->status)) unfinished.emplace_back(record->requested_at, record->id);
  });
  if (!scanned) return scanned;
  if (unreadable) return *unreadable;
  std::sort(unfinished.begin(), unfinished.end());  // in the order they were asked for
  {
    std::lock_guard lock(mu_);
    for (auto& [at, id] : unfinished) queue_.push_back(std::move(id));
  }
  worker_ = std::jthread([this](const std::stop_token& stop) { work(stop); });
  return success();
}

void ErasureDesk::stop() {
  if (!worker_.joinable()) return;
  worker_.request_stop();
  wake_.notify_all();
  worker_.join();
}

Result<ErasureRecord> ErasureDesk::submit(const ErasureRequest& request) {
  if (auto checked = check_(request); !checked) return checked.error();
  ErasureRecord record;
  record.id = new_id_();
  record.request = request;
  record.requested_at = clock_();
  if (auto saved = save(record); !saved) return saved.error();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(record.id);
  }
  wake_.notify_all();
  return record;
}

Result<std::optional<ErasureRecord>> ErasureDesk::find(std::string_view id) {
  auto value = store_.find(Lookup::erasure, id);
  if (!value) return value.error();
  if (!*value) return std::optional<ErasureRecord>();
  auto record = record_from(**value);
  if (!record) return record.error();
  return std::optional<ErasureRecord>(std::move(*record));
}

Result<void> ErasureDesk::save(const ErasureRecord& record) {
  WriteModelBatch batch;
  batch.puts.push_back({Lookup::erasure, record.id, stored(record).dump()});
  batch.sync = true;
  return store_.commit(batch);
}

void ErasureDesk::work(const std::stop_token& stop) {
  std::unique_lock lock(mu_);
  while (!stop.stop_requested()) {
    if (!wake_.wait(lock, stop, [&] { return !queue_.empty(); })) return;
    const auto id = queue_.front();
    lock.unlock();
    bool done = true;
    if (auto found = find(id); found && *found && !finished((*found)->status)) {
      done = advance(**found);
    } else {
      done = found.ok();  // a record that does not read is tried again later
    }
    lock.lock();
    if (done) {
      queue_.pop_front();
    } else {
      // Later: the queue keeps its order, and stop() still ends the wait at once.
      wake_.wait_for(lock, stop, options_.retry_after, [] { return false; });
    }
  }
}

bool ErasureDesk::advance(ErasureRecord& record) {
  const auto fail = [&](const Error& error) {
    if (error.code == errc::unavailable) return false;
    record.status = ErasureStatus::failed;
    record.failure = error.message;
    record.completed_at = clock_();
    return save(record).ok();
  };
  if (record.status == ErasureStatus::pending) {
    auto receipt = erase_(record.request);
    if (!receipt) return fail(receipt.error());
    record.receipt = std::move(*receipt);
    record.status = ErasureStatus::erased;
    if (!save(record)) return false;
  }
  if (auto settled = settle_(*record.receipt); !settled) return fail(settled.error());
  record.status = ErasureStatus::completed;
  record.completed_at = clock_();
  return save(record).ok();
}

}  // namespace clientele::commands
