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

TEST_CASE("a 70B fp16 serving replica on one 80 GiB GPU streams the layers that leave no room for one full context") {
  const TransformerSpec& m = model("llama-2-70b");
  const TransformerCost cost(m, precision_for(Dtype::kFp16), ParallelPlan{1, 1, 1, 1});
  const GpuSpec& h100 = gpu("h100-sxm");
  const KvSizing sizing{KvBudget::kTotalFraction, 0.9, 0, 0};
  const StreamingPlan plan = plan_serving_streaming(cost, h100, sizing, 8192, 256, m.max_context);
  REQUIRE(plan.feasible);
  // A layer: q and o 8192^2, k and v 8192 x 1024, gate/up/down 3 x 8192 x 28672, two norms of
  // 8192, at 2 bytes: 1,711,308,800 B. Embedding and LM head: 2 x 32000 x 8192 x 2 B.
  const double layer = 2.0 * (2 * 8192.0 * 8192 + 2 * 8192.0 * 1024 + 3 * 8192.0 * 28672 + 2 * 8192);
  const double embed_head = 2 * 32000.0 * 8192 * 2;
  CHECK(plan.layer_bytes_per_gpu == layer);
  // One 4,096-token sequence's KV: 2 x 8 KV heads x 128 x 2 B x 80 layers per token.
  const double kv_need = 4096 * 2 * 8 * 128 * 2.0 * 80;
  const double activations = activation_peak_bytes(cost, 8192, 256);
  // 0.9 x 80 GiB less the KV need, embedding + head, two prefetch buffers and activations,
  // in whole layers.
  const double room = 0.9 * 80 * double(1ull << 30) - kv_need - embed_head - 2 * layer - activations;
  const int resident = int(room / layer);
  CHECK(resident == 40);  // (77.31 - 1.34 - 1.05 - 3.42 - 1.71 GB) / 1.711 GB
  CHECK(plan.resident_layers == resident);
  CHECK(plan.streamed_layers == 80 - resident);
  CHECK(plan.buffer_bytes == 2 * layer);
  CHECK(plan.memory_per_gpu.weights_bytes == Approx(embed_head + (resident + 2) * layer));
  // The KV cache gets what the budget leaves: at least the full context, less than one layer more.
  CHECK(plan.memory_per_gpu.kv_cache_bytes >= kv_need);
  CHECK(plan.memory_per_gpu.kv_cache_bytes < kv_need + layer);
  CHECK(plan.host_bandwidth_bytes_per_s == Approx(0.8 * 16 * 32e9 * 128 / 130 / 8));
}

TEST_CASE("a serving replica whose budget already holds a full context streams nothing") {
  const TransformerSpec& m = model("llama-2-70b");
  const TransformerCost cost(m, kBf16, ParallelPlan{4, 1, 1, 1});
  const StreamingPlan plan = plan_serving_streaming(cost, gpu("h100-sxm"), KvSizing{}, 8192, 256, m.max_context);
  CHECK(plan.feasible);
  CHECK(plan.streamed_layers == 0);
  CHECK(plan.resident_layers == 80);
}

TEST_CASE("a streamed serving pass is copy-bound: each streamed layer costs its bytes over the host rate") {
  const TransformerSpec& m = model("llama-2-70b");
  const ModelPrecision fp16 = precision_for(Dtype::kFp16);
  const TransformerCost cost(m, fp16, ParallelPlan{1, 1, 1, 1});
  const StreamingPlan plan =
      plan_serving_streaming(cost, gpu("h100-sxm"), KvSizing{KvBudget::kTotalFraction, 0.9, 0, 0}, 8192, 256, 4096);
  REQUIRE(plan.streamed_layers == 40);
  // Two host rates priced through the communication hook, as a placement on a topology does.
  auto at = [&](double rate) {
    CommunicationCost c;
    c.host_copy_s = [rate](double bytes) { return bytes / rate; };
    return IterationModel(m, gpu("h100-sxm"), fp16, ParallelPlan{1, 1, 1, 1}, plan, c).time(decode_shape(8, 1000));
  };
  const PhaseTime full = at(25.2e9), half = at(12.6e9);
  CHECK(full.bound() == Bound::kHostLink);
  // Copy-bound at both rates: the difference is the streamed bytes at the two rates, exactly.
  CHECK(half.seconds() - full.seconds() ==
        Approx(40 * plan.layer_bytes_per_gpu * (1 / 12.6e9 - 1 / 25.2e9)).epsilon(1e-9));
  // And the pass is the copies plus the resident layers' own work, within that work.
  CHECK(full.seconds() >= 40 * plan.layer_bytes_per_gpu / 25.2e9);
  CHECK(full.seconds() < 40 * plan.layer_bytes_per_gpu / 25.2e9 + full.gpu.seconds());
}
