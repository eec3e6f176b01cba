// Sealing personal fields with the customer's key, and the crypto under it.

#include "events/sealing.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>
#include <vector>

#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "events/codec.hpp"
#include "events/crypto.hpp"
#include "tests/support/memory_key_store.hpp"

namespace clientele::events {
namespace {

using testing::MemoryKeyStore;

const CustomerId kAda("CUST_0000ada1");
const CustomerId kBob("CUST_0000b0b1");

Timestamp at() {
  using namespace std::chrono;
  return time_point_cast<milliseconds>(sys_days{year{2026} / 3 / 1});
}

// A registration whose personal fields all carry the marker "PII-".
Envelope registration(const CustomerId& customer, const std::string& event_id) {
  customer::Registered e;
  e.customer_id = customer;
  e.username = "piiuser";
  e.email = "PII-ada@example.com";
  e.first_name = "PII-Ada";
  e.last_name = "PII-Lovelace";
  e.phone = "+441234567890";
  return wrap(encode(customer::Event{e}),
              {event_id, stream_name(customer), StreamVersion{1}, customer, at(),
               Actor{UserId(customer.str()), Role::Customer}, "", ""});
}

Envelope verified(const CustomerId& customer) {
  return wrap(encode(customer::Event{customer::EmailVerified{}}),
              {"evt-verified", stream_name(customer), StreamVersion{2}, customer, at(),
               Actor{UserId(customer.str()), Role::Customer}, "", ""});
}

// Serializes and parses back, as the log would store and return it.
Envelope through_the_wire(const Envelope& e) {
  auto wire = to_wire(e);
  EXPECT_TRUE(wire.ok()) << (wire.ok() ? "" : wire.error().message);
  auto parsed = parse_envelope(*wire);
  EXPECT_TRUE(parsed.ok());
  return *parsed;
}

TEST(Sealing, SealedEventsOpenToTheirPersonalFields) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  const auto personal = envelope.personal;
  ASSERT_TRUE(seal(envelope, keys).ok());
  EXPECT_TRUE(envelope.personal.is_null());
  ASSERT_TRUE(envelope.sealed.has_value());
  auto read = through_the_wire(envelope);
  ASSERT_TRUE(open(read, keys).ok());
  EXPECT_EQ(read.personal, personal);
  EXPECT_FALSE(read.erased);
  EXPECT_FALSE(read.sealed.has_value());
  auto decoded = decode<customer::Event>(read);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(std::get<customer::Registered>(*decoded).email, "PII-ada@example.com");
}

TEST(Sealing, TheWireFormHoldsNoPersonalValue) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(envelope, keys).ok());
  const auto wire = to_wire(envelope);
  ASSERT_TRUE(wire.ok());
  EXPECT_EQ(wire->find("PII-"), std::string::npos);
  EXPECT_EQ(wire->find("+441234567890"), std::string::npos);
  EXPECT_NE(wire->find("\"sealed\""), std::string::npos);
  EXPECT_EQ(wire->find("\"personal\""), std::string::npos);
}

TEST(Sealing, UnsealedPersonalFieldsNeverReachTheWire) {
  const auto wire = to_wire(registration(kAda, "evt-1"));
  ASSERT_FALSE(wire.ok());
  EXPECT_EQ(wire.error().code, errc::invalid);
  EXPECT_EQ(wire.error().message.find("PII-"), std::string::npos);
}

TEST(Sealing, EventsWithoutPersonalFieldsNeedNoKey) {
  MemoryKeyStore keys;
  auto envelope = verified(kAda);
  ASSERT_TRUE(seal(envelope, keys).ok());
  EXPECT_FALSE(envelope.sealed.has_value());
  EXPECT_FALSE(keys.key_for_opening(kAda, "kid-1").ok()) << "a key was made for nothing";
  EXPECT_TRUE(to_wire(envelope).ok());
}

TEST(Sealing, EverySealUsesAFreshNonce) {
  MemoryKeyStore keys;
  auto first = registration(kAda, "evt-1");
  auto second = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(first, keys).ok());
  ASSERT_TRUE(seal(second, keys).ok());
  EXPECT_NE(first.sealed->nonce, second.sealed->nonce);
  EXPECT_NE(first.sealed->ct, second.sealed->ct);
}

TEST(Sealing, NoncesNeverRepeatAcrossThreadsOrRefillsOfTheirRandomPool) {
  const auto key = SecretKey::random();
  constexpr int kThreads = 4, kSeals = 1000;  // each thread draws its pool empty several times
  std::vector<std::vector<std::string>> drawn(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kSeals; ++i) drawn[t].push_back(aead_seal(key, "x", "ad").nonce);
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> distinct;
  for (const auto& nonces : drawn) {
    for (const auto& nonce : nonces) {
      EXPECT_EQ(nonce.size(), 24u);
      distinct.insert(nonce);
    }
  }
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kThreads * kSeals));
}

TEST(Sealing, AForkedChildNeverDrawsTheNoncesOfItsParent) {
  const auto key = SecretKey::random();
  (void)aead_seal(key, "x", "ad");  // the parent's pool now holds unused random bytes
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const auto nonce = aead_seal(key, "x", "ad").nonce;
    const bool sent = write(fds[1], nonce.data(), nonce.size()) == 24;
    _exit(sent ? 0 : 1);
  }
  close(fds[1]);
  std::string from_child(24, '\0');
  std::size_t got = 0;
  while (got < from_child.size()) {
    const auto n = read(fds[0], from_child.data() + got, from_child.size() - got);
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ASSERT_EQ(got, 24u);
  EXPECT_NE(aead_seal(key, "x", "ad").nonce, from_child);
}

TEST(Sealing, AfterTheKeyIsDestroyedEventsOpenAsErasedNeverAsAnError) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(envelope, keys).ok());
  ASSERT_TRUE(keys.destroy(kAda).ok());
  auto read = through_the_wire(envelope);
  ASSERT_TRUE(open(read, keys).ok());
  EXPECT_TRUE(read.erased);
  EXPECT_TRUE(read.personal.is_null());
  EXPECT_EQ(to_json(read).value("erased", false), true);
  auto decoded = decode<customer::Event>(read);
  ASSERT_TRUE(decoded.ok());
  const auto& registered = std::get<customer::Registered>(*decoded);
  EXPECT_EQ(registered.customer_id, kAda);
  EXPECT_TRUE(registered.email.empty());
  EXPECT_TRUE(registered.first_name.empty());
}

TEST(Sealing, AFlippedByteIsCorruptionNeverAccepted) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(envelope, keys).ok());
  for (std::size_t i :
       {std::size_t{0}, envelope.sealed->ct.size() / 2, envelope.sealed->ct.size() - 1}) {
    auto tampered = envelope;
    tampered.sealed->ct[i] = static_cast<char>(tampered.sealed->ct[i] ^ 0x01);
    const auto result = open(tampered, keys);
    ASSERT_FALSE(result.ok()) << "byte " << i;
    EXPECT_EQ(result.error().code, errc::corrupt);
  }
  auto tampered_nonce = envelope;
  tampered_nonce.sealed->nonce[3] = static_cast<char>(tampered_nonce.sealed->nonce[3] ^ 0x80);
  EXPECT_EQ(open(tampered_nonce, keys).error().code, errc::corrupt);
}

TEST(Sealing, ABlockMovedToAnotherEventDoesNotOpen) {
  MemoryKeyStore keys;
  auto first = registration(kAda, "evt-1");
  auto second = registration(kAda, "evt-2");
  ASSERT_TRUE(seal(first, keys).ok());
  ASSERT_TRUE(seal(second, keys).ok());
  std::swap(first.sealed, second.sealed);
  EXPECT_EQ(open(first, keys).error().code, errc::corrupt);
  EXPECT_EQ(open(second, keys).error().code, errc::corrupt);
}

TEST(Sealing, ABlockRelabelledWithAnotherTypeOrVersionDoesNotOpen) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(envelope, keys).ok());
  auto retyped = envelope;
  retyped.type = "customer.profile-updated";
  EXPECT_EQ(open(retyped, keys).error().code, errc::corrupt);
  auto reversioned = envelope;
  reversioned.v = 2;
  EXPECT_EQ(open(reversioned, keys).error().code, errc::corrupt);
}

TEST(Sealing, ABlockMovedToAnotherCustomerDoesNotOpen) {
  MemoryKeyStore keys;
  auto ada = registration(kAda, "evt-1");
  auto bob = registration(kBob, "evt-1");
  ASSERT_TRUE(seal(ada, keys).ok());
  ASSERT_TRUE(seal(bob, keys).ok());
  bob.sealed = ada.sealed;  // Ada's block, in an event of Bob's with the same id
  const auto result = open(bob, keys);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, errc::corrupt);
}

TEST(Sealing, AWrongKeyIdIsCorruption) {
  MemoryKeyStore keys;
  auto envelope = registration(kAda, "evt-1");
  ASSERT_TRUE(seal(envelope, keys).ok());
  envelope.sealed->kid = "kid-999";
  EXPECT_EQ(open(envelope, keys).error().code, errc::corrupt);
}

TEST(Sealing, AnErasedCustomerGetsNoNewKey) {
  MemoryKeyStore keys;
  ASSERT_TRUE(keys.destroy(kAda).ok());
  auto envelope = registration(kAda, "evt-9");
  const auto sealed = seal(envelope, keys);
  ASSERT_FALSE(sealed.ok());
  EXPECT_EQ(sealed.error().code, errc::conflict);
}

TEST(Sealing, AnOrderSealsItsDeliveryAddressButNotItsCountryOrAmounts) {
  MemoryKeyStore keys;
  order::Placed placed;
  placed.order_id = OrderId("ORD-2026-000001");
  placed.customer_id = kAda;
  placed.items = {order::Item{ProductId("SKU-1"), "Kettle", 2, 1500, 3000}};
  placed.currency = "GBP";
  placed.total_amount = 3000;
  placed.delivery_address =
      PostalAddress{"PII-Ada", "", "PII-1 Street", "", "PII-London", "", "", "GB"};
  auto envelope = wrap(encode(order::Event{placed}),
                       {"evt-o1", stream_name(placed.order_id), StreamVersion{1}, kAda, at(),
                        Actor{UserId(kAda.str()), Role::Customer}, "", ""});
  ASSERT_TRUE(seal(envelope, keys).ok());
  const auto wire = *to_wire(envelope);
  EXPECT_EQ(wire.find("PII-"), std::string::npos);
  EXPECT_NE(wire.find("\"GB\""), std::string::npos);
  EXPECT_NE(wire.find("3000"), std::string::npos);
}

// ---- the primitives ---------------------------------------------------------------------------

TEST(Crypto, BlindIndexIgnoresCaseAndSurroundingSpace) {
  const auto pepper = SecretKey::random();
  EXPECT_EQ(blind_index(pepper, "Ada@Example.com"), blind_index(pepper, "  ada@example.com "));
  EXPECT_NE(blind_index(pepper, "ada@example.com"), blind_index(pepper, "bob@example.com"));
  EXPECT_EQ(blind_index(pepper, "ada@example.com").size(), 64u);
}

TEST(Crypto, BlindIndexDependsOnThePepper) {
  EXPECT_NE(blind_index(SecretKey::random(), "ada@example.com"),
            blind_index(SecretKey::random(), "ada@example.com"));
}

TEST(Crypto, DerivedKeysDependOnThePurposeAndAreStable) {
  const auto key = SecretKey::random();
  const auto a = derive_key(key, "purpose-a");
  EXPECT_TRUE(std::ranges::equal(a.bytes(), derive_key(key, "purpose-a").bytes()));
  EXPECT_FALSE(std::ranges::equal(a.bytes(), derive_key(key, "purpose-b").bytes()));
  EXPECT_FALSE(std::ranges::equal(a.bytes(), key.bytes()));
}

TEST(Crypto, ShortKeyedHashIsSipHash24UnderTheKeysFirstSixteenBytes) {
  // The SipHash paper's example (Appendix A): key 00..0f, message 00..0e (15 bytes) gives the
  // bytes e5 45 be 49 61 ca 29 a1, read here big-endian.
  std::array<unsigned char, 32> bytes{};
  for (unsigned i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<unsigned char>(i);
  const SecretKey key{std::span<const unsigned char, 32>(bytes)};
  std::string message;
  for (char c = 0; c < 15; ++c) message += c;
  EXPECT_EQ(short_keyed_hash(key, message), 0xe545be4961ca29a1u);
  EXPECT_NE(short_keyed_hash(key, "abc"), short_keyed_hash(SecretKey::random(), "abc"));
}

TEST(Crypto, KeyedHashMatchesRfc4231TestCase2) {
  // RFC 4231 test case 2 uses a 4-byte key; HMAC pads keys with zeros to the block size, so the
  // same key padded to 32 bytes gives the same MAC.
  std::array<unsigned char, 32> key{};
  const std::string jefe = "Jefe";
  std::copy(jefe.begin(), jefe.end(), key.begin());
  EXPECT_EQ(keyed_hash_hex(SecretKey(key), "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, SecretKeysParseFromHexOrBase64Only) {
  const auto key = SecretKey::random();
  auto from_hex = SecretKey::parse(key.hex() + "\n");
  ASSERT_TRUE(from_hex.ok());
  EXPECT_EQ(from_hex->hex(), key.hex());
  const auto raw =
      std::string(reinterpret_cast<const char*>(key.bytes().data()), key.bytes().size());
  auto from_b64 = SecretKey::parse(to_base64(raw));
  ASSERT_TRUE(from_b64.ok());
  EXPECT_EQ(from_b64->hex(), key.hex());
  EXPECT_FALSE(SecretKey::parse("too short").ok());
  EXPECT_FALSE(SecretKey::parse(std::string(64, 'z')).ok());
  EXPECT_FALSE(SecretKey::parse(key.hex().substr(2)).ok());
}

TEST(Crypto, Base64RoundTripsAndRejectsGarbage) {
  const std::string bytes("\x00\x01\xfe\xff binary", 11);
  EXPECT_EQ(from_base64(to_base64(bytes)), bytes);
  EXPECT_FALSE(from_base64("not base64!").has_value());
}

TEST(Crypto, AeadOpensOnlyWithTheSameKeyAndAssociatedData) {
  const auto key = SecretKey::random();
  const auto sealed = aead_seal(key, "secret", "context");
  EXPECT_EQ(aead_open(key, sealed, "context"), "secret");
  EXPECT_FALSE(aead_open(key, sealed, "other context").has_value());
  EXPECT_FALSE(aead_open(SecretKey::random(), sealed, "context").has_value());
}

}  // namespace
}  // namespace clientele::events
