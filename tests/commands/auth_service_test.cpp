// Federated login and linking in the auth service, on the real embedded log, write-side store and
// auth store: the three cases of a login with a verified ID token (linked, an email already
// registered, a new customer), what a new customer imports, linking to a signed-in customer, and
// the nonces of the login flow.

#include "commands/auth_service.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <latch>
#include <thread>

#include "infra/clock.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/outbox_notifier.hpp"
#include "infra/rocksdb_auth_store.hpp"
#include "infra/rocksdb_write_model.hpp"
#include "infra/uuid.hpp"
#include "tests/support/memory_key_store.hpp"
#include "tests/support/numbered.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::commands {
namespace {

using customer::Provider;
using testing::TempDir;

constexpr const char* kPassword = "correct horse 42";
const Client kPhone{"203.0.113.7", "ExampleApp/1.0"};

// What Google's verified ID token says of Ada's account.
ExternalIdentity ada_at_google() {
  return {Provider::Google, "110169484474386276334", "ada@example.com", true, "Ada", "Lovelace"};
}

// What Apple's says of Bob's: no names ever, and here an email Apple did not verify.
ExternalIdentity bob_at_apple() {
  return {Provider::Apple, "001234.bob", "bob@example.com", false, std::nullopt, std::nullopt};
}

class FederatedLogin : public ::testing::Test {
 protected:
  FederatedLogin()
      : log_(std::move(infra::EmbeddedEventLog::open({dir_.path() / "events", 4}).value())),
        write_model_(std::move(infra::RocksDbWriteModel::open(dir_.path() / "commands").value())),
        sessions_(std::move(
            infra::RocksDbAuthStore::open(dir_.path() / "auth", events::SecretKey::random())
                .value())),
        outbox_(std::move(infra::OutboxNotifier::open(dir_.path() / "outbox").value())),
        bus_(*log_, keys_, *write_model_, pepper_, infra::uuid_v7),
        customers_(bus_, infra::utc_now, infra::random_customer_id),
        hasher_(PasswordHasher::create(PasswordHashing::for_tests()).value()),
        auth_({customers_, *sessions_, hasher_, *sessions_, *sessions_, *outbox_}) {}

  Session must_sign_in(const ExternalIdentity& identity, const FederatedProfile& profile = {}) {
    auto session = auth_.federated_login(identity, profile, kPhone);
    EXPECT_TRUE(session.ok()) << session.error().message;
    return session.ok() ? *session : Session{};
  }
  CustomerId must_register(const std::string& email) {
    NewCustomer ada;
    ada.email = email;
    ada.password = kPassword;
    ada.first_name = "Ada";
    ada.last_name = "Lovelace";
    auto session = auth_.register_customer(ada);
    EXPECT_TRUE(session.ok()) << session.error().message;
    return CustomerId(session.ok() ? session->user.str() : "");
  }
  customer::State state_of(const CustomerId& customer) {
    auto loaded = customers_.load(customer);
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    return loaded.ok() ? loaded->state : customer::State{};
  }
  std::optional<CustomerId> linked_to(const ExternalIdentity& identity) {
    return customers_.find_by_external_account(identity.provider, identity.subject).value();
  }

  TempDir dir_;
  events::SecretKey pepper_ = events::SecretKey::random();
  testing::MemoryKeyStore keys_;
  std::unique_ptr<infra::EmbeddedEventLog> log_;
  std::unique_ptr<infra::RocksDbWriteModel> write_model_;
  std::unique_ptr<infra::RocksDbAuthStore> sessions_;
  std::unique_ptr<infra::OutboxNotifier> outbox_;
  CommandBus bus_;
  CustomerCommands customers_;
  PasswordHasher hasher_;
  AuthService auth_;
};

void expect_error(const auto& result, errc code, const std::string& field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, code) << result.error().message;
  EXPECT_EQ(result.error().field, field) << result.error().message;
}

TEST_F(FederatedLogin, AFirstLoginRegistersACustomerWithoutPasswordAndLinksTheAccount) {
  const auto session = must_sign_in(ada_at_google());
  EXPECT_TRUE(session.registered);
  EXPECT_EQ(session.role, Role::Customer);
  EXPECT_FALSE(session.refresh.token.empty());
  ASSERT_EQ(session.outcome.positions.size(), 3u) << "registered, linked, email verified";
  EXPECT_EQ(session.outcome.version, 3u);

  const CustomerId customer(session.user.str());
  const auto state = state_of(customer);
  EXPECT_EQ(state.email, "ada@example.com");
  EXPECT_TRUE(state.password_hash.empty());
  EXPECT_TRUE(state.email_verified) << "the provider verified the email of its token";
  EXPECT_EQ(state.linked_providers, std::set<Provider>{Provider::Google});
  EXPECT_EQ(linked_to(ada_at_google()), customer);
  EXPECT_EQ(customers_.find_by_login("adalovelace1").value(), customer) << "names imported";
}

TEST_F(FederatedLogin, ALaterLoginSignsTheLinkedCustomerIn) {
  const auto first = must_sign_in(ada_at_google());
  const auto again = must_sign_in(ada_at_google());
  EXPECT_FALSE(again.registered);
  EXPECT_EQ(again.user, first.user);
  EXPECT_NE(again.refresh.token, first.refresh.token);
  ASSERT_EQ(again.outcome.positions.size(), 1u) << "the login is recorded";
  EXPECT_EQ(again.outcome.version, first.outcome.version + 1);
}

TEST_F(FederatedLogin, WhatTheTokenLacksComesFromTheClientAndOnlyTheTokensEmailIsVerified) {
  FederatedProfile profile{"someone@example.com", "Bob", "Stone"};
  const auto bob = must_sign_in(bob_at_apple(), profile);
  const auto state = state_of(CustomerId(bob.user.str()));
  EXPECT_EQ(state.email, "bob@example.com") << "the token's email wins over the client's";
  EXPECT_FALSE(state.email_verified) << "Apple did not verify it";
  EXPECT_EQ(customers_.find_by_login("bobstone1").value(), CustomerId(bob.user.str()));

  auto without_email = ada_at_google();
  without_email.email.reset();
  const auto ada = must_sign_in(without_email, {"ada@example.org", std::nullopt, std::nullopt});
  EXPECT_EQ(state_of(CustomerId(ada.user.str())).email, "ada@example.org");
  EXPECT_FALSE(state_of(CustomerId(ada.user.str())).email_verified)
      << "an email the client typed is never verified";
}

TEST_F(FederatedLogin, ANewCustomerNeedsAnEmailAndNamesFromTheTokenOrTheClient) {
  auto identity = bob_at_apple();
  expect_error(auth_.federated_login(identity, {}, kPhone), errc::invalid, "firstName");
  expect_error(auth_.federated_login(identity, {std::nullopt, "Bob", std::nullopt}, kPhone),
               errc::invalid, "lastName");
  identity.email.reset();
  expect_error(auth_.federated_login(identity, {std::nullopt, "Bob", "Stone"}, kPhone),
               errc::invalid, "email");
  expect_error(auth_.federated_login(identity, {"not an email", "Bob", "Stone"}, kPhone),
               errc::invalid, "email");
  EXPECT_EQ(linked_to(bob_at_apple()), std::nullopt);
}

TEST_F(FederatedLogin, AnAccountThatCannotBeLinkedRegistersNoOne) {
  auto identity = ada_at_google();
  identity.subject = std::string(256, '7');
  expect_error(auth_.federated_login(identity, {}, kPhone), errc::invalid, "idToken");
  EXPECT_EQ(customers_.find_by_login("ada@example.com").value(), std::nullopt);
}

TEST_F(FederatedLogin, AnAccountWithTheEmailOfACustomerIsNeverLinkedByTheEmail) {
  const auto ada = must_register("ADA@example.com");
  expect_error(auth_.federated_login(ada_at_google(), {}, kPhone), errc::conflict, "email");
  EXPECT_EQ(linked_to(ada_at_google()), std::nullopt);
  EXPECT_TRUE(state_of(ada).linked_providers.empty());
  EXPECT_EQ(state_of(ada).email_verified, false) << "the token changed nothing";

  auto typed = bob_at_apple();
  typed.email.reset();
  expect_error(auth_.federated_login(typed, {"ada@example.com", "Bob", "Stone"}, kPhone),
               errc::conflict, "email");
}

TEST_F(FederatedLogin, ALinkedCustomerWhoIsSuspendedOrInactiveCannotSignIn) {
  const CustomerId ada(must_sign_in(ada_at_google()).user.str());
  const Actor staff{UserId("ADM_0042"), Role::Administrator};
  for (const auto status : {customer::Status::Suspended, customer::Status::Inactive}) {
    ASSERT_TRUE(customers_.execute(ada, customer::ChangeStatus{status, ""}, staff).ok());
    expect_error(auth_.federated_login(ada_at_google(), {}, kPhone), errc::conflict, "status");
  }
}

TEST_F(FederatedLogin, TheAccountOfAnErasedCustomerIsLinkedToNoOne) {
  const CustomerId ada(must_sign_in(ada_at_google()).user.str());
  ASSERT_TRUE(customers_
                  .execute(ada, customer::Erase{"gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"},
                           Actor{UserId("ADM_0042"), Role::Administrator})
                  .ok());
  EXPECT_EQ(linked_to(ada_at_google()), std::nullopt);
  const auto again = must_sign_in(ada_at_google());
  EXPECT_TRUE(again.registered) << "a new customer, nothing of the erased one";
  EXPECT_NE(again.user.str(), ada.str());
}

TEST_F(FederatedLogin, ASignedInCustomerLinksAnAccountAndThenSignsInWithIt) {
  const auto ada = must_register("ada@example.com");
  const auto linked = auth_.link_external_account(ada, ada_at_google());
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_EQ(linked->positions.size(), 1u);
  EXPECT_EQ(linked_to(ada_at_google()), ada);

  const auto session = must_sign_in(ada_at_google());
  EXPECT_FALSE(session.registered);
  EXPECT_EQ(session.user.str(), ada.str());
  EXPECT_FALSE(state_of(ada).password_hash.empty()) << "the password still works too";
}

TEST_F(FederatedLogin, ACustomerLinksOneAccountPerProvider) {
  const auto ada = must_register("ada@example.com");
  ASSERT_TRUE(auth_.link_external_account(ada, ada_at_google()).ok());
  expect_error(auth_.link_external_account(ada, ada_at_google()), errc::conflict, "provider");
  auto other = ada_at_google();
  other.subject = "another-google-account";
  expect_error(auth_.link_external_account(ada, other), errc::conflict, "provider");
  EXPECT_TRUE(auth_.link_external_account(ada, bob_at_apple()).ok()) << "another provider";
}

TEST_F(FederatedLogin, AnAccountLinkedToAnotherCustomerIsNotLinkedAgain) {
  const auto owner = CustomerId(must_sign_in(ada_at_google()).user.str());
  const auto eve = must_register("eve@example.com");
  expect_error(auth_.link_external_account(eve, ada_at_google()), errc::conflict, "idToken");
  EXPECT_EQ(linked_to(ada_at_google()), owner);
  EXPECT_TRUE(state_of(eve).linked_providers.empty());
}

TEST_F(FederatedLogin, OfConcurrentLinksOfOneAccountAtMostOneSucceeds) {
  constexpr int kCustomers = 8;
  std::vector<CustomerId> customers;
  for (int i = 0; i < kCustomers; ++i) {
    customers.push_back(must_register(testing::numbered("c", i) + "@example.com"));
  }
  std::latch start(kCustomers);
  std::atomic<int> linked{0};
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (const auto& customer : customers) {
    threads.emplace_back([&, customer] {
      start.arrive_and_wait();
      const auto done = auth_.link_external_account(customer, ada_at_google());
      if (done) ++linked;
      if (!done && done.error().code == errc::conflict && done.error().field == "idToken") {
        ++conflicts;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(linked.load(), 1);
  EXPECT_EQ(conflicts.load(), kCustomers - 1);
  int holders = 0;
  for (const auto& customer : customers) holders += state_of(customer).linked_providers.size();
  EXPECT_EQ(holders, 1);
}

TEST_F(FederatedLogin, ASuspendedCustomerCannotLink) {
  const auto ada = must_register("ada@example.com");
  ASSERT_TRUE(customers_
                  .execute(ada, customer::ChangeStatus{customer::Status::Suspended, ""},
                           Actor{UserId("ADM_0042"), Role::Administrator})
                  .ok());
  expect_error(auth_.link_external_account(ada, ada_at_google()), errc::conflict, "status");
  EXPECT_EQ(linked_to(ada_at_google()), std::nullopt);
}

TEST_F(FederatedLogin, ALoginNonceRedeemsOnce) {
  const auto nonce = auth_.issue_login_nonce();
  ASSERT_TRUE(nonce.ok()) << nonce.error().message;
  EXPECT_EQ(nonce->size(), 43u);
  EXPECT_NE(*nonce, auth_.issue_login_nonce().value());
  EXPECT_TRUE(auth_.redeem_login_nonce(*nonce).ok());
  expect_error(auth_.redeem_login_nonce(*nonce), errc::forbidden, "nonce");
  expect_error(auth_.redeem_login_nonce("made-up"), errc::forbidden, "nonce");
}

}  // namespace
}  // namespace clientele::commands
