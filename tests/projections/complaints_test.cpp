// The complaints read model: complaints by id with their comments (internal ones only when asked
// for) and history, by customer and by status, category and assignee in pages that seek on
// index keys, and erasure.

#include "projections/complaints.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "commands/erasure.hpp"
#include "events/json.hpp"
#include "infra/clock.hpp"
#include "infra/uuid.hpp"
#include "tests/projections/read_model_fixture.hpp"
#include "tests/support/files.hpp"

namespace clientele::projections {
namespace {

using namespace std::chrono_literals;
using complaint::Status;
using nlohmann::json;

const Actor kAdmin{UserId("ADM_0042"), Role::Administrator};
const Timestamp kMarch1 = std::chrono::sys_days{std::chrono::year{2026} / 3 / 1};

class ComplaintsTest : public ReadModelTest {
 protected:
  // Registers complaint `number` of `customer` at `at`.
  ComplaintId raise(const CustomerId& customer, int number, Timestamp at,
                    complaint::Category category = complaint::Category::DeliveryIssue,
                    const std::string& subject = "Parcel arrived damaged") {
    const ComplaintId id("CMP_" + std::to_string(1000 + number));
    const complaint::Registered registered{id,
                                           customer,
                                           category,
                                           subject,
                                           "The box was crushed and the kettle is dented.",
                                           OrderId("ORD-2026-000001")};
    writer_->append(customer, events::stream_name(id), events::encode(complaint::Event{registered}),
                    Actor{UserId(customer.str()), Role::Customer}, at);
    return id;
  }

  void apply(const CustomerId& customer, const ComplaintId& id, const complaint::Event& event,
             Timestamp at, const Actor& actor = kAdmin) {
    writer_->append(customer, events::stream_name(id), events::encode(event), actor, at);
  }

  void fold() { catch_up({&complaints_}); }

  json find(const ComplaintId& id) {
    auto found = complaints_.find(*store_->snapshot(), complaints_.ns(), id);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() && *found ? **found : json();
  }

  std::vector<json> comments(const ComplaintId& id, bool with_internal) {
    return complaints_.comments(*store_->snapshot(), complaints_.ns(), id, with_internal).value();
  }

  std::vector<json> history(const ComplaintId& id) {
    return complaints_.history(*store_->snapshot(), complaints_.ns(), id).value();
  }

  static std::vector<std::string> ids(const std::vector<json>& complaints) {
    std::vector<std::string> out;
    for (const auto& c : complaints) out.push_back(c["complaintId"].get<std::string>());
    return out;
  }

  // The ids of every page of `query`, followed by cursors.
  std::vector<std::string> all_pages(ComplaintQuery query) {
    std::vector<std::string> out;
    for (int pages = 0; pages < 100; ++pages) {
      auto page = complaints_.list(*store_->snapshot(), complaints_.ns(), query);
      EXPECT_TRUE(page.ok()) << page.error().message;
      if (!page.ok()) break;
      for (const auto& id : ids(page->complaints)) out.push_back(id);
      if (page->next.empty()) break;
      query.page.after = page->next;
    }
    return out;
  }

  Complaints complaints_;
};

TEST_F(ComplaintsTest, AComplaintIsFoundByIdWithItsCommentsAndEveryStepInItsHistory) {
  const auto id = raise(kAda, 1, kMarch1);
  const Actor ada{UserId(kAda.str()), Role::Customer};
  apply(kAda, id,
        complaint::CommentAdded{CommentId("CMT_1"), ada.id, Role::Customer, "Photos attached.",
                                false},
        kMarch1 + 1h, ada);
  apply(kAda, id, complaint::Assigned{UserId("ADM_0007")}, kMarch1 + 2h);
  apply(kAda, id, complaint::StatusChanged{Status::Open, Status::InProgress}, kMarch1 + 3h);
  apply(kAda, id,
        complaint::CommentAdded{CommentId("CMT_2"), kAdmin.id, Role::Administrator,
                                "Courier claim filed.", true},
        kMarch1 + 4h);
  apply(kAda, id, complaint::Resolved{"Replacement sent"}, kMarch1 + 5h);
  apply(kAda, id, complaint::Closed{}, kMarch1 + 6h);
  apply(kAda, id, complaint::Reopened{"Replacement also dented"}, kMarch1 + 7h, ada);
  fold();

  const auto doc = find(id);
  ASSERT_FALSE(doc.is_null());
  EXPECT_EQ(doc["customerId"], kAda.str());
  EXPECT_EQ(doc["orderId"], "ORD-2026-000001");
  EXPECT_EQ(doc["category"], "Delivery Issue");
  EXPECT_EQ(doc["subject"], "Parcel arrived damaged");
  EXPECT_EQ(doc["status"], "Open");
  EXPECT_EQ(doc["assignedTo"], "ADM_0007");
  EXPECT_EQ(doc["resolutionNotes"], "Replacement sent");
  EXPECT_EQ(doc["resolvedAt"], json(kMarch1 + 5h));
  EXPECT_TRUE(doc["closedAt"].is_null()) << "reopened since";
  EXPECT_EQ(doc["reopenedCount"], 1);
  EXPECT_EQ(doc["createdAt"], json(kMarch1));
  EXPECT_EQ(doc["updatedAt"], json(kMarch1 + 7h));
  EXPECT_EQ(doc["version"], 8);
  EXPECT_TRUE(find(ComplaintId("CMP_404")).is_null());

  const auto public_only = comments(id, false);
  ASSERT_EQ(public_only.size(), 1u);
  EXPECT_EQ(public_only[0]["commentId"], "CMT_1");
  EXPECT_EQ(public_only[0]["userId"], kAda.str());
  EXPECT_EQ(public_only[0]["userRole"], "Customer");
  EXPECT_EQ(public_only[0]["comment"], "Photos attached.");
  EXPECT_EQ(public_only[0]["isInternal"], false);
  EXPECT_EQ(public_only[0]["createdAt"], json(kMarch1 + 1h));
  const auto all = comments(id, true);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[1]["comment"], "Courier claim filed.");
  EXPECT_EQ(all[1]["isInternal"], true);

  const auto steps = history(id);
  ASSERT_EQ(steps.size(), 8u);
  EXPECT_TRUE(steps[0]["from"].is_null());
  EXPECT_EQ(steps[0]["to"], "Open");
  EXPECT_EQ(steps[0]["actor"], json({{"id", kAda.str()}, {"role", "Customer"}}));
  EXPECT_EQ(steps[2]["event"], "complaint.assigned");
  EXPECT_EQ(steps[2]["assignedTo"], "ADM_0007");
  EXPECT_EQ(steps[3]["from"], "Open");
  EXPECT_EQ(steps[3]["to"], "In Progress");
  EXPECT_EQ(steps[5]["to"], "Resolved");
  EXPECT_EQ(steps[5]["notes"], "Replacement sent");
  EXPECT_EQ(steps[6]["to"], "Closed");
  EXPECT_EQ(steps[7]["from"], "Closed");
  EXPECT_EQ(steps[7]["to"], "Open");
  EXPECT_EQ(steps[7]["notes"], "Replacement also dented");
  EXPECT_EQ(steps[7]["at"], json(kMarch1 + 7h));
}

TEST_F(ComplaintsTest, ACustomersComplaintsComeNewestFirstInPagesThatSeek) {
  for (int i = 1; i <= 5; ++i) raise(kAda, i, kMarch1 + std::chrono::hours(i));
  raise(kBob, 6, kMarch1);
  fold();
  ComplaintQuery query;
  query.customer = kAda;
  query.page.limit = 2;
  EXPECT_EQ(all_pages(query),
            (std::vector<std::string>{"CMP_1005", "CMP_1004", "CMP_1003", "CMP_1002", "CMP_1001"}));
  query.page.descending = false;
  query.created_after = kMarch1 + 2h;
  query.created_before = kMarch1 + 5h;
  EXPECT_EQ(all_pages(query), (std::vector<std::string>{"CMP_1002", "CMP_1003", "CMP_1004"}));
}

TEST_F(ComplaintsTest, AdministratorsFilterByStatusCategoryAssigneeAndCustomer) {
  const auto a = raise(kAda, 1, kMarch1, complaint::Category::DeliveryIssue);
  const auto b = raise(kAda, 2, kMarch1 + 1h, complaint::Category::PaymentIssue);
  const auto c = raise(kBob, 3, kMarch1 + 2h, complaint::Category::DeliveryIssue);
  apply(kAda, a, complaint::Assigned{UserId("ADM_0007")}, kMarch1 + 3h);
  apply(kBob, c, complaint::Assigned{UserId("ADM_0007")}, kMarch1 + 3h);
  apply(kBob, c, complaint::StatusChanged{Status::Open, Status::InProgress}, kMarch1 + 4h);
  apply(kAda, a, complaint::Assigned{UserId("ADM_0008")}, kMarch1 + 5h);  // moves off 0007
  fold();

  const auto select = [&](auto set) {
    ComplaintQuery query;
    set(query);
    return all_pages(query);
  };
  EXPECT_EQ(select([](auto&) {}), (std::vector<std::string>{c.str(), b.str(), a.str()}));
  EXPECT_EQ(select([](auto& q) { q.status = "In Progress"; }), std::vector<std::string>{c.str()});
  EXPECT_EQ(select([](auto& q) { q.status = "Open"; }),
            (std::vector<std::string>{b.str(), a.str()}));
  EXPECT_EQ(select([](auto& q) { q.category = "Delivery Issue"; }),
            (std::vector<std::string>{c.str(), a.str()}));
  EXPECT_EQ(select([](auto& q) { q.assignee = UserId("ADM_0007"); }),
            std::vector<std::string>{c.str()});
  EXPECT_EQ(select([](auto& q) { q.assignee = UserId("ADM_0008"); }),
            std::vector<std::string>{a.str()});
  EXPECT_EQ(select([](auto& q) {
              q.category = "Delivery Issue";
              q.status = "Open";
            }),
            std::vector<std::string>{a.str()});
  EXPECT_EQ(select([](auto& q) {
              q.customer = kAda;
              q.category = "Payment Issue";
            }),
            std::vector<std::string>{b.str()});
  EXPECT_TRUE(select([](auto& q) { q.status = "Closed"; }).empty());
}

TEST_F(ComplaintsTest, ErasureTakesEveryPersonalValueOfTheComplaintsAwayAndKeepsTheRest) {
  const std::string marker = "Qx9ZmarkCmp";
  writer_->append(kAda, registration(kAda, marker));
  const auto id =
      raise(kAda, 1, kMarch1, complaint::Category::ProductQuality, marker + " subject line");
  apply(kAda, id,
        complaint::CommentAdded{CommentId("CMT_1"), kAdmin.id, Role::Administrator,
                                marker + " comment", true},
        kMarch1 + 1h);
  apply(kAda, id, complaint::Resolved{marker + " notes"}, kMarch1 + 2h);
  apply(kAda, id, complaint::Reopened{marker + " reason"}, kMarch1 + 3h);
  const auto bobs = raise(kBob, 2, kMarch1, complaint::Category::Other, "Bob's own subject");
  fold();
  const std::vector<std::filesystem::path> views{dir_.path() / "views"};
  ASSERT_TRUE(store_->compact().ok());
  for (const char* what : {" subject line", " comment", " notes", " reason"}) {
    ASSERT_FALSE(testing::files_containing(views, marker + what).empty())
        << "the scan cannot see the" << what;
  }

  commands::ErasureService erasure(*log_, *keys_, infra::utc_now, infra::uuid_v7);
  auto receipt = erasure.erase({kAda, "gdpr-art17", "GDPR Art. 17(1)(a)", "ADM_0042"}, kAdmin);
  ASSERT_TRUE(receipt.ok()) << receipt.error().message;
  fold();

  const auto doc = find(id);
  EXPECT_EQ(doc["complaintId"], id.str());
  EXPECT_EQ(doc["category"], "Product Quality");
  EXPECT_EQ(doc["status"], "Open");
  EXPECT_EQ(doc["reopenedCount"], 1);
  EXPECT_EQ(doc["createdAt"], json(kMarch1));
  for (const char* field : {"subject", "description", "resolutionNotes"}) {
    EXPECT_TRUE(doc[field].is_null()) << field;
  }
  const auto left_comments = comments(id, true);
  ASSERT_EQ(left_comments.size(), 1u);
  EXPECT_TRUE(left_comments[0]["comment"].is_null());
  EXPECT_EQ(left_comments[0]["commentId"], "CMT_1");
  for (const auto& entry : history(id)) EXPECT_TRUE(entry["notes"].is_null()) << entry.dump();
  EXPECT_EQ(find(bobs)["subject"], "Bob's own subject");

  ASSERT_TRUE(store_->compact().ok());
  const auto left = testing::files_containing(views, marker);
  EXPECT_TRUE(left.empty()) << "a personal value is still in " << left.front();

  // A rebuild after the key is gone gives the same rows.
  const auto live = digest(*store_->snapshot(), complaints_.ns()).value();
  store_.reset();
  std::filesystem::remove_all(views.front());
  open_store();
  fold();
  EXPECT_EQ(digest(*store_->snapshot(), complaints_.ns()).value(), live);
}

}  // namespace
}  // namespace clientele::projections
