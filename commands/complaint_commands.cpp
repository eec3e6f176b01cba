#include "commands/complaint_commands.hpp"

#include <algorithm>
#include <type_traits>
#include <utility>

#include "events/codec.hpp"

namespace clientele::commands {
namespace {

// Fresh ids drawn before giving up: a repeat is rare (complaint ids have 64 random bits, comment
// ids need only be unique within one complaint), so running out means the source is broken.
constexpr int kDraws = 8;

Error complaint_not_found() {
  return make_error(errc::not_found, "complaintId", "complaint not found");
}

Error customer_erased() {
  return make_error(errc::conflict, "customerId", "customer has been erased");
}

bool is_customer(const Actor& actor) {
  return actor.role == Role::Customer;
}

// Succeeds iff `customer` may raise a complaint now.
Result<void> check_may_complain(const customer::State& customer) {
  if (!customer.registered) return make_error(errc::not_found, "customerId", "customer not found");
  if (customer.erased || customer.erasure_requested) return customer_erased();
  if (customer.status == customer::Status::Inactive) {
    return make_error(errc::conflict, "customerId",
                      "a customer who is Inactive may not raise complaints");
  }
  return success();
}

// Succeeds iff `actor` may run `command` on a complaint it may see (see the header).
Result<void> check_permitted(const complaint::Command& command, const Actor& actor) {
  if (!is_customer(actor)) return success();
  const auto refuse = [](std::string field, std::string message) -> Result<void> {
    return make_error(errc::forbidden, std::move(field), std::move(message));
  };
  if (std::holds_alternative<complaint::Assign>(command)) {
    return refuse("assignedTo", "only administrators may assign complaints");
  }
  if (std::holds_alternative<complaint::Resolve>(command)) {
    return refuse("resolutionNotes", "only administrators may resolve complaints");
  }
  if (const auto* change = std::get_if<complaint::ChangeStatus>(&command);
      change != nullptr && change->status != complaint::Status::Closed) {
    return refuse("status", "customers may only close their resolved complaints");
  }
  return success();
}

// The complaint, iff it is registered, `customer`'s, and `actor` may see it.
Result<Loaded<complaint::State>> visible_complaint(Strand& strand, const CustomerId& customer,
                                                   const ComplaintId& complaint,
                                                   const Actor& actor) {
  if (is_customer(actor) && actor.id.str() != customer.str()) return complaint_not_found();
  auto loaded = strand.complaint(complaint);
  if (!loaded) return loaded.error();
  if (!loaded->state.registered || loaded->state.customer_id != customer) {
    return complaint_not_found();
  }
  return loaded;
}

// Whether `order` was placed by `customer` (its stream is on the customer's partition, so on the
// strand that runs the customer's commands).
Result<bool> is_order_of(Strand& strand, const OrderId& order, const CustomerId& customer) {
  auto loaded = strand.order(order);
  if (!loaded) return loaded.error();
  return loaded->state.placed && loaded->state.customer_id == customer;
}

}  // namespace

ComplaintCommands::ComplaintCommands(CommandBus& bus, AdministratorStore& administrators,
                                     Clock clock, NewComplaintId new_complaint_id,
                                     NewCommentId new_comment_id)
    : bus_(bus),
      administrators_(administrators),
      clock_(std::move(clock)),
      new_complaint_id_(std::move(new_complaint_id)),
      new_comment_id_(std::move(new_comment_id)) {}

Result<Raised> ComplaintCommands::raise(const RaiseComplaint& request, const Actor& actor,
                                        const Origin& origin) {
  const Context ctx{clock_(), actor};
  // Before anything about the customer is looked at: a customer complains only for itself, and
  // learns nothing of others.
  if (is_customer(actor) && actor.id.str() != request.customer_id.str()) {
    return make_error(errc::not_found, "customerId", "customer not found");
  }
  return bus_.run(request.customer_id, [&](Strand& strand) -> Result<Raised> {
    auto reused = request.earlier_id;
    if (reused) {
      // The earlier attempt's complaint, when it was registered after all: the same raise,
      // answered again.
      auto earlier = strand.complaint(*reused);
      if (!earlier) return earlier.error();
      if (earlier->state.registered && earlier->state.customer_id == request.customer_id) {
        return Raised{*reused, Outcome{{}, earlier->version}};
      }
      if (earlier->state.registered) reused.reset();  // another's: a fresh id
    }
    auto customer = strand.customer(request.customer_id);
    if (!customer) return customer.error();
    if (auto may = check_may_complain(customer->state); !may) return may.error();

    complaint::Register registration{ComplaintId(),   request.customer_id, request.category,
                                     request.subject, request.description, request.order_id};
    if (request.order_id) {
      auto belongs = is_order_of(strand, *request.order_id, request.customer_id);
      if (!belongs) return belongs.error();
      registration.order_belongs_to_customer = *belongs;
    }
    if (reused) {
      registration.complaint_id = *reused;
    } else {
      for (int draw = 0; draw < kDraws && registration.complaint_id.empty(); ++draw) {
        auto id = new_complaint_id_();
        auto taken = strand.complaint(id);
        if (!taken) return taken.error();
        if (taken->version == 0) registration.complaint_id = std::move(id);
      }
      if (registration.complaint_id.empty()) {
        return make_error(errc::unavailable, "complaintId", "no free complaint id was drawn");
      }
    }
    // The complaint's own rules before the id is kept for a retry.
    if (auto checked = complaint::decide(registration, complaint::State{}, ctx); !checked) {
      return checked.error();
    }
    if (request.on_identified) {
      if (auto kept = request.on_identified(registration.complaint_id); !kept) {
        return kept.error();
      }
    }
    const auto id = registration.complaint_id;
    auto outcome =
        strand.execute(request.customer_id, id, complaint::Command(std::move(registration)), ctx,
                       /*expected_version=*/0, origin);
    if (!outcome) return outcome.error();
    return Raised{id, std::move(*outcome)};
  });
}

template <class Work>
auto ComplaintCommands::on_complaint(const CustomerId& customer, const ComplaintId& complaint,
                                     const Actor& actor, Work work) {
  using R = std::invoke_result_t<Work&, Strand&, const Loaded<complaint::State>&>;
  return bus_.run(customer, [&](Strand& strand) -> R {
    auto visible = visible_complaint(strand, customer, complaint, actor);
    if (!visible) return visible.error();
    // An erased customer's complaints take no more events: their texts would be sealed under a
    // key that is (or is about to be) destroyed, after the read models dropped the rest.
    auto owner = strand.customer(customer);
    if (!owner) return owner.error();
    if (owner->state.erased || owner->state.erasure_requested) return customer_erased();
    return work(strand, *visible);
  });
}

Result<Commented> ComplaintCommands::comment(const CustomerId& customer,
                                             const ComplaintId& complaint, std::string text,
                                             bool is_internal, const Actor& actor,
                                             std::optional<std::uint64_t> expected_version,
                                             const Origin& origin) {
  const Context ctx{clock_(), actor};
  return on_complaint(
      customer, complaint, actor,
      [&](Strand& strand, const Loaded<complaint::State>& loaded) -> Result<Commented> {
        const auto& taken = loaded.state.comments;
        for (int draw = 0; draw < kDraws; ++draw) {
          auto id = new_comment_id_();
          if (std::ranges::find(taken, id) != taken.end()) continue;
          auto outcome = strand.execute(
              customer, complaint, complaint::Command(complaint::AddComment{id, text, is_internal}),
              ctx, expected_version, origin);
          if (!outcome) return outcome.error();
          return Commented{std::move(id), std::move(*outcome)};
        }
        return make_error(errc::unavailable, "commentId", "no free comment id was drawn");
      });
}

Result<Outcome> ComplaintCommands::execute(const CustomerId& customer, const ComplaintId& complaint,
                                           const complaint::Command& command, const Actor& actor,
                                           std::optional<std::uint64_t> expected_version,
                                           const Origin& origin) {
  if (std::holds_alternative<complaint::Register>(command)) {
    return make_error(errc::invalid, "", "complaints are raised with raise()");
  }
  if (std::holds_alternative<complaint::AddComment>(command)) {
    return make_error(errc::invalid, "", "comments are added with comment()");
  }
  auto decided = command;
  if (auto* assign = std::get_if<complaint::Assign>(&decided);
      assign && !assign->assignee.empty()) {
    // Looked up here, not taken from the caller.
    auto administrator = administrators_.administrator(assign->assignee);
    if (!administrator) return administrator.error();
    assign->assignee_is_administrator = administrator->has_value();
  }
  const Context ctx{clock_(), actor};
  return on_complaint(customer, complaint, actor,
                      [&](Strand& strand, const Loaded<complaint::State>&) -> Result<Outcome> {
                        if (auto permitted = check_permitted(decided, actor); !permitted) {
                          return permitted.error();
                        }
                        return strand.execute(customer, complaint, decided, ctx, expected_version,
                                              origin);
                      });
}

Result<CustomerId> ComplaintCommands::customer_of(const ComplaintId& complaint) {
  auto owner = bus_.owner_of(events::stream_name(complaint));
  if (!owner) return owner.error();
  if (!*owner) return complaint_not_found();
  return **owner;
}

Result<Loaded<complaint::State>> ComplaintCommands::load(const CustomerId& customer,
                                                         const ComplaintId& complaint,
                                                         const Actor& actor) {
  return bus_.run(customer, [&](Strand& strand) {
    return visible_complaint(strand, customer, complaint, actor);
  });
}

}  // namespace clientele::commands
