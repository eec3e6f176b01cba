// `clientele bench project` (bench.hpp): fill the log with customer events, time a rebuild of
// every read model, then time search and deep list-page queries.

#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <vector>

#include "domain/customer.hpp"
#include "events/codec.hpp"
#include "infra/embedded_event_log.hpp"
#include "infra/logging.hpp"
#include "projections/projector.hpp"
#include "tools/bench.hpp"
#include "tools/bench_support.hpp"
#include "tools/read_models.hpp"

namespace clientele::tools {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

// Events each customer has in the log (the last customer may have fewer).
constexpr std::int64_t kEventsPerCustomer = 4;
// The most customers one search returns (one page of the API).
constexpr std::size_t kSearchLimit = 20;

// ---- generated customers ----------------------------------------------------------------------

// A country the customers live in: its cities, most populous first.
struct Country {
  std::string_view code;          // ISO 3166-1 alpha-2
  std::string_view calling_code;  // E.164 country code, digits
  std::string_view language;      // ISO 639-1, for the customer's preferences
  std::array<std::string_view, 10> cities;
};

constexpr std::array<Country, 20> kCountries{{
    {"DE",
     "49",
     "de",
     {"Berlin", "Hamburg", "Munich", "Cologne", "Frankfurt", "Stuttgart", "Dusseldorf", "Leipzig",
      "Dortmund", "Essen"}},
    {"FR",
     "33",
     "fr",
     {"Paris", "Marseille", "Lyon", "Toulouse", "Nice", "Nantes", "Strasbourg", "Montpellier",
      "Bordeaux", "Lille"}},
    {"GB",
     "44",
     "en",
     {"London", "Birmingham", "Manchester", "Glasgow", "Liverpool", "Leeds", "Sheffield",
      "Edinburgh", "Bristol", "Cardiff"}},
    {"ES",
     "34",
     "es",
     {"Madrid", "Barcelona", "Valencia", "Seville", "Zaragoza", "Malaga", "Murcia", "Palma",
      "Bilbao", "Alicante"}},
    {"IT",
     "39",
     "it",
     {"Rome", "Milan", "Naples", "Turin", "Palermo", "Genoa", "Bologna", "Florence", "Bari",
      "Catania"}},
    {"NL",
     "31",
     "nl",
     {"Amsterdam", "Rotterdam", "The Hague", "Utrecht", "Eindhoven", "Groningen", "Tilburg",
      "Almere", "Breda", "Nijmegen"}},
    {"PL",
     "48",
     "pl",
     {"Warsaw", "Krakow", "Lodz", "Wroclaw", "Poznan", "Gdansk", "Szczecin", "Bydgoszcz", "Lublin",
      "Katowice"}},
    {"SE",
     "46",
     "sv",
     {"Stockholm", "Gothenburg", "Malmo", "Uppsala", "Vasteras", "Orebro", "Linkoping",
      "Helsingborg", "Jonkoping", "Norrkoping"}},
    {"AT",
     "43",
     "de",
     {"Vienna", "Graz", "Linz", "Salzburg", "Innsbruck", "Klagenfurt", "Villach", "Wels",
      "St. Polten", "Dornbirn"}},
    {"CH",
     "41",
     "de",
     {"Zurich", "Geneva", "Basel", "Lausanne", "Bern", "Winterthur", "Lucerne", "St. Gallen",
      "Lugano", "Biel"}},
    {"US",
     "1",
     "en",
     {"New York", "Los Angeles", "Chicago", "Houston", "Phoenix", "Philadelphia", "San Antonio",
      "San Diego", "Dallas", "Seattle"}},
    {"CA",
     "1",
     "en",
     {"Toronto", "Montreal", "Vancouver", "Calgary", "Edmonton", "Ottawa", "Winnipeg",
      "Quebec City", "Hamilton", "Halifax"}},
    {"BR",
     "55",
     "pt",
     {"Sao Paulo", "Rio de Janeiro", "Brasilia", "Salvador", "Fortaleza", "Belo Horizonte",
      "Manaus", "Curitiba", "Recife", "Porto Alegre"}},
    {"MX",
     "52",
     "es",
     {"Mexico City", "Guadalajara", "Monterrey", "Puebla", "Tijuana", "Leon", "Juarez", "Zapopan",
      "Merida", "Cancun"}},
    {"JP",
     "81",
     "ja",
     {"Tokyo", "Yokohama", "Osaka", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kawasaki", "Kyoto",
      "Saitama"}},
    {"KR",
     "82",
     "ko",
     {"Seoul", "Busan", "Incheon", "Daegu", "Daejeon", "Gwangju", "Suwon", "Ulsan", "Changwon",
      "Goyang"}},
    {"IN",
     "91",
     "en",
     {"Mumbai", "Delhi", "Bangalore", "Hyderabad", "Ahmedabad", "Chennai", "Kolkata", "Pune",
      "Jaipur", "Lucknow"}},
    {"AU",
     "61",
     "en",
     {"Sydney", "Melbourne", "Brisbane", "Perth", "Adelaide", "Gold Coast", "Canberra", "Newcastle",
      "Hobart", "Darwin"}},
    {"ZA",
     "27",
     "en",
     {"Johannesburg", "Cape Town", "Durban", "Pretoria", "Port Elizabeth", "Bloemfontein",
      "East London", "Polokwane", "Nelspruit", "Kimberley"}},
    {"TR",
     "90",
     "tr",
     {"Istanbul", "Ankara", "Izmir", "Bursa", "Antalya", "Konya", "Adana", "Gaziantep", "Kayseri",
      "Mersin"}},
}};

// First names, the most common first.
constexpr auto kFemaleNames = std::to_array<std::string_view>(
    {"Maria",     "Anna",     "Emma",      "Sofia",   "Olivia",  "Mia",     "Laura",    "Julia",
     "Sara",      "Elena",    "Hannah",    "Lea",     "Chloe",   "Emily",   "Isabella", "Amelia",
     "Charlotte", "Lucia",    "Martina",   "Paula",   "Camille", "Manon",   "Ines",     "Alice",
     "Giulia",    "Chiara",   "Francesca", "Aurora",  "Zofia",   "Agata",   "Maja",     "Alicja",
     "Ebba",      "Astrid",   "Freya",     "Ingrid",  "Yuki",    "Haruka",  "Sakura",   "Aiko",
     "Minji",     "Seoyeon",  "Jiwoo",     "Priya",   "Ananya",  "Aditi",   "Kavya",    "Ayesha",
     "Fatima",    "Zeynep",   "Elif",      "Defne",   "Ana",     "Beatriz", "Mariana",  "Gabriela",
     "Valentina", "Ximena",   "Camila",    "Daniela", "Grace",   "Isla",    "Ruby",     "Matilda",
     "Nomvula",   "Thandiwe", "Lerato",    "Sophie",  "Lotte",   "Fleur",   "Noor",     "Helena",
     "Katarina",  "Nora",     "Ella",      "Zoe",     "Ava",     "Lily",    "Jessica",  "Sarah"});
constexpr auto kMaleNames = std::to_array<std::string_view>(
    {"James",   "John",      "Michael",    "David",     "Daniel",     "Thomas",   "Lukas",
     "Leon",    "Paul",      "Jonas",      "Felix",     "Maximilian", "Lucas",    "Hugo",
     "Louis",   "Gabriel",   "Arthur",     "Jules",     "Oliver",     "George",   "Harry",
     "Jack",    "Noah",      "Leo",        "Alejandro", "Pablo",      "Javier",   "Mateo",
     "Lorenzo", "Francesco", "Alessandro", "Matteo",    "Jakub",      "Kacper",   "Szymon",
     "Antoni",  "Erik",      "Lars",       "Oskar",     "Nils",       "Haruto",   "Sota",
     "Ren",     "Takumi",    "Minjun",     "Seojun",    "Doyun",      "Arjun",    "Rohan",
     "Vihaan",  "Aarav",     "Mehmet",     "Mustafa",   "Emir",       "Yusuf",    "Joao",
     "Pedro",   "Rafael",    "Gustavo",    "Santiago",  "Diego",      "Emiliano", "Liam",
     "Ethan",   "William",   "Benjamin",   "Samuel",    "Sipho",      "Thabo",    "Bongani",
     "Daan",    "Sem",       "Finn",       "Henrik",    "Viktor",     "Adam",     "Oscar",
     "Elias",   "Tobias",    "Simon"});
// Last names, the most common first.
constexpr auto kLastNames = std::to_array<std::string_view>(
    {"Smith",      "Mueller",   "Garcia",    "Rossi",       "Martin",     "Kowalski",   "Kim",
     "Lee",        "Johnson",   "Schmidt",   "Fernandez",   "Russo",      "Bernard",    "Nowak",
     "Park",       "Sato",      "Williams",  "Schneider",   "Lopez",      "Ferrari",    "Dubois",
     "Wisniewski", "Choi",      "Suzuki",    "Brown",       "Fischer",    "Martinez",   "Esposito",
     "Thomas",     "Wojcik",    "Jung",      "Takahashi",   "Jones",      "Weber",      "Sanchez",
     "Bianchi",    "Robert",    "Kaminski",  "Kang",        "Tanaka",     "Miller",     "Meyer",
     "Perez",      "Romano",    "Richard",   "Lewandowski", "Cho",        "Watanabe",   "Davis",
     "Wagner",     "Gomez",     "Colombo",   "Petit",       "Zielinski",  "Yoon",       "Ito",
     "Wilson",     "Becker",    "Rodriguez", "Ricci",       "Durand",     "Szymanski",  "Jang",
     "Yamamoto",   "Taylor",    "Schulz",    "Gonzalez",    "Marino",     "Leroy",      "Wozniak",
     "Lim",        "Nakamura",  "Anderson",  "Hoffmann",    "Hernandez",  "Greco",      "Moreau",
     "Dabrowski",  "Han",       "Kobayashi", "Jackson",     "Koch",       "Diaz",       "Bruno",
     "Simon",      "Kozlowski", "Oh",        "Kato",        "White",      "Richter",    "Moreno",
     "Gallo",      "Laurent",   "Jankowski", "Seo",         "Yoshida",    "Harris",     "Klein",
     "Alvarez",    "Conti",     "Lefebvre",  "Mazur",       "Shin",       "Yamada",     "Clark",
     "Wolf",       "Romero",    "De Luca",   "Michel",      "Krawczyk",   "Kwon",       "Sasaki",
     "Lewis",      "Schroeder", "Alonso",    "Mancini",     "Garnier",    "Piotrowski", "Hwang",
     "Yamaguchi",  "Walker",    "Neumann",   "Navarro",     "Costa",      "Faure",      "Grabowski",
     "Ahn",        "Matsumoto", "Hall",      "Schwarz",     "Torres",     "Giordano",   "Rousseau",
     "Pawlowski",  "Song",      "Inoue",     "Young",       "Zimmermann", "Dominguez",  "Rizzo",
     "Blanc",      "Michalski", "Ryu",       "Kimura",      "Patel",      "Sharma",     "Singh",
     "Gupta",      "Yilmaz",    "Kaya",      "Demir",       "Silva",      "Santos",     "Oliveira",
     "De Jong",    "Jansen",    "Bakker",    "Andersson",   "Johansson",  "Nkosi",      "Dlamini",
     "Naidoo",     "Nguyen",    "Tremblay",  "Gagnon",      "Roy",        "Ozturk",     "Celik",
     "Pereira",    "Visser",    "Karlsson",  "Mokoena"});
constexpr std::array<std::string_view, 10> kEmailDomains{
    "gmail.com", "outlook.com", "yahoo.com", "icloud.com",  "gmx.de",
    "web.de",    "orange.fr",   "naver.com", "hotmail.com", "proton.me"};
constexpr std::array<std::string_view, 12> kStreets{
    "Station Road", "Main Street", "Park Avenue", "Church Lane",   "Harbour Road", "Mill Lane",
    "High Street",  "Oak Avenue",  "Lake View",   "Market Square", "River Walk",   "Hill Road"};

// SplitMix64: a small deterministic generator, so that customer number `c` comes out the same in
// every round of the fill and in the queries.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}

  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n).
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  // In [0, n), small values likelier (popular names and big cities come first in their lists).
  std::size_t skewed(std::size_t n) {
    const double u = unit();
    return std::min(n - 1, static_cast<std::size_t>(u * u * static_cast<double>(n)));
  }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  std::uint64_t state_;  // advanced by every draw
};

// The part of a name an email address holds: lower case, spaces dropped.
std::string email_part(std::string_view name) {
  std::string out;
  for (const unsigned char c : name) {
    if (c != ' ') out += static_cast<char>(std::tolower(c));
  }
  return out;
}

std::string phone_number(const Country& country, Rng& rng) {
  return fmt::format("+{}{:09d}", country.calling_code, 100'000'000 + rng.below(900'000'000));
}

// Customer number `c` with everything its events say.
struct GeneratedCustomer {
  std::string id;                   // customer_name(c)
  customer::Registered registered;  // its first event
  PostalAddress address;            // its address, made the default
  customer::Event later;            // its fourth event
  std::string first_name;           // its name and phone after all four events
  std::string last_name;
  std::string phone;
};

// The fourth event of a customer: a profile update (80%), a type change (10%) or a status change
// (10%). Updates change the phone, the last name or a marketing flag, and `customer` with them.
customer::Event later_event(GeneratedCustomer& customer, const Country& country, Rng& rng) {
  const double pick = rng.unit();
  if (pick < 0.1) {
    return customer::TypeChanged{customer::Type::Regular,
                                 rng.chance(0.7) ? customer::Type::Premium : customer::Type::VIP};
  }
  if (pick < 0.2) {
    const bool inactive = rng.chance(0.7);
    return customer::StatusChanged{
        customer::Status::Active,
        inactive ? customer::Status::Inactive : customer::Status::Suspended,
        inactive ? "asked to pause the account" : "payment overdue"};
  }
  customer::ProfileUpdated updated;
  if (pick < 0.52) {
    customer.phone = phone_number(country, rng);
    updated.phone = customer.phone;
  } else if (pick < 0.72) {
    customer.last_name = std::string(kLastNames[rng.skewed(kLastNames.size())]);
    updated.last_name = customer.last_name;
  } else {
    updated.marketing_emails = !customer.registered.marketing_emails;
  }
  return updated;
}

GeneratedCustomer generate_customer(std::int64_t c) {
  Rng rng(0x5eed0000ull + static_cast<std::uint64_t>(c));
  GeneratedCustomer out;
  out.id = customer_name(c);
  const auto& country = kCountries[rng.below(kCountries.size())];
  const bool female = rng.chance(0.5);
  out.first_name = std::string(female ? kFemaleNames[rng.skewed(kFemaleNames.size())]
                                      : kMaleNames[rng.skewed(kMaleNames.size())]);
  out.last_name = std::string(kLastNames[rng.skewed(kLastNames.size())]);
  out.phone = phone_number(country, rng);

  auto& r = out.registered;
  r.customer_id = CustomerId(out.id);
  r.username = fmt::format("{}{}{}", email_part(out.first_name), email_part(out.last_name), c);
  r.email = fmt::format("{}.{}{}@{}", email_part(out.first_name), email_part(out.last_name), c,
                        kEmailDomains[rng.skewed(kEmailDomains.size())]);
  r.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo";
  r.first_name = out.first_name;
  r.last_name = out.last_name;
  r.phone = out.phone;
  r.date_of_birth = Date(std::chrono::year(1950 + static_cast<int>(rng.below(56))),
                         std::chrono::month(1 + static_cast<unsigned>(rng.below(12))),
                         std::chrono::day(1 + static_cast<unsigned>(rng.below(28))));
  r.gender = rng.chance(0.03) ? customer::Gender::Undisclosed
             : female         ? customer::Gender::Female
                              : customer::Gender::Male;
  r.preferences.language = std::string(country.language);
  r.preferences.newsletter = rng.chance(0.3);
  r.marketing_emails = rng.chance(0.4);

  const auto city = country.cities[rng.skewed(country.cities.size())];
  out.address =
      PostalAddress{out.first_name + " " + out.last_name,
                    out.phone,
                    fmt::format("{} {}", 1 + rng.below(300), kStreets[rng.below(kStreets.size())]),
                    rng.chance(0.3) ? fmt::format("Flat {}", 1 + rng.below(40)) : "",
                    std::string(city),
                    "",
                    fmt::format("{:05d}", rng.below(100'000)),
                    std::string(country.code)};
  out.later = later_event(out, country, rng);
  return out;
}

// The events customer `c` has in the log, up to `total` events in all.
std::int64_t events_of(std::int64_t c, std::int64_t total) {
  return std::clamp<std::int64_t>(total - c * kEventsPerCustomer, 0, kEventsPerCustomer);
}

// ---- phase 1: fill ----------------------------------------------------------------------------

// The rounds of the fill, as customers act over time; each is one command per customer.
enum class Round { Register, AddDefaultAddress, Later };
constexpr std::array<Round, 3> kRounds{Round::Register, Round::AddDefaultAddress, Round::Later};

// The events of `customer`'s command in `round`, of the `count` events it has in all.
std::vector<events::Envelope> command_events(const GeneratedCustomer& customer, Round round,
                                             std::int64_t count) {
  const auto stream = events::stream_name(CustomerId(customer.id));
  const Actor self{UserId(customer.id), Role::Customer};
  std::vector<events::Envelope> out;
  switch (round) {
    case Round::Register:
      out.push_back(envelope_of(events::encode(customer::Event{customer.registered}), stream, 1,
                                customer.id, self));
      break;
    case Round::AddDefaultAddress: {
      const AddressId address("ADR_1");
      if (count >= 2) {
        const customer::Event added =
            customer::AddressAdded{address, "home", AddressKind::Home, customer.address};
        out.push_back(envelope_of(events::encode(added), stream, 2, customer.id, self));
      }
      if (count >= 3) {
        const customer::Event made_default = customer::DefaultAddressSet{address};
        out.push_back(envelope_of(events::encode(made_default), stream, 3, customer.id, self));
      }
      break;
    }
    case Round::Later:
      if (count >= 4) {
        const bool by_staff = !std::holds_alternative<customer::ProfileUpdated>(customer.later);
        out.push_back(
            envelope_of(events::encode(customer.later), stream, 4, customer.id,
                        by_staff ? Actor{UserId("ADM_0001"), Role::Administrator} : self));
      }
      break;
  }
  return out;
}

// Seals and appends `customer`'s command of `round`.
Result<void> append_command(events::EventLog& log, events::KeyStore& keys,
                            const GeneratedCustomer& customer, Round round, std::int64_t count) {
  auto envelopes = command_events(customer, round, count);
  if (envelopes.empty()) return success();
  std::vector<events::EncodedEvent> encoded;
  for (auto& envelope : envelopes) {
    auto payload = payload_of(envelope, &keys);
    if (!payload) return payload.error();
    encoded.push_back({envelope.id, envelope.type, envelope.v, std::move(*payload)});
  }
  if (auto appended = log.append(customer.id, encoded); !appended) return appended.error();
  return success();
}

// Appends every customer's commands, round after round, from `bench.appenders` threads. Returns
// the seconds it took.
Result<double> fill(events::EventLog& log, events::KeyStore& keys, const ProjectBench& bench,
                    std::int64_t customers) {
  std::mutex mu;
  std::optional<Error> failed;  // the first error; guarded by `mu`
  std::atomic<bool> stop{false};
  const auto start = Clock::now();
  for (const auto round : kRounds) {
    std::vector<std::thread> threads;
    for (int t = 0; t < bench.appenders; ++t) {
      threads.emplace_back([&, t] {
        for (std::int64_t c = t; c < customers && !stop.load(); c += bench.appenders) {
          auto appended =
              append_command(log, keys, generate_customer(c), round, events_of(c, bench.events));
          if (!appended) {
            std::lock_guard lock(mu);
            if (!failed) failed = appended.error();
            stop = true;
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
    if (failed) return *failed;
  }
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- phase 2: rebuild -------------------------------------------------------------------------

// A "Vm...:" line of /proc/self/status in MiB; 0 when it is missing.
double proc_status_mb(std::string_view field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.starts_with(field) && line.size() > field.size() && line[field.size()] == ':')
      return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0;  // "VmRSS: 1234 kB"
  }
  return 0;
}

// The process's peak resident set so far (threads that ended included), in MiB.
double max_rss_mb() {
  rusage usage{};
  ::getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;
}

// Resets the high-water mark of the resident set (VmHWM) to the current RSS; returns whether
// the kernel allowed it (Linux 4.0 and later).
bool reset_peak_rss() {
  std::ofstream clear_refs("/proc/self/clear_refs");
  clear_refs << "5" << std::flush;
  return static_cast<bool>(clear_refs);
}

// The bytes of every file under `directory`, in MiB.
double directory_mb(const std::filesystem::path& directory) {
  std::uintmax_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    if (const auto size = entry.file_size(ec); !ec) bytes += size;
  }
  return static_cast<double>(bytes) / (1024.0 * 1024.0);
}

// What one rebuild took.
struct Rebuilt {
  double seconds = 0;             // the wall-clock time of catch_up() and settle()
  std::uint64_t folded = 0;       // events the projector folded
  double rss_at_start_mb = 0;     // VmRSS when the rebuild began
  std::optional<double> peak_mb;  // VmHWM during the rebuild, if it could be reset
  double rss_after_mb = 0;        // VmRSS when it ended
};

// Folds the whole log into every read model of `views` (a fresh store), as a rebuild does.
Result<Rebuilt> rebuild(events::EventReader& log, events::KeyStore& keys, const ReadModels& views,
                        const ProjectBench& bench) {
  Rebuilt out;
  out.rss_at_start_mb = proc_status_mb("VmRSS");
  const bool reset = reset_peak_rss();
  projections::ProjectorOptions options;
  options.workers = bench.workers;
  if (bench.batch_events > 0) options.batch_events = bench.batch_events;
  projections::Projector projector(log, keys, *views.store, views.all(), options);
  const auto start = Clock::now();
  if (auto folded = projector.catch_up(); !folded) return folded.error();
  for (const auto& binding : projector.bindings()) {  // as a rebuild does before it switches
    if (auto settled = views.store->settle(binding.ns); !settled) return settled.error();
  }
  out.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  out.folded = projector.events_folded();
  if (reset) out.peak_mb = proc_status_mb("VmHWM");
  out.rss_after_mb = proc_status_mb("VmRSS");
  return out;
}

// ---- phase 3: queries -------------------------------------------------------------------------

std::int64_t elapsed_us(Clock::time_point since) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - since).count();
}

// Latencies of one kind of query, in microseconds, ascending once `sort()` ran.
struct Latencies {
  std::vector<std::int64_t> us;

  void sort() { std::sort(us.begin(), us.end()); }
  double p(double q) const { return percentile_ms(us, q); }
  double max_ms() const { return us.empty() ? 0.0 : static_cast<double>(us.back()) / 1000.0; }
};

// Up to `length` characters of `text` from a random place (its start 70% of the time, as people
// type); all of it when shorter.
std::string piece_of(std::string_view text, std::size_t length, Rng& rng) {
  if (text.size() <= length) return std::string(text);
  const auto from = rng.chance(0.7) ? 0 : rng.below(text.size() - length + 1);
  return std::string(text.substr(from, length));
}

// A fragment that finds customer `c` (among others): a piece of its last name, first name, full
// name, email or phone digits, as search indexes them.
std::string hit_fragment(std::int64_t c, std::int64_t total_events, Rng& rng) {
  const auto customer = generate_customer(c);
  const bool updated = events_of(c, total_events) == kEventsPerCustomer;
  const auto& first = customer.first_name;
  const auto& last = updated ? customer.last_name : customer.registered.last_name;
  const auto& phone = updated ? customer.phone : customer.registered.phone;
  const auto length = 3 + rng.below(5);
  const double pick = rng.unit();
  std::string fragment;
  if (pick < 0.35) {
    fragment = piece_of(last, length, rng);
  } else if (pick < 0.5) {
    fragment = piece_of(first, length, rng);
  } else if (pick < 0.65) {
    fragment = piece_of(first + " " + last, length + 3, rng);
  } else if (pick < 0.85) {
    const auto& email = customer.registered.email;
    fragment = piece_of(std::string_view(email).substr(0, email.find('@')), length, rng);
  } else {
    fragment = piece_of(std::string_view(phone).substr(1), length + 1, rng);
  }
  // Search trims spaces around a fragment and needs a few characters: keep it findable.
  if (fragment.size() < projections::CustomerSearch::kMinFragment || fragment.front() == ' ' ||
      fragment.back() == ' ') {
    fragment = first;
  }
  return fragment;
}

// A fragment nobody should have: a last name of four letters or more with one letter mistyped.
std::string miss_fragment(Rng& rng) {
  std::string name;
  while (name.size() < 4) name = kLastNames[rng.below(kLastNames.size())];
  name[rng.below(name.size())] = "qxzj"[rng.below(4)];
  return name;
}

struct Searched {
  Latencies latencies;
  std::int64_t hits = 0;  // queries that found somebody
};

// Times `queries` searches, 80% by fragments of known customers, each on a fresh snapshot.
// errc::corrupt when a fragment taken from a customer finds nobody.
Result<Searched> time_searches(const ReadModels& views, std::int64_t customers,
                               std::int64_t total_events, std::int64_t queries) {
  Rng rng(42);
  Searched out;
  const auto ns = views.search.ns();
  for (std::int64_t q = 0; q < queries; ++q) {
    const bool expect_hit = rng.chance(0.8);
    const auto fragment =
        expect_hit ? hit_fragment(
                         static_cast<std::int64_t>(rng.below(static_cast<std::size_t>(customers))),
                         total_events, rng)
                   : miss_fragment(rng);
    const auto start = Clock::now();
    const auto snapshot = views.store->snapshot();
    auto found = views.search.search(*snapshot, ns, fragment, kSearchLimit);
    out.latencies.us.push_back(elapsed_us(start));
    if (!found) return found.error();
    if (!found->empty()) ++out.hits;
    if (expect_hit && found->empty())
      return make_error(errc::corrupt, "", "a fragment taken from a customer found nobody");
  }
  out.latencies.sort();
  return out;
}

// The filtered, sorted listings whose deep pages are timed.
std::vector<projections::ListQuery> listings(std::size_t page_size) {
  using projections::ListSort;
  std::vector<projections::ListQuery> out;
  const auto listing = [&](ListSort sort, bool descending) -> projections::ListQuery& {
    auto& query = out.emplace_back();
    query.sort = sort;
    query.descending = descending;
    query.limit = page_size;
    return query;
  };
  for (const auto& country : kCountries) {
    listing(ListSort::TotalOrderValue, true).country = std::string(country.code);
    auto& active = listing(ListSort::CreatedAt, true);
    active.country = std::string(country.code);
    active.status = "Active";
  }
  listing(ListSort::CreatedAt, true).status = "Active";
  listing(ListSort::CreatedAt, false).type = "Regular";
  listing(ListSort::LastOrderDate, true);
  return out;
}

// The cursor that starts page `page` of `query` (1-based, pages walked one by one, as a client
// does), or nullopt when the listing ends before that page.
Result<std::optional<std::string>> cursor_of_page(const ReadModels& views,
                                                  projections::ListQuery query, std::int64_t page) {
  const auto snapshot = views.store->snapshot();
  for (std::int64_t p = 1; p < page; ++p) {
    auto listed = views.list.list(*snapshot, views.list.ns(), query);
    if (!listed) return listed.error();
    if (listed->next.empty()) return std::optional<std::string>();
    query.after = std::move(listed->next);
  }
  return std::optional<std::string>(query.after);
}

struct Listed {
  Latencies latencies;
  std::size_t listings = 0;  // listings deep enough to have the page
};

// Times `queries` fetches of page `page` of the listings deep enough to have it, in turn, each on
// a fresh snapshot. errc::not_found when none is that deep.
Result<Listed> time_list_pages(const ReadModels& views, const ProjectBench& bench) {
  std::vector<projections::ListQuery> deep;
  for (auto query : listings(static_cast<std::size_t>(bench.page_size))) {
    auto cursor = cursor_of_page(views, query, bench.page);
    if (!cursor) return cursor.error();
    if (!*cursor) continue;
    query.after = std::move(**cursor);
    deep.push_back(std::move(query));
  }
  if (deep.empty()) return make_error(errc::not_found, "page", "no listing has that many pages");
  Listed out;
  out.listings = deep.size();
  const auto ns = views.list.ns();
  for (std::int64_t q = 0; q < bench.queries; ++q) {
    const auto& query = deep[static_cast<std::size_t>(q) % deep.size()];
    const auto start = Clock::now();
    const auto snapshot = views.store->snapshot();
    auto page = views.list.list(*snapshot, ns, query);
    out.latencies.us.push_back(elapsed_us(start));
    if (!page) return page.error();
    if (page->customers.empty())
      return make_error(errc::corrupt, "", "a page a cursor pointed to is empty");
  }
  out.latencies.sort();
  return out;
}

// Where the key store goes by default: on tmpfs, where its synced writes cost nothing.
std::filesystem::path scratch_parent_for_keys() {
  std::error_code ec;
  if (std::filesystem::is_directory("/dev/shm", ec)) return "/dev/shm";
  return std::filesystem::temp_directory_path();
}

int fail(std::string_view what, const Error& error) {
  infra::log_error(what, {{"error", error.message}});
  return 1;
}

}  // namespace

int run_project_bench(const ProjectBench& bench) {
  const ScratchDir dir(bench.data_dir);
  const ScratchDir keys_dir(bench.keys_dir, scratch_parent_for_keys());
  if (dir.path().empty() || keys_dir.path().empty()) {
    return fail("cannot make a scratch directory",
                Error{errc::unavailable, "", "mkdtemp failed in the temporary directory"});
  }
  std::error_code ec;
  if (std::filesystem::exists(dir.path() / "events", ec) ||
      std::filesystem::exists(dir.path() / "views", ec)) {
    return fail("cannot fill the log",
                Error{errc::invalid, "data-dir", "the data directory must be new or empty"});
  }
  const auto customers = (bench.events + kEventsPerCustomer - 1) / kEventsPerCustomer;
  auto log = infra::EmbeddedEventLog::open({dir.path() / "events", bench.partitions});
  if (!log) return fail("cannot open the event log", log.error());
  auto keys = open_keys(keys_dir.path() / "keys", {}, bench.key_cache);
  if (!keys) return fail("cannot open the key store", keys.error());

  auto fill_seconds = fill(**log, *keys->cache, bench, customers);
  if (!fill_seconds) return fail("cannot fill the log", fill_seconds.error());
  const auto appended = (*log)->stats().events;
  infra::log_info("log filled", {{"events", appended}, {"seconds", *fill_seconds}});

  auto views = ReadModels::open(dir.path(), events::SecretKey::random());
  if (!views) return fail("cannot open the read models", views.error());
  // A cold cache over the same key store, as a service starting a rebuild has.
  infra::CachingKeyStore cold_keys(*keys->store, bench.key_cache);
  auto rebuilt = rebuild(**log, cold_keys, **views, bench);
  if (!rebuilt) return fail("cannot rebuild the read models", rebuilt.error());
  const double peak_rss_mb = std::max(max_rss_mb(), rebuilt->peak_mb.value_or(0));
  infra::log_info("read models rebuilt",
                  {{"events", rebuilt->folded}, {"seconds", rebuilt->seconds}});

  auto searched = time_searches(**views, customers, bench.events, bench.queries);
  if (!searched) return fail("a search failed", searched.error());
  auto listed = time_list_pages(**views, bench);
  if (!listed) return fail("a list query failed", listed.error());

  const auto events = static_cast<double>(bench.events);
  const json report{
      {"scenario", "project"},
      {"events", appended},
      {"customers", customers},
      {"partitions", bench.partitions},
      {"appenders", bench.appenders},
      {"workers", bench.workers > 0
                      ? bench.workers
                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()))},
      {"fill_seconds", *fill_seconds},
      {"fill_events_per_s", events / *fill_seconds},
      {"seconds", rebuilt->seconds},
      {"events_per_s", static_cast<double>(rebuilt->folded) / rebuilt->seconds},
      {"peak_rss_mb", peak_rss_mb},
      {"rss_at_rebuild_start_mb", rebuilt->rss_at_start_mb},
      {"rebuild_peak_rss_mb", rebuilt->peak_mb ? json(*rebuilt->peak_mb) : json(nullptr)},
      {"rss_after_rebuild_mb", rebuilt->rss_after_mb},
      {"views_mb", directory_mb(dir.path() / "views")},
      {"search_queries", bench.queries},
      {"search_hits", searched->hits},
      {"search_p50_ms", searched->latencies.p(0.50)},
      {"search_p99_ms", searched->latencies.p(0.99)},
      {"search_max_ms", searched->latencies.max_ms()},
      {"list_page", bench.page},
      {"page_size", bench.page_size},
      {"list_listings", listed->listings},
      {"list_queries", bench.queries},
      {"list_page_p50_ms", listed->latencies.p(0.50)},
      {"list_page_p99_ms", listed->latencies.p(0.99)},
      {"list_page_max_ms", listed->latencies.max_ms()}};
  if (rebuilt->folded != appended) {
    infra::log_error("the rebuild did not fold every event",
                     {{"folded", rebuilt->folded}, {"appended", appended}});
    return 1;
  }
  std::cout << report.dump() << std::endl;
  return 0;
}

}  // namespace clientele::tools
