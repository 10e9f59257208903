#pragma once
// The GPUs the training cluster has lent to another pool (serving, during a spike), and the
// back-off of jobs evicted to make those loans. Bookkeeping only: which GPUs each loan holds,
// how many are lent, which jobs wait for the lender to settle. Choosing the GPUs and evicting
// jobs is the scheduler's business, and so is telling the inventory; the book is the one place
// that knows what is lent, so a GPU ledger can stand behind it without the scheduler changing.
//
// Back-off (ClusterSchedulerSpec::preemption_backoff): a job evicted for a loan waits until
// the lender has neither borrowed nor returned GPUs for the back-off, so that a gang job is
// not restarted between two scale-ups of the same spike only to be evicted again.
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "sim/engine/time.hpp"
#include "sim/training/cluster_inventory.hpp"

namespace cs {

// GPUs lent to another pool; whole GPUs, in the order the scheduler took them.
struct GpuLoan {
  std::uint64_t id = 0;  // 0: nothing lent
  std::vector<GpuIndex> gpus;
  // Who the GPU ledger has them as: the loan itself until the borrower hands them to the
  // replica they were lent for (hand_over), then that replica.
  GpuHolder holder;
};

class LoanBook {
 public:
  explicit LoanBook(Time backoff) : backoff_(backoff) {}

  // A new loan of these GPUs (at least one); ids run 1, 2, ...
  GpuLoan grant(std::vector<GpuIndex> gpus);
  // The id the next grant takes (the GPU ledger records a loan's GPUs under it as they are taken).
  std::uint64_t next_id() const { return next_id_; }
  // The loan's GPUs now belong to `to` (a serving replica); returns the loan as it was (its
  // GPUs and former holder), for the ledger's transfer. Throws std::invalid_argument for an
  // id that is not lent.
  GpuLoan hand_over(std::uint64_t id, GpuHolder to);
  // Ends a loan the borrower gives back and hands its GPUs over (with their holder); throws
  // std::invalid_argument for an id that is not lent (never granted, given back, or revoked).
  GpuLoan give_back(std::uint64_t id);
  // Ends the first loan (in grant order) holding a GPU for which `lost` is true, counting it
  // as revoked; none when no loan holds such a GPU.
  std::optional<GpuLoan> revoke_first(const std::function<bool(GpuIndex)>& lost);

  int lent_gpus() const { return lent_gpus_; }
  std::uint64_t revoked() const { return revoked_; }

  // The lender borrowed or gave back GPUs at `now`: its quiet period starts again.
  void lender_changed(Time now) { last_change_ = now; }
  // Holds a job evicted for a loan. Returns the instant at which the caller must call
  // release() when no such wake-up is pending yet; none when one is (or the back-off is 0,
  // in which case nothing is held and the job may queue at once).
  std::optional<Time> hold(std::uint64_t job);
  bool holds_jobs() const { return backoff_ > Time(); }
  // At the wake-up: the held jobs in the order they were held when the lender has been
  // quiet for the back-off (none is held afterwards); else nothing, and `wake_again` is
  // the instant of the next wake-up (the lender changed meanwhile).
  struct Release {
    std::vector<std::uint64_t> jobs;
    std::optional<Time> wake_again;
  };
  Release release(Time now);
  std::size_t held_jobs() const { return held_.size(); }

 private:
  Time quiet_at() const { return last_change_ + backoff_; }
  std::vector<GpuLoan>::iterator find(std::uint64_t id);

  Time backoff_;
  std::vector<GpuLoan> loans_;  // in grant order
  std::uint64_t next_id_ = 1;
  int lent_gpus_ = 0;
  std::uint64_t revoked_ = 0;
  Time last_change_;
  std::vector<std::uint64_t> held_;
  bool wake_pending_ = false;
};

}  // namespace cs
