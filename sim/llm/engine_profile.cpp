#include "sim/llm/engine_profile.hpp"

#include <stdexcept>

namespace cs {

namespace {
void require(bool ok, const EngineProfile& e, const std::string& what) {
  if (!ok) throw std::invalid_argument("engine '" + e.name + "': " + what);
}
}  // namespace

void validate(const EngineProfile& e) {
  require(e.host_iteration_s >= 0 && e.host_prefill_s >= 0 && e.host_sequence_s >= 0, e,
          "host costs must not be negative");
  require(e.kernels_per_layer >= 0 && e.kernels_per_iteration >= 0, e, "kernel counts must not be negative");
  require(e.kernel_gap_s >= 0 && e.kernel_dispatch_s >= 0, e, "kernel gap and dispatch time must not be negative");
  require(e.cuda_graph_max_sequences >= 0, e, "cuda_graph_max_sequences must not be negative");
  require(e.gemm_half_tokens >= 0 && e.attention_half_context >= 0, e, "half-efficiency sizes must not be negative");
  require(e.fp8_efficiency > 0 && e.fp8_efficiency <= 1, e, "fp8 efficiency must lie in (0, 1]");
  require(e.attention_efficiency >= 0 && e.attention_efficiency <= 1, e, "attention efficiency must lie in [0, 1]");
  require(e.attention_stream_bytes_per_s >= 0, e, "attention stream bandwidth must not be negative");
  // Without kernels the profile is the bare roofline, which would ignore every other term.
  const EngineProfile bare;
  require(
      !e.bare() || (e.host_iteration_s == 0 && e.host_prefill_s == 0 && e.host_sequence_s == 0 &&
                    e.kernels_per_iteration == 0 && e.kernel_gap_s == 0 && e.kernel_dispatch_s == 0 &&
                    e.gemm_half_tokens == 0 && e.fp8_efficiency == bare.fp8_efficiency && e.attention_efficiency == 0 &&
                    e.attention_half_context == 0 && e.attention_stream_bytes_per_s == 0),
      e, "an engine with costs needs kernels_per_layer of at least 1");
}

}  // namespace cs
