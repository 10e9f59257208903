#pragma once
// The common sample clock of /timeline: every `interval` of simulated time it reads each
// registered series and appends one row. It runs at Priority::kObserve, so a sample taken at
// time t sees every model event of time t. Gauges are read as they are at the instant; rates
// are the increase of a cumulative counter over the last interval divided by its length.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/engine/engine.hpp"
#include "sim/io/columnar_writer.hpp"
#include "sim/io/output_keys.hpp"
#include "sim/io/run_file.hpp"

namespace cs {

class TimelineSampler {
 public:
  TimelineSampler(Engine& engine, Time interval);

  // While the handle lives, series added are named `prefix` + their name ("h100." +
  // "replicas_ready"), so one listener class can register the same series for several pools;
  // the name prefix before it returns when the handle ends.
  class [[nodiscard]] NamePrefix {
   public:
    NamePrefix(TimelineSampler& sampler, std::string prefix)
        : sampler_(sampler), before_(std::exchange(sampler.prefix_, std::move(prefix))) {}
    ~NamePrefix() { sampler_.prefix_ = std::move(before_); }
    NamePrefix(const NamePrefix&) = delete;
    NamePrefix& operator=(const NamePrefix&) = delete;

   private:
    TimelineSampler& sampler_;
    std::string before_;
  };
  NamePrefix name_prefix(std::string prefix) { return NamePrefix(*this, std::move(prefix)); }
  // The series `table` declares may be added from now on, under the current name prefix.
  void declare(const OutputKeyTable& table);
  void add_gauge(ColumnSpec column, std::function<double()> read);
  void add_rate(ColumnSpec column, std::function<double()> read_cumulative);
  // The same for a series whose unit and description are its declaration's, word for word.
  void add_gauge(std::string_view name, std::function<double()> read);
  void add_rate(std::string_view name, std::function<double()> read_cumulative);
  // The series in registration order (time_s is added by the writer).
  std::vector<ColumnSpec> columns() const;

  // Declares every table to `out` and opens its timeline with the series in order: a series
  // no table declares, or in another unit, throws std::logic_error there.
  ColumnarWriter& open_timeline(RunFile& out) const;

  // Samples at now, now + interval, ... up to and including `until`.
  void start(ColumnarWriter& out, Time until);
  Time interval() const { return interval_; }

 private:
  struct Series {
    ColumnSpec column;
    std::function<double()> read;
    bool is_rate;
    double last_cumulative;
  };
  void sample();
  // The column a declared series is written as; throws std::logic_error if none declares it.
  ColumnSpec declared_column(std::string_view name) const;

  Engine& engine_;
  Time interval_;
  Time until_;
  Time last_sample_;
  std::vector<Series> series_;
  std::string prefix_;
  std::vector<std::pair<const OutputKeyTable*, std::string>> declared_;
  ColumnarWriter* out_ = nullptr;
  std::vector<double> row_;
};

}  // namespace cs
