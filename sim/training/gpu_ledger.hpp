#pragma once
// Who holds each GPU of a cluster, one owner at a time: free, a training job, a serving
// replica, a loan (lent by the training cluster, not yet handed to a replica), down (its node
// failed) or spare (its node is held in reserve). Every change of owner goes through
// acquire / release / transfer, which refuse a GPU that is not where the caller says it is
// (std::logic_error), so two models can never hold one GPU. check() verifies the counts
// against the per-GPU records (tests call it); debug builds check the moved GPU and the counts'
// total after every transition.
//
// Holders that share a GPU (GPU-sharing pods, ClusterInventory: all as kTraining id 0) acquire
// it `shared`: `holders` counts them, and the GPU is free again when the last one releases it.
#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace cs {

enum class GpuOwner : std::uint8_t { kFree, kTraining, kServing, kLoan, kDown, kSpare };
inline constexpr std::size_t kGpuOwnerCount = 6;
std::string_view to_string(GpuOwner o);

struct GpuHolder {
  GpuOwner owner = GpuOwner::kFree;
  std::uint64_t id = 0;  // the job, replica or loan (0 for free, down, spare)
  friend bool operator==(const GpuHolder&, const GpuHolder&) = default;
};

class GpuLedger {
 public:
  explicit GpuLedger(std::size_t gpus);

  std::size_t size() const { return holder_.size(); }
  const GpuHolder& holder(std::size_t gpu) const { return holder_.at(gpu); }
  // Holders sharing the GPU (0 when free, down or spare).
  int holders(std::size_t gpu) const { return holders_.at(gpu); }
  std::size_t count(GpuOwner o) const { return count_[static_cast<std::size_t>(o)]; }

  // A free GPU to `to`; with `shared`, also one `to` already holds (one more holder).
  void acquire(std::size_t gpu, GpuHolder to, bool shared = false);
  // `from` gives the GPU back: free when its last holder leaves.
  void release(std::size_t gpu, GpuHolder from);
  // From one owner straight to another (a loan handed to a replica, a free GPU's node going
  // down or into reserve, a repaired node's GPUs back to free); `from` must hold it alone.
  void transfer(std::size_t gpu, GpuHolder from, GpuHolder to);

  // Throws std::logic_error when the per-owner counts disagree with the records, or a free,
  // down or spare GPU has holders or an id.
  void check() const;

 private:
  void expect(std::size_t gpu, const GpuHolder& h, const char* what) const;
  void set(std::size_t gpu, GpuHolder to, int holders);
  void checked(std::size_t gpu) const;

  std::vector<GpuHolder> holder_;
  std::vector<int> holders_;
  std::array<std::size_t, kGpuOwnerCount> count_{};
};

}  // namespace cs
