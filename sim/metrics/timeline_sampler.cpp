#include "sim/metrics/timeline_sampler.hpp"

#include <stdexcept>

namespace cs {

TimelineSampler::TimelineSampler(Engine& engine, Time interval) : engine_(engine), interval_(interval) {
  if (interval <= Time{}) throw std::invalid_argument("the sample interval must be positive");
}

void TimelineSampler::declare(const OutputKeyTable& table) {
  declared_.emplace_back(&table, prefix_);
}

ColumnarWriter& TimelineSampler::open_timeline(RunFile& out) const {
  for (const auto& [table, prefix] : declared_) out.declare_series(*table, prefix);
  return out.timeline(columns());
}

void TimelineSampler::add_gauge(ColumnSpec column, std::function<double()> read) {
  column.name = prefix_ + column.name;
  series_.push_back({std::move(column), std::move(read), false, 0});
}

void TimelineSampler::add_rate(ColumnSpec column, std::function<double()> read_cumulative) {
  column.name = prefix_ + column.name;
  series_.push_back({std::move(column), std::move(read_cumulative), true, 0});
}

ColumnSpec TimelineSampler::declared_column(std::string_view name) const {
  // The latest declaration first: the listener adding the series has just declared it.
  for (auto d = declared_.rbegin(); d != declared_.rend(); ++d)
    if (const OutputKey* key = find_key(d->first->series, "", name))
      return {std::string(name), std::string(key->unit), ColumnType::kFloat64, std::string(key->description)};
  throw std::logic_error("timeline series '" + std::string(name) + "' is declared by no listener's key table");
}

void TimelineSampler::add_gauge(std::string_view name, std::function<double()> read) {
  add_gauge(declared_column(name), std::move(read));
}

void TimelineSampler::add_rate(std::string_view name, std::function<double()> read_cumulative) {
  add_rate(declared_column(name), std::move(read_cumulative));
}

std::vector<ColumnSpec> TimelineSampler::columns() const {
  std::vector<ColumnSpec> out;
  for (const auto& s : series_) out.push_back(s.column);
  return out;
}

void TimelineSampler::start(ColumnarWriter& out, Time until) {
  out_ = &out;
  until_ = until;
  last_sample_ = engine_.now();
  for (auto& s : series_)
    if (s.is_rate) s.last_cumulative = s.read();
  row_.resize(series_.size() + 1);
  engine_.schedule_at(
      engine_.now(), [this] { sample(); }, Priority::kObserve);
}

void TimelineSampler::sample() {
  const Time now = engine_.now();
  const double span_s = (now - last_sample_).seconds();
  row_[0] = now.seconds();
  for (std::size_t i = 0; i < series_.size(); ++i) {
    Series& s = series_[i];
    const double v = s.read();
    if (s.is_rate) {
      row_[i + 1] = span_s > 0 ? (v - s.last_cumulative) / span_s : 0.0;
      s.last_cumulative = v;
    } else {
      row_[i + 1] = v;
    }
  }
  out_->append(row_);
  last_sample_ = now;
  if (now + interval_ <= until_)
    engine_.schedule_at(
        now + interval_, [this] { sample(); }, Priority::kObserve);
}

}  // namespace cs
