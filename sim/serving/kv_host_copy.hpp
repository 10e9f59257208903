#pragma once
// The time of an iteration that first copies cached prefix KV back from host memory (the
// prefix cache's host tier) over the GPUs' PCIe links. The copy is pipelined layer by layer
// with the forward pass, as LMCache's layer-wise retrieval and vLLM's KV-connector API
// (wait_for_layer_load before each attention layer) do: layer l's KV is copied while layer
// l − 1 computes, and layer l computes once both its copy and layer l − 1 are done.
#include "sim/engine/time.hpp"

namespace cs {

// An iteration of `compute` over `layers` equal layers, whose KV copy takes `copy` in all
// (copy = bytes / (host link rate · GPUs), every GPU copying its own shard over its own
// link): with c = copy / L and t = compute / L the last layer ends at
//   max(compute, copy) + min(compute, copy) / L   (the division rounded up to a nanosecond)
// (copy-bound: the last copy at L·c, then one layer of compute; compute-bound: the first copy
// c, then L layers back to back). Throws std::invalid_argument for fewer than one layer or a
// negative copy.
Time layerwise_host_copy_time(Time compute, Time copy, int layers);

}  // namespace cs
