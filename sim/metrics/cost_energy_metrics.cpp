#include "sim/metrics/cost_energy_metrics.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace cs {

namespace {

constexpr double kJoulesPerKwh = 3.6e6;

// Time billed for one replica held `held`: at least the minimum, rounded up to the increment.
double billed_seconds(Time held, const BillingSpec& b) {
  held = std::max(held, b.billing_minimum);
  if (b.billing_increment > Time{}) {
    const std::int64_t step = b.billing_increment.count_ns();
    held = Time::ns((held.count_ns() + step - 1) / step * step);
  }
  return held.seconds();
}

}  // namespace

namespace {
// The run's figures under the plain names and, with several pools, each pool's under "<pool>.".
constexpr OutputKey kSummary[] = {
    {"energy_kwh", "kWh", "facility energy (x PUE)"},
    {"energy_usd", "USD", "electricity billed apart (owned hardware; 0 when it is in the rent)"},
    {"avg_power_kw", "kW", "energy / run time"},
    {"peak_power_kw", "kW", "highest power_kw sample"},
    {"compute_usd", "USD", "rent as billed: increments and minimum per replica; committed GPUs for the whole run"},
    {"egress_usd", "USD", "data sent out of the cloud, at its price per byte"},
    {"egress_bytes", "bytes", "bytes of prompts and outputs sent out of the cloud"},
    {"spot_interruptions", "1", "spot replicas the provider reclaimed"},
    {"billing", "text", "how the GPUs are paid: price, aws on_demand, owned dgx-a100, ..."},
};
constexpr OutputKey kSeries[] = {
    {"power_kw", "kW",
     "mean facility power over the last interval: GPUs (idle to TDP by compute utilization), host and network, x PUE"},
    {"energy_kwh", "kWh", "cumulative facility energy"},
    {"cost_usd", "USD", "cumulative cost as billed: compute (rent, reservation or ownership) + electricity billed apart + egress"},
    {"cost_usd_per_h", "USD/h", "cost over the last interval, per hour"},
};
}  // namespace

const OutputKeyTable& CostEnergyMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"serving cost and power", kSummary, kSeries};
  return kTable;
}

CostEnergyMetrics::CostEnergyMetrics(const Engine& engine, std::vector<CostPoolView> pools, TimelineSampler& sampler)
    : engine_(engine), last_sample_(engine.now()) {
  for (auto& view : pools) {
    Pool p;
    p.view = view;
    p.billing = view.spec->billing;
    const GpuSpec& gpu = view.spec->gpu;
    p.static_w_per_gpu = gpu.idle_w + p.billing.host_power_w_per_gpu + p.billing.network_power_w_per_gpu;
    p.dynamic_w = gpu.tdp_w - gpu.idle_w;
    p.peak_flops_per_gpu = gpu.peak_flops(view.spec->precision.compute);
    p.gpus_per_replica = view.spec->replica.gpus;
    p.last_change = engine.now();
    pools_.push_back(std::move(p));
  }
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    Pool* p = &pools_[i];
    p->view.router->on_replica_state.connect([this, p](const Replica& r, ReplicaState) {
      integrate(*p);
      if (r.state() == ReplicaState::kStopped && r.id() < p->stop.size()) p->stop[r.id()] = engine_.now();
    });
  }
  const bool several = pools_.size() > 1;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    Pool* p = &pools_[i];
    const auto prefix = sampler.name_prefix(several ? p->view.name + "." : std::string());
    sampler.declare(output_keys());
    sampler.add_gauge("power_kw", [this, p, first = i == 0] {
      if (first) take_sample();
      return p->power_w / 1000;
    });
    sampler.add_gauge("energy_kwh", [p] { return p->at_sample.energy_j / kJoulesPerKwh; });
    sampler.add_gauge("cost_usd", [p] { return p->at_sample.total_usd(); });
    sampler.add_gauge("cost_usd_per_h", [p] { return p->usd_per_h; });
  }
  if (several) {
    sampler.declare(output_keys());
    sampler.add_gauge({"power_kw", "kW", ColumnType::kFloat64, "mean facility power over the last interval, all pools"},
                      [this] { return total_power_w_ / 1000; });
    sampler.add_gauge({"energy_kwh", "kWh", ColumnType::kFloat64, "cumulative facility energy, all pools"},
                      [this] { return total_at_sample_.energy_j / kJoulesPerKwh; });
    sampler.add_gauge({"cost_usd", "USD", ColumnType::kFloat64, "cumulative cost as billed, all pools"},
                      [this] { return total_at_sample_.total_usd(); });
    sampler.add_gauge({"cost_usd_per_h", "USD/h", ColumnType::kFloat64,
                       "cost over the last interval per hour, all pools"},
                      [this] { return total_usd_per_h_; });
  }
}

void CostEnergyMetrics::replica_provisioned(std::size_t pool) {
  Pool& p = pools_[pool];
  integrate(p);
  p.start.push_back(engine_.now());
  p.stop.emplace_back();
}

void CostEnergyMetrics::integrate(Pool& p) {
  const Time now = engine_.now();
  const std::int64_t over = std::max<std::int64_t>(0, p.held - p.billing.committed_gpus);
  const std::int64_t unused = std::max<std::int64_t>(0, p.billing.committed_gpus - p.held);
  const double span = (now - p.last_change).seconds();
  p.overage_gpu_s += static_cast<double>(over) * span;
  p.unused_gpu_s += static_cast<double>(unused) * span;
  p.last_change = now;
  p.held = p.view.serving->gpus_held();
}

double CostEnergyMetrics::billed_gpu_seconds(Pool& p) {
  // Committed capacity: what is held beyond it, by the second.
  if (p.billing.committed_gpus > 0) {
    integrate(p);
    return p.overage_gpu_s;
  }
  // Exact billing: the GPU-seconds held, as the serving listener integrates them.
  if (p.billing.billing_increment <= Time{} && p.billing.billing_minimum <= Time{})
    return p.view.serving->gpu_hours() * 3600;
  const Time now = engine_.now();
  double s = 0;
  for (std::size_t i = 0; i < p.start.size(); ++i)
    s += billed_seconds(p.stop[i].value_or(now) - p.start[i], p.billing);
  return s * p.gpus_per_replica;
}

CostFigures CostEnergyMetrics::figures(std::size_t pool) {
  Pool& p = pools_[pool];
  const BillingSpec& b = p.billing;
  CostFigures f;
  const double committed_h = static_cast<double>(b.committed_gpus) * engine_.now().seconds() / 3600;
  f.compute_usd = committed_h * b.committed_usd_per_gpu_hour + billed_gpu_seconds(p) / 3600 * b.usd_per_gpu_hour;
  const double gpu_s = p.view.serving->gpu_hours() * 3600;
  const double busy_gpu_s = p.peak_flops_per_gpu > 0 ? p.view.serving->flops_executed() / p.peak_flops_per_gpu : 0;
  double powered_gpu_s = gpu_s;
  if (b.unused_capacity_draws_power) {
    integrate(p);
    powered_gpu_s += p.unused_gpu_s;
  }
  f.energy_j = b.pue * (p.static_w_per_gpu * powered_gpu_s + p.dynamic_w * std::min(busy_gpu_s, gpu_s));
  f.energy_usd = f.energy_j / kJoulesPerKwh * b.usd_per_kwh;
  double tokens = 0;
  for (const auto& r : p.view.router->replicas()) tokens += static_cast<double>(r->tokens_generated());
  const std::uint64_t answered = p.view.router->count_of(RequestStatus::kCompleted);
  f.egress_bytes = tokens * b.egress_bytes_per_output_token + static_cast<double>(answered) * b.egress_bytes_per_request;
  f.egress_usd = f.egress_bytes * b.egress_usd_per_byte;
  return f;
}

CostFigures CostEnergyMetrics::total() {
  CostFigures t;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    const CostFigures f = figures(i);
    t.compute_usd += f.compute_usd;
    t.energy_usd += f.energy_usd;
    t.egress_usd += f.egress_usd;
    t.energy_j += f.energy_j;
    t.egress_bytes += f.egress_bytes;
  }
  return t;
}

void CostEnergyMetrics::take_sample() {
  const Time now = engine_.now();
  const double span = (now - last_sample_).seconds();
  CostFigures all;
  double all_power = 0;
  for (std::size_t i = 0; i < pools_.size(); ++i) {
    Pool& p = pools_[i];
    const CostFigures f = figures(i);
    if (span > 0) {
      p.power_w = (f.energy_j - p.at_sample.energy_j) / span;
      p.usd_per_h = (f.total_usd() - p.at_sample.total_usd()) / span * 3600;
    } else {
      // The first sample: the draw of the GPUs held, idle.
      p.power_w = p.billing.pue * p.static_w_per_gpu * static_cast<double>(p.view.serving->gpus_held());
      p.usd_per_h = 0;
    }
    p.peak_power_w = std::max(p.peak_power_w, p.power_w);
    p.at_sample = f;
    all_power += p.power_w;
    all.compute_usd += f.compute_usd;
    all.energy_usd += f.energy_usd;
    all.egress_usd += f.egress_usd;
    all.energy_j += f.energy_j;
  }
  total_usd_per_h_ = span > 0 ? (all.total_usd() - total_at_sample_.total_usd()) / span * 3600 : 0;
  total_power_w_ = all_power;
  total_peak_power_w_ = std::max(total_peak_power_w_, all_power);
  total_at_sample_ = all;
  last_sample_ = now;
}

void CostEnergyMetrics::write_summary(RunFile& out, Time end) {
  const double span = end.seconds();
  const auto put = [&](const std::string& prefix, const CostFigures& f, double peak_w, std::uint64_t spot) {
    out.declare_summary(output_keys(), prefix);
    out.summary(prefix + "energy_kwh", f.energy_j / kJoulesPerKwh);
    out.summary(prefix + "energy_usd", f.energy_usd);
    out.summary(prefix + "avg_power_kw", span > 0 ? f.energy_j / span / 1000 : 0.0);
    out.summary(prefix + "peak_power_kw", peak_w / 1000);
    out.summary(prefix + "compute_usd", f.compute_usd);
    out.summary(prefix + "egress_usd", f.egress_usd);
    out.summary(prefix + "egress_bytes", f.egress_bytes);
    out.summary(prefix + "spot_interruptions", static_cast<std::int64_t>(spot));
  };
  std::uint64_t spot = 0;
  for (const auto& p : pools_) spot += p.spot_interruptions;
  put("", total(), total_peak_power_w_, spot);
  if (pools_.size() > 1)
    for (std::size_t i = 0; i < pools_.size(); ++i) {
      Pool& p = pools_[i];
      put(p.view.name + ".", figures(i), p.peak_power_w, p.spot_interruptions);
      out.summary(p.view.name + ".billing", p.billing.label);
    }
  else
    out.summary("billing", pools_.front().billing.label);
}

}  // namespace cs
