#include "api/idempotency.hpp"

#include <nlohmann/json.hpp>

#include "api/envelope.hpp"
#include "events/json.hpp"

namespace clientele::api {
namespace {

using nlohmann::json;

constexpr std::string_view kHeader = "Idempotency-Key";
constexpr std::size_t kMaxKey = 255;

// Headers of an answer that belong to it when it is replayed.
bool kept_header(std::string_view name) {
  return name == "Location" || name == "X-Clientele-Position" || name == "ETag";
}

bool printable(std::string_view text) {
  for (const char c : text) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

}  // namespace

Idempotency::Idempotency(commands::WriteModelStore& store, events::SecretKey secret,
                         std::function<Timestamp()> clock, std::chrono::hours keep_for)
    : store_(store), secret_(std::move(secret)), clock_(std::move(clock)), keep_for_(keep_for) {}

Response Idempotency::run(const Request& request, const std::function<Response()>& route) {
  return run(request, [&](const Retry&) { return route(); });
}

Response Idempotency::run(const Request& request,
                          const std::function<Response(const Retry&)>& route) {
  const auto header = request.headers.get("idempotency-key");
  if (!header) return route(Retry{});
  const std::string key(*header);
  if (key.empty() || key.size() > kMaxKey || !printable(key)) {
    return failure(400, "the idempotency key is not valid",
                   {{std::string(kHeader), "must be 1 to 255 visible ASCII characters"}});
  }
  const auto scope = request.caller ? request.caller->id : std::string("anonymous");
  Retry retry;
  retry.owner_ = this;
  retry.key = key;
  retry.record = events::keyed_hash_hex(secret_, "record|" + scope + "|" + key);
  retry.fingerprint =
      events::keyed_hash_hex(secret_, "request|" + std::string(to_string(request.method)) + " " +
                                          request.path + "|" + request.body_text);
  const auto& record = retry.record;
  const auto& fingerprint = retry.fingerprint;
  {
    std::lock_guard lock(mu_);
    if (!in_flight_.insert(record).second) {
      return failure(409, "a request with this idempotency key is still running; retry later",
                     {{std::string(kHeader), "is in use by a request still running"}});
    }
  }
  struct Release {
    Idempotency& self;
    const std::string& record;
    ~Release() {
      std::lock_guard lock(self.mu_);
      self.in_flight_.erase(record);
    }
  } release{*this, record};

  auto stored = store_.find(commands::Lookup::idempotency, record);
  if (!stored) return failure(503, "the idempotency keys cannot be read; retry later");
  const auto kept = *stored ? json::parse(**stored, nullptr, /*allow_exceptions=*/false) : json();
  const auto at = kept.is_object() ? parse_timestamp(kept.value("at", "")) : std::nullopt;
  if (at && clock_() - *at <= keep_for_) {  // else expired: as if never used
    if (kept.value("request", "") != fingerprint) {
      return failure(422, "this idempotency key was used with another request",
                     {{std::string(kHeader), "was used with another request"}});
    }
    if (auto replayed = replay(kept, fingerprint, key)) return std::move(*replayed);
    retry.earlier_ = open(kept, fingerprint, key, "aside");
  }
  auto response = route(retry);
  if (response.status == 503) {
    response.headers.emplace_back(std::string(kHeader), key);
  } else if (response.status < 500 && response.status != 429) {
    keep(record, fingerprint, key, response);
  }
  return response;
}

Result<void> Idempotency::Retry::set_aside(const std::string& value) const {
  if (owner_ == nullptr) return clientele::success();
  return owner_->store(record, fingerprint, owner_->seal(fingerprint, key, "aside", value));
}

std::optional<Response> Idempotency::replay(const json& kept, const std::string& fingerprint,
                                            const std::string& key) const {
  const auto opened = open(kept, fingerprint, key, "answer");
  if (!opened) return std::nullopt;
  const auto answer = json::parse(*opened, nullptr, /*allow_exceptions=*/false);
  if (!answer.is_object()) return std::nullopt;
  Response response;
  response.status = answer.value("status", 500);
  response.content_type = answer.value("contentType", "application/json");
  response.body = answer.value("body", "");
  const auto headers = answer.find("headers");
  if (headers != answer.end() && headers->is_object()) {
    for (const auto& [name, value] : headers->items()) {
      if (value.is_string()) response.headers.emplace_back(name, value.get<std::string>());
    }
  }
  response.headers.emplace_back("Idempotent-Replayed", "true");
  return response;
}

json Idempotency::seal(const std::string& fingerprint, const std::string& key,
                       std::string_view member, const std::string& text) const {
  const auto sealing_key =
      events::derive_key(secret_, std::string(member) + "|" + fingerprint + "|" + key);
  const auto sealed = events::aead_seal(sealing_key, text, fingerprint);
  return {{std::string(member), events::to_base64(sealed.bytes)},
          {std::string(member) + "Nonce", events::to_base64(sealed.nonce)}};
}

std::optional<std::string> Idempotency::open(const json& kept, const std::string& fingerprint,
                                             const std::string& key,
                                             std::string_view member) const {
  const auto nonce = events::from_base64(kept.value(std::string(member) + "Nonce", ""));
  const auto bytes = events::from_base64(kept.value(std::string(member), ""));
  if (!nonce || !bytes || bytes->empty()) return std::nullopt;
  const auto sealing_key =
      events::derive_key(secret_, std::string(member) + "|" + fingerprint + "|" + key);
  return events::aead_open(sealing_key, {*nonce, *bytes}, fingerprint);
}

Result<std::size_t> Idempotency::purge_expired() {
  const auto now = clock_();
  commands::WriteModelBatch batch;
  auto scanned = store_.scan(
      commands::Lookup::idempotency, [&](std::string_view record, std::string_view stored) {
        const auto kept = json::parse(stored, nullptr, false);
        const auto at = kept.is_object() ? parse_timestamp(kept.value("at", "")) : std::nullopt;
        if (at && now - *at <= keep_for_) return;
        batch.deletes.push_back({commands::Lookup::idempotency, std::string(record)});
      });
  if (!scanned) return scanned.error();
  {
    // A request with an expired key that runs now keeps a fresh answer under the same record.
    const std::lock_guard lock(mu_);
    std::erase_if(batch.deletes, [&](const auto& d) { return in_flight_.contains(d.key); });
  }
  const auto purged = batch.deletes.size();
  if (purged == 0) return purged;
  if (auto committed = store_.commit(batch); !committed) return committed.error();
  return purged;
}

void Idempotency::keep(const std::string& record, const std::string& fingerprint,
                       const std::string& key, const Response& response) {
  json headers = json::object();
  for (const auto& [name, value] : response.headers) {
    if (kept_header(name)) headers[name] = value;
  }
  const json answer{{"status", response.status},
                    {"contentType", response.content_type},
                    {"body", response.body},
                    {"headers", headers}};
  // Not kept, a retry runs the request again, as without a key: the command's own rules (a taken
  // email, an expected version, an order id set aside) still refuse to do it twice.
  (void)store(record, fingerprint, seal(fingerprint, key, "answer", answer.dump()));
}

Result<void> Idempotency::store(const std::string& record, const std::string& fingerprint,
                                json fields) {
  fields["request"] = fingerprint;
  fields["at"] = clock_();
  commands::WriteModelBatch batch;
  batch.puts.push_back({commands::Lookup::idempotency, record, fields.dump()});
  batch.sync = true;
  return store_.commit(batch);
}

}  // namespace clientele::api
