#include "sim/metrics/network_metrics.hpp"

#include <string>

namespace cs {

std::vector<ColumnSpec> NetworkMetrics::table_columns() {
  return {{"id", "1", ColumnType::kInt64, "collective number in start order"},
          {"job", "1", ColumnType::kInt64, "index of its job in the scenario's collectives.jobs"},
          {"job_name", "1", ColumnType::kString, "its job's `name:` in the scenario"},
          {"op", "1", ColumnType::kInt64,
           "0 all_reduce, 1 all_gather, 2 reduce_scatter, 3 all_to_all, 4 broadcast, 5 send_recv", 64,
           {{0, "all_reduce"}, {1, "all_gather"}, {2, "reduce_scatter"}, {3, "all_to_all"}, {4, "broadcast"},
            {5, "send_recv"}}},
          {"algorithm", "1", ColumnType::kInt64,
           "1 ring, 2 tree, 3 hierarchical, 4 nvls, 5 direct, 6 pipeline, 7 collnet, 8 nvls_tree", 64,
           {{1, "ring"}, {2, "tree"}, {3, "hierarchical"}, {4, "nvls"}, {5, "direct"}, {6, "pipeline"}, {7, "collnet"},
            {8, "nvls_tree"}}},
          {"ranks", "1", ColumnType::kInt64, "GPUs in the group"},
          {"bytes", "bytes", ColumnType::kFloat64, "size, nccl-tests convention"},
          {"start_s", "s", ColumnType::kFloat64, "start (launch)"},
          {"end_s", "s", ColumnType::kFloat64, "last rank done"},
          {"time_s", "s", ColumnType::kFloat64, "end - start"},
          {"algbw_bytes_per_s", "bytes/s", ColumnType::kFloat64, "bytes / time"},
          {"busbw_bytes_per_s", "bytes/s", ColumnType::kFloat64, "algbw x the nccl-tests bus factor"}};
}

namespace {
constexpr OutputKey kSummary[] = {
    {"collectives_started", "1", "collectives the jobs started"},
    {"collectives_completed", "1", "collectives finished"},
    {"collective_time_mean_s", "s", "mean collective time"},
    {"collective_time_p99_s", "s", "99th percentile collective time"},
    {"collective_busbw_mean_bytes_per_s", "bytes/s", "mean bus bandwidth (nccl-tests convention)"},
    {"link_bytes_<kind>", "bytes", "bytes carried by all links of the kind (infiniband, nvlink, pcie, ...)"},
    {"network_flows", "1", "flows started on the network"},
};
constexpr OutputKey kSeries[] = {
    {"link_util_<kind>", "1", "bytes carried by all links of the kind over the interval / their achievable capacity"},
    {"link_util_top<i>", "1", "the i-th busiest link's utilization of its achievable capacity (named in its description)"},
    {"collectives_running", "1", "collectives in flight"},
    {"flows_active", "1", "network flows in flight"},
};
}  // namespace

const OutputKeyTable& NetworkMetrics::output_keys() {
  static constexpr OutputKeyTable kTable{"collective jobs", kSummary, kSeries};
  return kTable;
}

NetworkMetrics::NetworkMetrics(NetworkWorkload& workload, TimelineSampler& sampler, ColumnarWriter* table)
    : workload_(workload), table_(table), row_(table_columns().size()) {
  FlowNetwork& net = workload.network();
  sampler.declare(output_keys());
  bool first = true;
  for (const LinkKind kind : workload.link_kinds()) {
    const std::string name(to_string(kind));
    const double capacity = net.kind_capacity(kind);
    // The sampler reads the series of an instant in registration order: the first sums every
    // link once for all kinds.
    sampler.add_rate({"link_util_" + name, "1", ColumnType::kFloat64,
                      "bytes carried by all " + name + " links over the interval / their achievable capacity"},
                     [this, &net, kind, capacity, first] {
                       if (first) kind_bytes_ = net.bytes_by_kind();
                       return kind_bytes_[static_cast<std::size_t>(kind)] / capacity;
                     });
    first = false;
  }
  const auto top = workload.probe_busiest_links(static_cast<std::size_t>(workload.spec().timeline_top_links));
  for (std::size_t i = 0; i < top.size(); ++i) {
    const LinkId l = top[i];
    sampler.add_rate({"link_util_top" + std::to_string(i), "1", ColumnType::kFloat64,
                      workload.topology().link_name(l) + " (" + std::string(to_string(workload.topology().link(l).kind)) +
                          "): utilization of its achievable capacity"},
                     [&net, l] { return net.link_bytes(l) / net.capacity(l); });
  }
  sampler.add_gauge("collectives_running", [&workload] { return static_cast<double>(workload.collectives().running()); });
  sampler.add_gauge("flows_active", [&net] { return static_cast<double>(net.active_flows()); });
  workload.on_collective.connect([this](const CollectiveRecord& r, std::size_t job) {
    time_.add(r.seconds());
    busbw_sum_ += r.busbw_bytes_per_s();
    ++completed_;
    if (!table_) return;
    row_ = {static_cast<double>(r.id),          static_cast<double>(job),
            static_cast<double>(r.op),          static_cast<double>(r.algorithm),
            static_cast<double>(r.ranks),       r.bytes,
            r.start.seconds(),                  r.end.seconds(),
            r.seconds(),                        r.algbw_bytes_per_s(),
            r.busbw_bytes_per_s()};
    table_->append(row_, {workload_.spec().jobs[job].name});
  });
}

void NetworkMetrics::write_summary(RunFile& out) const {
  out.declare_summary(output_keys());
  out.summary("collectives_started", static_cast<std::int64_t>(workload_.started()));
  out.summary("collectives_completed", static_cast<std::int64_t>(completed_));
  out.summary("collective_time_mean_s", time_.mean());
  out.summary("collective_time_p99_s", time_.quantile(0.99));
  out.summary("collective_busbw_mean_bytes_per_s", completed_ ? busbw_sum_ / static_cast<double>(completed_) : 0.0);
  FlowNetwork& net = workload_.network();
  const auto bytes = net.bytes_by_kind();
  for (const LinkKind kind : workload_.link_kinds())
    out.summary("link_bytes_" + std::string(to_string(kind)), bytes[static_cast<std::size_t>(kind)]);
  out.summary("network_flows", static_cast<std::int64_t>(net.stats().flows_started));
}

}  // namespace cs
