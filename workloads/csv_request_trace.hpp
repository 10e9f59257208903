#pragma once
// Request traces in CSV: any column layout through a mapping, and the Azure LLM inference
// traces (Patel et al., "Splitwise", ISCA 2024) as one such mapping.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/csv_line_split.hpp"
#include "workloads/line_trace_source.hpp"

namespace cs {

enum class TraceTimeUnit {
  kSeconds,
  kMilliseconds,
  kMicroseconds,
  kNanoseconds,
  kWallClock,  // "YYYY-MM-DD HH:MM:SS.fffffff" (see parse_wall_clock_ns)
};

// A column by its header name, or (name empty) by 1-based position as `cut -f` counts.
struct CsvColumn {
  std::string name;
  int position = 0;
};

struct CsvTraceMapping {
  char delimiter = ',';
  bool has_header = true;  // false: every column is given by position
  CsvColumn time;
  TraceTimeUnit time_unit = TraceTimeUnit::kSeconds;
  CsvColumn input_tokens;
  CsvColumn output_tokens;
  std::optional<CsvColumn> model;
};

// TIMESTAMP (wall clock, 7 fractional digits), ContextTokens, GeneratedTokens.
CsvTraceMapping azure_llm_trace_mapping();

class CsvRequestTrace final : public LineTraceSource {
 public:
  // Reads the header at once: TraceError for an unreadable file or a mapped column the
  // header lacks.
  CsvRequestTrace(std::string path, CsvTraceMapping mapping, TraceReadOptions options = {});

 private:
  void parse_row(std::string_view line, InferenceRequest& out, std::int64_t& raw_time_ns) override;
  std::size_t resolve(const CsvColumn& column, std::string_view role) const;

  CsvTraceMapping mapping_;
  CsvLineSplitter splitter_;
  std::vector<std::string> header_;
  std::size_t time_index_ = 0, input_index_ = 0, output_index_ = 0;
  std::optional<std::size_t> model_index_;
  std::size_t needed_fields_ = 0;  // a row must have at least this many (exactly the header's, with one)
};

}  // namespace cs
