#include "events/json.hpp"

#include <fmt/format.h>

#include <charconv>

namespace clientele {
namespace {

// Parses exactly `text.size()` decimal digits; nullopt on anything else.
std::optional<int> digits(std::string_view text) {
  int value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || text.empty() || text.front() == '-' || text.front() == '+')
    return std::nullopt;
  return value;
}

}  // namespace

std::string format_timestamp(Timestamp t) {
  using namespace std::chrono;
  const auto day = floor<days>(t);
  const year_month_day ymd{day};
  const hh_mm_ss hms{t - day};
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", int(ymd.year()),
                     unsigned(ymd.month()), unsigned(ymd.day()), hms.hours().count(),
                     hms.minutes().count(), hms.seconds().count(), hms.subseconds().count());
}

std::optional<Timestamp> parse_timestamp(std::string_view text) {
  using namespace std::chrono;
  // 2026-01-20T14:30:00Z or 2026-01-20T14:30:00.123Z
  if (text.size() != 20 && text.size() != 24) return std::nullopt;
  if (text[10] != 'T' || text[13] != ':' || text[16] != ':' || text.back() != 'Z')
    return std::nullopt;
  const auto date = parse_date(text.substr(0, 10));
  const auto hh = digits(text.substr(11, 2));
  const auto mm = digits(text.substr(14, 2));
  const auto ss = digits(text.substr(17, 2));
  int ms = 0;
  if (text.size() == 24) {
    if (text[19] != '.') return std::nullopt;
    const auto frac = digits(text.substr(20, 3));
    if (!frac) return std::nullopt;
    ms = *frac;
  }
  if (!date || !hh || !mm || !ss || *hh > 23 || *mm > 59 || *ss > 59) return std::nullopt;
  return sys_days{*date} + hours{*hh} + minutes{*mm} + seconds{*ss} + milliseconds{ms};
}

std::string format_date(Date d) {
  return fmt::format("{:04d}-{:02d}-{:02d}", int(d.year()), unsigned(d.month()), unsigned(d.day()));
}

std::optional<Date> parse_date(std::string_view text) {
  using namespace std::chrono;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = digits(text.substr(0, 4));
  const auto m = digits(text.substr(5, 2));
  const auto d = digits(text.substr(8, 2));
  if (!y || !m || !d) return std::nullopt;
  const Date date{year{*y}, month{static_cast<unsigned>(*m)}, day{static_cast<unsigned>(*d)}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace clientele

namespace nlohmann {

void adl_serializer<clientele::Timestamp>::to_json(json& j, const clientele::Timestamp& t) {
  j = clientele::format_timestamp(t);
}

void adl_serializer<clientele::Timestamp>::from_json(const json& j, clientele::Timestamp& t) {
  const auto parsed = clientele::parse_timestamp(j.get<std::string>());
  if (!parsed) throw json::other_error::create(501, "malformed timestamp", &j);
  t = *parsed;
}

void adl_serializer<clientele::Date>::to_json(json& j, const clientele::Date& d) {
  j = clientele::format_date(d);
}

void adl_serializer<clientele::Date>::from_json(const json& j, clientele::Date& d) {
  const auto parsed = clientele::parse_date(j.get<std::string>());
  if (!parsed) throw json::other_error::create(501, "malformed date", &j);
  d = *parsed;
}

}  // namespace nlohmann
