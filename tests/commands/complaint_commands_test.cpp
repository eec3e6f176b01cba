// The complaint service on the real embedded log and the real write-side store: complaints on
// their customer's partition with their texts sealed, the customers who may complain and about
// which orders, retries under an earlier id, fresh ids drawn again on a repeat, who may do what,
// assignees that must be administrators, and ownership.

#include "commands/complaint_commands.hpp"

#include <gtest/gtest.h>

#include <string>

#include "events/codec.hpp"
#include "events/envelope.hpp"
#include "tests/commands/write_side.hpp"

namespace clientele::commands {
namespace {

using complaint::Status;

class ComplaintCommandsTest : public WriteSideTest {
 protected:
  RaiseComplaint request(const CustomerId& customer, std::optional<OrderId> order = {}) {
    RaiseComplaint out;
    out.customer_id = customer;
    out.category = complaint::Category::DeliveryIssue;
    out.subject = "Parcel arrived damaged";
    out.description = "The box was crushed and the engine inside is dented.";
    out.order_id = std::move(order);
    return out;
  }

  Result<Raised> raise(const CustomerId& customer, std::optional<OrderId> order = {}) {
    return complaints_->raise(request(customer, std::move(order)), as_customer(customer));
  }

  ComplaintId must_raise(const CustomerId& customer) {
    auto raised = raise(customer);
    EXPECT_TRUE(raised.ok()) << raised.error().message;
    return raised.ok() ? raised->complaint_id : ComplaintId();
  }

  // A real administrator of the auth store.
  Actor must_hire() {
    auto hired = administrators_->create_administrator(
        "blind-index-" + std::to_string(++administrator_number_), "$argon2id$opaque", now_);
    EXPECT_TRUE(hired.ok()) << hired.error().message;
    return Actor{hired.ok() ? hired->id : UserId(), Role::Administrator};
  }

  Result<Outcome> run(const CustomerId& customer, const ComplaintId& complaint,
                      const complaint::Command& command, const Actor& actor = kAdmin) {
    return complaints_->execute(customer, complaint, command, actor);
  }

  Status status_of(const CustomerId& customer, const ComplaintId& complaint) {
    return complaints_->load(customer, complaint, kAdmin).value().state.status;
  }

  std::uint64_t log_end(const CustomerId& customer) {
    return log_->end_offset(log_->partition_for(customer.str())).value().value;
  }

  unsigned administrator_number_ = 0;
};

TEST_F(ComplaintCommandsTest, RaisingAppendsToTheComplaintsStreamOnTheCustomersPartition) {
  const auto ada = must_register();
  auto raised = raise(ada);
  ASSERT_TRUE(raised.ok()) << raised.error().message;
  EXPECT_EQ(raised->complaint_id.str(), "CMP_0000000000000001");
  ASSERT_EQ(raised->outcome.positions.size(), 1u);
  EXPECT_EQ(raised->outcome.positions.front().partition, log_->partition_for(ada.str()));
  EXPECT_EQ(raised->outcome.version, 1u);

  const auto wire = store_->stream(events::stream_name(raised->complaint_id)).value().at(0);
  const auto envelope = events::parse_envelope(wire).value();
  EXPECT_EQ(envelope.type, "complaint.registered");
  EXPECT_EQ(envelope.customer_id, ada);
  EXPECT_EQ(wire.find("damaged"), std::string::npos) << "the subject is sealed";
  EXPECT_EQ(wire.find("crushed"), std::string::npos) << "the description is sealed";

  const auto loaded = complaints_->load(ada, raised->complaint_id, as_customer(ada)).value();
  EXPECT_EQ(loaded.version, 1u);
  EXPECT_EQ(loaded.state.status, Status::Open);
  EXPECT_EQ(loaded.state.customer_id, ada);
  EXPECT_EQ(complaints_->customer_of(raised->complaint_id).value(), ada);
  expect_error(complaints_->customer_of(ComplaintId("CMP_unknown")), errc::not_found,
               "complaintId");
}

TEST_F(ComplaintCommandsTest, AComplaintNamesOnlyAnOrderOfTheCustomersOwn) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto adas = must_place(ada);
  const auto bobs = must_place(bob);
  EXPECT_TRUE(raise(ada, adas).ok());
  const auto before = log_end(ada);
  expect_error(raise(ada, bobs), errc::invalid, "orderId");
  expect_error(raise(ada, OrderId("ORD-2026-000404")), errc::invalid, "orderId");
  EXPECT_EQ(log_end(ada), before);
}

TEST_F(ComplaintCommandsTest, UnknownErasedAndInactiveCustomersMayNotComplainButSuspendedOnesMay) {
  expect_error(complaints_->raise(request(CustomerId("CUST_0badf00d")), kAdmin), errc::not_found,
               "customerId");

  const auto inactive = must_register();
  must_run(inactive, customer::ChangeStatus{customer::Status::Inactive, ""});
  expect_error(raise(inactive), errc::conflict, "customerId");

  const auto erased = must_register();
  must_run(erased, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"});
  expect_error(complaints_->raise(request(erased), kAdmin), errc::conflict, "customerId");

  const auto suspended = must_register();
  must_run(suspended, customer::ChangeStatus{customer::Status::Suspended, "fraud check"});
  EXPECT_TRUE(raise(suspended).ok()) << "a suspended customer may still complain";
}

TEST_F(ComplaintCommandsTest, ACustomerRaisingForAnotherLearnsNothingOfThem) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto before = log_end(bob);
  expect_error(complaints_->raise(request(bob), as_customer(ada)), errc::not_found, "customerId");
  expect_error(complaints_->raise(request(CustomerId("CUST_0badf00d")), as_customer(ada)),
               errc::not_found, "customerId");
  EXPECT_EQ(log_end(bob), before);
  EXPECT_TRUE(complaints_->raise(request(bob), kAdmin).ok()) << "administrators may, for anyone";
}

TEST_F(ComplaintCommandsTest, ARefusedComplaintIsNotKeptForARetry) {
  const auto ada = must_register();
  auto bad = request(ada);
  bad.subject = "Bad";  // under 5 characters
  bool identified = false;
  bad.on_identified = [&](const ComplaintId&) -> Result<void> {
    identified = true;
    return success();
  };
  expect_error(complaints_->raise(bad, as_customer(ada)), errc::invalid, "subject");
  EXPECT_FALSE(identified);
}

TEST_F(ComplaintCommandsTest, ARetryUnderTheEarlierIdAnswersTheRegisteredComplaint) {
  const auto ada = must_register();
  std::vector<ComplaintId> identified;
  auto first = request(ada);
  first.on_identified = [&](const ComplaintId& id) -> Result<void> {
    identified.push_back(id);
    return success();
  };
  const auto raised = complaints_->raise(first, as_customer(ada)).value();
  ASSERT_EQ(identified, std::vector<ComplaintId>{raised.complaint_id}) << "told before the append";

  auto retry = request(ada);
  retry.earlier_id = raised.complaint_id;
  const auto again = complaints_->raise(retry, as_customer(ada)).value();
  EXPECT_EQ(again.complaint_id, raised.complaint_id);
  EXPECT_TRUE(again.outcome.positions.empty()) << "nothing appended";
  EXPECT_EQ(store_->stream(events::stream_name(raised.complaint_id)).value().size(), 1u);
}

TEST_F(ComplaintCommandsTest, ARetryWhoseEarlierAttemptRegisteredNothingRegistersUnderItsId) {
  const auto ada = must_register();
  auto retry = request(ada);
  retry.earlier_id = ComplaintId("CMP_00000000000000aa");
  const auto raised = complaints_->raise(retry, as_customer(ada)).value();
  EXPECT_EQ(raised.complaint_id, *retry.earlier_id);
  EXPECT_EQ(raised.outcome.version, 1u);

  auto failing = request(ada);
  failing.earlier_id = ComplaintId("CMP_00000000000000bb");
  failing.on_identified = [](const ComplaintId&) -> Result<void> {
    return make_error(errc::unavailable, "", "the key store is down");
  };
  expect_error(complaints_->raise(failing, as_customer(ada)), errc::unavailable, "");
  EXPECT_TRUE(store_->stream(events::stream_name(*failing.earlier_id)).value().empty());
}

TEST_F(ComplaintCommandsTest, ARetryUnderAnotherCustomersIdGetsAFreshOne) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto bobs = must_raise(bob);
  auto retry = request(ada);
  retry.earlier_id = bobs;
  const auto raised = complaints_->raise(retry, as_customer(ada)).value();
  EXPECT_NE(raised.complaint_id, bobs);
  EXPECT_EQ(complaints_->customer_of(bobs).value(), bob) << "bob's complaint untouched";
  EXPECT_EQ(complaints_->customer_of(raised.complaint_id).value(), ada);
}

TEST_F(ComplaintCommandsTest, ATakenIdIsDrawnAgain) {
  const auto ada = must_register();
  const auto first = must_raise(ada);
  queued_complaint_ids_ = {first, first};
  const auto second = must_raise(ada);
  EXPECT_NE(second, first);
  EXPECT_EQ(store_->stream(events::stream_name(first)).value().size(), 1u);
}

TEST_F(ComplaintCommandsTest, CommentsGetFreshIdsAndOnlyAdministratorsWriteInternalOnes) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  const auto first =
      complaints_->comment(ada, complaint, "Photos attached.", false, as_customer(ada));
  ASSERT_TRUE(first.ok()) << first.error().message;
  EXPECT_EQ(first->outcome.version, 2u);

  expect_error(complaints_->comment(ada, complaint, "Let me see.", true, as_customer(ada)),
               errc::forbidden, "isInternal");
  queued_comment_ids_ = {first->comment_id, first->comment_id};
  const auto internal = complaints_->comment(ada, complaint, "Courier claim filed.", true, kAdmin);
  ASSERT_TRUE(internal.ok()) << internal.error().message;
  EXPECT_NE(internal->comment_id, first->comment_id) << "a repeated id is drawn again";
  EXPECT_EQ(complaints_->load(ada, complaint, kAdmin).value().state.comments,
            (std::vector<CommentId>{first->comment_id, internal->comment_id}));
  expect_error(complaints_->comment(ada, complaint, "", false, as_customer(ada)), errc::invalid,
               "comment");
}

TEST_F(ComplaintCommandsTest, AComplaintIsAssignedToAnAdministratorOnly) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  const auto staff = must_hire();
  ASSERT_TRUE(run(ada, complaint, complaint::Assign{staff.id, false}).ok())
      << "the service looks the assignee up; the caller's flag is not taken";
  EXPECT_EQ(complaints_->load(ada, complaint, kAdmin).value().state.assignee, staff.id);

  auto to_unknown = complaint::Assign{UserId("ADM_0badf00d"), true};
  expect_error(run(ada, complaint, to_unknown), errc::invalid, "assignedTo");
  expect_error(run(ada, complaint, complaint::Assign{UserId(ada.str()), true}), errc::invalid,
               "assignedTo");
  expect_error(run(ada, complaint, complaint::Assign{staff.id, true}, as_customer(ada)),
               errc::forbidden, "assignedTo");
}

TEST_F(ComplaintCommandsTest, ACustomerClosesAndReopensButAdministratorsHandleAndResolve) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  const auto as_ada = as_customer(ada);
  expect_error(run(ada, complaint, complaint::ChangeStatus{Status::InProgress}, as_ada),
               errc::forbidden, "status");
  ASSERT_TRUE(run(ada, complaint, complaint::ChangeStatus{Status::InProgress}).ok());
  expect_error(run(ada, complaint, complaint::Resolve{"Replacement sent"}, as_ada), errc::forbidden,
               "resolutionNotes");
  ASSERT_TRUE(run(ada, complaint, complaint::Resolve{"Replacement sent"}).ok());
  EXPECT_EQ(status_of(ada, complaint), Status::Resolved);

  ASSERT_TRUE(run(ada, complaint, complaint::ChangeStatus{Status::Closed}, as_ada).ok());
  EXPECT_EQ(status_of(ada, complaint), Status::Closed);
  ASSERT_TRUE(run(ada, complaint, complaint::Reopen{"Replacement also dented"}, as_ada).ok());
  const auto reopened = complaints_->load(ada, complaint, as_ada).value();
  EXPECT_EQ(reopened.state.status, Status::Open);
  EXPECT_EQ(reopened.state.reopened_count, 1u);
  EXPECT_EQ(reopened.version, 5u);
}

TEST_F(ComplaintCommandsTest, AnotherCustomersComplaintIsNotFound) {
  const auto ada = must_register();
  const auto bob = must_register();
  const auto complaint = must_raise(ada);
  const auto before = log_end(ada);
  const auto as_bob = as_customer(bob);
  expect_error(run(ada, complaint, complaint::Reopen{"Mine now"}, as_bob), errc::not_found,
               "complaintId");
  expect_error(complaints_->comment(ada, complaint, "Hello", false, as_bob), errc::not_found,
               "complaintId");
  expect_error(complaints_->load(ada, complaint, as_bob), errc::not_found, "complaintId");
  expect_error(run(bob, complaint, complaint::ChangeStatus{Status::InProgress}), errc::not_found,
               "complaintId");
  expect_error(run(ada, ComplaintId("CMP_unknown"), complaint::ChangeStatus{Status::InProgress}),
               errc::not_found, "complaintId");
  EXPECT_EQ(log_end(ada), before);
}

TEST_F(ComplaintCommandsTest, AnErasedCustomersComplaintsTakeNoMoreEvents) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  must_run(ada, customer::Erase{"gdpr-art17", "GDPR Art. 17", "ADM_1"});
  const auto before = log_end(ada);
  expect_error(run(ada, complaint, complaint::ChangeStatus{Status::InProgress}), errc::conflict,
               "customerId");
  expect_error(complaints_->comment(ada, complaint, "Anything?", false, kAdmin), errc::conflict,
               "customerId");
  EXPECT_EQ(log_end(ada), before);
}

TEST_F(ComplaintCommandsTest, AStaleExpectedVersionIsRefused) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  expect_error(complaints_->execute(ada, complaint, complaint::ChangeStatus{Status::InProgress},
                                    kAdmin, /*expected_version=*/0),
               errc::conflict, "If-Match");
  expect_error(complaints_->comment(ada, complaint, "Hello", false, kAdmin, 0), errc::conflict,
               "If-Match");
  EXPECT_TRUE(complaints_
                  ->execute(ada, complaint, complaint::ChangeStatus{Status::InProgress}, kAdmin,
                            /*expected_version=*/1)
                  .ok());
}

TEST_F(ComplaintCommandsTest, RegisterAndAddCommentGoThroughTheirOwnCalls) {
  const auto ada = must_register();
  const auto complaint = must_raise(ada);
  complaint::Register again;
  expect_error(run(ada, complaint, again), errc::invalid, "");
  expect_error(run(ada, complaint, complaint::AddComment{CommentId("C1"), "Hello", false}),
               errc::invalid, "");
}

}  // namespace
}  // namespace clientele::commands
