#include "infra/rocksdb_auth_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "infra/rocksdb_support.hpp"

namespace clientele::infra {
namespace {

using commands::CodePurpose;
using commands::RefreshToken;
using commands::RotatedToken;
using events::SecretKey;

// The rows, all in the default column family. A value is fields joined by '|'; only the last
// field may hold arbitrary bytes.
//   t/<token hash>           -> <family id>|<expires ms>     every token not yet expired
//   f/<family id>            -> <token hash>|<expires ms>|<user id>   a live session and its
//                                                            one valid token
//   u/<user id>/<family id>  -> ""                           the sessions of a user
//   c/<code key>             -> <code hash>|<expires ms>|<wrong attempts>   a pending code; a
//                                                            pending nonce (its key is the
//                                                            nonce's) has no code hash and no
//                                                            attempts
// A rotated token keeps its t/ row until it expires, so that presenting it again is known as a
// reuse. Revoking a family deletes its f/ and u/ rows: its t/ rows then lead nowhere.
constexpr std::string_view kTokenRows = "t/";
constexpr std::string_view kFamilyRows = "f/";
constexpr std::string_view kUserRows = "u/";
constexpr std::string_view kCodeRows = "c/";
constexpr std::string_view kAdministratorRows = "a/";    // by email key: id|hash|created
constexpr std::string_view kAdministratorIdRows = "A/";  // by id: the email key

// Read-modify-write of one family or code row runs under the lock of its stripe; operations on
// other rows proceed (and share RocksDB's group commit of their synced writes).
constexpr std::size_t kStripes = 64;

constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kFamilyIdBytes = 16;
constexpr std::uint32_t kCodeSpace = 1'000'000;  // six decimal digits

Error rejected_token() {
  return make_error(errc::forbidden, "refreshToken", "the refresh token is invalid or expired");
}
Error reused_token() {
  return make_error(errc::forbidden, "refreshToken",
                    "the refresh token was used before: its session is revoked");
}
Error rejected_code() {
  return make_error(errc::forbidden, "code", "the code is wrong, expired or used up");
}
Error rejected_nonce() {
  return make_error(errc::forbidden, "nonce", "the nonce is unknown, expired or used");
}
Error damaged(std::string_view row_kind) {
  return make_error(errc::corrupt, "",
                    "a " + std::string(row_kind) + " row of the auth store is damaged");
}

std::int64_t millis(Timestamp t) {
  return t.time_since_epoch().count();
}

std::string row(std::string_view prefix, std::string_view key) {
  return std::string(prefix) + std::string(key);
}
std::string user_row(const UserId& user, std::string_view family) {
  return std::string(kUserRows) + user.str() + "/" + std::string(family);
}

// `value`'s `n` fields: split at its first n - 1 '|'. nullopt when it has fewer.
std::optional<std::vector<std::string_view>> fields(std::string_view value, std::size_t n) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < n) {
    const auto bar = value.find('|');
    if (bar == std::string_view::npos) return std::nullopt;
    out.push_back(value.substr(0, bar));
    value.remove_prefix(bar + 1);
  }
  out.push_back(value);
  return out;
}

std::optional<std::int64_t> number(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return n;
}

// The expiry of any row: every kind keeps it as its second field.
std::optional<std::int64_t> expiry(std::string_view value) {
  const auto f = fields(value, 2);
  return f ? number((*f)[1].substr(0, (*f)[1].find('|'))) : std::nullopt;
}

struct TokenRow {
  std::string family;      // the family the token was issued in
  std::int64_t expires{};  // ms since the epoch
};
std::string encode(const TokenRow& r) {
  return r.family + "|" + std::to_string(r.expires);
}
std::optional<TokenRow> decode_token(std::string_view value) {
  const auto f = fields(value, 2);
  const auto expires = f ? number((*f)[1]) : std::nullopt;
  if (!expires) return std::nullopt;
  return TokenRow{std::string((*f)[0]), *expires};
}

struct FamilyRow {
  std::string token;       // the hash of the family's one valid token
  std::int64_t expires{};  // when that token expires, ms since the epoch
  UserId user;             // whose session it is
};
std::string encode(const FamilyRow& r) {
  return r.token + "|" + std::to_string(r.expires) + "|" + r.user.str();
}
std::optional<FamilyRow> decode_family(std::string_view value) {
  const auto f = fields(value, 3);
  const auto expires = f ? number((*f)[1]) : std::nullopt;
  if (!expires) return std::nullopt;
  return FamilyRow{std::string((*f)[0]), *expires, UserId(std::string((*f)[2]))};
}

struct CodeRow {
  std::string hash;        // the keyed hash of the code
  std::int64_t expires{};  // ms since the epoch
  std::int64_t wrong{};    // wrong attempts so far
};
std::string encode(const CodeRow& r) {
  return r.hash + "|" + std::to_string(r.expires) + "|" + std::to_string(r.wrong);
}
std::optional<CodeRow> decode_code(std::string_view value) {
  const auto f = fields(value, 3);
  const auto expires = f ? number((*f)[1]) : std::nullopt;
  const auto wrong = f ? number((*f)[2]) : std::nullopt;
  if (!expires || !wrong) return std::nullopt;
  return CodeRow{std::string((*f)[0]), *expires, *wrong};
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> random(bytes);
  randombytes_buf(random.data(), random.size());
  std::string out(2 * bytes + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), random.data(), random.size());
  out.pop_back();
  return out;
}

// 32 random bytes as base64url without padding (43 characters).
std::string new_token() {
  std::array<unsigned char, kTokenBytes> random{};
  randombytes_buf(random.data(), random.size());
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(kTokenBytes, kVariant), '\0');
  sodium_bin2base64(out.data(), out.size(), random.data(), random.size(), kVariant);
  out.pop_back();  // the terminating NUL
  sodium_memzero(random.data(), random.size());
  return out;
}

// A token carries 256 random bits, so a plain SHA-256 cannot be reversed by trying tokens, and
// needs no secret that could be lost or changed.
std::string token_hash(std::string_view token) {
  events::Sha256 sha;
  sha.add("clientele.refresh-token.v1");
  sha.add(token);
  return sha.hex();
}

std::string new_code() {
  char digits[8];
  std::snprintf(digits, sizeof digits, "%06u", randombytes_uniform(kCodeSpace));
  return digits;
}

bool is_code_shape(std::string_view code) {
  return code.size() == 6 &&
         std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool same_hash(std::string_view a, std::string_view b) {
  return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

struct RocksDbAuthStore::Impl {
  // A code has only 10^6 values: an unkeyed hash of it would be reversed by trying them all.
  // Keyed by a secret that is not in the data directory, the stored hash reveals nothing to
  // someone holding the files. The subject is keyed as well, since it is the caller's string.
  SecretKey code_key;                        // HMAC key of the code hashes
  SecretKey subject_key;                     // HMAC key of the code rows' keys
  std::unique_ptr<rocksdb::DB> db;           // the store
  std::array<std::mutex, kStripes> stripes;  // serialize read-modify-write per row (above)

  explicit Impl(const SecretKey& secret)
      : code_key(events::derive_key(secret, "clientele.auth.code-hash.v1")),
        subject_key(events::derive_key(secret, "clientele.auth.code-row.v1")) {}
  ~Impl() {
    if (db) db->Close();
  }

  Result<std::optional<std::string>> get(const std::string& key) {
    std::string value;
    const auto s = db->Get(rocksdb::ReadOptions(), key, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return rocksdb_unavailable("cannot read the auth store", s);
    return std::optional<std::string>(std::move(value));
  }

  // Applies `batch` atomically and durably: synced to the WAL before it returns.
  Result<void> write(rocksdb::WriteBatch& batch) {
    if (batch.Count() == 0) return success();
    rocksdb::WriteOptions options;
    options.sync = true;
    const auto s = db->Write(options, &batch);
    if (!s.ok()) return rocksdb_unavailable("cannot write the auth store", s);
    return success();
  }

  // Calls `visit(key, value)` for every row whose key starts with `prefix`.
  Result<void> scan(std::string_view prefix,
                    const std::function<void(std::string_view, std::string_view)>& visit) {
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Valid() && it->key().starts_with(rocksdb::Slice(prefix.data(), prefix.size()));
         it->Next()) {
      visit(it->key().ToStringView(), it->value().ToStringView());
    }
    if (!it->status().ok()) return rocksdb_unavailable("cannot read the auth store", it->status());
    return success();
  }

  std::size_t stripe_of(std::string_view key) const {
    return std::hash<std::string_view>{}(key) % kStripes;
  }
  std::unique_lock<std::mutex> lock(std::string_view key) {
    return std::unique_lock<std::mutex>(stripes[stripe_of(key)]);
  }
  // The locks of `keys`' stripes, taken in ascending order (so that two callers cannot deadlock;
  // every other caller holds one stripe at a time).
  std::vector<std::unique_lock<std::mutex>> lock_all(const std::vector<std::string>& keys) {
    std::vector<std::size_t> indexes;
    for (const auto& key : keys) indexes.push_back(stripe_of(key));
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    std::vector<std::unique_lock<std::mutex>> locks;
    for (const auto i : indexes) locks.emplace_back(stripes[i]);
    return locks;
  }

  // The row at `key` decoded, nullopt when there is none; errc::corrupt (naming the `kind` of
  // row) when it does not decode.
  template <class Row>
  Result<std::optional<Row>> read(const std::string& key,
                                  std::optional<Row> (*decode)(std::string_view),
                                  std::string_view kind) {
    auto value = get(key);
    if (!value) return value.error();
    if (!*value) return std::optional<Row>();
    auto decoded = decode(**value);
    if (!decoded) return damaged(kind);
    return decoded;
  }
  // The session `family`, nullopt when it was revoked or purged.
  Result<std::optional<FamilyRow>> family(const std::string& family) {
    return read(row(kFamilyRows, family), decode_family, "session");
  }
  // The token whose hash is `hash`, nullopt when it is unknown or was purged.
  Result<std::optional<TokenRow>> token(const std::string& hash) {
    return read(row(kTokenRows, hash), decode_token, "token");
  }

  // Adds the deletion of `family` to `batch`. Call with the family's stripe locked.
  static void revoke_family(rocksdb::WriteBatch& batch, const std::string& family,
                            const FamilyRow& row_of_family) {
    batch.Delete(row(kFamilyRows, family));
    batch.Delete(user_row(row_of_family.user, family));
  }

  std::string code_row(CodePurpose purpose, std::string_view subject) const {
    std::string text(clientele::to_string(purpose));
    text += '|';
    text += subject;
    return row(kCodeRows, events::keyed_hash_hex(subject_key, text));
  }
  // The hash of `code` bound to its row, so that a code row moved to another subject is useless.
  std::string code_hash(std::string_view code_row_key, std::string_view code) const {
    return events::keyed_hash_hex(code_key, std::string(code_row_key) + "|" + std::string(code));
  }

  Result<RotatedToken> rotate_current(const std::string& family, const std::string& hash,
                                      Timestamp now);
  Result<std::size_t> purge(std::string_view prefix, std::int64_t now, rocksdb::WriteBatch& batch);
};

namespace {

rocksdb::Options store_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.keep_log_file_num = 5;  // RocksDB's own info logs
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbAuthStore>> RocksDbAuthStore::open(
    const std::filesystem::path& directory, SecretKey secret) {
  if (auto made = make_store_directory(directory); !made) return made.error();
  auto impl = std::make_unique<Impl>(secret);
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(store_options(), directory.string(), &db);
  if (!s.ok()) return rocksdb_unavailable("cannot open the auth store at " + directory.string(), s);
  impl->db.reset(db);
  return std::unique_ptr<RocksDbAuthStore>(new RocksDbAuthStore(std::move(impl)));
}

RocksDbAuthStore::RocksDbAuthStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbAuthStore::~RocksDbAuthStore() = default;

Result<RefreshToken> RocksDbAuthStore::issue(const UserId& user, Timestamp now) {
  if (user.empty()) return make_error(errc::invalid, "userId", "is required");
  RefreshToken issued{new_token(), random_hex(kFamilyIdBytes),
                      now + commands::kRefreshTokenLifetime};
  const auto hash = token_hash(issued.token);
  const auto expires = millis(issued.expires_at);
  // A new family: no other operation can know it yet, so it needs no lock.
  rocksdb::WriteBatch batch;
  batch.Put(row(kTokenRows, hash), encode(TokenRow{issued.family_id, expires}));
  batch.Put(row(kFamilyRows, issued.family_id), encode(FamilyRow{hash, expires, user}));
  batch.Put(user_row(user, issued.family_id), "");
  if (auto w = impl_->write(batch); !w) return w.error();
  return issued;
}

Result<RotatedToken> RocksDbAuthStore::rotate(std::string_view token, Timestamp now) {
  const auto hash = token_hash(token);
  const auto presented = impl_->token(hash);
  if (!presented) return presented.error();
  if (!*presented || (*presented)->expires <= millis(now)) return rejected_token();
  // A token row never changes, so it was safe to read unlocked; its family's row does.
  const auto& family = (*presented)->family;
  const auto lock = impl_->lock(family);
  return impl_->rotate_current(family, hash, now);
}

// Rotates `hash`, a token of `family` that has not expired. Call with the family's stripe locked.
Result<RotatedToken> RocksDbAuthStore::Impl::rotate_current(const std::string& family_id,
                                                            const std::string& hash,
                                                            Timestamp now) {
  auto current = family(family_id);
  if (!current) return current.error();
  if (!*current) return rejected_token();
  rocksdb::WriteBatch batch;
  if ((*current)->token != hash) {
    revoke_family(batch, family_id, **current);
    if (auto w = write(batch); !w) return w.error();
    return reused_token();
  }
  RotatedToken rotated{(*current)->user,
                       {new_token(), family_id, now + commands::kRefreshTokenLifetime}};
  const auto next_hash = token_hash(rotated.next.token);
  const auto expires = millis(rotated.next.expires_at);
  batch.Put(row(kTokenRows, next_hash), encode(TokenRow{family_id, expires}));
  batch.Put(row(kFamilyRows, family_id), encode(FamilyRow{next_hash, expires, rotated.user}));
  if (auto w = write(batch); !w) return w.error();
  return rotated;
}

Result<void> RocksDbAuthStore::revoke(std::string_view token) {
  const auto hash = token_hash(token);
  const auto presented = impl_->token(hash);
  if (!presented) return presented.error();
  if (!*presented) return success();
  const auto& family = (*presented)->family;
  const auto lock = impl_->lock(family);
  auto current = impl_->family(family);
  if (!current) return current.error();
  rocksdb::WriteBatch batch;
  batch.Delete(row(kTokenRows, hash));
  if (*current) Impl::revoke_family(batch, family, **current);
  return impl_->write(batch);
}

Result<void> RocksDbAuthStore::revoke_all(const UserId& user) {
  const auto prefix = user_row(user, "");
  std::vector<std::string> families;
  auto listed = impl_->scan(prefix, [&](std::string_view key, std::string_view) {
    const auto family = key.substr(prefix.size());
    // Another user's row when this user's id is a prefix of theirs followed by '/'.
    if (family.find('/') == std::string_view::npos) families.emplace_back(family);
  });
  if (!listed) return listed.error();
  const auto locks = impl_->lock_all(families);
  rocksdb::WriteBatch batch;
  for (const auto& family : families) {
    auto current = impl_->family(family);
    if (!current) return current.error();
    if (*current && (*current)->user == user) Impl::revoke_family(batch, family, **current);
    batch.Delete(user_row(user, family));
  }
  return impl_->write(batch);
}

Result<std::string> RocksDbAuthStore::issue_code(CodePurpose purpose, std::string_view subject,
                                                 Timestamp now) {
  if (subject.empty()) return make_error(errc::invalid, "subject", "is required");
  const auto key = impl_->code_row(purpose, subject);
  auto code = new_code();
  const CodeRow pending{impl_->code_hash(key, code), millis(now + commands::kCodeLifetime), 0};
  // Locked, so that a redeem in flight cannot write its attempt count over the new code.
  const auto lock = impl_->lock(key);
  rocksdb::WriteBatch batch;
  batch.Put(key, encode(pending));
  if (auto w = impl_->write(batch); !w) return w.error();
  return code;
}

Result<void> RocksDbAuthStore::redeem_code(CodePurpose purpose, std::string_view subject,
                                           std::string_view code, Timestamp now) {
  const auto key = impl_->code_row(purpose, subject);
  const auto lock = impl_->lock(key);
  auto found = impl_->read(key, decode_code, "code");
  if (!found) return found.error();
  if (!*found) return rejected_code();
  auto& pending = *found;
  rocksdb::WriteBatch batch;
  // The same work whatever the state of the code: nothing in the timing tells why it failed.
  const bool match = same_hash(impl_->code_hash(key, code), pending->hash) && is_code_shape(code);
  const bool live = pending->expires > millis(now) && pending->wrong < commands::kCodeAttempts;
  if (live && match) {
    batch.Delete(key);
    return impl_->write(batch);
  }
  ++pending->wrong;
  if (!live || pending->wrong >= commands::kCodeAttempts) {
    batch.Delete(key);
  } else {
    batch.Put(key, encode(*pending));
  }
  if (auto w = impl_->write(batch); !w) return w.error();
  return rejected_code();
}

Result<std::string> RocksDbAuthStore::issue_nonce(CodePurpose purpose, Timestamp now) {
  auto nonce = new_token();
  // 256 random bits: a new row, which no other operation can know yet, so it needs no lock.
  rocksdb::WriteBatch batch;
  batch.Put(impl_->code_row(purpose, nonce),
            encode(CodeRow{"", millis(now + commands::kCodeLifetime), 0}));
  if (auto w = impl_->write(batch); !w) return w.error();
  return nonce;
}

Result<void> RocksDbAuthStore::redeem_nonce(CodePurpose purpose, std::string_view nonce,
                                            Timestamp now) {
  const auto key = impl_->code_row(purpose, nonce);
  const auto lock = impl_->lock(key);
  auto found = impl_->read(key, decode_code, "nonce");
  if (!found) return found.error();
  if (!*found) return rejected_nonce();
  rocksdb::WriteBatch batch;
  batch.Delete(key);  // used up, or expired: either way it never redeems again
  if (auto w = impl_->write(batch); !w) return w.error();
  if ((*found)->expires <= millis(now)) return rejected_nonce();
  return success();
}

// Adds to `batch` the deletion of every row under `prefix` that expired at `now` (with the user
// index row of a session); returns how many. Rows it cannot read stay. Call with every stripe
// locked.
Result<std::size_t> RocksDbAuthStore::Impl::purge(std::string_view prefix, std::int64_t now,
                                                  rocksdb::WriteBatch& batch) {
  std::size_t count = 0;
  auto scanned = scan(prefix, [&](std::string_view key, std::string_view value) {
    const auto expires = expiry(value);
    if (!expires || *expires > now) return;
    batch.Delete(rocksdb::Slice(key.data(), key.size()));
    ++count;
    if (prefix != kFamilyRows) return;
    if (const auto family = decode_family(value)) {
      batch.Delete(user_row(family->user, key.substr(prefix.size())));
    }
  });
  if (!scanned) return scanned.error();
  return count;
}

Result<std::size_t> RocksDbAuthStore::purge_expired(Timestamp now) {
  std::vector<std::unique_lock<std::mutex>> locks;
  for (auto& stripe : impl_->stripes) locks.emplace_back(stripe);
  rocksdb::WriteBatch batch;
  std::size_t count = 0;
  for (const auto prefix : {kTokenRows, kFamilyRows, kCodeRows}) {
    auto purged = impl_->purge(prefix, millis(now), batch);
    if (!purged) return purged.error();
    count += *purged;
  }
  if (auto w = impl_->write(batch); !w) return w.error();
  return count;
}

// ---- administrators ------------------------------------------------------------------------

namespace {

std::optional<commands::Administrator> decode_administrator(std::string_view value) {
  const auto f = fields(value, 3);
  if (!f) return std::nullopt;
  const auto created = number((*f)[2]);
  if (!created || (*f)[0].empty() || (*f)[1].empty()) return std::nullopt;
  return commands::Administrator{UserId(std::string((*f)[0])), std::string((*f)[1]),
                                 Timestamp(std::chrono::milliseconds(*created))};
}

}  // namespace

Result<commands::Administrator> RocksDbAuthStore::create_administrator(std::string_view email_key,
                                                                       std::string password_hash,
                                                                       Timestamp now) {
  const auto key = row(kAdministratorRows, email_key);
  auto lock = impl_->lock(key);
  auto existing = administrator_by_email(email_key);
  if (!existing) return existing.error();
  if (*existing) return make_error(errc::conflict, "email", "is already an administrator's");
  commands::Administrator made{UserId("ADM_" + random_hex(4)), std::move(password_hash), now};
  rocksdb::WriteBatch batch;
  batch.Put(key, made.id.str() + "|" + made.password_hash + "|" + std::to_string(millis(now)));
  batch.Put(row(kAdministratorIdRows, made.id.str()), std::string(email_key));
  if (auto w = impl_->write(batch); !w) return w.error();
  return made;
}

Result<std::optional<commands::Administrator>> RocksDbAuthStore::administrator_by_email(
    std::string_view email_key) {
  return impl_->read(row(kAdministratorRows, email_key), decode_administrator, "administrator");
}

Result<std::optional<commands::Administrator>> RocksDbAuthStore::administrator(const UserId& id) {
  auto email_key = impl_->get(row(kAdministratorIdRows, id.str()));
  if (!email_key) return email_key.error();
  if (!*email_key) return std::optional<commands::Administrator>();
  return administrator_by_email(**email_key);
}

}  // namespace clientele::infra
