#pragma once
// The port through which codes reach customers (issue 6): password-reset codes by email, phone
// one-time passwords by SMS. The command side decides that a code goes out and to whom; an
// adapter delivers it (infra/outbox_notifier.hpp writes a local outbox; a mail or SMS gateway
// would be another adapter).
//
// A notification is personal data and a secret at once (a recipient and a code that grants
// access): adapters never log its recipient or code.

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "domain/enums.hpp"
#include "domain/ids.hpp"
#include "domain/result.hpp"
#include "domain/time.hpp"

namespace clientele::commands {

enum class Channel { Email, Sms };

struct Notification {
  std::string kind;        // what it is: "password-reset-code", "phone-otp"
  CustomerId customer_id;  // whom it concerns
  Channel channel{};       // how it travels
  std::string recipient;   // the email address or E.164 phone number: personal
  std::string code;        // the code itself: a secret until used or expired
  Timestamp created_at;    // when the command side decided to send it

  bool operator==(const Notification&) const = default;
};

// Delivers notifications. Implementations are thread-safe.
class Notifier {
 public:
  virtual ~Notifier() = default;

  // Hands `notification` over for delivery. Success means the adapter has taken durable
  // responsibility for it (written to its outbox, accepted by the gateway); errc::unavailable
  // when it could not, and then the caller should tell the client to try again.
  virtual Result<void> send(const Notification& notification) = 0;
};

}  // namespace clientele::commands

namespace clientele {

template <>
struct EnumNames<commands::Channel> {
  static constexpr std::array<std::pair<commands::Channel, std::string_view>, 2> values{{
      {commands::Channel::Email, "email"},
      {commands::Channel::Sms, "sms"},
  }};
};

}  // namespace clientele
