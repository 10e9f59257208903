// `queueing:`: a generic queue of servers (sim/queueing) and its listener.
#include <memory>

#include "sim/metrics/pool_metrics.hpp"
#include "sim/queueing/server_pool.hpp"
#include "sim/simulation/subsystem.hpp"

namespace cs {

namespace {

class QueueingSubsystem final : public Subsystem {
 public:
  QueueingSubsystem(SubsystemContext& ctx, const ServerPoolSpec& spec) : pool_(ctx.engine, spec) {
    ColumnarWriter* table =
        ctx.scenario.output.requests_table ? &ctx.out.table("requests", PoolMetrics::table_columns()) : nullptr;
    metrics_ = std::make_unique<PoolMetrics>(ctx.engine, pool_, ctx.sampler, table);
  }
  void start(Time horizon) override { pool_.start(horizon); }
  void write_summary(RunFile& out, Time end) override { metrics_->write_summary(out, end); }

 private:
  ServerPool pool_;
  std::unique_ptr<PoolMetrics> metrics_;
};

}  // namespace

std::unique_ptr<Subsystem> build_queueing_subsystem(SubsystemContext& ctx) {
  const ServerPoolSpec* spec = ctx.scenario.section<ServerPoolSpec>("queueing");
  if (!spec) return nullptr;
  return std::make_unique<QueueingSubsystem>(ctx, *spec);
}

}  // namespace cs
