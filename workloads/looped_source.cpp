#include "workloads/looped_source.hpp"

#include <stdexcept>
#include <utility>

namespace cs {

LoopedSource::LoopedSource(Opener open, std::uint64_t passes, Time period)
    : open_(std::move(open)), passes_(passes), period_(period) {
  if (period_ < Time()) throw std::invalid_argument("loop period must be >= 0");
  current_ = open_();
  if (!current_) throw std::invalid_argument("the looped source opened nothing");
}

std::uint64_t LoopedSource::skipped_rows() const { return skipped_before_ + (current_ ? current_->skipped_rows() : 0); }

std::optional<InferenceRequest> LoopedSource::next() {
  while (current_) {
    if (auto r = current_->next()) {
      if (pass_ == 0) {
        if (first_pass_rows_++ == 0) first_ = r->arrival;
        last_ = r->arrival;
      }
      r->arrival += period_ * static_cast<std::int64_t>(pass_);
      return r;
    }
    if (first_skipped_.empty()) first_skipped_ = current_->first_skipped_reason();
    skipped_before_ += current_->skipped_rows();
    current_.reset();
    if (pass_ == 0) {
      if (first_pass_rows_ == 0) return std::nullopt;  // an empty trace loops to nothing
      if (period_ == Time()) {
        const Time span = last_ - first_;
        const Time mean_gap = first_pass_rows_ > 1 ? Time::ns(span.count_ns() / static_cast<std::int64_t>(first_pass_rows_ - 1))
                                                   : Time::ns(1);
        period_ = span + mean_gap;
        if (period_ <= Time()) period_ = Time::ns(1);
      }
    }
    if (passes_ != 0 && pass_ + 1 >= passes_) return std::nullopt;
    ++pass_;
    current_ = open_();
  }
  return std::nullopt;
}

}  // namespace cs
