#include <catch2/catch.hpp>

#include <stdexcept>
#include <vector>

#include "sim/training/loan_book.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("loans are numbered, counted while lent, and given back once") {
  LoanBook book(Time{});
  const GpuLoan a = book.grant({0, 1, 2, 3});
  const GpuLoan b = book.grant({8, 9});
  CHECK(a.id == 1);
  CHECK(b.id == 2);
  CHECK(book.lent_gpus() == 6);
  CHECK(book.give_back(a.id).gpus == std::vector<GpuIndex>{0, 1, 2, 3});
  CHECK(book.lent_gpus() == 2);
  CHECK_THROWS_AS(book.give_back(a.id), std::invalid_argument);
  CHECK_THROWS_AS(book.give_back(99), std::invalid_argument);
  CHECK_THROWS_AS(book.grant({}), std::invalid_argument);
}

TEST_CASE("a loan handed to its replica keeps its GPUs and id, and is given back or revoked under the replica") {
  LoanBook book(Time{});
  const GpuLoan a = book.grant({4, 5});
  CHECK(a.holder == GpuHolder{GpuOwner::kLoan, 1});
  const GpuHolder replica{GpuOwner::kServing, 7};
  const GpuLoan before = book.hand_over(a.id, replica);
  CHECK(before.holder == GpuHolder{GpuOwner::kLoan, 1});  // what the ledger moves the GPUs from
  CHECK(before.gpus == std::vector<GpuIndex>{4, 5});
  CHECK(book.lent_gpus() == 2);  // still lent: the replica holds them on loan
  CHECK_THROWS_AS(book.hand_over(99, replica), std::invalid_argument);
  const GpuLoan back = book.give_back(a.id);
  CHECK(back.holder == replica);
  CHECK(book.lent_gpus() == 0);
  book.grant({8});
  book.hand_over(2, replica);
  const auto revoked = book.revoke_first([](GpuIndex g) { return g == 8; });
  REQUIRE(revoked);
  CHECK(revoked->holder == replica);
}

TEST_CASE("a failed node revokes every loan with a GPU on it, in grant order, and no other") {
  LoanBook book(Time{});
  book.grant({0, 1});   // node 0 (GPUs 0-7)
  book.grant({8, 16});  // nodes 1 and 2
  book.grant({17});     // node 2
  const auto on_node2 = [](GpuIndex g) { return g / 8 == 2; };
  const auto first = book.revoke_first(on_node2);
  REQUIRE(first);
  CHECK(first->id == 2);
  const auto second = book.revoke_first(on_node2);
  REQUIRE(second);
  CHECK(second->id == 3);
  CHECK_FALSE(book.revoke_first(on_node2));
  CHECK(book.revoked() == 2);
  CHECK(book.lent_gpus() == 2);
  CHECK_THROWS_AS(book.give_back(2), std::invalid_argument);  // revoked: nothing to give back
}

TEST_CASE("jobs evicted for a loan wait until the lender has been quiet for the back-off") {
  LoanBook book(60_s);
  book.lender_changed(10_s);
  CHECK(book.hold(7) == 70_s);            // the first hold asks for a wake-up
  CHECK_FALSE(book.hold(9).has_value());  // one is pending already
  CHECK(book.held_jobs() == 2);
  book.lender_changed(50_s);  // the lender changed again: quiet only from 110 s
  const LoanBook::Release early = book.release(70_s);
  CHECK(early.jobs.empty());
  CHECK(early.wake_again == 110_s);
  const LoanBook::Release done = book.release(110_s);
  CHECK(done.jobs == std::vector<std::uint64_t>{7, 9});
  CHECK_FALSE(done.wake_again.has_value());
  CHECK(book.held_jobs() == 0);
}

TEST_CASE("with no back-off nothing is held") {
  LoanBook book(Time{});
  CHECK_FALSE(book.holds_jobs());
  CHECK_FALSE(book.hold(3).has_value());
  CHECK(book.held_jobs() == 0);
}
