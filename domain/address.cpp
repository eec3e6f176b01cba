#include "domain/address.hpp"

#include <string>

#include "domain/validation.hpp"

namespace clientele {

Result<void> validate_postal_address(const PostalAddress& a, std::string_view prefix) {
  const auto name = [&](std::string_view field) {
    return prefix.empty() ? std::string(field) : std::string(prefix) + "." + std::string(field);
  };
  if (auto r = check_text(name("recipientName"), a.recipient_name, 2, 100); !r) return r;
  if (!a.phone.empty()) {
    if (auto r = check_phone(name("phone"), a.phone); !r) return r;
  }
  if (auto r = check_text(name("addressLine1"), a.line1, 1, 200); !r) return r;
  if (auto r = check_optional_text(name("addressLine2"), a.line2, 200); !r) return r;
  if (auto r = check_text(name("city"), a.city, 1, 100); !r) return r;
  if (auto r = check_optional_text(name("state"), a.state, 100); !r) return r;
  if (auto r = check_optional_text(name("postalCode"), a.postal_code, 20); !r) return r;
  if (a.country.empty()) return make_error(errc::invalid, name("country"), "is required");
  if (!is_country_code(a.country)) {
    return make_error(errc::invalid, name("country"),
                      "must be an ISO 3166-1 alpha-2 code such as US or KR");
  }
  return success();
}

}  // namespace clientele
