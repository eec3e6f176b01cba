#include "domain/customer.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/domain/decider_spec.hpp"
#include "tests/support/numbered.hpp"

namespace clientele::customer {
namespace {

using Spec = testing::DeciderSpec<State, Command, Event>;

// ---- fixtures -------------------------------------------------------------------------------

// An explicit empty answer: `then({})` would pick the error overload.
std::vector<Event> no_events() {
  return {};
}

// A value-initialized T changed by `change` (GCC 12 warns on designated initializers that
// leave members out).
template <class T, class Change>
T build(Change change) {
  T value{};
  change(value);
  return value;
}

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

Context spec_context() {
  return Context{testing::spec_now(), Actor{UserId("ADM_0001"), Role::Administrator}};
}

Registered jane() {
  return Registered{
      .customer_id = CustomerId("CUST_0a1b2c3d"),
      .username = "jane",
      .email = "jane@example.com",
      .password_hash = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA",
      .first_name = "Jane",
      .last_name = "Doe",
      .phone = "+14155550100",
      .date_of_birth = ymd(1990, 5, 17),
      .gender = Gender::Female,
      .company_name = "Acme",
      .preferences =
          Preferences{
              .newsletter = true, .notifications = true, .language = "en-US", .currency = ""},
      .marketing_emails = true,
      .marketing_sms = false};
}

// The command that produces jane(), but with the email as typed.
Register jane_registers() {
  const Registered e = jane();
  return Register{.customer_id = e.customer_id,
                  .username = e.username,
                  .email = "Jane@Example.COM",
                  .password_hash = e.password_hash,
                  .first_name = e.first_name,
                  .last_name = e.last_name,
                  .phone = e.phone,
                  .date_of_birth = e.date_of_birth,
                  .gender = e.gender,
                  .company_name = e.company_name,
                  .preferences = e.preferences,
                  .marketing_emails = e.marketing_emails,
                  .marketing_sms = e.marketing_sms,
                  .external_account = std::nullopt,
                  .email_verified = false};
}

template <class Change>
Register registering(Change change) {
  Register command = jane_registers();
  change(command);
  return command;
}

Erase erase_command() {
  return Erase{"gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0001"};
}
Erased erased() {
  return Erased{"gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0001"};
}

PostalAddress postal(std::string line1 = "1 Sejong-daero") {
  return PostalAddress{.recipient_name = "Jane Doe",
                       .phone = "+821012345678",
                       .line1 = std::move(line1),
                       .line2 = "Apt 101",
                       .city = "Seoul",
                       .state = "",
                       .postal_code = "04524",
                       .country = "KR"};
}

AddressAdded address_added(const std::string& id, std::string alias) {
  return AddressAdded{AddressId(id), std::move(alias), AddressKind::Home, postal()};
}

DefaultAddressSet default_set(const std::string& id) {
  return DefaultAddressSet{AddressId(id)};
}

AddAddress add_address(const std::string& id, std::string alias, bool make_default = false) {
  return AddAddress{AddressId(id), std::move(alias), AddressKind::Home, postal(), make_default};
}

template <class Change>
AddAddress adding(Change change) {
  AddAddress command = add_address("a1", "Home");
  change(command);
  return command;
}

UpdateAddress update_address(const std::string& id, std::string alias,
                             AddressKind kind = AddressKind::Home, PostalAddress to = postal()) {
  return UpdateAddress{AddressId(id), std::move(alias), kind, std::move(to)};
}

// A customer with three addresses; "a1" is the default.
std::vector<Event> jane_with_three_addresses() {
  return {jane(), address_added("a1", "Home"), default_set("a1"), address_added("a2", "Work"),
          address_added("a3", "Parents")};
}

// One shape-valid command of every kind except Register.
std::vector<Command> every_command_but_register() {
  return {build<UpdateProfile>([](auto& v) { v.first_name = "Janet"; }),
          ChangeEmail{"janet@example.com"},
          VerifyEmail{},
          VerifyPhone{},
          ChangePassword{"$argon2id$new"},
          RequestPasswordReset{},
          LinkExternalAccount{Provider::Kakao, "kakao-123"},
          ChangeStatus{Status::Inactive, "moved away"},
          ChangeType{Type::VIP},
          AddNote{"called about a refund"},
          SetTags{{"vip"}},
          ChangePreferences{Preferences{
              .newsletter = false, .notifications = true, .language = "ko-KR", .currency = ""}},
          GiveConsent{},
          WithdrawConsent{},
          RecordLogin{LoginMethod::Password, "203.0.113.7", "Mozilla/5.0"},
          RequestErasure{},
          erase_command(),
          add_address("a1", "Home"),
          update_address("a1", "Home"),
          RemoveAddress{AddressId("a1")},
          SetDefaultAddress{AddressId("a1")}};
}

// True iff exactly one address is the default whenever any address exists.
bool has_exactly_one_default(const State& s) {
  if (s.addresses.empty()) return !s.default_address.has_value();
  if (!s.default_address) return false;
  int matches = 0;
  for (const auto& a : s.addresses) matches += a.id == *s.default_address ? 1 : 0;
  return matches == 1;
}

// Decides `command` and folds its events into `state`; fails the test on a rejection.
State run(State state, const Command& command) {
  auto result = decide(command, state, spec_context());
  EXPECT_TRUE(result.ok()) << (result.ok() ? "" : result.error().message);
  if (!result.ok()) return state;
  for (const auto& event : result.value()) state = evolve(std::move(state), event);
  return state;
}

// ---- Register -------------------------------------------------------------------------------

TEST(CustomerDecider, RegisteringEmitsRegisteredWithTheEmailNormalized) {
  Spec().when(jane_registers()).then({jane()});
}

TEST(CustomerDecider, RegisteringSetsIdentityContactAndPreferences) {
  const State s = Spec().when(jane_registers()).then({jane()});
  EXPECT_TRUE(s.registered);
  EXPECT_FALSE(s.erased);
  EXPECT_EQ(s.id, CustomerId("CUST_0a1b2c3d"));
  EXPECT_EQ(s.email, "jane@example.com");
  EXPECT_EQ(s.phone, "+14155550100");
  EXPECT_FALSE(s.password_hash.empty());
  EXPECT_EQ(s.preferences,
            (Preferences{
                .newsletter = true, .notifications = true, .language = "en-US", .currency = ""}));
  EXPECT_EQ(s.status, Status::Active);
  EXPECT_FALSE(s.email_verified);
  EXPECT_FALSE(s.phone_verified);
}

TEST(CustomerDecider, RegisteringWithoutPasswordCreatesAFederatedOnlyAccount) {
  Registered expected = jane();
  expected.password_hash = "";
  const State s =
      Spec().when(registering([](Register& r) { r.password_hash = ""; })).then({expected});
  EXPECT_TRUE(s.password_hash.empty());
}

// A federated registration is one append: the customer never exists without the account linked
// (or without the email its provider verified).
TEST(CustomerDecider, AFederatedRegistrationLinksTheAccountAndVerifiesTheEmailInOneDecision) {
  Registered expected = jane();
  expected.password_hash = "";
  const State s =
      Spec()
          .when(registering([](Register& r) {
            r.password_hash = "";
            r.external_account = LinkExternalAccount{Provider::Apple, "a-1"};
            r.email_verified = true;
          }))
          .then({expected, ExternalAccountLinked{Provider::Apple, "a-1"}, EmailVerified{}});
  EXPECT_TRUE(s.linked_providers.contains(Provider::Apple));
  EXPECT_TRUE(s.email_verified);
  Spec()
      .when(registering([](Register& r) {
        r.external_account = LinkExternalAccount{Provider::Kakao, ""};
      }))
      .then(errc::invalid, "externalUserId");
}

TEST(CustomerDecider, RegisteringAnExistingCustomerIsAConflict) {
  Spec().given({jane()}).when(jane_registers()).then(errc::conflict, "customerId");
}

TEST(CustomerDecider, RegisteringAnErasedCustomerAgainIsAConflict) {
  Spec().given({jane(), erased()}).when(jane_registers()).then(errc::conflict, "customerId");
}

TEST(CustomerDecider, RegisterRequiresACustomerId) {
  Spec()
      .when(registering([](Register& r) { r.customer_id = CustomerId(); }))
      .then(errc::invalid, "customerId");
}

TEST(CustomerDecider, RegisterRejectsUsernamesOtherThanThreeToThirtyLowercaseLettersOrDigits) {
  for (const std::string& bad :
       std::vector<std::string>{"", "ab", std::string(31, 'a'), "Jane", "jane.doe", "jane_doe",
                                "jane doe", "jan\xC3\xA9"}) {
    SCOPED_TRACE(bad);
    Spec()
        .when(registering([&](Register& r) { r.username = bad; }))
        .then(errc::invalid, "username");
  }
}

TEST(CustomerDecider, RegisterAcceptsUsernamesOfThreeAndThirtyCharacters) {
  for (const std::string& good : std::vector<std::string>{"j0e", std::string(30, 'z')}) {
    Registered expected = jane();
    expected.username = good;
    Spec().when(registering([&](Register& r) { r.username = good; })).then({expected});
  }
}

TEST(CustomerDecider, RegisterRejectsAMissingOrMalformedEmail) {
  for (const std::string& bad : std::vector<std::string>{"", "jane", "jane@", "jane@example"}) {
    SCOPED_TRACE(bad);
    Spec().when(registering([&](Register& r) { r.email = bad; })).then(errc::invalid, "email");
  }
}

TEST(CustomerDecider, RegisterRejectsNamesShorterThanTwoOrLongerThanHundredCharacters) {
  Spec()
      .when(registering([](Register& r) { r.first_name = "J"; }))
      .then(errc::invalid, "firstName");
  Spec()
      .when(registering([](Register& r) { r.first_name = std::string(101, 'a'); }))
      .then(errc::invalid, "firstName");
  Spec().when(registering([](Register& r) { r.last_name = ""; })).then(errc::invalid, "lastName");
  Spec()
      .when(registering([](Register& r) { r.last_name = "Do\x01"; }))
      .then(errc::invalid, "lastName");
}

TEST(CustomerDecider, RegisterRejectsAPhoneThatIsNotE164) {
  for (const std::string& bad :
       std::vector<std::string>{"4155550100", "+1 415 555 0100", "+0123"}) {
    SCOPED_TRACE(bad);
    Spec().when(registering([&](Register& r) { r.phone = bad; })).then(errc::invalid, "phone");
  }
}

TEST(CustomerDecider, RegisterAcceptsNoPhone) {
  Registered expected = jane();
  expected.phone = "";
  const State s = Spec().when(registering([](Register& r) { r.phone = ""; })).then({expected});
  EXPECT_EQ(s.phone, "");
}

TEST(CustomerDecider, RegisterRejectsADateOfBirthAfterToday) {
  Spec()
      .when(registering([](Register& r) { r.date_of_birth = ymd(2026, 1, 21); }))
      .then(errc::invalid, "dateOfBirth");
}

TEST(CustomerDecider, RegisterRejectsADateOfBirthBefore1900) {
  Spec()
      .when(registering([](Register& r) { r.date_of_birth = ymd(1899, 12, 31); }))
      .then(errc::invalid, "dateOfBirth");
}

TEST(CustomerDecider, RegisterRejectsADateOfBirthThatIsNotACalendarDate) {
  Spec()
      .when(registering([](Register& r) { r.date_of_birth = ymd(2001, 2, 29); }))
      .then(errc::invalid, "dateOfBirth");
}

TEST(CustomerDecider, RegisterAcceptsDatesOfBirthFrom1900ThroughToday) {
  for (const auto& date : {ymd(1900, 1, 1), ymd(2026, 1, 20)}) {
    Registered expected = jane();
    expected.date_of_birth = date;
    Spec().when(registering([&](Register& r) { r.date_of_birth = date; })).then({expected});
  }
}

TEST(CustomerDecider, RegisterRejectsACompanyNameOverHundredCharacters) {
  Spec()
      .when(registering([](Register& r) { r.company_name = std::string(101, 'c'); }))
      .then(errc::invalid, "companyName");
}

TEST(CustomerDecider, RegisterAcceptsNoCompanyName) {
  Registered expected = jane();
  expected.company_name = "";
  Spec().when(registering([](Register& r) { r.company_name = ""; })).then({expected});
}

TEST(CustomerDecider, RegisterRejectsAPasswordHashOver1024Bytes) {
  Spec()
      .when(registering([](Register& r) { r.password_hash = std::string(1025, 'h'); }))
      .then(errc::invalid, "password");
  Registered expected = jane();
  expected.password_hash = std::string(1024, 'h');
  Spec()
      .when(registering([](Register& r) { r.password_hash = std::string(1024, 'h'); }))
      .then({expected});
}

TEST(CustomerDecider, RegisterRejectsALanguageThatIsNotALanguageTag) {
  for (const std::string& bad : std::vector<std::string>{"", "EN", "en_US", "english", "en-us"}) {
    SCOPED_TRACE(bad);
    Spec()
        .when(registering([&](Register& r) { r.preferences.language = bad; }))
        .then(errc::invalid, "preferences.language");
  }
}

TEST(CustomerDecider, RegisterRejectsAnUnknownCurrency) {
  for (const std::string& bad : std::vector<std::string>{"usd", "US", "ABC"}) {
    SCOPED_TRACE(bad);
    Spec()
        .when(registering([&](Register& r) { r.preferences.currency = bad; }))
        .then(errc::invalid, "preferences.currency");
  }
}

TEST(CustomerDecider, RegisterAcceptsAKnownOrNoCurrency) {
  for (const std::string& good : std::vector<std::string>{"", "KRW"}) {
    Registered expected = jane();
    expected.preferences.currency = good;
    Spec().when(registering([&](Register& r) { r.preferences.currency = good; })).then({expected});
  }
}

TEST(CustomerDecider, RejectionMessagesDoNotRepeatTheValue) {
  const std::string secret = "jane.doe.secret@@example.com";
  auto result =
      decide(registering([&](Register& r) { r.email = secret; }), State{}, spec_context());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().field, "email");
  EXPECT_EQ(result.error().message.find("secret"), std::string::npos);

  result =
      decide(registering([](Register& r) { r.phone = "+1555secret"; }), State{}, spec_context());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.find("secret"), std::string::npos);
}

// ---- existence and order of checks ----------------------------------------------------------

TEST(CustomerDecider, EveryCommandButRegisterOnAnUnknownCustomerIsNotFound) {
  std::set<std::size_t> kinds;
  for (const Command& command : every_command_but_register()) {
    SCOPED_TRACE(command.index());
    kinds.insert(command.index());
    Spec().when(command).then(errc::not_found, "");
  }
  EXPECT_EQ(kinds.size(), std::variant_size_v<Command> - 1) << "every kind of command is covered";
}

TEST(CustomerDecider, ShapeIsCheckedBeforeExistence) {
  Spec().when(ChangeEmail{"not an email"}).then(errc::invalid, "email");
  Spec().given({jane(), erased()}).when(AddNote{""}).then(errc::invalid, "note");
}

TEST(CustomerDecider, ExistenceIsCheckedBeforeStateRules) {
  Spec().when(VerifyPhone{}).then(errc::not_found, "");
  Spec().when(RemoveAddress{AddressId("a1")}).then(errc::not_found, "");
}

// ---- UpdateProfile --------------------------------------------------------------------------

TEST(CustomerDecider, UpdatingTheProfileEmitsOnlyThePresentFields) {
  Spec()
      .given({jane()})
      .when(build<UpdateProfile>([](auto& v) {
        v.first_name = "Janet";
        v.date_of_birth = ymd(1991, 6, 1);
        v.gender = Gender::Undisclosed;
        v.marketing_sms = true;
      }))
      .then({build<ProfileUpdated>([](auto& v) {
        v.first_name = "Janet";
        v.date_of_birth = ymd(1991, 6, 1);
        v.gender = Gender::Undisclosed;
        v.marketing_sms = true;
      })});
}

TEST(CustomerDecider, UpdatingThePhoneToTheCurrentOneChangesNothing) {
  Spec()
      .given({jane()})
      .when(build<UpdateProfile>([](auto& v) { v.phone = "+14155550100"; }))
      .then(no_events());
}

TEST(CustomerDecider, UpdatingTheProfileDropsAnUnchangedPhone) {
  Spec()
      .given({jane()})
      .when(build<UpdateProfile>([](auto& v) {
        v.last_name = "Roe";
        v.phone = "+14155550100";
      }))
      .then({build<ProfileUpdated>([](auto& v) { v.last_name = "Roe"; })});
}

TEST(CustomerDecider, UpdatingTheProfileWithNoFieldsChangesNothing) {
  Spec().given({jane()}).when(UpdateProfile{}).then(no_events());
}

TEST(CustomerDecider, ANewPhoneNeedsVerifyingAgain) {
  const State s = Spec()
                      .given({jane(), PhoneVerified{}})
                      .when(build<UpdateProfile>([](auto& v) { v.phone = "+821012345678"; }))
                      .then({build<ProfileUpdated>([](auto& v) { v.phone = "+821012345678"; })});
  EXPECT_EQ(s.phone, "+821012345678");
  EXPECT_FALSE(s.phone_verified);
}

TEST(CustomerDecider, AnEmptyPhoneClearsIt) {
  const State s = Spec()
                      .given({jane()})
                      .when(build<UpdateProfile>([](auto& v) { v.phone = ""; }))
                      .then({build<ProfileUpdated>([](auto& v) { v.phone = ""; })});
  EXPECT_EQ(s.phone, "");
}

TEST(CustomerDecider, AnEmptyCompanyNameClearsIt) {
  Spec()
      .given({jane()})
      .when(build<UpdateProfile>([](auto& v) { v.company_name = ""; }))
      .then({build<ProfileUpdated>([](auto& v) { v.company_name = ""; })});
}

TEST(CustomerDecider, UpdateProfileValidatesEveryPresentFieldLikeRegister) {
  const std::vector<std::pair<UpdateProfile, std::string>> cases{
      {build<UpdateProfile>([](auto& v) { v.first_name = "J"; }), "firstName"},
      {build<UpdateProfile>([](auto& v) { v.last_name = std::string(101, 'x'); }), "lastName"},
      {build<UpdateProfile>([](auto& v) { v.phone = "0101234"; }), "phone"},
      {build<UpdateProfile>([](auto& v) { v.date_of_birth = ymd(2030, 1, 1); }), "dateOfBirth"},
      {build<UpdateProfile>([](auto& v) { v.date_of_birth = ymd(1850, 1, 1); }), "dateOfBirth"},
      {build<UpdateProfile>([](auto& v) { v.company_name = std::string(101, 'c'); }),
       "companyName"},
  };
  for (const auto& [command, field] : cases) {
    SCOPED_TRACE(field);
    Spec().given({jane()}).when(command).then(errc::invalid, field);
  }
}

// ---- email, phone and password --------------------------------------------------------------

TEST(CustomerDecider, ChangingTheEmailEmitsTheNormalizedAddressAndNeedsVerifyingAgain) {
  const State s = Spec()
                      .given({jane(), EmailVerified{}})
                      .when(ChangeEmail{"Janet@Example.ORG"})
                      .then({EmailChanged{"janet@example.org"}});
  EXPECT_EQ(s.email, "janet@example.org");
  EXPECT_FALSE(s.email_verified);
}

TEST(CustomerDecider, ChangingTheEmailToTheSameAddressInOtherCaseChangesNothing) {
  Spec().given({jane()}).when(ChangeEmail{"JANE@example.com"}).then(no_events());
}

TEST(CustomerDecider, ChangeEmailRejectsAMissingOrMalformedAddress) {
  Spec().given({jane()}).when(ChangeEmail{""}).then(errc::invalid, "email");
  Spec().given({jane()}).when(ChangeEmail{"jane@@example.com"}).then(errc::invalid, "email");
}

TEST(CustomerDecider, VerifyingTheEmailMarksItVerified) {
  const State s = Spec().given({jane()}).when(VerifyEmail{}).then({EmailVerified{}});
  EXPECT_TRUE(s.email_verified);
}

TEST(CustomerDecider, VerifyingAVerifiedEmailChangesNothing) {
  Spec().given({jane(), EmailVerified{}}).when(VerifyEmail{}).then(no_events());
}

TEST(CustomerDecider, VerifyingThePhoneMarksItVerified) {
  const State s = Spec().given({jane()}).when(VerifyPhone{}).then({PhoneVerified{}});
  EXPECT_TRUE(s.phone_verified);
}

TEST(CustomerDecider, VerifyingAVerifiedPhoneChangesNothing) {
  Spec().given({jane(), PhoneVerified{}}).when(VerifyPhone{}).then(no_events());
}

TEST(CustomerDecider, VerifyingAPhoneThatIsNotThereIsInvalid) {
  Spec()
      .given({jane(), build<ProfileUpdated>([](auto& v) { v.phone = ""; })})
      .when(VerifyPhone{})
      .then(errc::invalid, "phone");
}

TEST(CustomerDecider, ChangingThePasswordGivesAFederatedAccountAPassword) {
  Registered federated = jane();
  federated.password_hash = "";
  const State s = Spec()
                      .given({federated})
                      .when(ChangePassword{"$argon2id$new"})
                      .then({PasswordChanged{"$argon2id$new"}});
  EXPECT_FALSE(s.password_hash.empty());
}

TEST(CustomerDecider, ChangePasswordRequiresAHash) {
  Spec().given({jane()}).when(ChangePassword{""}).then(errc::invalid, "password");
}

TEST(CustomerDecider, ChangePasswordRejectsAHashOver1024Bytes) {
  Spec()
      .given({jane()})
      .when(ChangePassword{std::string(1025, 'h')})
      .then(errc::invalid, "password");
}

TEST(CustomerDecider, RequestingAPasswordResetIsRecorded) {
  const State s =
      Spec().given({jane()}).when(RequestPasswordReset{}).then({PasswordResetRequested{}});
  EXPECT_EQ(s, Spec().given({jane()}).given_state()) << "the state does not change";
}

TEST(CustomerDecider, AnInactiveCustomerMayRequestAPasswordReset) {
  Spec()
      .given({jane(), StatusChanged{Status::Active, Status::Inactive, ""}})
      .when(RequestPasswordReset{})
      .then({PasswordResetRequested{}});
}

TEST(CustomerDecider, ASuspendedCustomerMayNotRequestAPasswordReset) {
  Spec()
      .given({jane(), StatusChanged{Status::Active, Status::Suspended, "fraud"}})
      .when(RequestPasswordReset{})
      .then(errc::forbidden, "status");
}

// ---- external accounts ----------------------------------------------------------------------

TEST(CustomerDecider, LinkingAnExternalAccountRemembersTheProvider) {
  const State s = Spec()
                      .given({jane()})
                      .when(LinkExternalAccount{Provider::Google, "g-123"})
                      .then({ExternalAccountLinked{Provider::Google, "g-123"}});
  EXPECT_EQ(s.linked_providers, std::set<Provider>{Provider::Google});
}

TEST(CustomerDecider, LinkingASecondAccountOfTheSameProviderIsAConflict) {
  Spec()
      .given({jane(), ExternalAccountLinked{Provider::Google, "g-123"}})
      .when(LinkExternalAccount{Provider::Google, "g-456"})
      .then(errc::conflict, "provider");
}

TEST(CustomerDecider, AccountsOfDifferentProvidersCanBeLinked) {
  Spec()
      .given({jane(), ExternalAccountLinked{Provider::Google, "g-123"}})
      .when(LinkExternalAccount{Provider::Apple, "a-1"})
      .then({ExternalAccountLinked{Provider::Apple, "a-1"}});
}

TEST(CustomerDecider, LinkExternalAccountRequiresASubjectOfAtMost255Characters) {
  Spec()
      .given({jane()})
      .when(LinkExternalAccount{Provider::Kakao, ""})
      .then(errc::invalid, "externalUserId");
  Spec()
      .given({jane()})
      .when(LinkExternalAccount{Provider::Kakao, std::string(256, '1')})
      .then(errc::invalid, "externalUserId");
}

// ---- status, type, notes and tags -----------------------------------------------------------

TEST(CustomerDecider, ChangingTheStatusRecordsWhereItCameFrom) {
  const State s = Spec()
                      .given({jane()})
                      .when(ChangeStatus{Status::Suspended, "chargeback"})
                      .then({StatusChanged{Status::Active, Status::Suspended, "chargeback"}});
  EXPECT_EQ(s.status, Status::Suspended);
}

TEST(CustomerDecider, ChangingToTheCurrentStatusChangesNothing) {
  Spec().given({jane()}).when(ChangeStatus{Status::Active, "again"}).then(no_events());
}

TEST(CustomerDecider, ChangeStatusRejectsAReasonOver500Characters) {
  Spec()
      .given({jane()})
      .when(ChangeStatus{Status::Inactive, std::string(501, 'r')})
      .then(errc::invalid, "reason");
  Spec()
      .given({jane()})
      .when(ChangeStatus{Status::Inactive, std::string(500, 'r')})
      .then({StatusChanged{Status::Active, Status::Inactive, std::string(500, 'r')}});
}

TEST(CustomerDecider, ChangingTheTypeRecordsWhereItCameFrom) {
  const State s = Spec()
                      .given({jane()})
                      .when(ChangeType{Type::Premium})
                      .then({TypeChanged{Type::Regular, Type::Premium}});
  EXPECT_EQ(s.type, Type::Premium);
}

TEST(CustomerDecider, ChangingToTheCurrentTypeChangesNothing) {
  Spec()
      .given({jane(), TypeChanged{Type::Regular, Type::VIP}})
      .when(ChangeType{Type::VIP})
      .then(no_events());
}

TEST(CustomerDecider, AddingANoteRecordsItIncludingLineBreaks) {
  const std::string note = "Called twice.\nPrefers email.";
  const State s = Spec().given({jane()}).when(AddNote{note}).then({NoteAdded{note}});
  EXPECT_EQ(s, Spec().given({jane()}).given_state()) << "the state does not change";
}

TEST(CustomerDecider, AddNoteRequiresOneTo1000Characters) {
  Spec().given({jane()}).when(AddNote{""}).then(errc::invalid, "note");
  Spec().given({jane()}).when(AddNote{"  \n "}).then(errc::invalid, "note");
  Spec().given({jane()}).when(AddNote{std::string(1001, 'n')}).then(errc::invalid, "note");
  Spec().given({jane()}).when(AddNote{"bell\a"}).then(errc::invalid, "note");
}

TEST(CustomerDecider, SettingTagsNormalizesDeduplicatesAndSortsThem) {
  const State s = Spec()
                      .given({jane()})
                      .when(SetTags{{" VIP ", "late-payer", "vip", "b2b_2"}})
                      .then({TagsChanged{{"b2b_2", "late-payer", "vip"}}});
  EXPECT_EQ(s.tags, (std::vector<std::string>{"b2b_2", "late-payer", "vip"}));
}

TEST(CustomerDecider, SettingTheCurrentTagsChangesNothing) {
  Spec()
      .given({jane(), TagsChanged{{"b2b", "vip"}}})
      .when(SetTags{{"VIP", "b2b"}})
      .then(no_events());
}

TEST(CustomerDecider, SettingNoTagsClearsThem) {
  const State s =
      Spec().given({jane(), TagsChanged{{"vip"}}}).when(SetTags{{}}).then({TagsChanged{{}}});
  EXPECT_TRUE(s.tags.empty());
}

TEST(CustomerDecider, SetTagsRejectsTagsOutsideOneToThirtyOfTheTagAlphabet) {
  for (const std::string& bad : std::vector<std::string>{"", "   ", "late payer", "vip!",
                                                         "caf\xC3\xA9", std::string(31, 't')}) {
    SCOPED_TRACE(bad);
    Spec().given({jane()}).when(SetTags{{"ok", bad}}).then(errc::invalid, "tags");
  }
}

TEST(CustomerDecider, SetTagsAcceptsATagOfThirtyCharacters) {
  Spec()
      .given({jane()})
      .when(SetTags{{std::string(30, 't')}})
      .then({TagsChanged{{std::string(30, 't')}}});
}

TEST(CustomerDecider, SetTagsRejectsMoreThanTwentyDistinctTags) {
  std::vector<std::string> tags;
  for (int i = 0; i < 21; ++i) tags.push_back(testing::numbered("t", i));
  Spec().given({jane()}).when(SetTags{tags}).then(errc::invalid, "tags");
}

TEST(CustomerDecider, SetTagsCountsTagsAfterDeduplication) {
  std::vector<std::string> tags;
  for (int i = 0; i < 20; ++i) tags.push_back(testing::numbered("t", i));
  tags.push_back("T0");
  tags.push_back("t1 ");
  auto result = decide(SetTags{tags}, Spec().given({jane()}).given_state(), spec_context());
  ASSERT_TRUE(result.ok());
  ASSERT_EQ(result.value().size(), 1u);
  EXPECT_EQ(std::get<TagsChanged>(result.value()[0]).tags.size(), 20u);
}

// ---- preferences and consent ----------------------------------------------------------------

TEST(CustomerDecider, ChangingPreferencesReplacesThem) {
  const Preferences korean{
      .newsletter = false, .notifications = false, .language = "ko-KR", .currency = "KRW"};
  const State s =
      Spec().given({jane()}).when(ChangePreferences{korean}).then({PreferencesChanged{korean}});
  EXPECT_EQ(s.preferences, korean);
}

TEST(CustomerDecider, ChangingToTheCurrentPreferencesChangesNothing) {
  Spec().given({jane()}).when(ChangePreferences{jane().preferences}).then(no_events());
}

TEST(CustomerDecider, ChangePreferencesValidatesLanguageAndCurrency) {
  Spec()
      .given({jane()})
      .when(ChangePreferences{Preferences{
          .newsletter = false, .notifications = true, .language = "korean", .currency = ""}})
      .then(errc::invalid, "preferences.language");
  Spec()
      .given({jane()})
      .when(ChangePreferences{Preferences{
          .newsletter = false, .notifications = true, .language = "ko", .currency = "WON"}})
      .then(errc::invalid, "preferences.currency");
}

TEST(CustomerDecider, GivingConsentRecordsIt) {
  const State s = Spec()
                      .given({jane()})
                      .when(GiveConsent{ConsentPurpose::Personalization})
                      .then({ConsentGiven{ConsentPurpose::Personalization}});
  EXPECT_TRUE(s.consents.contains(ConsentPurpose::Personalization));
}

TEST(CustomerDecider, GivingConsentAgainChangesNothing) {
  Spec()
      .given({jane(), ConsentGiven{ConsentPurpose::Personalization}})
      .when(GiveConsent{ConsentPurpose::Personalization})
      .then(no_events());
}

TEST(CustomerDecider, WithdrawingConsentRemovesIt) {
  const State s = Spec()
                      .given({jane(), ConsentGiven{ConsentPurpose::Personalization}})
                      .when(WithdrawConsent{ConsentPurpose::Personalization})
                      .then({ConsentWithdrawn{ConsentPurpose::Personalization}});
  EXPECT_FALSE(s.consents.contains(ConsentPurpose::Personalization));
}

TEST(CustomerDecider, WithdrawingConsentNeverGivenChangesNothing) {
  Spec().given({jane()}).when(WithdrawConsent{ConsentPurpose::Personalization}).then(no_events());
}

// ---- logins ---------------------------------------------------------------------------------

TEST(CustomerDecider, AnActiveCustomerLogsIn) {
  const State s = Spec()
                      .given({jane()})
                      .when(RecordLogin{LoginMethod::Federated, "2001:db8::1", "curl/8"})
                      .then({LoggedIn{LoginMethod::Federated, "2001:db8::1", "curl/8"}});
  EXPECT_EQ(s, Spec().given({jane()}).given_state()) << "the state does not change";
}

TEST(CustomerDecider, OnlyAnActiveCustomerMayLogIn) {
  for (const Status status : {Status::Inactive, Status::Suspended}) {
    SCOPED_TRACE(to_string(status));
    Spec()
        .given({jane(), StatusChanged{Status::Active, status, ""}})
        .when(RecordLogin{})
        .then(errc::forbidden, "status");
  }
}

TEST(CustomerDecider, RecordLoginBoundsTheIpAddressAndUserAgent) {
  Spec()
      .given({jane()})
      .when(RecordLogin{LoginMethod::Password, std::string(46, '1'), ""})
      .then(errc::invalid, "ipAddress");
  Spec()
      .given({jane()})
      .when(RecordLogin{LoginMethod::Password, "", std::string(501, 'u')})
      .then(errc::invalid, "userAgent");
  Spec()
      .given({jane()})
      .when(RecordLogin{LoginMethod::Password, std::string(45, '1'), std::string(500, 'u')})
      .then({LoggedIn{LoginMethod::Password, std::string(45, '1'), std::string(500, 'u')}});
}

// ---- erasure --------------------------------------------------------------------------------

TEST(CustomerDecider, RequestingErasureIsRecorded) {
  const State s = Spec().given({jane()}).when(RequestErasure{}).then({ErasureRequested{}});
  EXPECT_TRUE(s.erasure_requested);
}

TEST(CustomerDecider, RequestingErasureTwiceChangesNothing) {
  Spec().given({jane(), ErasureRequested{}}).when(RequestErasure{}).then(no_events());
}

TEST(CustomerDecider, ErasingClearsEveryPersonalValue) {
  const State s = Spec()
                      .given({jane(), EmailVerified{}, PhoneVerified{}, TagsChanged{{"vip"}},
                              address_added("a1", "Home"), default_set("a1"), ErasureRequested{}})
                      .when(erase_command())
                      .then({erased()});
  EXPECT_TRUE(s.erased);
  EXPECT_TRUE(s.registered);
  EXPECT_EQ(s.id, CustomerId("CUST_0a1b2c3d"));
  EXPECT_EQ(s.email, "");
  EXPECT_EQ(s.phone, "");
  EXPECT_TRUE(s.addresses.empty());
  EXPECT_FALSE(s.default_address.has_value());
  EXPECT_TRUE(s.tags.empty());
}

TEST(CustomerDecider, ErasureIsAllowedInAnyStatus) {
  Spec()
      .given({jane(), StatusChanged{Status::Active, Status::Suspended, "fraud"}})
      .when(erase_command())
      .then({erased()});
}

TEST(CustomerDecider, ErasingTwiceChangesNothing) {
  Spec().given({jane(), erased()}).when(erase_command()).then(no_events());
}

TEST(CustomerDecider, AnErasedCustomerRejectsEveryOtherCommand) {
  const State state = Spec().given({jane(), erased()}).given_state();
  for (const Command& command : every_command_but_register()) {
    if (std::holds_alternative<Erase>(command)) continue;
    SCOPED_TRACE(command.index());
    auto result = decide(command, state, spec_context());
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, errc::conflict);
    EXPECT_EQ(result.error().message, "customer has been erased");
  }
}

TEST(CustomerDecider, EraseRequiresReasonCodeLegalBasisAndRequester) {
  const auto with = [](auto change) {
    Erase command = erase_command();
    change(command);
    return command;
  };
  const std::vector<std::pair<Erase, std::string>> cases{
      {with([](Erase& e) { e.reason_code = ""; }), "reasonCode"},
      {with([](Erase& e) { e.reason_code = std::string(51, 'r'); }), "reasonCode"},
      {with([](Erase& e) { e.legal_basis = ""; }), "legalBasis"},
      {with([](Erase& e) { e.legal_basis = std::string(201, 'l'); }), "legalBasis"},
      {with([](Erase& e) { e.requested_by = ""; }), "requestedBy"},
      {with([](Erase& e) { e.requested_by = std::string(101, 'q'); }), "requestedBy"},
  };
  for (const auto& [command, field] : cases) {
    SCOPED_TRACE(field);
    Spec().given({jane()}).when(command).then(errc::invalid, field);
  }
}

// ---- address book ---------------------------------------------------------------------------

TEST(CustomerDecider, TheFirstAddressBecomesTheDefault) {
  const State s = Spec()
                      .given({jane()})
                      .when(add_address("a1", "Home"))
                      .then({address_added("a1", "Home"), default_set("a1")});
  ASSERT_EQ(s.addresses.size(), 1u);
  EXPECT_EQ(s.addresses[0], (Address{AddressId("a1"), "Home", AddressKind::Home, postal()}));
  EXPECT_EQ(s.default_address, AddressId("a1"));
}

TEST(CustomerDecider, ALaterAddressIsNotTheDefaultUnlessAsked) {
  const State s = Spec()
                      .given({jane(), address_added("a1", "Home"), default_set("a1")})
                      .when(add_address("a2", "Work"))
                      .then({address_added("a2", "Work")});
  EXPECT_EQ(s.default_address, AddressId("a1"));
}

TEST(CustomerDecider, ALaterAddressBecomesTheDefaultWhenAsked) {
  const State s = Spec()
                      .given({jane(), address_added("a1", "Home"), default_set("a1")})
                      .when(add_address("a2", "Work", /*make_default=*/true))
                      .then({address_added("a2", "Work"), default_set("a2")});
  EXPECT_EQ(s.default_address, AddressId("a2"));
}

TEST(CustomerDecider, AddingAnAddressWithATakenIdIsAConflict) {
  Spec()
      .given({jane(), address_added("a1", "Home"), default_set("a1")})
      .when(add_address("a1", "Work"))
      .then(errc::conflict, "addressId");
}

TEST(CustomerDecider, AddingAnAddressWithATakenAliasInAnyCaseIsAConflict) {
  Spec()
      .given({jane(), address_added("a1", "Home"), default_set("a1")})
      .when(add_address("a2", "HOME"))
      .then(errc::conflict, "alias");
}

TEST(CustomerDecider, TheAddressBookHoldsAtMostTwentyAddresses) {
  std::vector<Event> history{jane()};
  for (std::size_t i = 0; i < kMaxAddresses; ++i)
    history.push_back(address_added(testing::numbered("a", i), testing::numbered("alias", i)));
  history.push_back(default_set("a0"));
  Spec().given(history).when(add_address("new", "New")).then(errc::conflict, "addresses");
}

TEST(CustomerDecider, TheTwentiethAddressIsAccepted) {
  std::vector<Event> history{jane()};
  for (std::size_t i = 0; i + 1 < kMaxAddresses; ++i)
    history.push_back(address_added(testing::numbered("a", i), testing::numbered("alias", i)));
  history.push_back(default_set("a0"));
  Spec().given(history).when(add_address("new", "New")).then({address_added("new", "New")});
}

TEST(CustomerDecider, AddAddressChecksIdAliasAndPostalFields) {
  const std::vector<std::pair<AddAddress, std::string>> cases{
      {adding([](AddAddress& c) { c.address_id = AddressId(); }), "addressId"},
      {adding([](AddAddress& c) { c.alias = ""; }), "alias"},
      {adding([](AddAddress& c) { c.alias = std::string(51, 'a'); }), "alias"},
      {adding([](AddAddress& c) { c.postal.recipient_name = "J"; }), "recipientName"},
      {adding([](AddAddress& c) { c.postal.city = ""; }), "city"},
      {adding([](AddAddress& c) { c.postal.country = "XX"; }), "country"},
  };
  for (const auto& [command, field] : cases) {
    SCOPED_TRACE(field);
    Spec().given({jane()}).when(command).then(errc::invalid, field);
  }
}

TEST(CustomerDecider, UpdatingAnAddressReplacesItInPlace) {
  PostalAddress moved = postal("2 Teheran-ro");
  const State s = Spec()
                      .given(jane_with_three_addresses())
                      .when(update_address("a2", "Office", AddressKind::Work, moved))
                      .then({AddressUpdated{AddressId("a2"), "Office", AddressKind::Work, moved}});
  ASSERT_EQ(s.addresses.size(), 3u);
  EXPECT_EQ(s.addresses[1], (Address{AddressId("a2"), "Office", AddressKind::Work, moved}));
  EXPECT_EQ(s.default_address, AddressId("a1"));
}

TEST(CustomerDecider, AnAddressMayKeepItsOwnAliasInAnotherCase) {
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("a1", "HOME"))
      .then({AddressUpdated{AddressId("a1"), "HOME", AddressKind::Home, postal()}});
}

TEST(CustomerDecider, UpdatingAnAddressToAnotherAddressAliasIsAConflict) {
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("a1", "work"))
      .then(errc::conflict, "alias");
}

TEST(CustomerDecider, UpdatingAnAddressToItsCurrentValuesChangesNothing) {
  Spec().given(jane_with_three_addresses()).when(update_address("a2", "Work")).then(no_events());
}

TEST(CustomerDecider, UpdatingAnUnknownAddressIsNotFound) {
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("nope", "Nope"))
      .then(errc::not_found, "addressId");
}

TEST(CustomerDecider, UpdateAddressChecksIdAliasAndPostalFields) {
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("", "Home"))
      .then(errc::invalid, "addressId");
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("a1", ""))
      .then(errc::invalid, "alias");
  PostalAddress bad = postal();
  bad.line1 = "";
  Spec()
      .given(jane_with_three_addresses())
      .when(update_address("a1", "Home", AddressKind::Home, bad))
      .then(errc::invalid, "addressLine1");
}

TEST(CustomerDecider, RemovingANonDefaultAddressKeepsTheDefault) {
  const State s = Spec()
                      .given(jane_with_three_addresses())
                      .when(RemoveAddress{AddressId("a2")})
                      .then({AddressRemoved{AddressId("a2")}});
  ASSERT_EQ(s.addresses.size(), 2u);
  EXPECT_EQ(s.addresses[0].id, AddressId("a1"));
  EXPECT_EQ(s.addresses[1].id, AddressId("a3"));
  EXPECT_EQ(s.default_address, AddressId("a1"));
}

TEST(CustomerDecider, RemovingTheDefaultAddressPromotesTheNextOne) {
  const State s = Spec()
                      .given(jane_with_three_addresses())
                      .when(RemoveAddress{AddressId("a1")})
                      .then({AddressRemoved{AddressId("a1")}, default_set("a2")});
  EXPECT_EQ(s.default_address, AddressId("a2"));
}

TEST(CustomerDecider, RemovingALaterDefaultPromotesTheFirstRemainingAddress) {
  auto history = jane_with_three_addresses();
  history.push_back(default_set("a3"));
  Spec()
      .given(history)
      .when(RemoveAddress{AddressId("a3")})
      .then({AddressRemoved{AddressId("a3")}, default_set("a1")});
}

TEST(CustomerDecider, RemovingTheLastAddressLeavesNoDefault) {
  const State s = Spec()
                      .given({jane(), address_added("a1", "Home"), default_set("a1")})
                      .when(RemoveAddress{AddressId("a1")})
                      .then({AddressRemoved{AddressId("a1")}});
  EXPECT_TRUE(s.addresses.empty());
  EXPECT_FALSE(s.default_address.has_value());
}

TEST(CustomerDecider, RemovingAnUnknownAddressIsNotFound) {
  Spec()
      .given(jane_with_three_addresses())
      .when(RemoveAddress{AddressId("nope")})
      .then(errc::not_found, "addressId");
}

TEST(CustomerDecider, SettingTheDefaultAddressMovesIt) {
  const State s = Spec()
                      .given(jane_with_three_addresses())
                      .when(SetDefaultAddress{AddressId("a3")})
                      .then({default_set("a3")});
  EXPECT_EQ(s.default_address, AddressId("a3"));
}

TEST(CustomerDecider, SettingTheCurrentDefaultAddressChangesNothing) {
  Spec()
      .given(jane_with_three_addresses())
      .when(SetDefaultAddress{AddressId("a1")})
      .then(no_events());
}

TEST(CustomerDecider, SettingAnUnknownAddressAsDefaultIsNotFound) {
  Spec()
      .given(jane_with_three_addresses())
      .when(SetDefaultAddress{AddressId("nope")})
      .then(errc::not_found, "addressId");
}

TEST(CustomerDecider, ExactlyOneAddressIsTheDefaultThroughAddsAndRemoves) {
  State s = Spec().given({jane()}).given_state();
  const std::vector<Command> script{
      add_address("a", "A"),
      add_address("b", "B"),
      add_address("c", "C", true),
      RemoveAddress{AddressId("c")},
      RemoveAddress{AddressId("a")},
      add_address("d", "D"),
      SetDefaultAddress{AddressId("d")},
      RemoveAddress{AddressId("d")},
      RemoveAddress{AddressId("b")},
      add_address("e", "E"),
  };
  for (const auto& command : script) {
    s = run(std::move(s), command);
    EXPECT_TRUE(has_exactly_one_default(s)) << "after command kind " << command.index();
  }
  ASSERT_EQ(s.addresses.size(), 1u);
  EXPECT_EQ(s.default_address, AddressId("e"));
}

TEST(CustomerDecider, ExactlyOneAddressIsTheDefaultThroughAnyMixOfAddressCommands) {
  State s = Spec().given({jane()}).given_state();
  std::uint32_t seed = 12345;
  const auto next = [&seed](std::uint32_t bound) {
    seed = seed * 1664525u + 1013904223u;
    return (seed >> 16) % bound;
  };
  for (int step = 0; step < 500; ++step) {
    const std::string id = testing::numbered("a", next(8));
    Command command = RemoveAddress{AddressId(id)};
    switch (next(3)) {
      case 0:
        command = add_address(id, "alias-" + id, next(2) == 1);
        break;
      case 1:
        command = SetDefaultAddress{AddressId(id)};
        break;
      default:
        break;
    }
    auto result = decide(command, s, spec_context());
    if (!result.ok()) continue;  // an unknown or duplicate id: rejected, state unchanged
    for (const auto& event : result.value()) s = evolve(std::move(s), event);
    ASSERT_TRUE(has_exactly_one_default(s)) << "at step " << step;
  }
}

// ---- evolve ---------------------------------------------------------------------------------

TEST(CustomerEvolve, EventsThatRecordOnlyHistoryLeaveTheStateAsItIs) {
  const State before = Spec().given({jane()}).given_state();
  EXPECT_EQ(evolve(before, NoteAdded{"n"}), before);
  EXPECT_EQ(evolve(before, LoggedIn{}), before);
  EXPECT_EQ(evolve(before, PasswordResetRequested{}), before);
}

TEST(CustomerEvolve, ProfileUpdatesWithoutAPhoneKeepThePhoneVerified) {
  const State s = Spec()
                      .given({jane(), PhoneVerified{},
                              build<ProfileUpdated>([](auto& v) { v.first_name = "Janet"; })})
                      .given_state();
  EXPECT_EQ(s.phone, "+14155550100");
  EXPECT_TRUE(s.phone_verified);
}

TEST(CustomerEvolve, RemovingTheDefaultAddressClearsTheDefault) {
  const State s = Spec()
                      .given({jane(), address_added("a1", "Home"), default_set("a1"),
                              address_added("a2", "Work"), AddressRemoved{AddressId("a1")}})
                      .given_state();
  ASSERT_EQ(s.addresses.size(), 1u);
  EXPECT_FALSE(s.default_address.has_value());
}

}  // namespace
}  // namespace clientele::customer
