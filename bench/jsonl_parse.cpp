// The JSONL request-trace path: the project's strict flat-object parser (workloads/flat_json)
// against nlohmann-json's DOM parser, on Mooncake-style rows built from the Azure conversation
// trace (19,366 rows; timestamp, input/output lengths, one prefix hash id per 512 prompt
// tokens), each parser reading every field. Prints rows per second for both; issue 15 keeps
// the hand-written reader only if nlohmann is slower here.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "workloads/flat_json.hpp"

int main() try {
  std::ifstream in(std::string(CLUSTERSIM_TRACE_DIR) + "/AzureLLMInferenceTrace_conv.csv");
  std::string line;
  std::getline(in, line);  // header
  std::vector<std::string> rows;
  long long t = 0;
  while (std::getline(in, line)) {
    const auto a = line.find(','), b = line.find(',', a + 1);
    const long long input = std::stoll(line.substr(a + 1, b - a - 1)), output = std::stoll(line.substr(b + 1));
    std::string row = "{\"timestamp\": " + std::to_string(t += 180) + ", \"input_length\": " + std::to_string(input) +
                      ", \"output_length\": " + std::to_string(output) + ", \"hash_ids\": [";
    for (long long k = 0; k < (input + 511) / 512; ++k) row += (k ? ", " : "") + std::to_string(t + k);
    rows.push_back(row + "]}");
  }
  constexpr int kPasses = 20;
  auto time = [&](auto&& parse) {
    double checksum = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int p = 0; p < kPasses; ++p)
      for (const auto& r : rows) checksum += parse(r);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return std::pair{rows.size() * kPasses / s, checksum};
  };
  std::vector<cs::FlatJsonMember> members;
  const auto [flat_rate, flat_sum] = time([&](const std::string& r) {
    cs::parse_flat_json_object(r, members);
    double sum = 0;
    for (const auto& m : members) {
      if (m.value.kind == cs::FlatJsonKind::kNumber) sum += std::stod(std::string(m.value.number));
      if (m.value.kind == cs::FlatJsonKind::kNumberArray) sum += static_cast<double>(m.value.numbers.size());
    }
    return sum;
  });
  const auto [lib_rate, lib_sum] = time([](const std::string& r) {
    const nlohmann::json j = nlohmann::json::parse(r);
    return j["timestamp"].get<double>() + j["input_length"].get<double>() + j["output_length"].get<double>() +
           static_cast<double>(j["hash_ids"].size());
  });
  std::printf("JSONL rows (%zu x %d passes): flat_json %.3g rows/s, nlohmann-json %.3g rows/s (%.2fx); checksums %s\n",
              rows.size(), kPasses, flat_rate, lib_rate, flat_rate / lib_rate, flat_sum == lib_sum ? "agree" : "DIFFER");
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "bench_jsonl: %s\n", e.what());
  return 1;
}
