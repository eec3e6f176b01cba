// The RocksDB key store, the key cache in front of it, and where the secrets come from.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <thread>

#include "infra/key_cache.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "infra/secrets.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::infra {
namespace {

using events::SecretKey;
using testing::TempDir;

const CustomerId kAda("CUST_0000ada1");
const CustomerId kBob("CUST_0000b0b1");

SecretKey copy_of(const SecretKey& key) {
  return SecretKey(key.bytes());
}

std::unique_ptr<RocksDbKeyStore> open_store(const std::filesystem::path& dir,
                                            const SecretKey& kek) {
  auto store = RocksDbKeyStore::open(dir, copy_of(kek));
  if (!store) throw std::runtime_error(store.error().message);
  return std::move(*store);
}

TEST(RocksDbKeyStore, ACustomerKeepsOneKeyAcrossCallsAndReopening) {
  TempDir dir;
  const auto kek = SecretKey::random();
  std::string kid, hex;
  {
    auto store = open_store(dir.path(), kek);
    auto first = store->key_for_sealing(kAda);
    ASSERT_TRUE(first.ok());
    auto again = store->key_for_sealing(kAda);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ((*first)->id, (*again)->id);
    EXPECT_EQ((*first)->key.hex(), (*again)->key.hex());
    kid = (*first)->id;
    hex = (*first)->key.hex();
  }
  auto store = open_store(dir.path(), kek);
  auto reopened = store->key_for_opening(kAda, kid);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ((*reopened)->key.hex(), hex);
}

TEST(RocksDbKeyStore, CustomersGetDifferentKeys) {
  TempDir dir;
  auto store = open_store(dir.path(), SecretKey::random());
  auto ada = store->key_for_sealing(kAda);
  auto bob = store->key_for_sealing(kBob);
  ASSERT_TRUE(ada.ok() && bob.ok());
  EXPECT_NE((*ada)->key.hex(), (*bob)->key.hex());
  EXPECT_NE((*ada)->id, (*bob)->id);
}

TEST(RocksDbKeyStore, KeysAreStoredWrappedNeverInTheClear) {
  TempDir dir;
  auto store = open_store(dir.path(), SecretKey::random());
  auto key = store->key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  auto stored = store->stored_key(kAda);
  ASSERT_TRUE(stored.ok());
  const std::string raw(reinterpret_cast<const char*>((*key)->key.bytes().data()), 32);
  EXPECT_EQ(stored->find(raw), std::string::npos);
  EXPECT_GE(stored->size(), 32u + 16u + 24u);
}

TEST(RocksDbKeyStore, AWrongKeyEncryptionKeyIsRefusedAtOpen) {
  TempDir dir;
  { open_store(dir.path(), SecretKey::random())->key_for_sealing(kAda).value(); }
  auto wrong = RocksDbKeyStore::open(dir.path(), SecretKey::random());
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().code, errc::invalid);
  EXPECT_NE(wrong.error().message.find("wrong key-encryption key"), std::string::npos);
}

TEST(RocksDbKeyStore, AnUnknownKeyIsNotFound) {
  TempDir dir;
  auto store = open_store(dir.path(), SecretKey::random());
  EXPECT_EQ(store->key_for_opening(kAda, "nope").error().code, errc::not_found);
  auto key = store->key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(store->key_for_opening(kAda, "another-kid").error().code, errc::not_found);
  EXPECT_FALSE(*store->is_destroyed(kAda));
}

TEST(RocksDbKeyStore, DestroyingAKeyIsFinalAndIdempotent) {
  TempDir dir;
  auto store = open_store(dir.path(), SecretKey::random());
  auto key = store->key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(store->destroy(kAda).value(), true);
  EXPECT_EQ(store->destroy(kAda).value(), false);
  EXPECT_TRUE(*store->is_destroyed(kAda));
  EXPECT_EQ(store->key_for_opening(kAda, (*key)->id).error().code, errc::not_found);
  EXPECT_EQ(store->key_for_sealing(kAda).error().code, errc::conflict);
  EXPECT_EQ(store->stored_key(kAda).error().code, errc::not_found);
  EXPECT_TRUE(store->key_for_sealing(kBob).ok()) << "other customers are unaffected";
}

TEST(RocksDbKeyStore, ConcurrentFirstUsesMakeOneKey) {
  TempDir dir;
  auto store = open_store(dir.path(), SecretKey::random());
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<std::string> ids;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      auto key = store->key_for_sealing(kAda);
      ASSERT_TRUE(key.ok());
      std::lock_guard lock(mu);
      ids.insert((*key)->id);
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ids.size(), 1u);
}

// ---- the cache ------------------------------------------------------------------------------

// Counts the calls that reach the store behind the cache.
class CountingKeyStore final : public events::KeyStore {
 public:
  Result<events::DataKeyPtr> key_for_sealing(const CustomerId& c) override {
    ++calls;
    return inner.key_for_sealing(c);
  }
  Result<events::DataKeyPtr> key_for_opening(const CustomerId& c, std::string_view kid) override {
    ++calls;
    return inner.key_for_opening(c, kid);
  }
  Result<bool> destroy(const CustomerId& c) override { return inner.destroy(c); }
  Result<bool> is_destroyed(const CustomerId& c) override { return inner.is_destroyed(c); }

  testing::MemoryKeyStore inner;  // the real answers
  int calls = 0;                  // key lookups that reached it
};

TEST(CachingKeyStore, RepeatedLookupsAreServedFromMemory) {
  CountingKeyStore store;
  CachingKeyStore cache(store, 10);
  auto key = cache.key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cache.key_for_opening(kAda, (*key)->id).ok());
  EXPECT_EQ(store.calls, 1);
}

TEST(CachingKeyStore, ItHoldsAtMostItsCapacityAndKeepsTheMostRecentlyUsed) {
  CountingKeyStore store;
  CachingKeyStore cache(store, 32);
  std::vector<CustomerId> customers;
  for (int i = 0; i < 200; ++i) customers.emplace_back("CUST_" + std::to_string(10000000 + i));
  for (const auto& c : customers) ASSERT_TRUE(cache.key_for_sealing(c).ok());
  EXPECT_GE(cache.capacity(), 32u);
  EXPECT_LE(cache.capacity(), 64u);
  EXPECT_EQ(cache.size(), cache.capacity()) << "200 customers fill every shard";

  const int before = store.calls;
  ASSERT_TRUE(cache.key_for_sealing(customers.back()).ok());
  EXPECT_EQ(store.calls, before) << "the most recently used customer was evicted";
  for (const auto& c : customers) ASSERT_TRUE(cache.key_for_sealing(c).ok());
  EXPECT_GE(store.calls - before, 200 - static_cast<int>(cache.capacity()))
      << "evicted customers were still cached";
}

TEST(CachingKeyStore, AnErasureDropsTheCachedKey) {
  CountingKeyStore store;
  CachingKeyStore cache(store, 10);
  auto key = cache.key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(cache.destroy(kAda).ok());
  EXPECT_EQ(cache.key_for_opening(kAda, (*key)->id).error().code, errc::not_found);
  EXPECT_EQ(cache.key_for_sealing(kAda).error().code, errc::conflict);
}

TEST(CachingKeyStore, InvalidateForgetsAKeyDestroyedElsewhere) {
  CountingKeyStore store;
  CachingKeyStore cache(store, 10);
  auto key = cache.key_for_sealing(kAda);
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store.destroy(kAda).ok());  // another process erased Ada
  cache.invalidate(kAda);                 // as on seeing customer.erased in the log
  EXPECT_EQ(cache.key_for_opening(kAda, (*key)->id).error().code, errc::not_found);
}

// ---- secrets --------------------------------------------------------------------------------

TEST(Secrets, ANewInstallationGetsDevelopmentSecretsBesideItsDataDirectory) {
  TempDir dir;
  const auto data = dir.path() / "var";
  auto secrets = load_secrets({data, "", "", "", ""});
  ASSERT_TRUE(secrets.ok()) << secrets.error().message;
  const auto keys = dir.path() / "var-keys";
  EXPECT_EQ(dev_keys_dir(data), keys);
  for (const char* name : {"kek", "pepper"}) {
    struct stat st {};
    ASSERT_EQ(::stat((keys / name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600u) << name;
  }
  EXPECT_FALSE(std::filesystem::exists(data / "kek"));
  EXPECT_NE(secrets->kek.hex(), secrets->pepper.hex());
  auto again = load_secrets({data, "", "", "", ""});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kek.hex(), secrets->kek.hex()) << "the development key was made twice";
}

TEST(Secrets, AnExistingInstallationWithoutItsKeyIsAnErrorNotANewKey) {
  TempDir dir;
  const auto data = dir.path() / "var";
  auto secrets = load_secrets({data, "", "", "", ""});
  ASSERT_TRUE(secrets.ok());
  ASSERT_TRUE(RocksDbKeyStore::open(data / "keys", std::move(secrets->kek)).ok());
  std::filesystem::remove(dev_keys_dir(data) / "kek");
  auto missing = load_secrets({data, "", "", "", ""});
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, errc::invalid);
  EXPECT_NE(missing.error().message.find("--kek-file"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dev_keys_dir(data) / "kek"));
}

TEST(Secrets, ConfiguredSecretsWinAndMalformedOnesAreRefused) {
  TempDir dir;
  const auto kek = SecretKey::random();
  const auto pepper_file = dir.path() / "pepper";
  const auto pepper = SecretKey::random();
  std::ofstream(pepper_file) << pepper.hex() << "\n";
  auto secrets = load_secrets({dir.path() / "var", kek.hex(), "", "", pepper_file.string()});
  ASSERT_TRUE(secrets.ok()) << secrets.error().message;
  EXPECT_EQ(secrets->kek.hex(), kek.hex());
  EXPECT_EQ(secrets->pepper.hex(), pepper.hex());
  EXPECT_FALSE(std::filesystem::exists(dev_keys_dir(dir.path() / "var")));

  auto bad = load_secrets({dir.path() / "var", "not-a-key", "", "", pepper_file.string()});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("CLIENTELE_KEK"), std::string::npos);
  auto absent = load_secrets({dir.path() / "var", "", (dir.path() / "nope").string(), "", ""});
  ASSERT_FALSE(absent.ok());
  EXPECT_EQ(absent.error().code, errc::invalid);
}

}  // namespace
}  // namespace clientele::infra
