#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/address.hpp"

namespace clientele {
namespace {

// Expects `result` to be an errc::invalid naming `field`.
void expect_invalid(const Result<void>& result, const std::string& field) {
  ASSERT_FALSE(result.ok()) << "expected a rejection of " << field;
  EXPECT_EQ(result.error().code, errc::invalid);
  EXPECT_EQ(result.error().field, field);
  EXPECT_FALSE(result.error().message.empty());
}

// ---- UTF-8 ----------------------------------------------------------------------------------

TEST(Utf8, LengthCountsCodePointsNotBytes) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("hello"), 5u);
  EXPECT_EQ(utf8_length("h\xC3\xA9llo"), 5u);              // é: 2 bytes
  EXPECT_EQ(utf8_length("\xED\x95\x9C\xEA\xB5\xAD"), 2u);  // 한국: 3 bytes each
  EXPECT_EQ(utf8_length("\xF0\x9F\x98\x80!"), 2u);         // 😀: 4 bytes
}

TEST(Utf8, LengthOfInvalidUtf8CountsBytes) {
  EXPECT_EQ(utf8_length("a\xC3"), 2u);
  EXPECT_EQ(utf8_length("\x80\x80\x80"), 3u);
}

TEST(Utf8, AcceptsWellFormedSequences) {
  for (const std::string& good : std::vector<std::string>{"", "plain ascii", "caf\xC3\xA9",
                                                          "\xE2\x82\xAC", "\xED\x9F\xBF",  // U+D7FF
                                                          "\xEE\x80\x80",                  // U+E000
                                                          "\xF0\x90\x80\x80",     // U+10000
                                                          "\xF4\x8F\xBF\xBF"}) {  // U+10FFFF
    EXPECT_TRUE(is_valid_utf8(good)) << good;
  }
}

TEST(Utf8, RejectsMalformedSequences) {
  for (const std::string& bad :
       std::vector<std::string>{"\x80",              // a continuation byte without a lead
                                "\xC3",              // truncated
                                "\xE2\x82",          // truncated
                                "\xC3\x28",          // a lead followed by a non-continuation
                                "\xC0\x80",          // overlong NUL
                                "\xC1\xBF",          // overlong
                                "\xE0\x80\x80",      // overlong NUL in three bytes
                                "\xE0\x9F\xBF",      // overlong U+07FF
                                "\xED\xA0\x80",      // UTF-16 surrogate U+D800
                                "\xED\xBF\xBF",      // UTF-16 surrogate U+DFFF
                                "\xF0\x8F\xBF\xBF",  // overlong U+FFFF
                                "\xF4\x90\x80\x80",  // above U+10FFFF
                                "\xF5\x80\x80\x80",  // lead byte never used
                                "\xFF"}) {
    EXPECT_FALSE(is_valid_utf8(bad)) << ::testing::PrintToString(bad);
  }
}

// ---- text -----------------------------------------------------------------------------------

TEST(CheckText, AcceptsTextWithinBoundsCountedInCodePoints) {
  EXPECT_TRUE(check_text("name", "ab", 2, 3).ok());
  EXPECT_TRUE(check_text("name", "abc", 2, 3).ok());
  EXPECT_TRUE(check_text("name", "\xED\x95\x9C\xEA\xB5\xAD\xEC\x96\xB4", 1, 3).ok());  // 9 bytes
}

TEST(CheckText, RejectsTextOutsideBoundsNamingTheField) {
  expect_invalid(check_text("firstName", "a", 2, 3), "firstName");
  expect_invalid(check_text("firstName", "abcd", 2, 3), "firstName");
  expect_invalid(check_text("firstName", "", 1, 3), "firstName");
}

TEST(CheckText, RejectsBlankTextWhenRequired) {
  expect_invalid(check_text("city", "   ", 1, 100), "city");
  expect_invalid(check_text("note", " \n\t ", 1, 100, /*multiline=*/true), "note");
}

TEST(CheckText, RejectsInvalidUtf8) {
  expect_invalid(check_text("city", "Seoul\xC3", 1, 100), "city");
  expect_invalid(check_text("city", "\xE0\x80\x80", 1, 100), "city");
}

TEST(CheckText, RejectsControlCharacters) {
  for (const std::string& bad : std::vector<std::string>{
           "a\nb", "a\tb", "a\rb", std::string("a\0b", 3), "a\x1B[31mb", "a\x7F",
           "a\xC2\x85"
           "b",  // U+0085 NEXT LINE, a C1 control
           "a\xC2\x9B"
           "31mb"}) {  // U+009B CONTROL SEQUENCE INTRODUCER
    SCOPED_TRACE(::testing::PrintToString(bad));
    expect_invalid(check_text("name", bad, 1, 100), "name");
  }
}

TEST(CheckText, AllowsLineBreaksAndTabsOnlyWhenMultiline) {
  EXPECT_TRUE(check_text("note", "line one\nline two\r\n\tindented", 1, 100, true).ok());
  expect_invalid(check_text("note", "bell\a", 1, 100, true), "note");
  expect_invalid(check_text("note",
                            "a\xC2\x85"
                            "b",
                            1, 100, true),
                 "note");
}

TEST(CheckText, AcceptsPrintableCharactersNextToTheC1Range) {
  EXPECT_TRUE(check_text("name", "\xC2\xA0\xC2\xA9", 1, 100).ok());  // U+00A0, U+00A9
}

TEST(CheckText, MessagesDoNotRepeatTheValue) {
  const auto result = check_text("name", "secret\x01", 1, 100);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message.find("secret"), std::string::npos);
}

TEST(CheckOptionalText, AcceptsEmptyAndBoundsTheRest) {
  EXPECT_TRUE(check_optional_text("state", "", 5).ok());
  EXPECT_TRUE(check_optional_text("state", "abcde", 5).ok());
  expect_invalid(check_optional_text("state", "abcdef", 5), "state");
  expect_invalid(check_optional_text("state", "a\x01", 5), "state");
}

// ---- email ----------------------------------------------------------------------------------

TEST(Email, AcceptsPragmaticAddresses) {
  for (const std::string& good : std::vector<std::string>{
           "user@example.com", "first.last+tag@mail.example.co.kr", "USER@EXAMPLE.COM", "a@b.co",
           "o'brien@example.ie", "x_y-z@sub-domain.example.org",
           std::string(64, 'l') + "@example.com"}) {
    EXPECT_TRUE(is_email(good)) << good;
  }
}

TEST(Email, RejectsMalformedAddresses) {
  for (const std::string& bad :
       std::vector<std::string>{"",
                                "plain",
                                "@example.com",
                                "user@",
                                "user@localhost",
                                "user@example.c",
                                "user@example.c0m",
                                "user@123.456",
                                ".user@example.com",
                                "user.@example.com",
                                "us..er@example.com",
                                "user@-example.com",
                                "user@example-.com",
                                "user@exa_mple.com",
                                "user@example..com",
                                "user@.example.com",
                                "user@example.com.",
                                "user name@example.com",
                                " user@example.com",
                                "a@b@example.com",
                                "us\"er@example.com",
                                std::string(65, 'l') + "@example.com",
                                "u@" + std::string(63, 'd') + "." + std::string(63, 'd') + "." +
                                    std::string(63, 'd') + "." + std::string(60, 'd') + ".com",
                                "user@" + std::string(64, 'd') + ".com"}) {
    EXPECT_FALSE(is_email(bad)) << bad;
  }
}

TEST(Email, CheckEmailNamesTheField) {
  EXPECT_TRUE(check_email("email", "user@example.com").ok());
  expect_invalid(check_email("email", ""), "email");
  expect_invalid(check_email("contact.email", "user@"), "contact.email");
}

TEST(Email, NormalizingTrimsAndLowerCases) {
  EXPECT_EQ(normalize_email("  User@Example.COM \t\n"), "user@example.com");
  EXPECT_EQ(normalize_email("user@example.com"), "user@example.com");
  EXPECT_EQ(normalize_email(" \t "), "");
  EXPECT_EQ(normalize_email(""), "");
}

// ---- phone ----------------------------------------------------------------------------------

TEST(Phone, AcceptsE164Numbers) {
  for (const std::string& good :
       std::vector<std::string>{"+14155550100", "+821012345678", "+12345678", "+123456789012345"}) {
    EXPECT_TRUE(is_e164(good)) << good;
  }
}

TEST(Phone, RejectsNumbersThatAreNotE164) {
  for (const std::string& bad : std::vector<std::string>{
           "", "+", "14155550100", "+0123456789", "+1234567", "+1234567890123456",
           "+1 415 555 0100", "+1-415-555-0100", "+1415555010a", "++14155550100"}) {
    EXPECT_FALSE(is_e164(bad)) << bad;
  }
}

TEST(Phone, CheckPhoneNamesTheField) {
  EXPECT_TRUE(check_phone("phone", "+14155550100").ok());
  expect_invalid(check_phone("phone", "555-0100"), "phone");
}

// ---- codes ----------------------------------------------------------------------------------

TEST(Codes, CountryCodesAreAssignedUpperCaseAlpha2) {
  for (const std::string& good : std::vector<std::string>{"US", "KR", "GB", "DE", "AD", "ZW"})
    EXPECT_TRUE(is_country_code(good)) << good;
  for (const std::string& bad : std::vector<std::string>{"", "us", "Kr", "UK", "XX", "USA", "U"})
    EXPECT_FALSE(is_country_code(bad)) << bad;
}

TEST(Codes, CurrencyCodesAreActiveUpperCaseIso4217) {
  for (const std::string& good : std::vector<std::string>{"USD", "EUR", "KRW", "JPY", "CHF"})
    EXPECT_TRUE(is_currency_code(good)) << good;
  for (const std::string& bad : std::vector<std::string>{"", "usd", "US", "USDX", "ABC", "DEM"})
    EXPECT_FALSE(is_currency_code(bad)) << bad;
}

TEST(Codes, LanguageTagsAreLanguageWithOptionalRegion) {
  for (const std::string& good : std::vector<std::string>{"en", "ko", "en-US", "pt-BR"})
    EXPECT_TRUE(is_language_tag(good)) << good;
  for (const std::string& bad :
       std::vector<std::string>{"", "e", "EN", "eng", "en-us", "EN-US", "en_US", "en-USA", "en-"})
    EXPECT_FALSE(is_language_tag(bad)) << bad;
}

// ---- postal address -------------------------------------------------------------------------

PostalAddress valid_postal() {
  return PostalAddress{.recipient_name = "Jane Doe",
                       .phone = "+821012345678",
                       .line1 = "1 Sejong-daero",
                       .line2 = "Apt 101",
                       .city = "Seoul",
                       .state = "Seoul",
                       .postal_code = "04524",
                       .country = "KR"};
}

template <class Change>
PostalAddress postal_with(Change change) {
  PostalAddress address = valid_postal();
  change(address);
  return address;
}

// One invalid address per field, with the camelCase name its error must carry.
std::vector<std::pair<PostalAddress, std::string>> one_bad_field_each() {
  return {
      {postal_with([](PostalAddress& a) { a.recipient_name = "J"; }), "recipientName"},
      {postal_with([](PostalAddress& a) { a.recipient_name = std::string(101, 'r'); }),
       "recipientName"},
      {postal_with([](PostalAddress& a) { a.phone = "010-1234-5678"; }), "phone"},
      {postal_with([](PostalAddress& a) { a.line1 = ""; }), "addressLine1"},
      {postal_with([](PostalAddress& a) { a.line1 = std::string(201, 'l'); }), "addressLine1"},
      {postal_with([](PostalAddress& a) { a.line2 = std::string(201, 'l'); }), "addressLine2"},
      {postal_with([](PostalAddress& a) { a.city = ""; }), "city"},
      {postal_with([](PostalAddress& a) { a.city = "Se\x01oul"; }), "city"},
      {postal_with([](PostalAddress& a) { a.state = std::string(101, 's'); }), "state"},
      {postal_with([](PostalAddress& a) { a.postal_code = std::string(21, '9'); }), "postalCode"},
      {postal_with([](PostalAddress& a) { a.country = ""; }), "country"},
      {postal_with([](PostalAddress& a) { a.country = "kr"; }), "country"},
      {postal_with([](PostalAddress& a) { a.country = "XX"; }), "country"},
  };
}

TEST(PostalAddressValidation, AcceptsACompleteAddress) {
  EXPECT_TRUE(validate_postal_address(valid_postal()).ok());
}

TEST(PostalAddressValidation, AcceptsAnAddressWithoutOptionalFields) {
  const PostalAddress minimal = postal_with([](PostalAddress& a) {
    a.phone = "";
    a.line2 = "";
    a.state = "";
    a.postal_code = "";
  });
  EXPECT_TRUE(validate_postal_address(minimal).ok());
}

TEST(PostalAddressValidation, ErrorsNameTheFieldAfterThePrefix) {
  for (const auto& [address, field] : one_bad_field_each()) {
    SCOPED_TRACE(field);
    expect_invalid(validate_postal_address(address, "deliveryAddress"), "deliveryAddress." + field);
  }
}

TEST(PostalAddressValidation, ErrorsNameTheBareFieldWithoutAPrefix) {
  for (const auto& [address, field] : one_bad_field_each()) {
    SCOPED_TRACE(field);
    expect_invalid(validate_postal_address(address), field);
  }
}

}  // namespace
}  // namespace clientele
