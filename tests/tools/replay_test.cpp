// `clientele replay` (and `clientele bench seal`), run as a separate process, as analysts run it.
// The events are written beforehand through the real code path: encoded, sealed with a
// RocksDB key store and appended to the embedded log of a data directory, whose KEK the binary
// then loads from a file.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "events/codec.hpp"
#include "events/json.hpp"
#include "events/sealing.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/rocksdb_key_store.hpp"
#include "tests/support/clientele.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;

const CustomerId kAda("CUST_0000ada1");
const CustomerId kBob("CUST_0000b0b2");
const CustomerId kCyd("CUST_0000c0d3");

// Data (not personal) made to trip naive text handling: CSV quoting, and a quoted "sealed"
// member inside a string.
const std::string kCommaQuote = "Beans, \"dark\" roast";
const std::string kFakeSealed = R"(x","sealed":{"ct":"AAAA"},"y":"\)";

Timestamp at_hour(int hour) {
  return *parse_timestamp("2026-01-10T00:00:00Z") + std::chrono::hours(hour);
}

// Every personal value of `customer` contains `marker`, so that the output can be searched.
std::string marker_of(const CustomerId& customer) {
  return "Mk" + customer.str().substr(9) + "q";
}

PostalAddress address_of(const CustomerId& customer) {
  const auto m = marker_of(customer);
  return PostalAddress{m + " Recipient",
                       "+4915100000" + customer.str().substr(10),
                       m + " Harbour Road",
                       "",
                       m + "burg",
                       "",
                       "20457",
                       "DE"};
}

events::Body registered(const CustomerId& customer) {
  customer::Registered r;
  r.customer_id = customer;
  r.username = marker_of(customer) + "user";
  r.email = marker_of(customer) + "@example.com";
  r.first_name = marker_of(customer) + "First";
  r.last_name = marker_of(customer) + "Last";
  return events::encode(customer::Event{r});
}

events::Body address_added(const CustomerId& customer) {
  return events::encode(customer::Event{customer::AddressAdded{
      AddressId("ADDR_1"), marker_of(customer) + "home", AddressKind::Home, address_of(customer)}});
}

events::Body order_placed(const CustomerId& customer, const OrderId& order,
                          const std::string& product) {
  return events::encode(
      order::Event{order::Placed{order,
                                 customer,
                                 {order::Item{ProductId("SKU-1"), product, 2, 1899, 3798}},
                                 "EUR",
                                 3798,
                                 address_of(customer)}});
}

// One event as written: where it went and its envelope with personal fields in the clear.
struct Written {
  events::Position position;
  events::Envelope envelope;
};

void write_key_file(const std::filesystem::path& path, const events::SecretKey& key) {
  std::ofstream(path) << key.hex() << "\n";
  std::filesystem::permissions(
      path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

std::vector<std::string> lines_of(const std::string& text, const std::string& end = "\n") {
  std::vector<std::string> lines;
  for (std::size_t start = 0; start < text.size();) {
    const auto stop = text.find(end, start);
    if (stop == std::string::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, stop - start));
    start = stop + end.size();
  }
  return lines;
}

std::vector<json> json_lines(const std::string& text) {
  std::vector<json> out;
  for (const auto& line : lines_of(text)) {
    out.push_back(json::parse(line, nullptr, false));
    EXPECT_TRUE(out.back().is_object()) << line;
  }
  return out;
}

std::string str(const json& j) {
  return j.get<std::string>();
}

std::vector<std::string> positions_of(const std::vector<json>& lines) {
  std::vector<std::string> out;
  for (const auto& line : lines) out.push_back(line.value("position", ""));
  return out;
}

// Parses RFC 4180 CSV (CRLF line ends, quoted cells with doubled quotes).
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    auto& cell = rows.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      ++i;
      if (i + 1 < text.size()) rows.emplace_back(1);
    } else {
      cell += c;
    }
  }
  return rows;
}

class Replay : public ::testing::Test {
 protected:
  void SetUp() override {
    write_key_file(kek_file(), events::SecretKey::random());
    write_key_file(pepper_file(), events::SecretKey::random());
    write_key_file(pseudonym_key_file(), events::SecretKey::random());
    write_key_file(other_pseudonym_key_file(), events::SecretKey::random());
    int hour = 0;
    const auto customer_event = [&](const CustomerId& c, events::Body body, std::uint64_t seq) {
      return std::pair{
          c, events::wrap(std::move(body),
                          {"", events::stream_name(c), StreamVersion{seq}, c, at_hour(hour++),
                           Actor{UserId(c.str()), Role::Customer}, "", ""})};
    };
    const auto order_event = [&](const CustomerId& c, const OrderId& order,
                                 const std::string& product, const Actor& actor) {
      return std::pair{c, events::wrap(order_placed(c, order, product),
                                       {"", events::stream_name(order), StreamVersion{1}, c,
                                        at_hour(hour++), actor, "", ""})};
    };
    const Actor staff{UserId("ADM_0001"), Role::Administrator};
    append({customer_event(kAda, registered(kAda), 1), customer_event(kBob, registered(kBob), 1),
            customer_event(kAda, address_added(kAda), 2), customer_event(kCyd, registered(kCyd), 1),
            order_event(kAda, OrderId("ORD-2026-000001"), kCommaQuote,
                        Actor{UserId(kAda.str()), Role::Customer}),
            order_event(kBob, OrderId("ORD-2026-000002"), kFakeSealed, staff),
            customer_event(kCyd, address_added(kCyd), 2),
            customer_event(kBob, address_added(kBob), 2),
            order_event(kAda, OrderId("ORD-2026-000003"), "Tea", staff),
            order_event(kCyd, OrderId("ORD-2026-000004"), "Cups",
                        Actor{UserId(kCyd.str()), Role::Customer})});
  }

  std::filesystem::path data() const { return dir_.path() / "var"; }
  std::filesystem::path kek_file() const { return dir_.path() / "kek"; }
  std::filesystem::path pepper_file() const { return dir_.path() / "pepper"; }
  std::filesystem::path pseudonym_key_file() const { return dir_.path() / "pseudonym-key"; }
  std::filesystem::path other_pseudonym_key_file() const { return dir_.path() / "other-key"; }

  // Seals and appends the events (each its own command) with the installation's stores, which
  // are closed again before returning, so that the binary can open them.
  void append(const std::vector<std::pair<CustomerId, events::Envelope>>& events) {
    std::ifstream in(kek_file());
    std::string kek_text;
    in >> kek_text;
    auto log = infra::EmbeddedEventLog::open({data() / "events", 12});
    auto kek = events::SecretKey::parse(kek_text);
    ASSERT_TRUE(kek);
    auto keys = infra::RocksDbKeyStore::open(data() / "keys", std::move(*kek));
    ASSERT_TRUE(log && keys);
    for (auto [customer, envelope] : events) {
      envelope.id = "evt-" + std::to_string(written_.size() + 1);
      envelope.correlation_id = envelope.causation_id = envelope.id;
      auto sealed = envelope;
      ASSERT_TRUE(events::seal(sealed, **keys));
      tamper(sealed);
      auto wire = events::to_wire(sealed);
      ASSERT_TRUE(wire);
      const events::EncodedEvent encoded{sealed.id, sealed.type, sealed.v, *wire};
      auto positions = (*log)->append(customer.str(), std::span(&encoded, 1));
      ASSERT_TRUE(positions);
      written_.push_back({positions->front(), envelope});
    }
    std::sort(written_.begin(), written_.end(),
              [](const Written& a, const Written& b) { return a.position < b.position; });
  }

  // Runs `clientele replay` on the installation with `args` and, of the pseudonym key variable,
  // only what `env` sets (NAME=value).
  Finished replay(const std::vector<std::string>& args,
                  const std::vector<std::string>& env = {}) const {
    std::vector<std::string> argv{"/usr/bin/env", "-u", "CLIENTELE_PSEUDONYM_KEY"};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.insert(argv.end(), {kBinary, "replay", "--data-dir", data().string(), "--kek-file",
                             kek_file().string(), "--pepper-file", pepper_file().string()});
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  }

  Finished pseudonymous(std::vector<std::string> args = {}) const {
    args.insert(args.end(), {"--pseudonym-key-file", pseudonym_key_file().string()});
    return replay(args);
  }

  // The positions ("p:o") of the written events that `keep` selects, in log order.
  template <class Keep>
  std::vector<std::string> expected_positions(Keep keep) const {
    std::vector<std::string> out;
    for (const auto& w : written_) {
      if (keep(w)) out.push_back(events::to_string(w.position));
    }
    return out;
  }

  TempDir dir_;
  std::vector<Written> written_;                                             // in log order
  std::function<void(events::Envelope&)> tamper = [](events::Envelope&) {};  // before writing
};

// ---- pseudonymous output ---------------------------------------------------------------------

TEST_F(Replay, PrintsEveryEventOncePerLineInLogOrderAsTheEnvelopeJsonPlusItsPosition) {
  const auto run = pseudonymous();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = json_lines(run.out);
  EXPECT_EQ(positions_of(lines), expected_positions([](const Written&) { return true; }));
  for (const auto& line : lines_of(run.out)) {
    // Exactly as nlohmann::json dumps the object: sorted members, compact.
    EXPECT_EQ(json::parse(line).dump(), line);
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& w = written_[i].envelope;
    EXPECT_EQ(lines[i]["id"], w.id);
    EXPECT_EQ(lines[i]["type"], w.type);
    EXPECT_EQ(lines[i]["v"], w.v);
    EXPECT_EQ(lines[i]["seq"], w.seq.value);
    EXPECT_EQ(lines[i]["at"], format_timestamp(w.at));
  }
}

TEST_F(Replay, PseudonymousOutputHasNoSealedBlockNoPersonalFieldAndNoRawCustomerId) {
  const auto run = pseudonymous();
  ASSERT_EQ(run.exit_code, 0) << run.err;
  for (const auto& customer : {kAda, kBob, kCyd}) {
    EXPECT_EQ(run.out.find(customer.str()), std::string::npos) << customer.str();
    EXPECT_EQ(run.out.find(customer.str().substr(5)), std::string::npos) << customer.str();
    EXPECT_EQ(run.out.find(marker_of(customer)), std::string::npos) << customer.str();
    EXPECT_EQ(run.err.find(marker_of(customer)), std::string::npos) << customer.str();
  }
  for (const auto& line : json_lines(run.out)) {
    EXPECT_FALSE(line.contains("sealed")) << line;
    EXPECT_FALSE(line.contains("personal")) << line;
    const std::string pseudonym = line["customerId"];
    EXPECT_EQ(pseudonym.size(), 36u);
    EXPECT_TRUE(pseudonym.starts_with("PSN_")) << pseudonym;
    if (line["data"].contains("customerId")) {
      EXPECT_EQ(line["data"]["customerId"], pseudonym);
    }
    if (line["actor"]["role"] == "Customer") {
      EXPECT_EQ(line["actor"]["id"], pseudonym);
    }
    if (line["actor"]["role"] == "Administrator") {
      EXPECT_EQ(line["actor"]["id"], "ADM_0001");
    }
    const std::string stream = line["stream"];
    if (stream.starts_with("customer-")) {
      EXPECT_EQ(stream, "customer-" + pseudonym);
    }
  }
}

TEST_F(Replay, PlainDataSurvivesEvenWhenItLooksLikeASealedMember) {
  const auto run = pseudonymous({"--type", "order.placed"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  std::vector<std::string> products;
  for (const auto& line : json_lines(run.out)) {
    products.push_back(line["data"]["items"][0]["productName"]);
    EXPECT_EQ(line["data"]["deliveryAddress"], json({{"country", "DE"}}));
    EXPECT_EQ(line["data"]["totalAmount"], 3798);
  }
  std::vector<std::string> expected;
  for (const auto& w : written_) {
    if (w.envelope.type == "order.placed")
      expected.push_back(w.envelope.data["items"][0]["productName"]);
  }
  EXPECT_EQ(products, expected);
  EXPECT_NE(std::find(products.begin(), products.end(), kFakeSealed), products.end());
  EXPECT_NE(std::find(products.begin(), products.end(), kCommaQuote), products.end());
}

TEST_F(Replay, PseudonymsAreStableForOneKeyAndDifferForAnother) {
  const auto first = pseudonymous();
  const auto second = pseudonymous();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_EQ(first.err.find("random"), std::string::npos) << first.err;

  std::ifstream in(pseudonym_key_file());
  std::string key;
  in >> key;
  const auto from_env = replay({}, {"CLIENTELE_PSEUDONYM_KEY=" + key});
  EXPECT_EQ(from_env.out, first.out);

  const auto other = replay({"--pseudonym-key-file", other_pseudonym_key_file().string()});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const auto a = json_lines(first.out);
  const auto b = json_lines(other.out);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NE(a[i]["customerId"], b[i]["customerId"]);
    EXPECT_EQ(a[i]["id"], b[i]["id"]);
  }
  // One customer, one pseudonym: Ada's events share hers, and no one else has it.
  std::set<std::string> ada, others;
  for (std::size_t i = 0; i < a.size(); ++i) {
    (written_[i].envelope.customer_id == kAda ? ada : others).insert(a[i]["customerId"]);
  }
  EXPECT_EQ(ada.size(), 1u);
  EXPECT_EQ(others.count(*ada.begin()), 0u);
}

TEST_F(Replay, WithoutAPseudonymKeyWarnsThatPseudonymsAreRandomForThisRun) {
  const auto first = replay({});
  const auto second = replay({});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("random"), std::string::npos) << first.err;
  EXPECT_NE(json_lines(first.out)[0]["customerId"], json_lines(second.out)[0]["customerId"]);
}

// ---- personal data -------------------------------------------------------------------------

TEST_F(Replay, WithPersonalDataPrintsTheEnvelopesAsWrittenWithCustomerIdsInTheClear) {
  const auto run = replay({"--with-personal-data"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto lines = json_lines(run.out);
  ASSERT_EQ(lines.size(), written_.size());
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto expected = events::to_json(written_[i].envelope);
    expected["position"] = events::to_string(written_[i].position);
    EXPECT_EQ(lines[i], expected);
  }
  EXPECT_NE(run.out.find(marker_of(kAda) + "@example.com"), std::string::npos);
  EXPECT_EQ(run.err.find(marker_of(kAda)), std::string::npos) << run.err;
}

TEST_F(Replay, AnErasedCustomersEventsComeOutErasedWithoutPersonalDataAndTheOthersIntact) {
  const auto before = json_lines(replay({"--with-personal-data"}).out);
  const auto erase = run_process(
      {kBinary, "erase", "--data-dir", data().string(), "--kek-file", kek_file().string(),
       "--pepper-file", pepper_file().string(), "--customer", kAda.str(), "--reason", "gdpr-art17",
       "--legal-basis", "GDPR Art. 17(1)(a)", "--requested-by", "ADM_0001"});
  ASSERT_EQ(erase.exit_code, 0) << erase.err;

  const auto run = replay({"--with-personal-data"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out.find(marker_of(kAda)), std::string::npos);
  const auto after = json_lines(run.out);
  std::vector<json> ada_before, ada_after, others_before, others_after;
  for (const auto& line : before) {
    (line["customerId"] == kAda.str() ? ada_before : others_before).push_back(line);
  }
  for (const auto& line : after) {
    (line["customerId"] == kAda.str() ? ada_after : others_after).push_back(line);
  }
  EXPECT_EQ(others_after, others_before);
  ASSERT_EQ(ada_after.size(), ada_before.size() + 1);
  EXPECT_EQ(ada_after.back()["type"], "customer.erased");
  for (std::size_t i = 0; i < ada_before.size(); ++i) {
    EXPECT_EQ(ada_after[i]["erased"], true) << ada_after[i];
    EXPECT_TRUE(ada_after[i]["personal"].is_null()) << ada_after[i];
    auto same = ada_after[i];
    same.erase("erased");
    same["personal"] = ada_before[i]["personal"];
    EXPECT_EQ(same, ada_before[i]);
  }

  const auto pseudonymous_run = pseudonymous();
  EXPECT_EQ(pseudonymous_run.exit_code, 0) << pseudonymous_run.err;
  EXPECT_EQ(json_lines(pseudonymous_run.out).size(), after.size());
}

// `clientele erase` as compliance staff run it: a receipt, a no-op second time, a verification.
TEST_F(Replay, EraseReceiptsAndVerificationsAreJsonWithMeaningfulExitCodes) {
  const auto store =
      std::vector<std::string>{"--data-dir",        data().string(), "--kek-file",
                               kek_file().string(), "--pepper-file", pepper_file().string()};
  const auto erase_cli = [&](std::vector<std::string> args) {
    std::vector<std::string> argv{kBinary, "erase"};
    argv.insert(argv.end(), store.begin(), store.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return run_process(argv);
  };
  const std::vector<std::string> request{"--customer",     kAda.str(),      "--reason",
                                         "gdpr-art17",     "--legal-basis", "GDPR Art. 17",
                                         "--requested-by", "ADM_0001"};
  const auto before = erase_cli({"--verify", kAda.str()});
  EXPECT_EQ(before.exit_code, 1);
  EXPECT_EQ(json::parse(before.out).value("passed", true), false);

  const auto first = erase_cli(request);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto receipt = json::parse(first.out);
  EXPECT_EQ(receipt.value("customerId", ""), kAda.str());
  EXPECT_EQ(receipt.value("keyDestroyed", false), true);
  EXPECT_GT(receipt.value("sealedEventsUnreadable", 0), 0);
  EXPECT_EQ(receipt.value("alreadyErased", true), false);
  EXPECT_EQ(first.out.find(marker_of(kAda)), std::string::npos);

  const auto second = erase_cli(request);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(json::parse(second.out).value("alreadyErased", false), true);
  EXPECT_EQ(json::parse(second.out).value("position", ""), receipt.value("position", "?"));

  const auto after = erase_cli({"--verify", kAda.str()});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_EQ(json::parse(after.out).value("stillReadable", 1), 0);

  EXPECT_EQ(erase_cli({"--customer", "CUST_ffffffff", "--reason", "r", "--legal-basis", "b",
                       "--requested-by", "ADM_0001"})
                .exit_code,
            1);
  EXPECT_EQ(erase_cli({"--customer", kAda.str()}).exit_code, 2) << "a reason is required";
}

TEST_F(Replay, ABlockThatDoesNotOpenIsLoggedByPositionAndTheRestStillStreamedThenExit1) {
  tamper = [](events::Envelope& e) { e.sealed->ct[3] ^= 0x20; };
  append({{kBob, events::wrap(address_added(kBob),
                              {"", events::stream_name(kBob), StreamVersion{3}, kBob, at_hour(50),
                               Actor{UserId(kBob.str()), Role::Customer}, "", ""})}});
  const auto bad = std::find_if(written_.begin(), written_.end(),
                                [](const Written& w) { return w.envelope.id == "evt-11"; });
  ASSERT_NE(bad, written_.end());
  const auto run = replay({"--with-personal-data"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_NE(run.err.find("sealed block does not open"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(events::to_string(bad->position)), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(marker_of(kBob)), std::string::npos) << run.err;
  EXPECT_EQ(positions_of(json_lines(run.out)),
            expected_positions([&](const Written& w) { return w.envelope.id != "evt-11"; }));
  EXPECT_EQ(pseudonymous().exit_code, 0);  // pseudonymous output never opens blocks
}

// ---- filters -------------------------------------------------------------------------------

TEST_F(Replay, TypeKeepsOnlyTheNamedTypes) {
  const auto orders = pseudonymous({"--type", "order.placed"});
  ASSERT_EQ(orders.exit_code, 0) << orders.err;
  EXPECT_EQ(positions_of(json_lines(orders.out)),
            expected_positions([](const Written& w) { return w.envelope.type == "order.placed"; }));
  const auto two = pseudonymous({"--type", "address.added", "--type", "customer.registered"});
  const auto comma = pseudonymous({"--type", "address.added,customer.registered"});
  const auto expected = expected_positions([](const Written& w) {
    return w.envelope.type == "address.added" || w.envelope.type == "customer.registered";
  });
  EXPECT_EQ(positions_of(json_lines(two.out)), expected);
  EXPECT_EQ(positions_of(json_lines(comma.out)), expected);
}

TEST_F(Replay, CustomerKeepsOnlyThatCustomersEvents) {
  const auto run = pseudonymous({"--customer", kBob.str()});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto expected =
      expected_positions([](const Written& w) { return w.envelope.customer_id == kBob; });
  EXPECT_EQ(positions_of(json_lines(run.out)), expected);
  EXPECT_EQ(expected.size(), 3u);
  const auto with_personal = replay({"--customer", kBob.str(), "--with-personal-data"});
  for (const auto& line : json_lines(with_personal.out)) EXPECT_EQ(line["customerId"], kBob.str());
  EXPECT_TRUE(pseudonymous({"--customer", "CUST_00000000"}).out.empty());
}

TEST_F(Replay, SinceIsInclusiveAndUntilExclusive) {
  const auto run = pseudonymous(
      {"--since", format_timestamp(at_hour(2)), "--until", format_timestamp(at_hour(6))});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(positions_of(json_lines(run.out)), expected_positions([](const Written& w) {
              return w.envelope.at >= at_hour(2) && w.envelope.at < at_hour(6);
            }));
  EXPECT_EQ(json_lines(run.out).size(), 4u);
  const auto since = pseudonymous({"--since", "2026-01-10T07:00:00Z"});
  EXPECT_EQ(positions_of(json_lines(since.out)),
            expected_positions([](const Written& w) { return w.envelope.at >= at_hour(7); }));
}

TEST_F(Replay, PartitionAndFromOffsetReadOnlyThatPartitionFromThere) {
  std::map<std::int32_t, int> counts;
  for (const auto& w : written_) ++counts[w.position.partition.value];
  const events::Partition partition{
      std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      })->first};
  ASSERT_GE(counts[partition.value], 2);
  const auto p = std::to_string(partition.value);
  const auto run = pseudonymous({"--partition", p});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(positions_of(json_lines(run.out)), expected_positions([&](const Written& w) {
              return w.position.partition == partition;
            }));
  const auto from = pseudonymous({"--partition", p, "--from-offset", "1"});
  EXPECT_EQ(positions_of(json_lines(from.out)), expected_positions([&](const Written& w) {
              return w.position.partition == partition && w.position.offset.value >= 1;
            }));
}

TEST_F(Replay, LimitPrintsAtMostThatManyEvents) {
  const auto all = lines_of(pseudonymous().out);
  const auto three = lines_of(pseudonymous({"--limit", "3"}).out);
  ASSERT_EQ(three.size(), 3u);
  EXPECT_TRUE(std::equal(three.begin(), three.end(), all.begin()));
  EXPECT_TRUE(pseudonymous({"--limit", "0"}).out.empty());
  EXPECT_EQ(lines_of(pseudonymous({"--limit", "1000"}).out).size(), all.size());
}

// ---- CSV -----------------------------------------------------------------------------------

TEST_F(Replay, CsvHasAHeaderOfTheDefaultFieldsThenOneRowPerEvent) {
  const auto run = pseudonymous({"--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.starts_with("position,id,type,v,at,customerId,stream,seq\r\n")) << run.out;
  const auto rows = parse_csv(run.out);
  const auto lines = json_lines(pseudonymous().out);
  ASSERT_EQ(rows.size(), lines.size() + 1);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto& line = lines[i];
    EXPECT_EQ(rows[i + 1],
              (std::vector<std::string>{str(line["position"]), str(line["id"]), str(line["type"]),
                                        line["v"].dump(), str(line["at"]), str(line["customerId"]),
                                        str(line["stream"]), line["seq"].dump()}));
  }
}

TEST_F(Replay, CsvFieldsAreDottedPathsQuotedAsRfc4180WithMissingOnesEmpty) {
  const auto run =
      pseudonymous({"--format", "csv", "--type", "order.placed", "--fields",
                    "position,data.totalAmount,data.deliveryAddress.country,"
                    "data.items.0.productName,data.items,data.nothing,personal.email"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto rows = parse_csv(run.out);
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0],
            (std::vector<std::string>{"position", "data.totalAmount",
                                      "data.deliveryAddress.country", "data.items.0.productName",
                                      "data.items", "data.nothing", "personal.email"}));
  const auto lines = json_lines(pseudonymous({"--type", "order.placed"}).out);
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& line = lines[i - 1];
    EXPECT_EQ(rows[i], (std::vector<std::string>{str(line["position"]), "3798", "DE",
                                                 str(line["data"]["items"][0]["productName"]),
                                                 line["data"]["items"].dump(), "", ""}));
  }
  // The raw text quotes the cells holding commas and quotes, doubling the quotes.
  EXPECT_NE(run.out.find(",\"Beans, \"\"dark\"\" roast\","), std::string::npos) << run.out;

  const auto personal =
      replay({"--with-personal-data", "--format", "csv", "--customer", kAda.str(), "--type",
              "customer.registered", "--fields", "customerId,personal.email"});
  EXPECT_EQ(parse_csv(personal.out).back(),
            (std::vector<std::string>{kAda.str(), marker_of(kAda) + "@example.com"}));
}

// ---- options -------------------------------------------------------------------------------

TEST_F(Replay, BadOptionsExitWithAClearMessage) {
  struct Case {
    std::vector<std::string> args;
    int code;
    std::string message;
  };
  std::ofstream(dir_.path() / "short-key") << "abcdef\n";
  const std::vector<Case> cases{
      {{"--type", "order.teleported"}, 2, "unknown event type"},
      {{"--since", "yesterday"}, 2, "--since"},
      {{"--until", "2026-13-01T00:00:00Z"}, 2, "--until"},
      {{"--partition", "12"}, 2, "--partition"},
      {{"--from-offset", "3"}, 2, "--partition"},
      {{"--format", "xml"}, 2, "--format"},
      {{"--fields", "id"}, 2, "--fields"},
      {{"--format", "csv", "--fields", "data..x"}, 2, "--fields"},
      {{"--limit", "-1"}, 2, "--limit"},
      {{"--pseudonym-key-file", (dir_.path() / "short-key").string()}, 2, "pseudonym"},
      {{"--pseudonym-key-file", (dir_.path() / "missing").string()}, 2, "cannot be read"},
  };
  for (const auto& c : cases) {
    const auto run = replay(c.args);
    EXPECT_EQ(run.exit_code, c.code) << c.args[0] << ": " << run.err;
    EXPECT_NE((run.out + run.err).find(c.message), std::string::npos) << run.out << run.err;
    EXPECT_TRUE(run.out.empty()) << run.out;
  }
  const auto nowhere =
      run_process({kBinary, "replay", "--data-dir", (dir_.path() / "nothing-here").string()});
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.err.find("no event log"), std::string::npos) << nowhere.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "nothing-here"));
}

}  // namespace
}  // namespace clientele::testing
