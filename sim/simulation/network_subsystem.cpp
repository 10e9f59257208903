// `topology:` + `collectives:`: the collective jobs on the run's fabric and their listener (the
// link timelines and /collectives). The fabric itself is the run's, built before any subsystem;
// this one reports its topology in /summary.
#include <memory>

#include "sim/metrics/network_metrics.hpp"
#include "sim/network/network_workload.hpp"
#include "sim/simulation/subsystem.hpp"

namespace cs {

namespace {

class NetworkSubsystem final : public Subsystem {
 public:
  explicit NetworkSubsystem(SubsystemContext& ctx) : spec_(*ctx.scenario.network) {
    if (spec_.jobs.empty()) return;
    workload_ = std::make_unique<NetworkWorkload>(*ctx.fabric, spec_);
    metrics_ = std::make_unique<NetworkMetrics>(*workload_, ctx.sampler,
                                                &ctx.out.table("collectives", NetworkMetrics::table_columns()));
    ctx.collectives = workload_.get();
  }
  void start(Time horizon) override {
    if (workload_) workload_->start(horizon);
  }
  void write_summary(RunFile& out, Time) override {
    out.summary("topology", describe(spec_.topology));
    if (metrics_) metrics_->write_summary(out);
  }

 private:
  const NetworkSpec& spec_;
  std::unique_ptr<NetworkWorkload> workload_;  // with collective jobs
  std::unique_ptr<NetworkMetrics> metrics_;
};

}  // namespace

std::unique_ptr<Subsystem> build_network_subsystem(SubsystemContext& ctx) {
  if (!ctx.scenario.network) return nullptr;
  return std::make_unique<NetworkSubsystem>(ctx);
}

}  // namespace cs
