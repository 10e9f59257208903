#include "workloads/jsonl_request_trace.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_field_parse.hpp"

namespace cs {

JsonlRequestTrace::JsonlRequestTrace(std::string path, TraceReadOptions options)
    : LineTraceSource(std::move(path), options), prefix_block_tokens_(options.prefix_block_tokens) {
  if (prefix_block_tokens_ < 1) throw std::invalid_argument("a prefix block must hold at least one token");
}

void JsonlRequestTrace::parse_row(std::string_view line, InferenceRequest& out, std::int64_t& raw_time_ns) {
  parse_flat_json_object(line, members_);
  bool has_time = false, has_input = false, has_output = false;
  auto number_of = [](const FlatJsonMember& m) {
    if (m.value.kind != FlatJsonKind::kNumber) throw std::invalid_argument("\"" + m.key + "\" must be a number");
    return m.value.number;
  };
  auto with_key = [](const FlatJsonMember& m, auto&& parse) {
    try {
      return parse();
    } catch (const std::invalid_argument& e) {
      throw std::invalid_argument(std::string(e.what()) + " in \"" + m.key + "\"");
    }
  };
  for (const auto& m : members_) {
    if (m.key == "timestamp") {
      raw_time_ns = with_key(m, [&] { return parse_decimal_scaled(number_of(m), 6); });
      has_time = true;
    } else if (m.key == "input_length") {
      out.input_tokens = with_key(m, [&] { return parse_count(number_of(m)); });
      has_input = true;
    } else if (m.key == "output_length") {
      out.output_tokens = with_key(m, [&] { return parse_count(number_of(m)); });
      has_output = true;
    } else if (m.key == "hash_ids") {
      if (m.value.kind != FlatJsonKind::kNumberArray) throw std::invalid_argument("\"hash_ids\" must be a list of integers");
      out.prefix_hash_ids.reserve(m.value.numbers.size());
      for (std::string_view n : m.value.numbers) {
        out.prefix_hash_ids.push_back(with_key(m, [&] {
          bool exact = true;
          const std::int64_t id = parse_decimal_scaled(n, 0, &exact);
          if (!exact) throw std::invalid_argument("not an integer: '" + std::string(n) + "'");
          return id;
        }));
      }
      if (!out.prefix_hash_ids.empty()) out.prefix_block_tokens = prefix_block_tokens_;
    } else if (m.key == "model") {
      if (m.value.kind != FlatJsonKind::kString) throw std::invalid_argument("\"model\" must be a string");
      out.model = m.value.text;
    }
  }
  if (!has_time) throw std::invalid_argument("missing key \"timestamp\"");
  if (!has_input) throw std::invalid_argument("missing key \"input_length\"");
  if (!has_output) throw std::invalid_argument("missing key \"output_length\"");
}

}  // namespace cs
