#include "events/codec.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "events/envelope.hpp"
#include "events/json.hpp"
#include "events/upcast.hpp"

namespace clientele::events {
namespace {

using nlohmann::json;

// Every personal string of the samples contains this; no plain value does.
constexpr std::string_view kMarker = "PII-";

bool has_marker(std::string_view text) {
  return text.find(kMarker) != std::string_view::npos;
}

// ---- samples --------------------------------------------------------------------------------

Date ymd(int y, unsigned m, unsigned d) {
  return Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

Timestamp utc(int y, unsigned m, unsigned d, int h, int min, int s, int ms) {
  using namespace std::chrono;
  return sys_days{ymd(y, m, d)} + hours{h} + minutes{min} + seconds{s} + milliseconds{ms};
}

CustomerId customer_id() {
  return CustomerId("CUST_1a2b3c4d");
}
OrderId order_id() {
  return OrderId("ORD-2026-000042");
}
ComplaintId complaint_id() {
  return ComplaintId("CMP_0007");
}

// An address whose every personal line carries the marker and `tag`.
PostalAddress pii_address(const std::string& tag, std::string country) {
  return PostalAddress{.recipient_name = "PII-" + tag + "-recipient",
                       .phone = "PII-" + tag + "-phone",
                       .line1 = "PII-" + tag + "-line1",
                       .line2 = "PII-" + tag + "-line2",
                       .city = "PII-" + tag + "-city",
                       .state = "PII-" + tag + "-state",
                       .postal_code = "PII-" + tag + "-postal",
                       .country = std::move(country)};
}

std::vector<customer::Event> customer_samples() {
  using namespace customer;
  return {
      Registered{.customer_id = customer_id(),
                 .username = "PII-username",
                 .email = "PII-email@example.com",
                 .password_hash = "PII-argon2id-hash",
                 .first_name = "PII-first",
                 .last_name = "PII-last",
                 .phone = "PII-phone",
                 .date_of_birth = ymd(1985, 3, 17),
                 .gender = Gender::Female,
                 .company_name = "PII-company",
                 .preferences = Preferences{.newsletter = true,
                                            .notifications = false,
                                            .language = "de-AT",
                                            .currency = "EUR"},
                 .marketing_emails = true,
                 .marketing_sms = true},
      ProfileUpdated{.first_name = "PII-first-2",
                     .last_name = "PII-last-2",
                     .phone = "PII-phone-2",
                     .date_of_birth = ymd(1979, 11, 2),
                     .gender = Gender::Other,
                     .company_name = "PII-company-2",
                     .marketing_emails = true,
                     .marketing_sms = false},
      EmailChanged{.email = "PII-email-2@example.com"},
      EmailVerified{},
      PhoneVerified{},
      PasswordChanged{.password_hash = "PII-argon2id-hash-2"},
      PasswordResetRequested{},
      ExternalAccountLinked{.provider = Provider::Kakao, .external_user_id = "PII-kakao-subject"},
      StatusChanged{
          .from = Status::Inactive, .to = Status::Suspended, .reason = "PII-reason-suspend"},
      TypeChanged{.from = Type::Premium, .to = Type::VIP},
      NoteAdded{.note = "PII-note-1"},
      TagsChanged{.tags = {"loyal", "new-york", "wholesale"}},
      PreferencesChanged{.preferences = Preferences{.newsletter = true,
                                                    .notifications = false,
                                                    .language = "fr-CA",
                                                    .currency = "CAD"}},
      ConsentGiven{.purpose = ConsentPurpose::Personalization},
      ConsentWithdrawn{.purpose = ConsentPurpose::Personalization},
      LoggedIn{.method = LoginMethod::PhoneOtp,
               .ip_address = "PII-ip-203.0.113.7",
               .user_agent = "PII-agent-Firefox"},
      ErasureRequested{},
      Erased{.reason_code = "gdpr-art17",
             .legal_basis = "GDPR Art. 17(1)(a)",
             .requested_by = "ADM_0042"},
      AddressAdded{.address_id = AddressId("ADDR_01"),
                   .alias = "PII-alias-home",
                   .kind = AddressKind::Work,
                   .postal = pii_address("added", "DE")},
      AddressUpdated{.address_id = AddressId("ADDR_02"),
                     .alias = "PII-alias-office",
                     .kind = AddressKind::Other,
                     .postal = pii_address("updated", "FR")},
      AddressRemoved{.address_id = AddressId("ADDR_03")},
      DefaultAddressSet{.address_id = AddressId("ADDR_04")},
  };
}

order::Placed placed_sample() {
  return order::Placed{.order_id = order_id(),
                       .customer_id = customer_id(),
                       .items = {order::Item{.product_id = ProductId("SKU-KETTLE"),
                                             .product_name = "Kettle",
                                             .quantity = 2,
                                             .unit_price = 1'500,
                                             .total_price = 3'000},
                                 order::Item{.product_id = ProductId("SKU-MUG"),
                                             .product_name = "Mug",
                                             .quantity = 3,
                                             .unit_price = 400,
                                             .total_price = 1'200}},
                       .currency = "EUR",
                       .total_amount = 4'200,
                       .delivery_address = pii_address("delivery", "NL")};
}

std::vector<order::Event> order_samples() {
  using namespace order;
  return {
      placed_sample(),
      StatusChanged{.from = Status::Shipped,
                    .to = Status::Delivered,
                    .notes = "PII-notes-courier",
                    .at = utc(2026, 2, 3, 9, 15, 42, 517)},
      Cancelled{.reason = "PII-reason-cancel"},
      ReturnRequested{.reason = "PII-reason-return"},
      ReturnApproved{.notes = "PII-notes-approve"},
      ReturnRejected{.reason = "PII-reason-reject"},
      Returned{},
  };
}

std::vector<complaint::Event> complaint_samples() {
  using namespace complaint;
  return {
      Registered{.complaint_id = complaint_id(),
                 .customer_id = customer_id(),
                 .category = Category::DeliveryIssue,
                 .subject = "PII-subject",
                 .description = "PII-description",
                 .order_id = order_id()},
      CommentAdded{.comment_id = CommentId("CMT_0003"),
                   .author = UserId("ADM_0042"),
                   .author_role = Role::Administrator,
                   .comment = "PII-comment",
                   .is_internal = true},
      Assigned{.assignee = UserId("ADM_0042")},
      StatusChanged{.from = Status::Resolved, .to = Status::Closed},
      Resolved{.resolution_notes = "PII-resolution"},
      Reopened{.reason = "PII-reason-reopen"},
      Closed{},
  };
}

// Personal fields whose values are dates or enums and so cannot carry the marker.
std::set<std::string> unmarked_personal_fields(std::string_view type) {
  static const std::map<std::string_view, std::set<std::string>> fields{
      {"customer.registered", {"dateOfBirth", "gender"}},
      {"customer.profile-updated", {"dateOfBirth", "gender"}},
      {"address.added", {"kind"}},
      {"address.updated", {"kind"}},
  };
  const auto it = fields.find(type);
  return it == fields.end() ? std::set<std::string>{} : it->second;
}

// ---- helpers --------------------------------------------------------------------------------

std::string stream_of(const customer::Event&) {
  return stream_name(customer_id());
}
std::string stream_of(const order::Event&) {
  return stream_name(order_id());
}
std::string stream_of(const complaint::Event&) {
  return stream_name(complaint_id());
}

Envelope envelope_of(const Body& body, std::string stream) {
  Envelope e;
  e.id = "0194d3a2-7c41-7b3e-9f10-2a4b6c8d0e1f";
  e.type = body.type;
  e.v = body.version;
  e.stream = std::move(stream);
  e.seq = StreamVersion{7};
  e.customer_id = customer_id();
  e.at = utc(2026, 1, 20, 14, 30, 0, 123);
  e.actor = Actor{UserId("ADM_0042"), Role::Administrator};
  e.correlation_id = "req-81f2";
  e.causation_id = "cmd-5d10";
  e.data = body.data;
  e.personal = body.personal;
  return e;
}

template <class Event>
Envelope envelope_of(const Event& event) {
  return envelope_of(encode(event), stream_of(event));
}

// The leaves of `j` (anything but an object) by dotted path below `prefix`.
void collect_leaves(const json& j, const std::string& prefix, std::map<std::string, json>& out) {
  for (const auto& [key, value] : j.items()) {
    const std::string path = prefix + key;
    if (value.is_object()) {
      collect_leaves(value, path + ".", out);
    } else {
      out.emplace(path, value);
    }
  }
}

std::map<std::string, json> leaves(const json& j) {
  std::map<std::string, json> out;
  if (j.is_object()) collect_leaves(j, "", out);
  return out;
}

// Checks that `result` is errc::corrupt naming `field`, and that its message leaks no marker.
template <class T>
void expect_corrupt(const Result<T>& result, std::string_view field) {
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, errc::corrupt) << to_string(result.error().code);
  EXPECT_EQ(result.error().field, field) << result.error().message;
  EXPECT_FALSE(has_marker(result.error().message)) << result.error().message;
}

template <class Variant>
std::set<std::size_t> alternatives(const std::vector<Variant>& samples) {
  std::set<std::size_t> out;
  for (const auto& sample : samples) out.insert(sample.index());
  return out;
}

// ---- coverage -------------------------------------------------------------------------------

TEST(CodecSamples, CoverEveryEventTypeOfEveryAggregate) {
  EXPECT_EQ(alternatives(customer_samples()).size(), std::variant_size_v<customer::Event>);
  EXPECT_EQ(alternatives(order_samples()).size(), std::variant_size_v<order::Event>);
  EXPECT_EQ(alternatives(complaint_samples()).size(), std::variant_size_v<complaint::Event>);
}

// ---- round trip -----------------------------------------------------------------------------

template <class Variant>
void expect_round_trips(const std::vector<Variant>& samples) {
  for (const auto& sample : samples) {
    const Body body = encode(sample);
    SCOPED_TRACE(body.type);
    const auto parsed = parse_envelope(serialize(envelope_of(sample)));
    ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
    EXPECT_EQ(parsed->type, body.type);
    EXPECT_EQ(parsed->v, body.version);
    const auto decoded = decode<Variant>(*parsed);
    ASSERT_TRUE(decoded.ok()) << decoded.error().field << ": " << decoded.error().message;
    EXPECT_TRUE(*decoded == sample)
        << body.type << " changed in a round trip; data " << body.data.dump() << " became "
        << encode(*decoded).data.dump() << ", personal " << body.personal.dump() << " became "
        << encode(*decoded).personal.dump();
  }
}

TEST(Codec, EveryCustomerEventSurvivesARoundTripThroughItsEnvelope) {
  expect_round_trips(customer_samples());
}

TEST(Codec, EveryOrderEventSurvivesARoundTripThroughItsEnvelope) {
  expect_round_trips(order_samples());
}

TEST(Codec, EveryComplaintEventSurvivesARoundTripThroughItsEnvelope) {
  expect_round_trips(complaint_samples());
}

TEST(Codec, UnsetOptionalFieldsSurviveARoundTrip) {
  const customer::Event sparse = customer::ProfileUpdated{.first_name = std::nullopt,
                                                          .last_name = "PII-last-3",
                                                          .phone = std::nullopt,
                                                          .date_of_birth = std::nullopt,
                                                          .gender = std::nullopt,
                                                          .company_name = std::nullopt,
                                                          .marketing_emails = std::nullopt,
                                                          .marketing_sms = false};
  const complaint::Event without_order =
      complaint::Registered{.complaint_id = complaint_id(),
                            .customer_id = customer_id(),
                            .category = complaint::Category::PaymentIssue,
                            .subject = "PII-subject-2",
                            .description = "PII-description-2",
                            .order_id = std::nullopt};
  expect_round_trips(std::vector{sparse});
  expect_round_trips(std::vector{without_order});
}

// ---- personal separation --------------------------------------------------------------------

template <class Variant>
void expect_personal_kept_apart(const std::vector<Variant>& samples) {
  for (const auto& sample : samples) {
    const Body body = encode(sample);
    SCOPED_TRACE(body.type);
    EXPECT_FALSE(has_marker(body.data.dump())) << body.data.dump();

    // Personal: the fields holding a marker, and those that cannot hold one.
    std::set<std::string> expected = unmarked_personal_fields(body.type);
    std::set<std::string> personal_paths;
    const auto data = leaves(body.data);
    for (const auto& [path, value] : leaves(body.personal)) {
      personal_paths.insert(path);
      EXPECT_FALSE(data.contains(path)) << path << " is both plain and personal";
      if (has_marker(value.dump())) expected.insert(path);
    }
    EXPECT_EQ(personal_paths, expected) << "personal holds a plain value";

    const EventType* entry = find_event_type(body.type);
    ASSERT_NE(entry, nullptr);
    const std::set<std::string> catalogued(entry->personal_fields.begin(),
                                           entry->personal_fields.end());
    EXPECT_EQ(catalogued.size(), entry->personal_fields.size()) << "duplicate personal field";
    EXPECT_EQ(catalogued, expected);
  }
}

TEST(Codec, CustomerPersonalFieldsTravelOnlyInPersonal) {
  expect_personal_kept_apart(customer_samples());
}

TEST(Codec, OrderPersonalFieldsTravelOnlyInPersonal) {
  expect_personal_kept_apart(order_samples());
}

TEST(Codec, ComplaintPersonalFieldsTravelOnlyInPersonal) {
  expect_personal_kept_apart(complaint_samples());
}

TEST(Codec, AddressSnapshotKeepsCountryPlainAndItsLinesPersonal) {
  const Body body = encode(order::Event{placed_sample()});
  EXPECT_EQ(body.data.at("deliveryAddress"), json({{"country", "NL"}}));
  EXPECT_EQ(body.personal.at("deliveryAddress").at("city"), "PII-delivery-city");
  EXPECT_FALSE(body.personal.at("deliveryAddress").contains("country"));
}

// Wire names are stored forever: a C++ rename must not move them.
TEST(Codec, OrderPlacedUsesItsStableWireFieldNames) {
  const auto keys = [](const json& j) {
    std::set<std::string> out;
    for (const auto& [key, value] : j.items()) out.insert(key);
    return out;
  };
  const Body body = encode(order::Event{placed_sample()});
  EXPECT_EQ(keys(body.data), (std::set<std::string>{"orderId", "customerId", "items", "currency",
                                                    "totalAmount", "deliveryAddress"}));
  EXPECT_EQ(
      keys(body.data.at("items").at(0)),
      (std::set<std::string>{"productId", "productName", "quantity", "unitPrice", "totalPrice"}));
  EXPECT_EQ(keys(body.personal.at("deliveryAddress")),
            (std::set<std::string>{"recipientName", "phone", "addressLine1", "addressLine2", "city",
                                   "state", "postalCode"}));
}

// ---- catalog --------------------------------------------------------------------------------

// True iff `type` is "<aggregate>.<verb>", the verb lower-case words joined by single hyphens.
// (Not std::regex: GCC 12 warns inside it under -fsanitize.)
bool is_wire_name(std::string_view type) {
  const auto dot = type.find('.');
  if (dot == std::string_view::npos) return false;
  const auto aggregate = type.substr(0, dot);
  if (aggregate != "customer" && aggregate != "address" && aggregate != "order" &&
      aggregate != "complaint")
    return false;
  const auto verb = type.substr(dot + 1);
  return !verb.empty() && verb.front() != '-' && verb.back() != '-' &&
         verb.find("--") == std::string_view::npos &&
         std::all_of(verb.begin(), verb.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

TEST(Catalog, WireNamePatternRejectsOtherShapes) {
  EXPECT_TRUE(is_wire_name("address.default-set"));
  for (const char* bad :
       {"invoice.paid", "order", "order.", "order.Placed", "order.-placed", "order.placed-",
        "order.status--changed", "order.status_changed", "order.placed.v2"}) {
    EXPECT_FALSE(is_wire_name(bad)) << bad;
  }
}

TEST(Catalog, WireNamesAreUniqueAggregateDotKebabVerbWithAVersion) {
  std::set<std::string_view> seen;
  for (const auto& entry : catalog()) {
    SCOPED_TRACE(std::string(entry.type));
    EXPECT_TRUE(seen.insert(entry.type).second) << "duplicate wire name";
    EXPECT_TRUE(is_wire_name(entry.type));
    EXPECT_GE(entry.version, 1);
  }
}

template <class Variant>
void expect_catalogued(const std::vector<Variant>& samples, Aggregate aggregate) {
  for (const auto& sample : samples) {
    const Body body = encode(sample);
    SCOPED_TRACE(body.type);
    const EventType* entry = find_event_type(body.type);
    ASSERT_NE(entry, nullptr);
    EXPECT_EQ(entry->aggregate, aggregate);
    EXPECT_EQ(entry->version, body.version);
  }
}

TEST(Catalog, ListsEveryEncodedTypeUnderItsAggregateAndCurrentVersion) {
  expect_catalogued(customer_samples(), Aggregate::Customer);
  expect_catalogued(order_samples(), Aggregate::Order);
  expect_catalogued(complaint_samples(), Aggregate::Complaint);
  EXPECT_EQ(catalog().size(), std::variant_size_v<customer::Event> +
                                  std::variant_size_v<order::Event> +
                                  std::variant_size_v<complaint::Event>);
  EXPECT_EQ(find_event_type("order.teleported"), nullptr);
}

// ---- erasure --------------------------------------------------------------------------------

Envelope erased(Envelope e) {
  e.personal = nullptr;
  e.erased = true;
  return e;
}

// Decodes the erased envelope of every sample and re-encodes it: the plain fields must come back
// as they were, the personal ones empty.
template <class Variant>
void expect_erased_decodes_to_plain_fields(const std::vector<Variant>& samples) {
  for (const auto& sample : samples) {
    const Body body = encode(sample);
    SCOPED_TRACE(body.type);
    const auto parsed = parse_envelope(serialize(erased(envelope_of(sample))));
    ASSERT_TRUE(parsed.ok()) << parsed.error().field << ": " << parsed.error().message;
    EXPECT_TRUE(parsed->erased);
    EXPECT_TRUE(parsed->personal.is_null());
    const auto decoded = decode<Variant>(*parsed);
    ASSERT_TRUE(decoded.ok()) << decoded.error().field << ": " << decoded.error().message;
    const Body again = encode(*decoded);
    EXPECT_EQ(again.data, body.data);
    EXPECT_FALSE(has_marker(again.personal.dump())) << again.personal.dump();
  }
}

TEST(Codec, ErasedEventsOfEveryTypeDecodeKeepingOnlyPlainFields) {
  expect_erased_decodes_to_plain_fields(customer_samples());
  expect_erased_decodes_to_plain_fields(order_samples());
  expect_erased_decodes_to_plain_fields(complaint_samples());
}

TEST(Codec, ErasedOrderPlacedKeepsCountryAndLosesAddressLines) {
  const auto decoded = decode<order::Event>(erased(envelope_of(order::Event{placed_sample()})));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& placed = std::get<order::Placed>(*decoded);
  const auto sample = placed_sample();
  EXPECT_EQ(placed.order_id, sample.order_id);
  EXPECT_EQ(placed.customer_id, sample.customer_id);
  EXPECT_EQ(placed.items, sample.items);
  EXPECT_EQ(placed.total_amount, 4'200);
  EXPECT_EQ(placed.currency, "EUR");
  EXPECT_EQ(placed.delivery_address, (PostalAddress{.recipient_name = "",
                                                    .phone = "",
                                                    .line1 = "",
                                                    .line2 = "",
                                                    .city = "",
                                                    .state = "",
                                                    .postal_code = "",
                                                    .country = "NL"}));
}

TEST(Codec, ErasedRegisteredCustomerLosesDateOfBirthAndGender) {
  const auto decoded = decode<customer::Event>(erased(envelope_of(customer_samples().front())));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const auto& registered = std::get<customer::Registered>(*decoded);
  EXPECT_EQ(registered.customer_id, customer_id());
  EXPECT_EQ(registered.preferences.language, "de-AT");
  EXPECT_TRUE(registered.marketing_emails);
  EXPECT_EQ(registered.email, "");
  EXPECT_EQ(registered.date_of_birth, std::nullopt);
  EXPECT_EQ(registered.gender, std::nullopt);
}

TEST(Codec, ErasedFlagWinsOverLeftoverPersonalData) {
  Envelope e = envelope_of(order::Event{order::Cancelled{.reason = "PII-reason-cancel"}});
  e.erased = true;
  const auto decoded = decode<order::Event>(e);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(std::get<order::Cancelled>(*decoded).reason, "");
}

// ---- corruption -----------------------------------------------------------------------------

Envelope placed_envelope() {
  return envelope_of(order::Event{placed_sample()});
}

TEST(CodecCorruption, MissingPlainFieldIsCorrupt) {
  for (const json::json_pointer& pointer :
       {json::json_pointer("/currency"), json::json_pointer("/orderId"),
        json::json_pointer("/items/0/quantity"), json::json_pointer("/deliveryAddress/country"),
        json::json_pointer("/deliveryAddress")}) {
    SCOPED_TRACE(pointer.to_string());
    Envelope e = placed_envelope();
    e.data.at(pointer.parent_pointer()).erase(pointer.back());
    expect_corrupt(decode<order::Event>(e), "data");
    EXPECT_NE(decode<order::Event>(e).error().message.find("order.placed"), std::string::npos);
  }
}

TEST(CodecCorruption, WrongTypedFieldIsCorrupt) {
  for (const auto& [pointer, value] :
       std::vector<std::pair<std::string, json>>{{"/totalAmount", "4200"},
                                                 {"/items", json::object()},
                                                 {"/items/1/unitPrice", "400"},
                                                 {"/orderId", 42},
                                                 {"/deliveryAddress", "NL"},
                                                 {"/deliveryAddress/country", nullptr}}) {
    SCOPED_TRACE(pointer);
    Envelope e = placed_envelope();
    e.data[json::json_pointer(pointer)] = value;
    expect_corrupt(decode<order::Event>(e), "data");
  }
}

TEST(CodecCorruption, WrongTypedPersonalFieldIsCorrupt) {
  Envelope e = envelope_of(customer_samples().front());
  e.personal["dateOfBirth"] = "1985-02-30";
  expect_corrupt(decode<customer::Event>(e), "data");
  e = envelope_of(customer_samples().front());
  e.personal["email"] = json::array({"PII-email@example.com"});
  expect_corrupt(decode<customer::Event>(e), "data");
  e = envelope_of(order::Event{placed_sample()});
  e.personal["deliveryAddress"] = "PII-delivery-line1";
  expect_corrupt(decode<order::Event>(e), "data");
}

TEST(CodecCorruption, MissingPersonalFieldOfALiveCustomerIsCorrupt) {
  Envelope cancelled = envelope_of(order::Event{order::Cancelled{.reason = "PII-reason"}});
  cancelled.personal = json::object();
  expect_corrupt(decode<order::Event>(cancelled), "data");

  Envelope line = placed_envelope();
  line.personal["deliveryAddress"].erase("city");
  expect_corrupt(decode<order::Event>(line), "data");

  Envelope snapshot = placed_envelope();
  snapshot.personal.erase("deliveryAddress");
  expect_corrupt(decode<order::Event>(snapshot), "data");

  Envelope unsealed = placed_envelope();
  unsealed.personal = nullptr;  // but not marked erased
  expect_corrupt(decode<order::Event>(unsealed), "data");
}

TEST(CodecCorruption, UnknownEnumSpellingIsCorrupt) {
  Envelope status = envelope_of(order::Event{order_samples().at(1)});
  status.data["to"] = "Teleported";
  expect_corrupt(decode<order::Event>(status), "data");

  Envelope category = envelope_of(complaint_samples().front());
  category.data["category"] = "delivery issue";  // spelled "Delivery Issue"
  expect_corrupt(decode<complaint::Event>(category), "data");

  Envelope gender = envelope_of(customer_samples().front());
  gender.personal["gender"] = "PII-gender";
  expect_corrupt(decode<customer::Event>(gender), "data");
}

TEST(CodecCorruption, TimestampWithAnOffsetIsCorrupt) {
  Envelope e = envelope_of(order::Event{order_samples().at(1)});
  e.data["at"] = "2026-02-03T10:15:42.517+01:00";
  expect_corrupt(decode<order::Event>(e), "data");
}

TEST(CodecCorruption, UnknownTypeIsCorrupt) {
  Envelope e = placed_envelope();
  e.type = "order.teleported";
  expect_corrupt(decode<order::Event>(e), "type");
}

TEST(CodecCorruption, AnotherAggregatesTypeIsCorrupt) {
  const Envelope e = placed_envelope();
  expect_corrupt(decode<customer::Event>(e), "type");
  expect_corrupt(decode<complaint::Event>(e), "type");
}

TEST(CodecCorruption, VersionNewerThanThisBuildIsCorrupt) {
  Envelope placed = placed_envelope();
  placed.v = 2;
  expect_corrupt(decode<order::Event>(placed), "v");

  Envelope tags = envelope_of(customer_samples().at(11));
  tags.v = 3;
  expect_corrupt(decode<customer::Event>(tags), "v");
}

// ---- upcasting ------------------------------------------------------------------------------

Envelope tags_v1(json tags) {
  Envelope e = envelope_of(customer::Event{customer::TagsChanged{.tags = {}}});
  e.v = 1;
  e.data = {{"tags", std::move(tags)}};
  return e;
}

TEST(Upcast, TagsChangedIsVersionTwo) {
  ASSERT_NE(find_event_type("customer.tags-changed"), nullptr);
  EXPECT_EQ(find_event_type("customer.tags-changed")->version, 2);
}

TEST(Upcast, TagsV1CommaStringBecomesSortedUniqueLowerCaseTags) {
  const auto decoded = decode<customer::Event>(tags_v1("Premium, tech,,new-york,tech"));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  const customer::Event expected = customer::TagsChanged{{"new-york", "premium", "tech"}};
  EXPECT_TRUE(*decoded == expected);
}

TEST(Upcast, TagsV1EmptyStringBecomesNoTags) {
  const auto decoded = decode<customer::Event>(tags_v1(""));
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(*decoded == customer::Event{customer::TagsChanged{{}}});
}

TEST(Upcast, MalformedTagsV1IsCorruptNotAnException) {
  const auto decoded = decode<customer::Event>(tags_v1(42));
  expect_corrupt(decoded, "data");
}

TEST(Upcast, DecodeUsesTheRegistryItIsGiven) {
  UpcasterRegistry custom;
  custom.add("customer.tags-changed", 1,
             [](json& data, json&) { data["tags"] = json::array({"custom"}); });
  const auto decoded = decode<customer::Event>(tags_v1("a,b"), custom);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_TRUE(*decoded == customer::Event{customer::TagsChanged{{"custom"}}});

  expect_corrupt(decode<customer::Event>(tags_v1("a,b"), UpcasterRegistry{}), "v");
}

// test.thing v1 {"name"} -> v2 {"title"} -> v3 {"title", "pages"}; personal gains a field in v3.
UpcasterRegistry thing_registry(std::vector<int>& steps_run) {
  UpcasterRegistry registry;
  registry.add("test.thing", 1, [&steps_run](json& data, json&) {
    steps_run.push_back(1);
    data["title"] = data.at("name");
    data.erase("name");
  });
  registry.add("test.thing", 2, [&steps_run](json& data, json& personal) {
    steps_run.push_back(2);
    data["pages"] = 0;
    if (personal.is_object()) personal["author"] = "";
  });
  return registry;
}

TEST(Upcast, StepsChainInOrderFromTheStoredVersionToTheTarget) {
  std::vector<int> steps_run;
  const UpcasterRegistry registry = thing_registry(steps_run);
  json data = {{"name", "Dune"}};
  json personal = json::object();
  ASSERT_TRUE(registry.upcast("test.thing", 1, 3, data, personal).ok());
  EXPECT_EQ(steps_run, (std::vector<int>{1, 2}));
  EXPECT_EQ(data, json({{"title", "Dune"}, {"pages", 0}}));
  EXPECT_EQ(personal, json({{"author", ""}}));
}

TEST(Upcast, BodyAtTheTargetVersionIsLeftAlone) {
  std::vector<int> steps_run;
  const UpcasterRegistry registry = thing_registry(steps_run);
  json data = {{"title", "Dune"}, {"pages", 412}};
  json personal = nullptr;
  ASSERT_TRUE(registry.upcast("test.thing", 3, 3, data, personal).ok());
  EXPECT_TRUE(steps_run.empty());
  EXPECT_EQ(data, json({{"title", "Dune"}, {"pages", 412}}));
}

TEST(Upcast, MissingStepIsCorrupt) {
  std::vector<int> steps_run;
  const UpcasterRegistry registry = thing_registry(steps_run);
  json data = {{"name", "Dune"}};
  json personal = json::object();
  expect_corrupt(registry.upcast("test.thing", 1, 4, data, personal), "v");
  expect_corrupt(registry.upcast("test.other", 1, 2, data, personal), "v");
}

TEST(Upcast, VersionNewerThanTargetIsCorrupt) {
  std::vector<int> steps_run;
  const UpcasterRegistry registry = thing_registry(steps_run);
  json data = json::object();
  json personal = json::object();
  expect_corrupt(registry.upcast("test.thing", 3, 2, data, personal), "v");
  EXPECT_TRUE(steps_run.empty());
}

TEST(Upcast, AddingAStepAgainReplacesIt) {
  UpcasterRegistry registry;
  registry.add("test.thing", 1, [](json& data, json&) { data["by"] = "first"; });
  registry.add("test.thing", 1, [](json& data, json&) { data["by"] = "second"; });
  json data = json::object();
  json personal = json::object();
  ASSERT_TRUE(registry.upcast("test.thing", 1, 2, data, personal).ok());
  EXPECT_EQ(data, json({{"by", "second"}}));
}

}  // namespace
}  // namespace clientele::events
