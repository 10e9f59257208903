#include "sim/serving/llm_iteration_cost.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

namespace cs {

LlmIterationCost::LlmIterationCost(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                                   const ParallelPlan& plan, CommunicationCost communication, EngineProfile engine,
                                   std::optional<StreamingPlan> streaming)
    : model_((validate(plan, model), model), gpu, precision, plan, std::move(streaming), std::move(communication),
             std::move(engine)),
      unsharded_(model, precision) {}

namespace {
Time positive_time(double seconds) {
  const Time t = Time::from_seconds_ceil(seconds);
  return t > Time{} ? t : Time::ns(1);
}
}  // namespace

Time LlmIterationCost::iteration_time(const BatchShape& batch) const {
  return positive_time(model_.time(shape_of(batch)).seconds());
}

IterationPrice LlmIterationCost::price(const BatchShape& batch) const {
  const IterationShape shape = shape_of(batch);
  return {positive_time(model_.time(shape).seconds()), unsharded_.forward_flops(shape)};
}

void LlmIterationCost::decode_run_times(std::int64_t sequences, std::int64_t context_tokens,
                                        std::span<Time> out) const {
  if (out.empty()) return;
  const IterationModel::TokenTerms terms = model_.token_terms(shape_of(BatchShape{{}, sequences, context_tokens}));
  for (std::size_t i = 0; i < out.size(); ++i) {
    const BatchShape step{{}, sequences, context_tokens + static_cast<std::int64_t>(i) * sequences};
    out[i] = positive_time(model_.time(terms, shape_of(step)).seconds());
  }
}

IterationShape LlmIterationCost::shape_of(const BatchShape& batch) const {
  // Expert parallelism: the replica's attention runs data-parallel in ep groups of tp GPUs, a
  // sequence in one group, and the iteration waits on the busiest group. Prompt chunks go
  // whole to the least loaded group, largest first; decode sequences are spread evenly, the
  // busiest group taking the rounded-up share (docs/COST_MODEL.md, "Mixture of experts").
  const int groups = model_.cost().plan().ep;
  IterationShape shape;
  if (groups == 1) {
    for (const PrefillChunk& c : batch.prefills)
      shape += prefill_shape(1, static_cast<double>(c.tokens), static_cast<double>(c.cached_tokens));
  } else if (!batch.prefills.empty()) {
    std::vector<std::size_t> order(batch.prefills.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return batch.prefills[a].tokens > batch.prefills[b].tokens;
    });
    std::vector<IterationShape> group(static_cast<std::size_t>(groups));
    for (const std::size_t i : order) {
      const PrefillChunk& c = batch.prefills[i];
      auto least = std::min_element(group.begin(), group.end(), [](const IterationShape& a, const IterationShape& b) {
        return a.new_tokens < b.new_tokens;
      });
      *least += prefill_shape(1, static_cast<double>(c.tokens), static_cast<double>(c.cached_tokens));
    }
    shape = *std::max_element(group.begin(), group.end(), [](const IterationShape& a, const IterationShape& b) {
      return a.new_tokens < b.new_tokens;
    });
  }
  if (batch.decode_sequences > 0) {
    // decode_shape is linear in the context, so the mean context prices the sum exactly.
    const std::int64_t here = (batch.decode_sequences + groups - 1) / groups;
    const double mean_context =
        static_cast<double>(batch.decode_context_tokens) / static_cast<double>(batch.decode_sequences);
    shape += decode_shape(static_cast<double>(here), mean_context);
  }
  return shape;
}

namespace {
// `layers`: one pipeline stage's, over which a host-tier copy is pipelined (kv_host_copy.hpp).
void fill_kv_sizes(ReplicaSpec& spec, const ParallelPlan& plan, int layers, double kv_per_token_per_gpu,
                   double kv_cache_per_gpu) {
  // With expert parallelism the replica is ep attention groups (dp = ep), each keeping its own
  // sequences' KV: a token's KV lies on one group's tp·pp GPUs, the cache on all of them.
  spec.gpus = plan.total_gpus();
  spec.kv_bytes_per_token = kv_per_token_per_gpu * plan.replica_gpus();
  spec.kv_cache_bytes = kv_cache_per_gpu * spec.gpus;
  spec.kv_layers = layers;
}
}  // namespace

void size_replica_kv_cache(ReplicaSpec& spec, const TransformerSpec& model, const GpuSpec& gpu,
                           const ModelPrecision& precision, const ParallelPlan& plan, const KvSizing& sizing) {
  if (sizing.fraction <= 0 || sizing.fraction > 1) throw std::invalid_argument("the memory fraction must be in (0, 1]");
  validate(plan, model);
  const TransformerCost cost(model, precision, plan);
  const KvBudgetPerGpu budget =
      kv_cache_budget_per_gpu(cost, gpu.memory_bytes, sizing, static_cast<double>(spec.max_batched_tokens),
                              static_cast<double>(spec.max_num_seqs));
  const int layers = stage_layout(model, plan.pp).first_stage_layers;
  const double kv_per_token_per_gpu = cost.kv_bytes_per_token_layer_per_gpu() * layers;
  constexpr double kGiB = 1u << 30;
  if (budget.kv_cache_bytes < kv_per_token_per_gpu * static_cast<double>(spec.kv_block_tokens))
    throw std::invalid_argument("model '" + model.name + "' with plan " + plan.describe() + " on '" + gpu.name +
                                "' leaves no memory for the KV cache (weights " +
                                std::to_string(budget.weights_bytes / kGiB) + " GiB + activations " +
                                std::to_string(budget.activation_bytes / kGiB) + " GiB + runtime " +
                                std::to_string(budget.runtime_bytes / kGiB) +
                                " GiB per GPU); replica.weight_streaming: true streams the layers that do not fit "
                                "from host memory");
  fill_kv_sizes(spec, plan, layers, kv_per_token_per_gpu, budget.kv_cache_bytes);
}

StreamingPlan size_streaming_replica_kv_cache(ReplicaSpec& spec, const TransformerSpec& model, const GpuSpec& gpu,
                                              const ModelPrecision& precision, const ParallelPlan& plan,
                                              const KvSizing& sizing) {
  if (sizing.fraction <= 0 || sizing.fraction > 1) throw std::invalid_argument("the memory fraction must be in (0, 1]");
  validate(plan, model);
  const TransformerCost cost(model, precision, plan);
  const StreamingPlan s =
      plan_serving_streaming(cost, gpu, sizing, static_cast<double>(spec.max_batched_tokens),
                             static_cast<double>(spec.max_num_seqs), static_cast<double>(model.max_context));
  constexpr double kGiB = 1u << 30;
  if (!s.feasible)
    throw std::invalid_argument("model '" + model.name + "' with plan " + plan.describe() + " on '" + gpu.name +
                                "' does not fit even with weight streaming: the embedding, LM head, two prefetch "
                                "buffers, activations and runtime (" +
                                std::to_string((s.memory_per_gpu.weights_bytes + s.memory_per_gpu.workspace_bytes) / kGiB) +
                                " GiB per GPU) leave no room for one " + std::to_string(model.max_context) +
                                "-token sequence's KV cache");
  const int layers = stage_layout(model, plan.pp).first_stage_layers;
  fill_kv_sizes(spec, plan, layers, cost.kv_bytes_per_token_layer_per_gpu() * layers, s.memory_per_gpu.kv_cache_bytes);
  return s;
}

}  // namespace cs
