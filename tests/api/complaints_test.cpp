// The complaint routes of `clientele serve` end to end, over HTTP (issue 8): a customer raises
// complaints, about one of its own orders or none, comments on them, closes resolved ones and
// reopens them; an administrator assigns them to administrators, starts, resolves and comments
// on them, internally too, and lists every customer's complaints by status, category, assignee
// and customer. Bad bodies and queries are 400 naming the field, steps the state forbids 409
// naming "status", a stale If-Match 412; a customer reaches only its own complaints (404 for
// another's, which stays as it was), never sees an internal comment, and is refused what only
// staff do (403); strangers are refused every route (401); a raise retried with its
// Idempotency-Key registers once. The customer's statistics and the soft delete follow.

#include <gtest/gtest.h>

#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tests/api/customer_flow.hpp"

namespace clientele::testing {
namespace {

using nlohmann::json;
using Ids = std::vector<std::string>;

constexpr const char* kComplaints = "/api/v1/complaints";

// A complaint body; by default about no order.
json a_complaint(const std::string& subject = "Parcel arrived damaged",
                 const std::string& category = "Delivery Issue") {
  return {{"category", category},
          {"subject", subject},
          {"description", "The box was crushed and the kettle inside is dented."}};
}

// Expects `complaint` (a resource in an answer) to hold none of the read model's own fields.
void expect_public(const json& complaint) {
  for (const char* internal : {"version", "created"}) {
    EXPECT_FALSE(complaint.contains(internal)) << internal << " in " << complaint.dump();
  }
}

// A complaint: its id and the position of its last write.
struct Complaint {
  std::string id;
  std::string position;
};

class ComplaintRoutes : public CustomerFlow {
 protected:
  static std::string path_of(const Complaint& complaint) {
    return std::string(kComplaints) + "/" + complaint.id;
  }

  // Raises `body` as `customer`; the complaint (empty when refused, a failure). Keeps the
  // position for settle().
  Complaint raised(const Customer& customer, const json& body = a_complaint()) {
    const auto answer = send("POST", kComplaints, customer.token, body);
    EXPECT_EQ(answer.status, 201) << answer.body;
    if (answer.status != 201) return {};
    auto complaint = answer.json()["data"];
    expect_public(complaint);
    positions_.push_back(answer.headers.at("x-clientele-position"));
    return {complaint.value("complaintId", ""), positions_.back()};
  }

  // `method` on the route of `complaint` that ends in `route` ("/status", "/comments", ...), as
  // `token` with `body` and more `headers`, sending the position of its last write.
  HttpAnswer on(const Complaint& complaint, const std::string& method, const std::string& route,
                const std::string& token, const json& body = json::object(),
                std::vector<std::string> headers = {}) {
    if (!complaint.position.empty()) {
      headers.push_back("X-Clientele-Position: " + complaint.position);
    }
    return send(method, path_of(complaint) + route, token, body, std::move(headers));
  }

  // As on(), for a change that must answer `status`: the data it answers. Keeps the position in
  // `complaint` and for settle().
  json changed(Complaint& complaint, const std::string& method, const std::string& route,
               const std::string& token, const json& body = json::object(), int status = 200) {
    const auto answer = on(complaint, method, route, token, body);
    EXPECT_EQ(answer.status, status) << method << " " << route << ": " << answer.body;
    if (answer.status != status) return json();
    complaint.position = answer.headers.at("x-clientele-position");
    positions_.push_back(complaint.position);
    return answer.json()["data"];
  }

  // GET of `complaint`'s `route` as `token` once its last write is folded: the answer's data.
  json read(const Complaint& complaint, const std::string& token, const std::string& route = "") {
    const auto answer = get(path_of(complaint) + route, token, complaint.position);
    EXPECT_EQ(answer.status, 200) << route << ": " << answer.body;
    EXPECT_FALSE(answer.headers.contains("x-clientele-stale"));
    return answer.json()["data"];
  }
  json complaint_of(const Complaint& complaint, const std::string& token) {
    auto resource = read(complaint, token);
    expect_public(resource);
    return resource;
  }
  json history_of(const Complaint& complaint, const std::string& token) {
    return read(complaint, token, "/history")["history"];
  }
  // The comments' texts as `token` sees them.
  Ids comments_of(const Complaint& complaint, const std::string& token) {
    Ids out;
    const auto data = read(complaint, token, "/comments");
    for (const auto& comment : data["comments"]) {
      out.push_back(comment.value("comment", "?"));
    }
    return out;
  }

  // The administrator's user id (administrator() makes the administrator).
  std::string administrator_id() {
    administrator();
    const auto answer = login({{"email", "boss@example.com"}, {"password", kPassword}});
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json()["data"].value("userId", "");
  }

  // The complaintIds of a listing's answer, which must be 200, in order.
  static Ids ids_of(const HttpAnswer& answer) {
    EXPECT_EQ(answer.status, 200) << answer.body;
    Ids out;
    const auto body = answer.json();
    for (const auto& complaint : body["data"]["complaints"]) {
      expect_public(complaint);
      out.push_back(complaint.value("complaintId", ""));
    }
    return out;
  }
  Ids listed(const std::string& path, const std::string& token) { return ids_of(get(path, token)); }
};

// ---- raising --------------------------------------------------------------------------------

TEST_F(ComplaintRoutes, AComplaintIsRaisedAboutAnOrderOfTheCustomersAndReadBackTheSame) {
  auto ada = signed_up("ada@example.com");
  const auto order_answer = send("POST", "/api/v1/orders", ada.token,
                                 {{"items", json::array({{{"productId", "SKU-1"},
                                                          {"productName", "Copper Kettle"},
                                                          {"quantity", 1},
                                                          {"unitPrice", 2500}}})},
                                  {"currency", "EUR"},
                                  {"deliveryAddress",
                                   {{"recipientName", "Ada Lovelace"},
                                    {"addressLine1", "12 Analytical Row"},
                                    {"city", "Seoul"},
                                    {"postalCode", "04524"},
                                    {"country", "KR"}}}});
  ASSERT_EQ(order_answer.status, 201) << order_answer.body;
  const std::string order_id = order_answer.json()["data"]["orderId"];

  auto body = a_complaint();
  body["orderId"] = order_id;
  const auto answer = send("POST", kComplaints, ada.token, body);
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto complaint = answer.json()["data"];
  const std::string id = complaint.value("complaintId", "");
  EXPECT_EQ(id.size(), 20u) << id;
  EXPECT_TRUE(id.starts_with("CMP_")) << id;
  EXPECT_EQ(answer.headers.at("location"), std::string(kComplaints) + "/" + id);
  EXPECT_EQ(answer.headers.at("etag"), "\"1\"");
  ASSERT_FALSE(answer.headers.at("x-clientele-position").empty());

  EXPECT_EQ(complaint["customerId"], ada.id);
  EXPECT_EQ(complaint["orderId"], order_id);
  EXPECT_EQ(complaint["category"], "Delivery Issue");
  EXPECT_EQ(complaint["subject"], "Parcel arrived damaged");
  EXPECT_EQ(complaint["description"], "The box was crushed and the kettle inside is dented.");
  EXPECT_EQ(complaint["status"], "Open");
  EXPECT_EQ(complaint["reopenedCount"], 0);
  EXPECT_TRUE(complaint["resolutionNotes"].is_null());
  EXPECT_FALSE(complaint["createdAt"].is_null());
  EXPECT_FALSE(complaint.contains("assignedTo")) << "customers do not see the assignee";

  const Complaint raised{id, answer.headers.at("x-clientele-position")};
  EXPECT_EQ(complaint_of(raised, ada.token), complaint);
  const auto seen_by_staff = complaint_of(raised, administrator());
  EXPECT_TRUE(seen_by_staff.contains("assignedTo"));
  EXPECT_TRUE(seen_by_staff["assignedTo"].is_null());
  EXPECT_EQ(get(path_of(raised), ada.token).headers["etag"], "\"1\"");
}

TEST_F(ComplaintRoutes, BadComplaintsAre400NamingTheFieldAndRegisterNothing) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  const auto without = [](const char* field) {
    auto body = a_complaint();
    body.erase(field);
    return body;
  };
  const auto with = [](const char* field, json value) {
    auto body = a_complaint();
    body[field] = std::move(value);
    return body;
  };
  const std::pair<json, const char*> cases[] = {
      {without("category"), "400 category"},
      {with("category", "Rudeness"), "400 category"},
      {without("subject"), "400 subject"},
      {with("subject", "Bad"), "400 subject"},
      {with("description", "Too short"), "400 description"},
      {with("subject", 42), "400 subject"},
      {with("orderId", "ORD-2026-999999"), "400 orderId"},
      {with("priority", "high"), "400 priority"},
  };
  for (const auto& [body, expected] : cases) {
    EXPECT_EQ(refusal(send("POST", kComplaints, ada.token, body)), expected) << body.dump();
  }
  EXPECT_EQ(send("POST", kComplaints, administrator(), a_complaint()).status, 403)
      << "administrators raise no complaints of their own";

  // Bob's order is not Ada's to complain about.
  const auto bobs_order = send("POST", "/api/v1/orders", bob.token,
                               {{"items", json::array({{{"productId", "SKU-9"},
                                                        {"productName", "Tin Pan"},
                                                        {"quantity", 1},
                                                        {"unitPrice", 900}}})},
                                {"currency", "EUR"},
                                {"deliveryAddress",
                                 {{"recipientName", "Bob"},
                                  {"addressLine1", "1 Road"},
                                  {"city", "Busan"},
                                  {"postalCode", "48058"},
                                  {"country", "KR"}}}});
  ASSERT_EQ(bobs_order.status, 201) << bobs_order.body;
  auto about_bobs = a_complaint();
  about_bobs["orderId"] = bobs_order.json()["data"]["orderId"];
  EXPECT_EQ(refusal(send("POST", kComplaints, ada.token, about_bobs)), "400 orderId");

  positions_.push_back(bobs_order.headers.at("x-clientele-position"));
  ASSERT_NO_FATAL_FAILURE(settle());
  EXPECT_TRUE(listed(kComplaints, ada.token).empty());
  EXPECT_TRUE(listed(kComplaints, administrator()).empty());
}

TEST_F(ComplaintRoutes, ARaiseRetriedWithItsIdempotencyKeyRegistersOnce) {
  auto ada = signed_up("ada@example.com");
  const std::vector<std::string> key{"Idempotency-Key: complaint-1"};
  auto first = send("POST", kComplaints, ada.token, a_complaint(), key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto again = send("POST", kComplaints, ada.token, a_complaint(), key);
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(again.json()["data"], first.json()["data"]);
  EXPECT_EQ(send("POST", kComplaints, ada.token, a_complaint("Another subject"), key).status, 422)
      << "the same key with another request";

  positions_.push_back(first.headers["x-clientele-position"]);
  ASSERT_NO_FATAL_FAILURE(settle());
  EXPECT_EQ(listed(kComplaints, ada.token), Ids{first.json()["data"]["complaintId"]});
}

// ---- handling -------------------------------------------------------------------------------

TEST_F(ComplaintRoutes, AComplaintIsHandledResolvedClosedAndReopenedAndItsHistoryTellsEachStep) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto admin = administrator();
  const auto staff_id = administrator_id();

  const auto assigned = changed(complaint, "PATCH", "/assign", admin, {{"assignedTo", staff_id}});
  EXPECT_EQ(assigned["assignedTo"], staff_id);
  EXPECT_EQ(changed(complaint, "PATCH", "/status", admin, {{"status", "In Progress"}})["status"],
            "In Progress");
  const auto resolved = changed(complaint, "PATCH", "/resolve", admin,
                                {{"resolutionNotes", "A replacement is on its way."}});
  EXPECT_EQ(resolved["status"], "Resolved");
  EXPECT_EQ(resolved["resolutionNotes"], "A replacement is on its way.");
  EXPECT_FALSE(resolved["resolvedAt"].is_null());

  const auto closed = changed(complaint, "PATCH", "/status", ada.token, {{"status", "Closed"}});
  EXPECT_EQ(closed["status"], "Closed");
  EXPECT_FALSE(closed["closedAt"].is_null());
  EXPECT_FALSE(closed.contains("assignedTo"));
  const auto reopened =
      changed(complaint, "POST", "/reopen", ada.token, {{"reason", "The replacement is dented."}});
  EXPECT_EQ(reopened["status"], "Open");
  EXPECT_EQ(reopened["reopenedCount"], 1);
  EXPECT_TRUE(reopened["closedAt"].is_null());
  EXPECT_EQ(changed(complaint, "PATCH", "/status", admin,
                    {{"status", "Resolved"}, {"resolutionNotes", "Refunded."}})["status"],
            "Resolved");
  EXPECT_EQ(changed(complaint, "PATCH", "/status", ada.token,
                    {{"status", "Open"}, {"reason", "No refund arrived."}})["reopenedCount"],
            2);

  const auto history = history_of(complaint, admin);
  EXPECT_EQ(steps_of(history),
            (Ids{"- -> Open by Customer", "Open -> Open by Administrator",
                 "Open -> In Progress by Administrator", "In Progress -> Resolved by Administrator",
                 "Resolved -> Closed by Customer", "Closed -> Open by Customer",
                 "Open -> Resolved by Administrator", "Resolved -> Open by Customer"}));
  EXPECT_EQ(history[1]["assignedTo"], staff_id);
  EXPECT_EQ(history[3]["notes"], "A replacement is on its way.");
  EXPECT_EQ(history[5]["notes"], "The replacement is dented.");
  EXPECT_EQ(history[2]["actor"]["id"], staff_id);

  const auto seen_by_ada = history_of(complaint, ada.token);
  EXPECT_EQ(steps_of(seen_by_ada), steps_of(history));
  for (const auto& entry : seen_by_ada) {
    EXPECT_FALSE(entry.contains("assignedTo")) << entry.dump();
    if (entry["actor"]["role"] != "Customer") {
      EXPECT_FALSE(entry["actor"].contains("id")) << "customers learn the role, not who";
    }
  }
}

TEST_F(ComplaintRoutes, StepsTheStateForbidsAre409AndBadStatusesAre400AndChangeNothing) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto admin = administrator();
  const auto status = [&](const json& body) {
    return refusal(on(complaint, "PATCH", "/status", admin, body));
  };
  EXPECT_EQ(status({{"status", "Closed"}}), "409 status") << "only a resolved complaint closes";
  EXPECT_EQ(refusal(on(complaint, "POST", "/reopen", admin, {{"reason", "x"}})), "409 status")
      << "an open complaint is not reopened";
  EXPECT_EQ(status({{"status", "Escalated"}}), "400 status");
  EXPECT_EQ(status(json::object()), "400 status");
  EXPECT_EQ(status({{"status", "Resolved"}}), "400 resolutionNotes");
  EXPECT_EQ(status({{"status", "Open"}}), "400 reason");
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/resolve", admin, json::object())),
            "400 resolutionNotes");
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/resolve", admin, {{"resolutionNotes", ""}})),
            "400 resolutionNotes");
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/assign", admin, {{"assignedTo", ada.id}})),
            "400 assignedTo")
      << "a customer is no assignee";
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/assign", admin, {{"assignedTo", "ADM_0badf00d"}})),
            "400 assignedTo");

  changed(complaint, "PATCH", "/resolve", admin, {{"resolutionNotes", "Done."}});
  EXPECT_EQ(status({{"status", "In Progress"}}), "409 status") << "a resolved complaint";
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/resolve", admin, {{"resolutionNotes", "Again."}})),
            "409 status");
  changed(complaint, "PATCH", "/status", admin, {{"status", "Closed"}});
  EXPECT_EQ(refusal(on(complaint, "POST", "/comments", admin, {{"comment", "Late note."}})),
            "409 status")
      << "a closed complaint takes no comments";
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/assign", admin, {{"assignedTo", administrator_id()}})),
            "409 status");

  EXPECT_EQ(steps_of(history_of(complaint, admin)),
            (Ids{"- -> Open by Customer", "Open -> Resolved by Administrator",
                 "Resolved -> Closed by Administrator"}))
      << "the refused requests changed nothing";
}

TEST_F(ComplaintRoutes, CustomersAreRefusedWhatOnlyStaffDoAndStrangersEveryRoute) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto staff_id = administrator_id();
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/status", ada.token, {{"status", "In Progress"}})),
            "403 status");
  EXPECT_EQ(refusal(on(complaint, "PATCH", "/status", ada.token,
                       {{"status", "Resolved"}, {"resolutionNotes", "Fine now."}})),
            "403 resolutionNotes");
  EXPECT_EQ(on(complaint, "PATCH", "/resolve", ada.token, {{"resolutionNotes", "x"}}).status, 403);
  EXPECT_EQ(on(complaint, "PATCH", "/assign", ada.token, {{"assignedTo", staff_id}}).status, 403);
  EXPECT_EQ(get("/api/v1/customers/" + ada.id + "/complaints", ada.token).status, 403);

  const std::string one = path_of(complaint);
  const std::tuple<const char*, std::string, json> routes[] = {
      {"POST", kComplaints, a_complaint()},
      {"GET", kComplaints, nullptr},
      {"GET", std::string(kComplaints) + "/filter", nullptr},
      {"GET", one, nullptr},
      {"GET", one + "/history", nullptr},
      {"GET", one + "/comments", nullptr},
      {"POST", one + "/comments", {{"comment", "x"}}},
      {"PATCH", one + "/status", {{"status", "In Progress"}}},
      {"POST", one + "/reopen", {{"reason", "x"}}},
      {"PATCH", one + "/assign", {{"assignedTo", staff_id}}},
      {"PATCH", one + "/resolve", {{"resolutionNotes", "x"}}},
      {"GET", "/api/v1/customers/" + ada.id + "/complaints", nullptr}};
  for (const auto& [method, path, body] : routes) {
    EXPECT_EQ(send(method, path, "", body).status, 401) << method << " " << path;
  }
  const auto now = complaint_of(complaint, administrator());
  EXPECT_EQ(now["status"], "Open") << "the refused requests changed nothing";
  EXPECT_TRUE(now["assignedTo"].is_null());
  EXPECT_EQ(history_of(complaint, ada.token).size(), 1u);
}

TEST_F(ComplaintRoutes, ACustomerReachesOnlyItsOwnComplaints) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  auto complaint = raised(ada);
  const auto before = complaint_of(complaint, ada.token);

  EXPECT_EQ(get(path_of(complaint), bob.token, complaint.position).status, 404);
  EXPECT_EQ(get(path_of(complaint) + "/history", bob.token, complaint.position).status, 404);
  EXPECT_EQ(get(path_of(complaint) + "/comments", bob.token, complaint.position).status, 404);
  EXPECT_EQ(refusal(on(complaint, "POST", "/comments", bob.token, {{"comment", "Mine now"}})),
            "404 complaintId");
  EXPECT_EQ(on(complaint, "PATCH", "/status", bob.token, {{"status", "Closed"}}).status, 404);
  EXPECT_EQ(on(complaint, "POST", "/reopen", bob.token, {{"reason", "Mine now"}}).status, 404);
  EXPECT_EQ(complaint_of(complaint, ada.token), before) << "nothing of Ada's changed";
  EXPECT_TRUE(comments_of(complaint, ada.token).empty());

  const Complaint unknown{"CMP_00000000deadbeef", ""};
  const auto admin = administrator();
  EXPECT_EQ(get(path_of(unknown), ada.token).status, 404);
  EXPECT_EQ(get(path_of(unknown), admin).status, 404);
  EXPECT_EQ(get(path_of(unknown) + "/comments", admin).status, 404);
  EXPECT_EQ(refusal(on(unknown, "PATCH", "/status", admin, {{"status", "In Progress"}})),
            "404 complaintId");
  EXPECT_EQ(on(unknown, "POST", "/comments", admin, {{"comment", "Hello"}}).status, 404);
}

// ---- comments -------------------------------------------------------------------------------

TEST_F(ComplaintRoutes, InternalCommentsNeverReachACustomer) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto admin = administrator();

  const auto own =
      changed(complaint, "POST", "/comments", ada.token, {{"comment", "Photos attached."}}, 201);
  EXPECT_TRUE(own.value("commentId", "").starts_with("CMT_")) << own.dump();
  EXPECT_EQ(own["userId"], ada.id);
  EXPECT_EQ(own["userRole"], "Customer");
  EXPECT_EQ(own["isInternal"], false);
  EXPECT_EQ(refusal(on(complaint, "POST", "/comments", ada.token,
                       {{"comment", "Let me read yours."}, {"isInternal", true}})),
            "403 isInternal");
  EXPECT_EQ(refusal(on(complaint, "POST", "/comments", ada.token, {{"comment", ""}})),
            "400 comment");

  const auto internal =
      changed(complaint, "POST", "/comments", admin,
              {{"comment", "Courier claim filed; blame the depot."}, {"isInternal", true}}, 201);
  EXPECT_EQ(internal["isInternal"], true);
  const auto reply =
      changed(complaint, "POST", "/comments", admin, {{"comment", "We are on it."}}, 201);

  EXPECT_EQ(comments_of(complaint, admin),
            (Ids{"Photos attached.", "Courier claim filed; blame the depot.", "We are on it."}));
  EXPECT_EQ(comments_of(complaint, ada.token), (Ids{"Photos attached.", "We are on it."}));
  const auto seen = read(complaint, ada.token, "/comments")["comments"];
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[1]["userRole"], "Administrator");
  EXPECT_TRUE(seen[1]["userId"].is_null()) << "customers learn the role, not who";
  const auto everything = get(path_of(complaint), ada.token, complaint.position).body +
                          get(path_of(complaint) + "/history", ada.token).body +
                          get(path_of(complaint) + "/comments", ada.token).body +
                          get(kComplaints, ada.token).body;
  EXPECT_EQ(everything.find("depot"), std::string::npos) << "an internal comment leaked";
  EXPECT_EQ(reply["userRole"], "Administrator");
  EXPECT_EQ(history_of(complaint, admin).size(), 4u);
  EXPECT_EQ(history_of(complaint, ada.token).size(), 1u)
      << "a customer's history tells of no comment, lest it count the internal ones";
}

TEST_F(ComplaintRoutes, AChangeWithAStaleIfMatchIs412AndChangesNothing) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto admin = administrator();
  const auto first = get(path_of(complaint), admin, complaint.position).headers["etag"];
  ASSERT_EQ(first, "\"1\"");
  const auto current =
      on(complaint, "PATCH", "/status", admin, {{"status", "In Progress"}}, {"If-Match: " + first});
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(current.headers.at("etag"), "\"2\"");
  complaint.position = current.headers.at("x-clientele-position");

  EXPECT_EQ(on(complaint, "PATCH", "/resolve", admin, {{"resolutionNotes", "Done."}},
               {"If-Match: " + first})
                .status,
            412);
  EXPECT_EQ(
      on(complaint, "POST", "/comments", admin, {{"comment", "Late."}}, {"If-Match: " + first})
          .status,
      412);
  EXPECT_EQ(complaint_of(complaint, admin)["status"], "In Progress");
  EXPECT_TRUE(comments_of(complaint, admin).empty());
}

// ---- listing --------------------------------------------------------------------------------

TEST_F(ComplaintRoutes, CustomersListTheirOwnComplaintsAndAdministratorsFilterEveryComplaint) {
  auto ada = signed_up("ada@example.com");
  auto bob = signed_up("bob@example.com");
  auto first = raised(ada, a_complaint("Parcel arrived damaged", "Delivery Issue"));
  auto second = raised(ada, a_complaint("Charged twice for one order", "Payment Issue"));
  auto bobs = raised(bob, a_complaint("Rude courier at my door", "Customer Service"));
  const auto admin = administrator();
  const auto staff_id = administrator_id();
  changed(bobs, "PATCH", "/assign", admin, {{"assignedTo", staff_id}});
  changed(second, "PATCH", "/status", admin, {{"status", "In Progress"}});
  ASSERT_NO_FATAL_FAILURE(settle());

  EXPECT_EQ(listed(kComplaints, ada.token), (Ids{second.id, first.id}));
  EXPECT_EQ(listed(kComplaints, bob.token), (Ids{bobs.id}));
  EXPECT_EQ(listed(kComplaints, admin), (Ids{bobs.id, second.id, first.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "?sortOrder=asc", admin),
            (Ids{first.id, second.id, bobs.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "/filter?status=In%20Progress", admin),
            (Ids{second.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "?status=Open", admin), (Ids{bobs.id, first.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "?category=Delivery%20Issue", admin),
            (Ids{first.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "?assignedTo=" + staff_id, admin), (Ids{bobs.id}));
  EXPECT_EQ(listed(std::string(kComplaints) + "?customerId=" + ada.id + "&status=Open", admin),
            (Ids{first.id}));
  EXPECT_EQ(listed("/api/v1/customers/" + ada.id + "/complaints", admin),
            (Ids{second.id, first.id}));
  EXPECT_EQ(listed("/api/v1/customers/CUST_0badf00d/complaints", admin), Ids{});
  EXPECT_EQ(listed(std::string(kComplaints) + "?status=Open", ada.token), (Ids{first.id}))
      << "a customer's filters apply to its own complaints";

  const auto page = get(std::string(kComplaints) + "?limit=2", admin);
  EXPECT_EQ(ids_of(page), (Ids{bobs.id, second.id}));
  const auto pagination = page.json()["data"]["pagination"];
  EXPECT_EQ(pagination["hasNextPage"], true);
  const auto next = get(std::string(kComplaints) + "?limit=2&cursor=" +
                            percent_encoded(pagination["nextCursor"].get<std::string>()),
                        admin);
  EXPECT_EQ(ids_of(next), (Ids{first.id}));

  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"?status=Escalated", "400 status"},
           {"?category=Rudeness", "400 category"},
           {"?createdAfter=yesterday", "400 createdAfter"},
           {"?limit=0", "400 limit"},
           {"?colour=blue", "400 colour"}}) {
    EXPECT_EQ(refusal(get(kComplaints + query, admin)), field) << query;
  }
  EXPECT_EQ(refusal(get(std::string(kComplaints) + "?assignedTo=" + staff_id, ada.token)),
            "400 assignedTo");
  EXPECT_EQ(refusal(get(std::string(kComplaints) + "?customerId=" + bob.id, ada.token)),
            "400 customerId");
}

// ---- what follows a complaint ---------------------------------------------------------------

TEST_F(ComplaintRoutes, StatisticsAndTheSoftDeleteFollowTheOpenComplaints) {
  auto ada = signed_up("ada@example.com");
  auto complaint = raised(ada);
  const auto admin = administrator();
  const auto statistics = [&] {
    const auto answer = get("/api/v1/customers/me/statistics", ada.token, complaint.position);
    EXPECT_EQ(answer.status, 200) << answer.body;
    return answer.json()["data"];
  };
  EXPECT_EQ(statistics()["totalComplaints"], 1);
  EXPECT_EQ(statistics()["openComplaints"], 1);
  EXPECT_FALSE(statistics()["lastComplaintDate"].is_null());

  const auto refused = send("DELETE", "/api/v1/customers/" + ada.id, admin, nullptr,
                            {"X-Clientele-Position: " + complaint.position});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_TRUE(fields_of(refused).contains("complaints")) << refused.body;

  changed(complaint, "PATCH", "/resolve", admin, {{"resolutionNotes", "Refunded."}});
  EXPECT_EQ(statistics()["totalComplaints"], 1);
  EXPECT_EQ(statistics()["openComplaints"], 0);
  const auto deleted = send("DELETE", "/api/v1/customers/" + ada.id, admin, nullptr,
                            {"X-Clientele-Position: " + complaint.position});
  EXPECT_EQ(deleted.status, 200) << deleted.body;
}

}  // namespace
}  // namespace clientele::testing
