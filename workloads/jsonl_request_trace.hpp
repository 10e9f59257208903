#pragma once
// Request traces in JSON Lines, one object per line, as the Mooncake traces publish them:
//   {"timestamp": 27482, "input_length": 6955, "output_length": 52, "hash_ids": [46, 47, 48]}
// timestamp in milliseconds (fractions allowed), lengths in tokens, hash_ids optional (the
// prompt's KV-cache block ids, each covering TraceReadOptions::prefix_block_tokens tokens),
// "model" optional (a string). Other keys are ignored, so
// traces with extra columns still load; their values must still be flat JSON.
#include <string>
#include <string_view>
#include <vector>

#include "workloads/flat_json.hpp"
#include "workloads/line_trace_source.hpp"

namespace cs {

class JsonlRequestTrace final : public LineTraceSource {
 public:
  explicit JsonlRequestTrace(std::string path, TraceReadOptions options = {});

 private:
  void parse_row(std::string_view line, InferenceRequest& out, std::int64_t& raw_time_ns) override;
  std::vector<FlatJsonMember> members_;
  std::int64_t prefix_block_tokens_;
};

}  // namespace cs
