#include "sim/training/loan_book.hpp"

#include <algorithm>
#include <stdexcept>

namespace cs {

GpuLoan LoanBook::grant(std::vector<GpuIndex> gpus) {
  if (gpus.empty()) throw std::invalid_argument("loan book: a loan of no GPU");
  const std::uint64_t id = next_id_++;
  lent_gpus_ += static_cast<int>(gpus.size());
  loans_.push_back(GpuLoan{id, std::move(gpus), GpuHolder{GpuOwner::kLoan, id}});
  return loans_.back();
}

std::vector<GpuLoan>::iterator LoanBook::find(std::uint64_t id) {
  const auto it = std::find_if(loans_.begin(), loans_.end(), [&](const GpuLoan& l) { return l.id == id; });
  if (it == loans_.end()) throw std::invalid_argument("cluster scheduler: no such GPU loan");
  return it;
}

GpuLoan LoanBook::hand_over(std::uint64_t id, GpuHolder to) {
  const auto it = find(id);
  GpuLoan before = *it;
  it->holder = to;
  return before;
}

GpuLoan LoanBook::give_back(std::uint64_t id) {
  const auto it = find(id);
  GpuLoan loan = std::move(*it);
  lent_gpus_ -= static_cast<int>(loan.gpus.size());
  loans_.erase(it);
  return loan;
}

std::optional<GpuLoan> LoanBook::revoke_first(const std::function<bool(GpuIndex)>& lost) {
  const auto it = std::find_if(loans_.begin(), loans_.end(),
                               [&](const GpuLoan& l) { return std::any_of(l.gpus.begin(), l.gpus.end(), lost); });
  if (it == loans_.end()) return std::nullopt;
  GpuLoan loan = std::move(*it);
  lent_gpus_ -= static_cast<int>(loan.gpus.size());
  loans_.erase(it);
  ++revoked_;
  return loan;
}

std::optional<Time> LoanBook::hold(std::uint64_t job) {
  if (!holds_jobs()) return std::nullopt;
  held_.push_back(job);
  if (wake_pending_) return std::nullopt;
  wake_pending_ = true;
  return quiet_at();
}

LoanBook::Release LoanBook::release(Time now) {
  wake_pending_ = false;
  Release r;
  if (held_.empty()) return r;
  if (now < quiet_at()) {
    wake_pending_ = true;
    r.wake_again = quiet_at();
    return r;
  }
  r.jobs = std::move(held_);
  held_.clear();
  return r;
}

}  // namespace cs
