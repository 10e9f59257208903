#include "sim/metrics/weight_streaming_metrics.hpp"

#include <limits>

namespace cs {

namespace {
constexpr OutputKey kSummary[] = {
    {"weight_streaming_layers", "1", "replica.weight_streaming: layers a pass copies from host memory (all stages)"},
    {"weight_streaming_host_bytes_per_pass", "bytes", "the bytes those copies move per pass, all the replica's GPUs"},
    {"weight_streaming_host_rate_mean_bytes_per_s", "bytes/s",
     "mean host-link rate per GPU the passes were priced at (NaN: no pass)"},
};
}  // namespace

const OutputKeyTable& weight_streaming_output_keys() {
  static constexpr OutputKeyTable kTable{"weight streaming", kSummary, {}};
  return kTable;
}

void write_weight_streaming_summary(RunFile& out, const std::string& prefix, int layers, double bytes_per_pass,
                                    const StreamingPasses& passes) {
  out.declare_summary(weight_streaming_output_keys(), prefix);
  out.summary(prefix + "weight_streaming_layers", static_cast<std::int64_t>(layers));
  out.summary(prefix + "weight_streaming_host_bytes_per_pass", bytes_per_pass);
  out.summary(prefix + "weight_streaming_host_rate_mean_bytes_per_s",
              passes.passes > 0 ? passes.rate_sum_bytes_per_s / static_cast<double>(passes.passes)
                                : std::numeric_limits<double>::quiet_NaN());
}

}  // namespace cs
