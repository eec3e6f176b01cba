#pragma once
// The event catalog: for every event, its stable wire name, its version, and each field's wire
// name and whether it is personal (DESIGN.md §3). This is the one place that says so; the codec,
// the catalog listing and (later) sealing all read it. Included by codec.cpp only.
//
// Personal: names, email, phone, date of birth, gender, password hash, external user ids,
// every address field except country, free text (notes, reasons, subjects, descriptions,
// comments), IP addresses, user agents. Plain: ids, statuses, types, amounts, currency, product
// ids, names and quantities, timestamps, country, categories.

#include <string_view>
#include <tuple>

#include "domain/complaint.hpp"
#include "domain/customer.hpp"
#include "domain/order.hpp"
#include "events/schema.hpp"

namespace clientele::events {

// ---- value objects --------------------------------------------------------------------------

template <>
struct Schema<PostalAddress> {
  using T = PostalAddress;
  static constexpr auto fields = std::tuple{personal("recipientName", &T::recipient_name),
                                            personal("phone", &T::phone),
                                            personal("addressLine1", &T::line1),
                                            personal("addressLine2", &T::line2),
                                            personal("city", &T::city),
                                            personal("state", &T::state),
                                            personal("postalCode", &T::postal_code),
                                            plain("country", &T::country)};
};

template <>
struct Schema<customer::Preferences> {
  using T = customer::Preferences;
  static constexpr auto fields =
      std::tuple{plain("newsletter", &T::newsletter), plain("notifications", &T::notifications),
                 plain("language", &T::language), plain("currency", &T::currency)};
};

template <>
struct Schema<order::Item> {
  using T = order::Item;
  static constexpr auto fields =
      std::tuple{plain("productId", &T::product_id), plain("productName", &T::product_name),
                 plain("quantity", &T::quantity), plain("unitPrice", &T::unit_price),
                 plain("totalPrice", &T::total_price)};
};

// ---- customer -------------------------------------------------------------------------------

template <>
struct Schema<customer::Registered> {
  using T = customer::Registered;
  static constexpr std::string_view type = "customer.registered";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("customerId", &T::customer_id),
                                            personal("username", &T::username),
                                            personal("email", &T::email),
                                            personal("passwordHash", &T::password_hash),
                                            personal("firstName", &T::first_name),
                                            personal("lastName", &T::last_name),
                                            personal("phone", &T::phone),
                                            personal("dateOfBirth", &T::date_of_birth),
                                            personal("gender", &T::gender),
                                            personal("companyName", &T::company_name),
                                            plain("preferences", &T::preferences),
                                            plain("marketingEmails", &T::marketing_emails),
                                            plain("marketingSms", &T::marketing_sms)};
};

template <>
struct Schema<customer::ProfileUpdated> {
  using T = customer::ProfileUpdated;
  static constexpr std::string_view type = "customer.profile-updated";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("firstName", &T::first_name),
                                            personal("lastName", &T::last_name),
                                            personal("phone", &T::phone),
                                            personal("dateOfBirth", &T::date_of_birth),
                                            personal("gender", &T::gender),
                                            personal("companyName", &T::company_name),
                                            plain("marketingEmails", &T::marketing_emails),
                                            plain("marketingSms", &T::marketing_sms)};
};

template <>
struct Schema<customer::EmailChanged> {
  static constexpr std::string_view type = "customer.email-changed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("email", &customer::EmailChanged::email)};
};

template <>
struct Schema<customer::EmailVerified> {
  static constexpr std::string_view type = "customer.email-verified";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

template <>
struct Schema<customer::PhoneVerified> {
  static constexpr std::string_view type = "customer.phone-verified";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

template <>
struct Schema<customer::PasswordChanged> {
  static constexpr std::string_view type = "customer.password-changed";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{personal("passwordHash", &customer::PasswordChanged::password_hash)};
};

template <>
struct Schema<customer::PasswordResetRequested> {
  static constexpr std::string_view type = "customer.password-reset-requested";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

template <>
struct Schema<customer::ExternalAccountLinked> {
  using T = customer::ExternalAccountLinked;
  static constexpr std::string_view type = "customer.external-account-linked";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("provider", &T::provider), personal("externalUserId", &T::external_user_id)};
};

template <>
struct Schema<customer::StatusChanged> {
  using T = customer::StatusChanged;
  static constexpr std::string_view type = "customer.status-changed";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("from", &T::from), plain("to", &T::to), personal("reason", &T::reason)};
};

template <>
struct Schema<customer::TypeChanged> {
  using T = customer::TypeChanged;
  static constexpr std::string_view type = "customer.type-changed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("from", &T::from), plain("to", &T::to)};
};

template <>
struct Schema<customer::NoteAdded> {
  static constexpr std::string_view type = "customer.note-added";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("note", &customer::NoteAdded::note)};
};

// v2: tags became an array; v1 was one comma-separated string (see upcast.cpp).
template <>
struct Schema<customer::TagsChanged> {
  static constexpr std::string_view type = "customer.tags-changed";
  static constexpr int version = 2;
  static constexpr auto fields = std::tuple{plain("tags", &customer::TagsChanged::tags)};
};

template <>
struct Schema<customer::PreferencesChanged> {
  static constexpr std::string_view type = "customer.preferences-changed";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("preferences", &customer::PreferencesChanged::preferences)};
};

template <>
struct Schema<customer::ConsentGiven> {
  static constexpr std::string_view type = "customer.consent-given";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("purpose", &customer::ConsentGiven::purpose)};
};

template <>
struct Schema<customer::ConsentWithdrawn> {
  static constexpr std::string_view type = "customer.consent-withdrawn";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("purpose", &customer::ConsentWithdrawn::purpose)};
};

template <>
struct Schema<customer::LoggedIn> {
  using T = customer::LoggedIn;
  static constexpr std::string_view type = "customer.logged-in";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("method", &T::method), personal("ipAddress", &T::ip_address),
                 personal("userAgent", &T::user_agent)};
};

template <>
struct Schema<customer::ErasureRequested> {
  static constexpr std::string_view type = "customer.erasure-requested";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

template <>
struct Schema<customer::Erased> {
  using T = customer::Erased;
  static constexpr std::string_view type = "customer.erased";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("reasonCode", &T::reason_code), plain("legalBasis", &T::legal_basis),
                 plain("requestedBy", &T::requested_by)};
};

template <>
struct Schema<customer::AddressAdded> {
  using T = customer::AddressAdded;
  static constexpr std::string_view type = "address.added";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("addressId", &T::address_id), personal("alias", &T::alias),
                 personal("kind", &T::kind), plain("address", &T::postal)};
};

template <>
struct Schema<customer::AddressUpdated> {
  using T = customer::AddressUpdated;
  static constexpr std::string_view type = "address.updated";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("addressId", &T::address_id), personal("alias", &T::alias),
                 personal("kind", &T::kind), plain("address", &T::postal)};
};

template <>
struct Schema<customer::AddressRemoved> {
  static constexpr std::string_view type = "address.removed";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("addressId", &customer::AddressRemoved::address_id)};
};

template <>
struct Schema<customer::DefaultAddressSet> {
  static constexpr std::string_view type = "address.default-set";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("addressId", &customer::DefaultAddressSet::address_id)};
};

// ---- order ----------------------------------------------------------------------------------

template <>
struct Schema<order::Placed> {
  using T = order::Placed;
  static constexpr std::string_view type = "order.placed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("orderId", &T::order_id),
                                            plain("customerId", &T::customer_id),
                                            plain("items", &T::items),
                                            plain("currency", &T::currency),
                                            plain("totalAmount", &T::total_amount),
                                            plain("deliveryAddress", &T::delivery_address)};
};

template <>
struct Schema<order::StatusChanged> {
  using T = order::StatusChanged;
  static constexpr std::string_view type = "order.status-changed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("from", &T::from), plain("to", &T::to),
                                            personal("notes", &T::notes), plain("at", &T::at)};
};

template <>
struct Schema<order::Cancelled> {
  static constexpr std::string_view type = "order.cancelled";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("reason", &order::Cancelled::reason)};
};

template <>
struct Schema<order::ReturnRequested> {
  static constexpr std::string_view type = "order.return-requested";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("reason", &order::ReturnRequested::reason)};
};

template <>
struct Schema<order::ReturnApproved> {
  static constexpr std::string_view type = "order.return-approved";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("notes", &order::ReturnApproved::notes)};
};

template <>
struct Schema<order::ReturnRejected> {
  static constexpr std::string_view type = "order.return-rejected";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("reason", &order::ReturnRejected::reason)};
};

template <>
struct Schema<order::Returned> {
  static constexpr std::string_view type = "order.returned";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

// ---- complaint ------------------------------------------------------------------------------

template <>
struct Schema<complaint::Registered> {
  using T = complaint::Registered;
  static constexpr std::string_view type = "complaint.registered";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("complaintId", &T::complaint_id),   plain("customerId", &T::customer_id),
                 plain("category", &T::category),          personal("subject", &T::subject),
                 personal("description", &T::description), plain("orderId", &T::order_id)};
};

template <>
struct Schema<complaint::CommentAdded> {
  using T = complaint::CommentAdded;
  static constexpr std::string_view type = "complaint.comment-added";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{plain("commentId", &T::comment_id), plain("userId", &T::author),
                 plain("userRole", &T::author_role), personal("comment", &T::comment),
                 plain("isInternal", &T::is_internal)};
};

template <>
struct Schema<complaint::Assigned> {
  static constexpr std::string_view type = "complaint.assigned";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("assignedTo", &complaint::Assigned::assignee)};
};

template <>
struct Schema<complaint::StatusChanged> {
  using T = complaint::StatusChanged;
  static constexpr std::string_view type = "complaint.status-changed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{plain("from", &T::from), plain("to", &T::to)};
};

template <>
struct Schema<complaint::Resolved> {
  static constexpr std::string_view type = "complaint.resolved";
  static constexpr int version = 1;
  static constexpr auto fields =
      std::tuple{personal("resolutionNotes", &complaint::Resolved::resolution_notes)};
};

template <>
struct Schema<complaint::Reopened> {
  static constexpr std::string_view type = "complaint.reopened";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{personal("reason", &complaint::Reopened::reason)};
};

template <>
struct Schema<complaint::Closed> {
  static constexpr std::string_view type = "complaint.closed";
  static constexpr int version = 1;
  static constexpr auto fields = std::tuple{};
};

}  // namespace clientele::events
