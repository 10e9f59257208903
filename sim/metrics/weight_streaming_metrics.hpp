#pragma once
// What a serving pool's weight streaming (replica.weight_streaming) did: the layers each pass
// copied from host memory, the bytes that is, and the mean host-link rate its copies got
// (the plan's rate without a topology; what the flow network granted with one). Counted by
// the pool's iteration costs as they price passes; this only writes the /summary keys.
#include <cstdint>
#include <string>

#include "sim/io/output_keys.hpp"
#include "sim/io/run_file.hpp"

namespace cs {

// Passes priced with streamed layers and the sum of the host rates they were priced at.
struct StreamingPasses {
  std::uint64_t passes = 0;
  double rate_sum_bytes_per_s = 0;
  void add(double bytes_per_s) {
    ++passes;
    rate_sum_bytes_per_s += bytes_per_s;
  }
};

const OutputKeyTable& weight_streaming_output_keys();

// `layers`: streamed per pass (all stages); `bytes_per_pass`: all the replica's GPUs together.
void write_weight_streaming_summary(RunFile& out, const std::string& prefix, int layers, double bytes_per_pass,
                                   const StreamingPasses& passes);

}  // namespace cs
