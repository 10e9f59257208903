#include <catch2/catch.hpp>

#include "catalog_fixture.hpp"
#include "sim/llm/iteration_model.hpp"

using namespace cs;
using cs::testing::gpu;
using cs::testing::model;

namespace {
const ModelPrecision kBf16 = precision_for(Dtype::kBf16);
const InferenceLoad kOneChat{1, 1280, 1024};
}  // namespace

TEST_CASE("streaming keeps as many layers resident as fit and streams the rest") {
  const TransformerCost cost(model("llama-3-405b"), kBf16, ParallelPlan{8, 1, 1, 1});
  const StreamingPlan plan = plan_weight_streaming(cost, gpu("h100-sxm"), kOneChat);
  REQUIRE(plan.feasible);
  CHECK(plan.stage_layers == 126);
  CHECK(plan.resident_layers + plan.streamed_layers == 126);
  CHECK(plan.streamed_layers > 0);
  // Per GPU and layer: (2 h q / 8 + 2 h * 128 + 3 h f / 8 + 2 h) * 2 B = 796,983,296 B.
  CHECK(plan.layer_bytes_per_gpu == 796'983'296.0);
  CHECK(plan.buffer_bytes == 2 * plan.layer_bytes_per_gpu);
  // What stays fits, and one more resident layer would not.
  CHECK(plan.memory_per_gpu.total() <= gpu("h100-sxm").memory_bytes);
  CHECK(plan.memory_per_gpu.total() + plan.layer_bytes_per_gpu > gpu("h100-sxm").memory_bytes);
  // Host link: PCIe gen5 x16, 63.0 GB/s at 80%.
  CHECK(plan.host_bandwidth_bytes_per_s == Approx(0.8 * 16 * 32e9 * 128 / 130 / 8));
}

TEST_CASE("a model that fits streams nothing") {
  const TransformerCost cost(model("llama-2-7b"), kBf16);
  const StreamingPlan plan = plan_weight_streaming(cost, gpu("h100-sxm"), kOneChat);
  CHECK(plan.streamed_layers == 0);
  CHECK(plan.buffer_bytes == 0);
}

TEST_CASE("a streamed layer costs max(its compute, its bytes over PCIe)") {
  const GpuSpec& h100 = gpu("h100-sxm");
  const TransformerCost cost(model("llama-3-405b"), kBf16, ParallelPlan{8, 1, 1, 1});
  const StreamingPlan plan = plan_weight_streaming(cost, h100, kOneChat);
  const IterationModel streamed(model("llama-3-405b"), h100, kBf16, ParallelPlan{8, 1, 1, 1}, plan);
  const IterationModel resident(model("llama-3-405b"), h100, kBf16, ParallelPlan{8, 1, 1, 1});
  const IterationShape decode = decode_shape(1, 1152);
  // Decode: a layer's HBM read takes ~0.28 ms, its PCIe copy 797 MB / 50.4 GB/s = 15.8 ms.
  const double copy_s = plan.layer_bytes_per_gpu / plan.host_bandwidth_bytes_per_s;
  KernelTime layer = roofline_time(h100, cost.layer_dense_work(decode));
  layer += roofline_time(h100, cost.layer_attention_work(decode));
  REQUIRE(copy_s > layer.seconds());
  const PhaseTime t = streamed.time(decode);
  CHECK(t.host_stall_s == Approx(plan.streamed_layers * (copy_s - layer.seconds())));
  CHECK(t.seconds() == Approx(resident.time(decode).seconds() + t.host_stall_s));
  CHECK(t.bound() == Bound::kHostLink);
  // A large prefill computes longer than the copy takes: streaming then costs nothing extra.
  const IterationShape prefill = prefill_shape(64, 1024);
  CHECK(streamed.time(prefill).host_stall_s == 0);
  CHECK(streamed.time(prefill).bound() == Bound::kCompute);
}

TEST_CASE("cold start is limited by the storage path or by each GPU's PCIe link") {
  const GpuSpec& h100 = gpu("h100-sxm");
  // 138 GB from a 2 GB/s object store: 69 s; from 100 GB/s local NVMe RAID, 4 GPUs' PCIe links
  // (4 x 50.4 GB/s) limit it to 0.68 s.
  CHECK(cold_start_seconds(138e9, 4, 2e9, h100) == Approx(69));
  CHECK(cold_start_seconds(138e9, 4, 1000e9, h100) == Approx(138e9 / 4 / h100.host_link_bytes_per_s()));
}
