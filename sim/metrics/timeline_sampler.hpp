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
  void add_gauge(ColumnSpec column, std::function<double()> read);
  void add_rate(ColumnSpec column, std::function<double()> read_cumulative);
  // The series in registration order (time_s is added by the writer).
  std::vector<ColumnSpec> columns() const;

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

  Engine& engine_;
  Time interval_;
  Time until_;
  Time last_sample_;
  std::vector<Series> series_;
  std::string prefix_;
  ColumnarWriter* out_ = nullptr;
  std::vector<double> row_;
};

}  // namespace cs
