#pragma once
// One replica serving a batch of identical requests: what `clustersim estimate` reports and
// what a planner compares across GPUs. FLOPs per request, memory per GPU and whether it fits,
// prefill (time to first token of the batch) and per-token decode latency with their bounds,
// and steady-state throughput of the replica.
#include <optional>

#include "sim/llm/iteration_model.hpp"
#include "sim/llm/plan_search.hpp"

namespace cs {

enum class StreamingMode {
  kOff,   // a plan that does not fit is an error
  kAuto,  // stream the layers that do not fit
  kOn,    // stream even if it fits (to see what it would cost)
};

struct InferenceQuery {
  double input_tokens = 1024;
  double output_tokens = 256;
  double batch = 1;  // sequences decoded together (and prompts prefilled together)
  StreamingMode streaming = StreamingMode::kAuto;
  MemoryOptions memory;
  StreamingOptions streaming_options;
  EngineProfile engine;             // default: the bare roofline
  CommunicationCost communication;  // empty: the GPU-link estimate
};

struct InferenceEstimate {
  ParallelPlan plan;
  double flops_per_request = 0;            // prefill + every decode step of one request, whole model
  double weights_bytes = 0;                // whole model
  double kv_bytes_per_token = 0;           // whole model
  FitCheck fit;                            // all weights resident
  std::optional<StreamingPlan> streaming;  // set when layers are streamed
  double memory_per_gpu_bytes = 0;         // what the chosen way of running uses
  PhaseTime prefill;
  PhaseTime decode;  // one step at the request's mean context
  double prefill_s = 0;
  double decode_s_per_token = 0;
  double request_latency_s = 0;    // prefill + (output - 1) decode steps
  double output_tokens_per_s = 0;  // per replica, the batch's output tokens over its latency
  double tokens_per_s = 0;         // per replica, input + output tokens over the same time
};

// Throws std::invalid_argument (with no_fit_message) when the plan does not fit and streaming
// is off, or when even streaming cannot fit the KV cache and buffers.
InferenceEstimate estimate_inference(const TransformerSpec& model, const GpuSpec& gpu, const ModelPrecision& precision,
                                     const ParallelPlan& plan, const InferenceQuery& query);

}  // namespace cs
