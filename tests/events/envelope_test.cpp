#include "events/envelope.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "events/json.hpp"

namespace clientele::events {
namespace {

using nlohmann::json;

// Every personal value below contains this; error messages must never repeat it.
constexpr std::string_view kMarker = "PII-";

Timestamp utc(int y, unsigned m, unsigned d, int h, int min, int s, int ms) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{h} + minutes{min} + seconds{s} +
         milliseconds{ms};
}

Envelope sample_envelope() {
  Envelope e;
  e.id = "0194d3a2-7c41-7b3e-9f10-2a4b6c8d0e1f";
  e.type = "order.cancelled";
  e.v = 1;
  e.stream = "order-ORD-2026-000042";
  e.seq = StreamVersion{3};
  e.customer_id = CustomerId("CUST_1a2b3c4d");
  e.at = utc(2026, 1, 20, 14, 30, 0, 123);
  e.actor = Actor{UserId("CUST_1a2b3c4d"), Role::Customer};
  e.correlation_id = "req-81f2";
  e.causation_id = "cmd-5d10";
  e.data = json::object();
  e.personal = {{"reason", "PII-reason-cancel"}};
  return e;
}

json sample_json() {
  return json::parse(serialize(sample_envelope()));
}

// Checks that `result` is errc::corrupt naming `field`, and that its message leaks no marker.
void expect_corrupt(const Result<Envelope>& result, std::string_view field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, errc::corrupt) << to_string(result.error().code);
  EXPECT_EQ(result.error().field, field) << result.error().message;
  EXPECT_EQ(result.error().message.find(kMarker), std::string::npos) << result.error().message;
}

// ---- round trip -----------------------------------------------------------------------------

TEST(Envelope, SerializedEnvelopeParsesBackEqual) {
  const Envelope original = sample_envelope();
  const auto parsed = parse_envelope(serialize(original));
  ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, original);
}

TEST(Envelope, ErasedEnvelopeParsesBackWithNullPersonalAndTheFlag) {
  Envelope original = sample_envelope();
  original.personal = nullptr;
  original.erased = true;
  EXPECT_EQ(to_json(original).at("erased"), true);
  const auto parsed = parse_envelope(serialize(original));
  ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, original);
}

// serialize writes its text directly: it must be byte for byte the dump of to_json, whatever
// the envelope holds.
TEST(Envelope, SerializedTextIsTheDumpOfToJson) {
  std::vector<Envelope> envelopes(4, sample_envelope());
  envelopes[1].sealed = SealedBlock{"kid-1", std::string(24, '\x01'),
                                    std::string("\0\xff\x80"
                                                "ct",
                                                5)};
  envelopes[1].personal = nullptr;
  envelopes[2].personal = nullptr;
  envelopes[2].erased = true;
  auto& odd = envelopes[3];
  odd.correlation_id = "quote\" back\\slash \b\f\n\r\t \x01\x1f caf\xc3\xa9 \xe2\x82\xac";
  odd.causation_id = "";
  odd.data = {{"z", {1, -2, 3.5, nullptr, true}}, {"a", {{"nested", "\u00e9\n"}}}};
  odd.personal = {{"reason", "line\nbreak"}};
  for (const auto& envelope : envelopes) {
    EXPECT_EQ(serialize(envelope), to_json(envelope).dump());
  }
}

TEST(Envelope, AppendJsonWritesOnlyTheChosenMembers) {
  Envelope sealed = sample_envelope();
  sealed.sealed = SealedBlock{"kid-1", "nonce", "ct"};
  sealed.personal = nullptr;
  JsonText text;
  append_json(text, sealed, {.personal = true, .sealed = false, .position = "3:17"});
  auto expected = to_json(sealed);
  expected.erase("sealed");  // and no "personal": a sealed envelope has none in the clear
  expected["position"] = "3:17";
  EXPECT_EQ(text.take(), expected.dump());

  JsonText live;
  append_json(live, sample_envelope(), {.personal = false, .sealed = true, .position = {}});
  expected = to_json(sample_envelope());
  expected.erase("personal");
  EXPECT_EQ(live.take(), expected.dump());
}

TEST(Envelope, LiveEnvelopeIsWrittenWithoutTheErasedFlag) {
  EXPECT_FALSE(to_json(sample_envelope()).contains("erased"));
}

TEST(Envelope, FromJsonAcceptsWhatToJsonWrites) {
  const Envelope original = sample_envelope();
  const auto parsed = envelope_from_json(to_json(original));
  ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
  EXPECT_EQ(*parsed, original);
}

TEST(Envelope, AbsentCorrelationAndCausationReadAsEmpty) {
  json j = sample_json();
  j.erase("correlationId");
  j.erase("causationId");
  const auto parsed = envelope_from_json(j);
  ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
  EXPECT_EQ(parsed->correlation_id, "");
  EXPECT_EQ(parsed->causation_id, "");
}

// ---- malformed envelopes --------------------------------------------------------------------

TEST(EnvelopeParsing, NonJsonIsCorrupt) {
  expect_corrupt(parse_envelope("{\"id\": \"PII-half"), "");
  expect_corrupt(parse_envelope(""), "");
  expect_corrupt(parse_envelope("[1, 2]"), "");
}

TEST(EnvelopeParsing, MissingRequiredFieldIsCorruptNamingIt) {
  for (const char* field :
       {"id", "type", "stream", "customerId", "at", "v", "seq", "actor", "data"}) {
    SCOPED_TRACE(field);
    json j = sample_json();
    j.erase(field);
    expect_corrupt(parse_envelope(j.dump()), field);
  }
}

TEST(EnvelopeParsing, WrongTypedFieldIsCorruptNamingIt) {
  const std::vector<std::pair<std::string, json>> cases{
      {"id", 17},
      {"id", ""},
      {"type", json::array({"order.cancelled"})},
      {"type", ""},
      {"customerId", nullptr},
      {"v", "1"},
      {"v", 0},
      {"v", -1},
      {"v", 1.5},
      {"seq", 0},
      {"seq", -3},
      {"seq", "3"},
      {"actor", "PII-someone"},
      {"actor", {{"id", "CUST_1a2b3c4d"}, {"role", "PII-role"}}},
      {"actor", {{"role", "Customer"}}},
      {"data", json::array()},
      {"personal", "PII-reason-cancel"},
  };
  for (const auto& [field, value] : cases) {
    SCOPED_TRACE(field + " = " + value.dump());
    json j = sample_json();
    j[field] = value;
    expect_corrupt(parse_envelope(j.dump()), field);
  }
}

TEST(EnvelopeParsing, MalformedTimestampIsCorrupt) {
  for (const char* at : {"2026-13-20T14:30:00.123Z", "2026-01-20T14:30:00.123+02:00",
                         "2026-01-20 14:30:00Z", "PII-yesterday", ""}) {
    SCOPED_TRACE(at);
    json j = sample_json();
    j["at"] = at;
    expect_corrupt(parse_envelope(j.dump()), "at");
  }
}

// ---- timestamps and dates -------------------------------------------------------------------

TEST(Timestamp, FormatsUtcWithThreeDigitMilliseconds) {
  EXPECT_EQ(format_timestamp(utc(2026, 1, 20, 14, 30, 5, 7)), "2026-01-20T14:30:05.007Z");
  EXPECT_EQ(format_timestamp(utc(2026, 1, 20, 0, 0, 0, 0)), "2026-01-20T00:00:00.000Z");
}

TEST(Timestamp, FormattedTimestampParsesBackExactly) {
  for (const Timestamp t : {utc(2026, 1, 20, 14, 30, 5, 123), utc(2024, 2, 29, 23, 59, 59, 999),
                            utc(1969, 12, 31, 23, 59, 59, 1), utc(1970, 1, 1, 0, 0, 0, 0),
                            utc(9999, 12, 31, 12, 0, 0, 500)}) {
    const std::string text = format_timestamp(t);
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_timestamp(text), t);
  }
}

TEST(Timestamp, ParseAcceptsWholeSecondsWithoutMilliseconds) {
  EXPECT_EQ(parse_timestamp("2026-01-20T14:30:05Z"), utc(2026, 1, 20, 14, 30, 5, 0));
}

TEST(Timestamp, ParseRejectsImpossibleDatesAndTimes) {
  for (const char* text : {"2026-00-20T14:30:05Z", "2026-13-20T14:30:05Z", "2026-02-30T14:30:05Z",
                           "2026-01-32T14:30:05Z", "2026-01-20T24:00:00Z", "2026-01-20T14:60:05Z",
                           "2026-01-20T14:30:60Z", "2026-01-20T-1:30:05Z"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_timestamp(text), std::nullopt);
  }
}

TEST(Timestamp, ParseRejectsOffsetsAndOtherSpellings) {
  for (const char* text :
       {"2026-01-20T14:30:05+02:00", "2026-01-20T14:30:05.123+02:00", "2026-01-20T14:30:05",
        "2026-01-20T14:30:05.12Z", "2026-01-20T14:30:05.1234Z", "2026-01-20T14:30:05,123Z",
        "2026-01-20 14:30:05Z", "2026-01-20t14:30:05z", "2026-01-20", "yesterday", "",
        "2026-01-20T14:30:05.abcZ", "+026-01-20T14:30:05Z"}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_timestamp(text), std::nullopt);
  }
}

TEST(Date, FormattedDateParsesBack) {
  const Date d{std::chrono::year{1985}, std::chrono::month{3}, std::chrono::day{7}};
  EXPECT_EQ(format_date(d), "1985-03-07");
  EXPECT_EQ(parse_date("1985-03-07"), d);
}

TEST(Date, ParseAcceptsLeapDayOnlyInLeapYears) {
  EXPECT_NE(parse_date("2024-02-29"), std::nullopt);
  EXPECT_EQ(parse_date("2025-02-29"), std::nullopt);
}

TEST(Date, ParseRejectsDaysThatDoNotExistAndOtherSpellings) {
  for (const char* text :
       {"2026-02-30", "2026-04-31", "2026-00-10", "2026-13-01", "2026-01-00", "2026-2-28",
        "2026/02/28", "20260228", " 2026-02-28", "2026-02-28Z", "2026-+2-28", ""}) {
    SCOPED_TRACE(text);
    EXPECT_EQ(parse_date(text), std::nullopt);
  }
}

}  // namespace
}  // namespace clientele::events
