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
#include <nlohmann/json.hpp>
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

  // What an attempt of a request with a key sets aside for its retries: a command whose outcome
  // may be unknown (503) keeps what it needs to make the same command again (e.g. the id given
  // to what it creates) before it runs, and a retry with the same key and request gets it back.
  class Retry {
   public:
    // What an earlier attempt set aside; nullopt on the first attempt and without a key.
    const std::optional<std::string>& earlier() const { return earlier_; }
    // Keeps `value` with the key, durably and sealed as answers are, until an answer is kept;
    // without a key, does nothing. errc::unavailable when it cannot be stored.
    Result<void> set_aside(const std::string& value) const;

   private:
    friend class Idempotency;
    Idempotency* owner_ = nullptr;  // null without a key
    std::string record, fingerprint, key;
    std::optional<std::string> earlier_;
  };

  // As run(), with `route` given what earlier attempts of the same request set aside.
  Response run(const Request& request, const std::function<Response(const Retry&)>& route);

  // Deletes the answers kept longer than keep_for (and any that cannot be read), which no retry
  // gets any more; returns how many.
  Result<std::size_t> purge_expired();

 private:
  // The answer kept in `kept`, the unexpired record of this very request; nullopt when it holds
  // none (or it cannot be read): then the request runs.
  std::optional<Response> replay(const nlohmann::json& kept, const std::string& fingerprint,
                                 const std::string& key) const;
  void keep(const std::string& record, const std::string& fingerprint, const std::string& key,
            const Response& response);
  // Stores the record `record` of a request: `fields` with its fingerprint and the time.
  Result<void> store(const std::string& record, const std::string& fingerprint,
                     nlohmann::json fields);
  // `text` sealed under the key `key` and `fingerprint` derive, as {nonce, <member>}.
  nlohmann::json seal(const std::string& fingerprint, const std::string& key,
                      std::string_view member, const std::string& text) const;
  // What seal() sealed in `member` of `kept`; nullopt when it is absent or cannot be opened.
  std::optional<std::string> open(const nlohmann::json& kept, const std::string& fingerprint,
                                  const std::string& key, std::string_view member) const;

  commands::WriteModelStore& store_;
  events::SecretKey secret_;
  std::function<Timestamp()> clock_;
  std::chrono::hours keep_for_;
  std::mutex mu_;                    // guards in_flight_
  std::set<std::string> in_flight_;  // records of requests running now
};

}  // namespace clientele::api
