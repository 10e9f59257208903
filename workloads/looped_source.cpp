#include "workloads/looped_source.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_error.hpp"

namespace cs {

LoopedSource::LoopedSource(Opener open, std::uint64_t passes, Time period, std::string name)
    : open_(std::move(open)), passes_(passes), period_(period), name_(std::move(name)) {
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
      const Time span = last_ - first_;
      // A pass must not start before the previous one ends (arrivals stay in order), and a
      // zero period would replay the trace for ever within one instant.
      if (period_ == Time()) {
        if (span == Time())
          throw TraceError(name_, 0,
                           "every row has the same arrival time, so looping it has no period; set `loop_period`");
        period_ = span + Time::ns(span.count_ns() / static_cast<std::int64_t>(first_pass_rows_ - 1));
      } else if (period_ < span || period_ == Time()) {
        throw TraceError(name_, 0,
                         "the loop period " + format_duration(period_) + " is shorter than the trace's span " +
                             format_duration(span) + ": passes would overlap");
      }
    }
    if (passes_ != 0 && pass_ + 1 >= passes_) return std::nullopt;
    ++pass_;
    current_ = open_();
  }
  return std::nullopt;
}

}  // namespace cs
