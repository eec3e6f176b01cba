// Search by a fragment of name, email or phone, through the hashed trigram index.

#include "projections/customer_search.hpp"

#include <gtest/gtest.h>

#include "tests/projections/read_model_fixture.hpp"

namespace clientele::projections {
namespace {

const CustomerId kCyd("CUST_0000c0d3");

class CustomerSearchTest : public ReadModelTest {
 protected:
  void SetUp() override {
    ReadModelTest::SetUp();
    register_person(kAda, "Zyxwa", "Lovelace", "zyxwa.lovelace@Analytical.example",
                    "+44 20 7946 0958");
    register_person(kBob, "Robert", "Lovell", "bob@example.com", "+4915112345678");
    register_person(kCyd, "Cydney", "Moss", "cyd@example.com", "");
  }

  void register_person(const CustomerId& id, std::string first, std::string last, std::string email,
                       std::string phone) {
    auto registered = registration(id, "x");
    registered.first_name = std::move(first);
    registered.last_name = std::move(last);
    registered.email = std::move(email);
    registered.phone = std::move(phone);
    writer_->append(id, registered);
  }

  std::vector<CustomerId> search(std::string_view fragment, std::size_t limit = 50) {
    auto found = search_.search(*store_->snapshot(), search_.ns(), fragment, limit);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::vector<CustomerId>{};
  }

  // Every key of the model's namespace.
  std::vector<std::string> keys() {
    std::vector<std::string> out;
    EXPECT_TRUE(store_->snapshot()
                    ->scan(search_.ns(), KeyRange{},
                           [&](std::string_view key, std::string_view) {
                             out.emplace_back(key);
                             return true;
                           })
                    .ok());
    return out;
  }

  CustomerSearch search_{events::SecretKey::random()};
};

TEST_F(CustomerSearchTest, FindsAFragmentOfTheNameEmailOrPhoneInAnyCase) {
  catch_up({&search_});
  EXPECT_EQ(search("LOVE"), (std::vector{kAda, kBob}));
  EXPECT_EQ(search("wa lov"), std::vector{kAda}) << "the full name spans first and last";
  EXPECT_EQ(search("analytical.EX"), std::vector{kAda});
  EXPECT_EQ(search("example.com"), (std::vector{kBob, kCyd}));
  EXPECT_EQ(search("7946 0958"), std::vector{kAda}) << "a phone is searched by its digits";
  EXPECT_EQ(search("+49151"), std::vector{kBob});
  EXPECT_TRUE(search("lovecraft").empty());
  EXPECT_TRUE(search("qqq").empty());
  EXPECT_EQ(search("example.com", 1).size(), 1u);
}

TEST_F(CustomerSearchTest, AFragmentShorterThanThreeCharactersIsRefusedNamingQ) {
  catch_up({&search_});
  auto refused = search_.search(*store_->snapshot(), search_.ns(), " lo ", 10);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, errc::invalid);
  EXPECT_EQ(refused.error().field, "q");
}

TEST_F(CustomerSearchTest, FollowsProfileAndEmailChanges) {
  customer::ProfileUpdated renamed;
  renamed.last_name = "Byron";
  writer_->append(kAda, renamed);
  writer_->append(kBob, customer::EmailChanged{"robert@lovell.example"});
  catch_up({&search_});
  EXPECT_EQ(search("byron"), std::vector{kAda});
  EXPECT_EQ(search("wa lovelace"), std::vector<CustomerId>{});
  EXPECT_EQ(search("zyxwa byron"), std::vector{kAda});
  EXPECT_EQ(search("bob@"), std::vector<CustomerId>{});
  EXPECT_EQ(search("robert@"), std::vector{kBob});
}

TEST_F(CustomerSearchTest, KeysHoldNoTextAndAnErasureLeavesNoRowOfTheCustomer) {
  catch_up({&search_});
  const auto before = keys();
  ASSERT_FALSE(before.empty());
  for (const auto& key : before) {
    EXPECT_EQ(key.find("zyx"), std::string::npos);
    EXPECT_EQ(key.find("love"), std::string::npos);
  }
  writer_->append(kAda, customer::Erased{"gdpr-art17", "GDPR", "ADM_1"});
  catch_up({&search_});
  EXPECT_TRUE(search("zyxwa").empty());
  EXPECT_EQ(search("love"), std::vector{kBob});
  for (const auto& key : keys()) EXPECT_EQ(key.find(kAda.str()), std::string::npos) << key;
}

}  // namespace
}  // namespace clientele::projections
