#include "domain/complaint.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/domain/decider_spec.hpp"
#include "tests/domain/fixtures.hpp"

namespace clientele::complaint {
namespace {

using Spec = clientele::testing::DeciderSpec<State, Command, Event>;
using clientele::testing::admin;
using clientele::testing::jane;
using clientele::testing::jane_id;
using clientele::testing::someone_else;

const std::vector<Event> kNoEvents{};

// ---- fixtures -------------------------------------------------------------------------------

ComplaintId complaint_id() {
  return ComplaintId("CMP-0001");
}
OrderId order_id() {
  return OrderId("ORD-2026-000001");
}

Actor service_account() {
  return Actor{UserId("svc-importer"), Role::System};
}

// Jane complains about her own order.
Register register_complaint() {
  Register r;
  r.complaint_id = complaint_id();
  r.customer_id = jane_id();
  r.category = Category::DeliveryIssue;
  r.subject = "Parcel arrived damaged";
  r.description = "The box was crushed and the kettle inside is dented.";
  r.order_id = order_id();
  r.order_belongs_to_customer = true;
  return r;
}

// What register_complaint() emits.
Registered registered() {
  return Registered{complaint_id(),
                    jane_id(),
                    Category::DeliveryIssue,
                    "Parcel arrived damaged",
                    "The box was crushed and the kettle inside is dented.",
                    order_id()};
}

std::vector<Event> in_progress() {
  return {registered(), StatusChanged{Status::Open, Status::InProgress}};
}

std::vector<Event> resolved() {
  auto history = in_progress();
  history.emplace_back(Resolved{"Replacement sent"});
  return history;
}

std::vector<Event> closed() {
  auto history = resolved();
  history.emplace_back(Closed{});
  return history;
}

std::vector<Event> with_comment(CommentId id) {
  return {registered(), CommentAdded{id, UserId("CUST_0000abcd"), Role::Customer, "Hello", false}};
}

std::vector<Event> assigned_to(UserId assignee) {
  return {registered(), Assigned{assignee}};
}

// ---- existence ------------------------------------------------------------------------------

TEST(ComplaintDecider, CommandsOnAComplaintNeverRegisteredAreNotFound) {
  const std::vector<Command> commands{AddComment{CommentId("C1"), "Hello", false},
                                      Assign{UserId("ADM_0002"), true},
                                      ChangeStatus{Status::InProgress},
                                      ChangeStatus{Status::Closed},
                                      Resolve{"Replacement sent"},
                                      Reopen{"Still broken"}};
  for (const auto& command : commands) {
    SCOPED_TRACE(command.index());
    Spec().when(command).then(errc::not_found, "");
  }
}

TEST(ComplaintDecider, RegisteringAnExistingComplaintAgainIsAConflict) {
  Spec().given({registered()}).when(register_complaint()).then(errc::conflict, "");
}

TEST(ComplaintDecider, CommandShapeIsCheckedBeforeExistence) {
  Spec().when(Resolve{""}).then(errc::invalid, "resolutionNotes");
}

// ---- register -------------------------------------------------------------------------------

TEST(ComplaintDecider, CustomerRegistersAComplaintAboutTheirOrder) {
  const State state = Spec().by(jane()).when(register_complaint()).then({registered()});
  EXPECT_TRUE(state.registered);
  EXPECT_EQ(state.id, complaint_id());
  EXPECT_EQ(state.customer_id, jane_id());
  EXPECT_EQ(state.status, Status::Open);
  EXPECT_FALSE(state.assignee);
  EXPECT_EQ(state.reopened_count, 0u);
  EXPECT_TRUE(state.comments.empty());
}

TEST(ComplaintDecider, ComplaintNeedNotConcernAnOrder) {
  Register r = register_complaint();
  r.order_id.reset();
  r.order_belongs_to_customer = false;
  Registered expected = registered();
  expected.order_id.reset();
  Spec().when(r).then({expected});
}

TEST(ComplaintDecider, RegisterRequiresAComplaintId) {
  Register r = register_complaint();
  r.complaint_id = ComplaintId();
  Spec().when(r).then(errc::invalid, "complaintId");
}

TEST(ComplaintDecider, RegisterRequiresACustomerId) {
  Register r = register_complaint();
  r.customer_id = CustomerId();
  Spec().when(r).then(errc::invalid, "customerId");
}

TEST(ComplaintDecider, SubjectIsFiveToTwoHundredCharacters) {
  Register r = register_complaint();
  r.subject = "Bad!";
  Spec().when(r).then(errc::invalid, "subject");
  r.subject = std::string(201, 's');
  Spec().when(r).then(errc::invalid, "subject");
  r.subject = std::string(200, 's');
  Registered expected = registered();
  expected.subject = r.subject;
  Spec().when(r).then({expected});
}

TEST(ComplaintDecider, SubjectIsASingleLine) {
  Register r = register_complaint();
  r.subject = "Parcel\narrived damaged";
  Spec().when(r).then(errc::invalid, "subject");
}

TEST(ComplaintDecider, DescriptionIsTenToFiveThousandCharacters) {
  Register r = register_complaint();
  r.description = "Too short";
  Spec().when(r).then(errc::invalid, "description");
  r.description = std::string(5001, 'd');
  Spec().when(r).then(errc::invalid, "description");
}

TEST(ComplaintDecider, DescriptionMaySpanSeveralLines) {
  Register r = register_complaint();
  r.description = "The box was crushed.\nThe kettle is dented.";
  Registered expected = registered();
  expected.description = r.description;
  Spec().when(r).then({expected});
}

TEST(ComplaintDecider, CustomerMayNotComplainForAnotherCustomer) {
  Spec().by(someone_else()).when(register_complaint()).then(errc::forbidden, "customerId");
}

TEST(ComplaintDecider, ReferencedOrderMustBelongToTheCustomer) {
  Register r = register_complaint();
  r.order_belongs_to_customer = false;
  Spec().when(r).then(errc::invalid, "orderId");
}

// ---- comments -------------------------------------------------------------------------------

TEST(ComplaintDecider, CommentRecordsItsAuthorAndRole) {
  const State state = Spec()
                          .given({registered()})
                          .by(jane())
                          .when(AddComment{CommentId("C1"), "Any news?", false})
                          .then({CommentAdded{CommentId("C1"), UserId("CUST_0000abcd"),
                                              Role::Customer, "Any news?", false}});
  EXPECT_EQ(state.comments, std::vector<CommentId>{CommentId("C1")});
}

TEST(ComplaintDecider, AdministratorMayWriteInternalComments) {
  Spec()
      .given({registered()})
      .by(admin())
      .when(AddComment{CommentId("C1"), "Courier at fault.\nClaim filed.", true})
      .then({CommentAdded{CommentId("C1"), UserId("ADM_0001"), Role::Administrator,
                          "Courier at fault.\nClaim filed.", true}});
}

TEST(ComplaintDecider, OnlyAdministratorsWriteInternalComments) {
  const AddComment internal{CommentId("C1"), "Psst", true};
  Spec().given({registered()}).by(jane()).when(internal).then(errc::forbidden, "isInternal");
  Spec()
      .given({registered()})
      .by(service_account())
      .when(internal)
      .then(errc::forbidden, "isInternal");
}

TEST(ComplaintDecider, CommentRequiresACommentId) {
  Spec()
      .given({registered()})
      .when(AddComment{CommentId(), "Hello", false})
      .then(errc::invalid, "commentId");
}

TEST(ComplaintDecider, CommentIsOneToTwoThousandCharacters) {
  Spec()
      .given({registered()})
      .when(AddComment{CommentId("C1"), "", false})
      .then(errc::invalid, "comment");
  Spec()
      .given({registered()})
      .when(AddComment{CommentId("C1"), std::string(2001, 'c'), false})
      .then(errc::invalid, "comment");
}

TEST(ComplaintDecider, ClosedComplaintTakesNoComments) {
  Spec()
      .given(closed())
      .when(AddComment{CommentId("C1"), "Hello", false})
      .then(errc::conflict, "status");
}

TEST(ComplaintDecider, CommentIdsAreUniqueWithinAComplaint) {
  Spec()
      .given(with_comment(CommentId("C1")))
      .when(AddComment{CommentId("C1"), "Again", false})
      .then(errc::conflict, "commentId");
}

// ---- assignment -----------------------------------------------------------------------------

TEST(ComplaintDecider, ComplaintIsAssignedToAnAdministrator) {
  const State state = Spec()
                          .given({registered()})
                          .when(Assign{UserId("ADM_0002"), true})
                          .then({Assigned{UserId("ADM_0002")}});
  EXPECT_EQ(state.assignee, UserId("ADM_0002"));
}

TEST(ComplaintDecider, ComplaintCanBeReassigned) {
  Spec()
      .given(assigned_to(UserId("ADM_0002")))
      .when(Assign{UserId("ADM_0003"), true})
      .then({Assigned{UserId("ADM_0003")}});
}

TEST(ComplaintDecider, AssigningTheCurrentAssigneeChangesNothing) {
  Spec()
      .given(assigned_to(UserId("ADM_0002")))
      .when(Assign{UserId("ADM_0002"), true})
      .then(kNoEvents);
}

TEST(ComplaintDecider, AssignRequiresAnAssignee) {
  Spec().given({registered()}).when(Assign{UserId(), true}).then(errc::invalid, "assignedTo");
}

TEST(ComplaintDecider, AssigneeMustBeAnAdministrator) {
  Spec()
      .given({registered()})
      .when(Assign{UserId("CUST_9999ffff"), false})
      .then(errc::invalid, "assignedTo");
}

TEST(ComplaintDecider, ClosedComplaintCannotBeAssigned) {
  Spec().given(closed()).when(Assign{UserId("ADM_0002"), true}).then(errc::conflict, "status");
}

// ---- change status --------------------------------------------------------------------------

TEST(ComplaintDecider, OpenComplaintMovesInProgress) {
  const State state = Spec()
                          .given({registered()})
                          .when(ChangeStatus{Status::InProgress})
                          .then({StatusChanged{Status::Open, Status::InProgress}});
  EXPECT_EQ(state.status, Status::InProgress);
}

TEST(ComplaintDecider, MovingInProgressAgainChangesNothing) {
  Spec().given(in_progress()).when(ChangeStatus{Status::InProgress}).then(kNoEvents);
}

TEST(ComplaintDecider, ResolvedOrClosedComplaintCannotMoveInProgress) {
  Spec().given(resolved()).when(ChangeStatus{Status::InProgress}).then(errc::conflict, "status");
  Spec().given(closed()).when(ChangeStatus{Status::InProgress}).then(errc::conflict, "status");
}

TEST(ComplaintDecider, ResolvedComplaintCloses) {
  const State state = Spec().given(resolved()).when(ChangeStatus{Status::Closed}).then({Closed{}});
  EXPECT_EQ(state.status, Status::Closed);
}

TEST(ComplaintDecider, ClosingAgainChangesNothing) {
  Spec().given(closed()).when(ChangeStatus{Status::Closed}).then(kNoEvents);
}

TEST(ComplaintDecider, UnresolvedComplaintCannotClose) {
  Spec().given({registered()}).when(ChangeStatus{Status::Closed}).then(errc::conflict, "status");
  Spec().given(in_progress()).when(ChangeStatus{Status::Closed}).then(errc::conflict, "status");
}

TEST(ComplaintDecider, ResolvingThroughChangeStatusIsRefused) {
  Spec().given(in_progress()).when(ChangeStatus{Status::Resolved}).then(errc::invalid, "status");
}

TEST(ComplaintDecider, ReopeningThroughChangeStatusIsRefused) {
  Spec().given(resolved()).when(ChangeStatus{Status::Open}).then(errc::invalid, "status");
}

// ---- resolve --------------------------------------------------------------------------------

TEST(ComplaintDecider, OpenComplaintCanBeResolved) {
  const State state = Spec()
                          .given({registered()})
                          .when(Resolve{"Refund issued.\nApologies sent."})
                          .then({Resolved{"Refund issued.\nApologies sent."}});
  EXPECT_EQ(state.status, Status::Resolved);
}

TEST(ComplaintDecider, InProgressComplaintCanBeResolved) {
  Spec()
      .given(in_progress())
      .when(Resolve{"Replacement sent"})
      .then({Resolved{"Replacement sent"}});
}

TEST(ComplaintDecider, ResolvedOrClosedComplaintCannotBeResolvedAgain) {
  Spec().given(resolved()).when(Resolve{"Again"}).then(errc::conflict, "status");
  Spec().given(closed()).when(Resolve{"Again"}).then(errc::conflict, "status");
}

TEST(ComplaintDecider, ResolutionNeedsNotesOfAtMostTwoThousandCharacters) {
  Spec().given(in_progress()).when(Resolve{""}).then(errc::invalid, "resolutionNotes");
  Spec()
      .given(in_progress())
      .when(Resolve{std::string(2001, 'n')})
      .then(errc::invalid, "resolutionNotes");
}

// ---- reopen ---------------------------------------------------------------------------------

TEST(ComplaintDecider, ResolvedComplaintCanBeReopened) {
  const State state =
      Spec().given(resolved()).when(Reopen{"Still broken"}).then({Reopened{"Still broken"}});
  EXPECT_EQ(state.status, Status::Open);
  EXPECT_EQ(state.reopened_count, 1u);
}

TEST(ComplaintDecider, ClosedComplaintCanBeReopened) {
  const State state =
      Spec().given(closed()).when(Reopen{"Still broken"}).then({Reopened{"Still broken"}});
  EXPECT_EQ(state.status, Status::Open);
}

TEST(ComplaintDecider, UnresolvedComplaintCannotBeReopened) {
  Spec().given({registered()}).when(Reopen{"Why"}).then(errc::conflict, "status");
  Spec().given(in_progress()).when(Reopen{"Why"}).then(errc::conflict, "status");
}

TEST(ComplaintDecider, ReopenNeedsAReasonOfAtMostFiveHundredCharacters) {
  Spec().given(resolved()).when(Reopen{""}).then(errc::invalid, "reason");
  Spec().given(resolved()).when(Reopen{std::string(501, 'r')}).then(errc::invalid, "reason");
}

TEST(ComplaintDecider, ReopenCountsAccumulate) {
  std::vector<Event> history = closed();
  history.emplace_back(Reopened{"Still broken"});
  history.emplace_back(Resolved{"Second replacement sent"});
  history.emplace_back(Reopened{"Broken again"});
  history.emplace_back(Resolved{"Refund issued"});
  EXPECT_EQ(Spec().given(history).given_state().reopened_count, 2u);

  const State state =
      Spec().given(history).when(Reopen{"Refund missing"}).then({Reopened{"Refund missing"}});
  EXPECT_EQ(state.reopened_count, 3u);
}

// ---- lifecycle ------------------------------------------------------------------------------

TEST(ComplaintLifecycle, ComplaintIsHandledResolvedClosedAndReopened) {
  std::vector<Event> history;
  const auto step = [&](Actor actor, Command command, Event expected) {
    Spec().given(history).by(std::move(actor)).when(std::move(command)).then({expected});
    history.push_back(std::move(expected));
  };
  step(jane(), register_complaint(), registered());
  step(jane(), AddComment{CommentId("C1"), "Photos attached.", false},
       CommentAdded{CommentId("C1"), UserId("CUST_0000abcd"), Role::Customer, "Photos attached.",
                    false});
  step(admin(), Assign{UserId("ADM_0002"), true}, Assigned{UserId("ADM_0002")});
  step(admin(), ChangeStatus{Status::InProgress}, StatusChanged{Status::Open, Status::InProgress});
  step(admin(), AddComment{CommentId("C2"), "Courier claim filed.", true},
       CommentAdded{CommentId("C2"), UserId("ADM_0001"), Role::Administrator,
                    "Courier claim filed.", true});
  step(admin(), Resolve{"Replacement sent"}, Resolved{"Replacement sent"});
  step(admin(), ChangeStatus{Status::Closed}, Closed{});
  step(jane(), Reopen{"Replacement also dented"}, Reopened{"Replacement also dented"});

  const State state = Spec().given(history).given_state();
  EXPECT_EQ(state.status, Status::Open);
  EXPECT_EQ(state.assignee, UserId("ADM_0002"));
  EXPECT_EQ(state.reopened_count, 1u);
  EXPECT_EQ(state.comments, (std::vector<CommentId>{CommentId("C1"), CommentId("C2")}));
}

}  // namespace
}  // namespace clientele::complaint
