#include "infra/rocksdb_key_store.hpp"

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sodium.h>

#include <mutex>
#include <string>

#include "infra/rocksdb_secondary.hpp"
#include "infra/rocksdb_support.hpp"

namespace clientele::infra {
namespace {

using events::Ciphertext;
using events::DataKey;
using events::DataKeyPtr;
using events::SecretKey;

constexpr const char* kKekCheckRow = "meta/kek-check";
constexpr std::string_view kKekCheckText = "clientele key store";
constexpr std::size_t kNonceSize = 24;

std::string key_row(const CustomerId& customer) {
  return "dek/" + customer.str();
}
std::string erased_row(const CustomerId& customer) {
  return "erased/" + customer.str();
}

// What wraps a customer's DEK is bound to the customer and the key id.
std::string wrap_context(const CustomerId& customer, std::string_view kid) {
  return "clientele.dek.v1|" + customer.str() + "|" + std::string(kid);
}

// Stored DEK row: 1-byte kid length, kid, 24-byte nonce, wrapped key.
std::string encode_row(std::string_view kid, const Ciphertext& wrapped) {
  std::string row(1, static_cast<char>(kid.size()));
  row.append(kid);
  row.append(wrapped.nonce);
  row.append(wrapped.bytes);
  return row;
}

}  // namespace

struct RocksDbKeyStore::Impl {
  SecretKey kek;                    // wraps every DEK; held in memory only
  std::unique_ptr<rocksdb::DB> db;  // the store (default column family = the key family)
  std::mutex create_mu;             // serializes making and destroying keys

  explicit Impl(SecretKey k) : kek(std::move(k)) {}
  ~Impl() {
    if (db) db->Close();
  }

  Result<std::optional<std::string>> get(const std::string& row) {
    std::string value;
    const auto s = db->Get(rocksdb::ReadOptions(), row, &value);
    if (s.IsNotFound()) return std::optional<std::string>();
    if (!s.ok()) return rocksdb_unavailable("cannot read the key store", s);
    return std::optional<std::string>(std::move(value));
  }

  Result<void> write(rocksdb::WriteBatch& batch) {
    rocksdb::WriteOptions options;
    options.sync = true;
    const auto s = db->Write(options, &batch);
    if (!s.ok()) return rocksdb_unavailable("cannot write the key store", s);
    return success();
  }

  // Checks that `kek` is the store's; records it for a new store unless `read_only`.
  Result<void> check_kek(bool read_only) {
    auto stored = get(kKekCheckRow);
    if (!stored) return stored.error();
    if (!*stored && read_only) {
      return make_error(errc::unavailable, "", "the key store is not initialized yet");
    }
    if (!*stored) {
      const auto sealed = events::aead_seal(kek, kKekCheckText, kKekCheckRow);
      rocksdb::WriteBatch batch;
      batch.Put(kKekCheckRow, sealed.nonce + sealed.bytes);
      return write(batch);
    }
    const auto& value = **stored;
    const Ciphertext check{value.substr(0, kNonceSize),
                           value.size() > kNonceSize ? value.substr(kNonceSize) : ""};
    if (events::aead_open(kek, check, kKekCheckRow) != std::string(kKekCheckText)) {
      return make_error(errc::invalid, "kek",
                        "wrong key-encryption key: it is not the one this key store was made with");
    }
    return success();
  }

  // Unwraps a stored row; errc::corrupt when it does not open with the KEK.
  Result<DataKeyPtr> unwrap(const CustomerId& customer, const std::string& row) {
    const auto kid_size = row.empty() ? 0u : static_cast<unsigned char>(row[0]);
    if (row.size() < 1 + kid_size + kNonceSize) {
      return make_error(errc::corrupt, "",
                        "the stored key of customer " + customer.str() + " is damaged");
    }
    const std::string kid = row.substr(1, kid_size);
    const Ciphertext wrapped{row.substr(1 + kid_size, kNonceSize),
                             row.substr(1 + kid_size + kNonceSize)};
    auto plain = events::aead_open(kek, wrapped, wrap_context(customer, kid));
    if (!plain || plain->size() != SecretKey::kSize) {
      return make_error(errc::corrupt, "",
                        "the stored key of customer " + customer.str() +
                            " does not open with the key-encryption key");
    }
    auto key = std::make_shared<const DataKey>(DataKey{
        kid, SecretKey(std::span<const unsigned char, SecretKey::kSize>(
                 reinterpret_cast<const unsigned char*>(plain->data()), SecretKey::kSize))});
    sodium_memzero(plain->data(), plain->size());
    return DataKeyPtr(std::move(key));
  }

  // Removes every trace of deleted rows from the store's files.
  Result<void> purge() {
    rocksdb::FlushOptions flush;
    flush.wait = true;
    auto s = db->Flush(flush);
    if (!s.ok()) return rocksdb_unavailable("cannot flush the key store", s);
    rocksdb::CompactRangeOptions compact;
    compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
    compact.exclusive_manual_compaction = true;
    s = db->CompactRange(compact, nullptr, nullptr);
    if (!s.ok()) return rocksdb_unavailable("cannot compact the key store", s);
    s = db->FlushWAL(/*sync=*/true);
    if (!s.ok()) return rocksdb_unavailable("cannot sync the key store", s);
    return success();
  }
};

namespace {

rocksdb::Options store_options() {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.WAL_ttl_seconds = 0;  // no WAL archive: an obsolete WAL file is deleted
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;  // never reuse a WAL file (old bytes would linger)
  options.keep_log_file_num = 5;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kPointInTimeRecovery;
  return options;
}

}  // namespace

Result<std::unique_ptr<RocksDbKeyStore>> RocksDbKeyStore::open(
    const std::filesystem::path& directory, SecretKey kek) {
  if (auto made = make_store_directory(directory); !made) return made.error();
  auto impl = std::make_unique<Impl>(std::move(kek));
  rocksdb::DB* db = nullptr;
  const auto s = rocksdb::DB::Open(store_options(), directory.string(), &db);
  if (!s.ok()) return rocksdb_unavailable("cannot open the key store at " + directory.string(), s);
  impl->db.reset(db);
  if (auto r = impl->check_kek(/*read_only=*/false); !r) return r.error();
  return std::unique_ptr<RocksDbKeyStore>(new RocksDbKeyStore(std::move(impl)));
}

Result<std::unique_ptr<RocksDbKeyStore>> RocksDbKeyStore::open_secondary(
    const std::filesystem::path& directory, SecretKey kek,
    const std::filesystem::path& secondary_dir) {
  const auto options = store_options();
  const auto list = [&]() -> Result<std::vector<rocksdb::ColumnFamilyDescriptor>> {
    return std::vector<rocksdb::ColumnFamilyDescriptor>{
        {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions(options)}};
  };
  auto impl = std::make_unique<Impl>(std::move(kek));
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  auto opened =
      open_rocksdb_secondary(options, directory, secondary_dir, list, &handles, &impl->db);
  if (!opened) return opened.error();
  // The store reads and writes the default column family through the database's own handle.
  for (auto* handle : handles) impl->db->DestroyColumnFamilyHandle(handle);
  if (auto r = impl->check_kek(/*read_only=*/true); !r) return r.error();
  return std::unique_ptr<RocksDbKeyStore>(new RocksDbKeyStore(std::move(impl)));
}

RocksDbKeyStore::RocksDbKeyStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RocksDbKeyStore::~RocksDbKeyStore() = default;

Result<DataKeyPtr> RocksDbKeyStore::key_for_sealing(const CustomerId& customer) {
  std::lock_guard lock(impl_->create_mu);
  auto row = impl_->get(key_row(customer));
  if (!row) return row.error();
  if (*row) return impl_->unwrap(customer, **row);
  auto erased = is_destroyed(customer);
  if (!erased) return erased.error();
  if (*erased) {
    return make_error(errc::conflict, "customerId",
                      "customer " + customer.str() + " was erased: its key is gone for good");
  }
  auto dek = SecretKey::random();
  const std::string kid = SecretKey::random().hex().substr(0, 16);
  const auto key_bytes = dek.bytes();
  const auto wrapped = events::aead_seal(
      impl_->kek,
      std::string_view(reinterpret_cast<const char*>(key_bytes.data()), key_bytes.size()),
      wrap_context(customer, kid));
  rocksdb::WriteBatch batch;
  batch.Put(key_row(customer), encode_row(kid, wrapped));
  if (auto r = impl_->write(batch); !r) return r.error();
  return DataKeyPtr(std::make_shared<const DataKey>(DataKey{kid, std::move(dek)}));
}

Result<DataKeyPtr> RocksDbKeyStore::key_for_opening(const CustomerId& customer,
                                                    std::string_view key_id) {
  auto row = impl_->get(key_row(customer));
  if (!row) return row.error();
  if (!*row) return make_error(errc::not_found, "", "customer " + customer.str() + " has no key");
  auto key = impl_->unwrap(customer, **row);
  if (!key) return key;
  if ((*key)->id != key_id) {
    return make_error(errc::not_found, "", "customer " + customer.str() + " has no such key");
  }
  return key;
}

Result<bool> RocksDbKeyStore::destroy(const CustomerId& customer) {
  std::lock_guard lock(impl_->create_mu);
  auto row = impl_->get(key_row(customer));
  if (!row) return row.error();
  rocksdb::WriteBatch batch;
  batch.Delete(key_row(customer));
  batch.Put(erased_row(customer), "");
  if (auto r = impl_->write(batch); !r) return r.error();
  if (auto r = impl_->purge(); !r) return r.error();
  return row->has_value();
}

Result<bool> RocksDbKeyStore::is_destroyed(const CustomerId& customer) {
  auto row = impl_->get(erased_row(customer));
  if (!row) return row.error();
  return row->has_value();
}

Result<std::string> RocksDbKeyStore::stored_key(const CustomerId& customer) {
  auto row = impl_->get(key_row(customer));
  if (!row) return row.error();
  if (!*row) return make_error(errc::not_found, "", "customer " + customer.str() + " has no key");
  return std::move(**row);
}

}  // namespace clientele::infra
