#include "sim/training/gpu_ledger.hpp"

#include <stdexcept>
#include <string>

namespace cs {

std::string_view to_string(GpuOwner o) {
  switch (o) {
    case GpuOwner::kFree: return "free";
    case GpuOwner::kTraining: return "training";
    case GpuOwner::kServing: return "serving";
    case GpuOwner::kLoan: return "loan";
    case GpuOwner::kDown: return "down";
    case GpuOwner::kSpare: return "spare";
  }
  return "?";
}

namespace {

bool anonymous(GpuOwner o) { return o == GpuOwner::kFree || o == GpuOwner::kDown || o == GpuOwner::kSpare; }

std::string describe(const GpuHolder& h) {
  std::string s(to_string(h.owner));
  if (!anonymous(h.owner)) s += " " + std::to_string(h.id);
  return s;
}

}  // namespace

GpuLedger::GpuLedger(std::size_t gpus) : holder_(gpus), holders_(gpus, 0) { count_[0] = gpus; }

void GpuLedger::expect(std::size_t gpu, const GpuHolder& h, const char* what) const {
  if (holder_.at(gpu) == h) return;
  throw std::logic_error(std::string("GPU ledger: ") + what + " GPU " + std::to_string(gpu) + " as " + describe(h) +
                         ", but it is " + describe(holder_[gpu]));
}

void GpuLedger::set(std::size_t gpu, GpuHolder to, int holders) {
  if (anonymous(to.owner)) to.id = 0;
  --count_[static_cast<std::size_t>(holder_[gpu].owner)];
  ++count_[static_cast<std::size_t>(to.owner)];
  holder_[gpu] = to;
  holders_[gpu] = anonymous(to.owner) ? 0 : holders;
  checked(gpu);
}

void GpuLedger::acquire(std::size_t gpu, GpuHolder to, bool shared) {
  if (anonymous(to.owner)) throw std::logic_error("GPU ledger: acquire is for jobs, replicas and loans");
  if (shared && holder_.at(gpu) == to && holders_[gpu] > 0) {
    ++holders_[gpu];
    return;
  }
  expect(gpu, GpuHolder{}, "acquiring a free");
  set(gpu, to, 1);
}

void GpuLedger::release(std::size_t gpu, GpuHolder from) {
  expect(gpu, from, "releasing");
  if (--holders_[gpu] > 0) return;
  set(gpu, GpuHolder{}, 0);
}

void GpuLedger::transfer(std::size_t gpu, GpuHolder from, GpuHolder to) {
  expect(gpu, from, "transferring");
  if (holders_[gpu] > 1) throw std::logic_error("GPU ledger: transferring GPU " + std::to_string(gpu) + " held by " +
                                                std::to_string(holders_[gpu]) + " sharing pods");
  set(gpu, to, 1);
}

void GpuLedger::check() const {
  std::array<std::size_t, kGpuOwnerCount> seen{};
  for (std::size_t g = 0; g < holder_.size(); ++g) {
    const GpuHolder& h = holder_[g];
    ++seen[static_cast<std::size_t>(h.owner)];
    if (anonymous(h.owner) ? (h.id != 0 || holders_[g] != 0) : holders_[g] < 1)
      throw std::logic_error("GPU ledger: GPU " + std::to_string(g) + " is " + describe(h) + " with " +
                             std::to_string(holders_[g]) + " holders");
  }
  if (seen != count_) throw std::logic_error("GPU ledger: per-owner counts disagree with the GPUs' records");
}

// Debug builds: the GPU just moved and the counts' total, O(1) per transition (check() is the
// full walk, for tests).
void GpuLedger::checked([[maybe_unused]] std::size_t gpu) const {
#ifndef NDEBUG
  std::size_t total = 0;
  for (const std::size_t c : count_) total += c;
  const GpuHolder& h = holder_[gpu];
  if (total != holder_.size() || (anonymous(h.owner) ? holders_[gpu] != 0 : holders_[gpu] < 1))
    throw std::logic_error("GPU ledger: inconsistent after moving GPU " + std::to_string(gpu));
#endif
}

}  // namespace cs
