#include "sim/llm/inference_estimate.hpp"

#include <stdexcept>

namespace cs {

InferenceEstimate estimate_inference(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                                     const ParallelPlan& plan, const InferenceQuery& q) {
  if (q.input_tokens < 1 || q.output_tokens < 1 || q.batch < 1)
    throw std::invalid_argument("input tokens, output tokens and batch must be at least 1");
  InferenceEstimate e;
  e.plan = plan;
  const TransformerCost cost(model, precision, plan);
  e.weights_bytes = cost.weights_bytes_total();
  e.kv_bytes_per_token = kv_cache_bytes_per_token(model, precision.kv_cache);

  const double context = q.input_tokens + q.output_tokens;
  const InferenceLoad load{q.batch, context, q.batch * q.input_tokens};
  e.fit = check_inference_fit(model, gpu, precision, plan, load, q.memory);
  e.memory_per_gpu_bytes = e.fit.needed_per_gpu.total();

  const bool stream = q.streaming == StreamingMode::kOn || (!e.fit.fits && q.streaming == StreamingMode::kAuto);
  if (!e.fit.fits && !stream)
    throw std::invalid_argument(
        no_fit_message(e.fit, model, gpu, smallest_inference_plan(model, gpu, precision, load, q.memory)));
  if (stream) {
    StreamingPlan sp = plan_weight_streaming(cost, gpu, load, q.memory, q.streaming_options);
    if (!sp.feasible)
      throw std::invalid_argument("model '" + model.name + "' with plan " + plan.describe() +
                                  " does not fit even with weight streaming: the KV cache, workspace and prefetch "
                                  "buffers alone need " +
                                  format_gib(sp.memory_per_gpu.total()) + " of " + format_gib(gpu.memory_bytes) +
                                  " per GPU; use more GPUs or a smaller batch");
    e.memory_per_gpu_bytes = sp.memory_per_gpu.total();
    e.streaming = sp;
  }

  const IterationModel iteration(model, gpu, precision, plan, e.streaming, q.communication, q.engine);
  const IterationShape one_prefill = prefill_shape(1, q.input_tokens);
  // The first output token comes out of the prefill; the other output - 1 come from decode
  // steps at contexts input .. input + output - 2.
  const double steps = q.output_tokens - 1;
  e.flops_per_request = cost.forward_flops(one_prefill + decode_run_shape(1, q.input_tokens, steps));

  e.prefill = iteration.time(prefill_shape(q.batch, q.input_tokens));
  // Decode time is linear in context, so the step at the mean context is the mean step.
  e.decode = iteration.time(decode_shape(q.batch, q.input_tokens + steps / 2));
  e.prefill_s = e.prefill.seconds();
  e.decode_s_per_token = e.decode.seconds();
  e.request_latency_s = e.prefill_s + steps * e.decode_s_per_token;
  e.output_tokens_per_s = q.batch * q.output_tokens / e.request_latency_s;
  e.tokens_per_s = q.batch * context / e.request_latency_s;
  return e;
}

}  // namespace cs
