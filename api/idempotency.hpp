#pragma once
// Idempotency keys on POST (DESIGN.md §4): a client that may retry sends `Idempotency-Key`; the
// first answer to a key is kept for 24 hours, and a retry with the same key and the same request
// gets that answer again (marked `Idempotent-Replayed: true`) without running the command twice.
// The same key with another request is 422; a retry while the first is still running is 409.
// Answers that say nothing final — 5xx, 429 — are not kept, and a 503 (the outcome may be
// unknown) names the key to retry with.
//
// Keys are scoped to the caller (its user id, or "anonymous"). What is kept is in the write-side
// store (commands/write_model.hpp, Lookup::idempotency), under keyed hashes only, and the answer
// itself sealed with a key derived from the request it answers: whoever can read the answer again
// must present that same request, and the store's files hold nothing readable.

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "api/http.hpp"
#include "commands/write_model.hpp"
#include "domain/time.hpp"
#include "events/crypto.hpp"

namespace clientele::api {

class Idempotency {
 public:
  // `store` must outlive this object; `secret` keys the hashes (the pepper, or a key derived
  // from it, will do).
  Idempotency(commands::WriteModelStore& store, events::SecretKey secret,
              std::function<Timestamp()> clock,
              std::chrono::hours keep_for = std::chrono::hours(24));

  // Answers `request` with `route`, or with the kept answer to its key (see above).
  Response run(const Request& request, const std::function<Response()>& route);

  // Deletes the answers kept longer than keep_for (and any that cannot be read), which no retry
  // gets any more; returns how many.
  Result<std::size_t> purge_expired();

 private:
  // The kept answer `stored` to this request (or the 422 for another request); nullopt when it
  // expired or cannot be read (then the request runs).
  std::optional<Response> replay(const std::string& stored, const std::string& fingerprint,
                                 const std::string& key) const;
  void keep(const std::string& record, const std::string& fingerprint, const std::string& key,
            const Response& response);

  commands::WriteModelStore& store_;
  events::SecretKey secret_;
  std::function<Timestamp()> clock_;
  std::chrono::hours keep_for_;
  std::mutex mu_;                    // guards in_flight_
  std::set<std::string> in_flight_;  // records of requests running now
};

}  // namespace clientele::api
