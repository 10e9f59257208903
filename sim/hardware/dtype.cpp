#include "sim/hardware/dtype.hpp"

#include <algorithm>
#include <cctype>
#include <iterator>

namespace cs {

double dtype_bytes(Dtype d) {
  switch (d) {
    case Dtype::kFp32:
    case Dtype::kTf32:
      return 4.0;
    case Dtype::kBf16:
    case Dtype::kFp16:
      return 2.0;
    case Dtype::kFp8:
    case Dtype::kInt8:
      return 1.0;
    case Dtype::kInt4:
      return 0.5;
  }
  return 0.0;
}

std::string_view dtype_name(Dtype d) {
  switch (d) {
    case Dtype::kFp32:
      return "fp32";
    case Dtype::kTf32:
      return "tf32";
    case Dtype::kBf16:
      return "bf16";
    case Dtype::kFp16:
      return "fp16";
    case Dtype::kFp8:
      return "fp8";
    case Dtype::kInt8:
      return "int8";
    case Dtype::kInt4:
      return "int4";
  }
  return "?";
}

const std::vector<Dtype>& all_dtypes() {
  static const std::vector<Dtype> kAll = {Dtype::kFp32, Dtype::kTf32, Dtype::kBf16, Dtype::kFp16,
                                          Dtype::kFp8,  Dtype::kInt8, Dtype::kInt4};
  return kAll;
}

std::optional<Dtype> parse_dtype(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (Dtype d : all_dtypes())
    if (lower == dtype_name(d)) return d;
  if (lower == "bfloat16") return Dtype::kBf16;
  if (lower == "float16" || lower == "half") return Dtype::kFp16;
  if (lower == "float32" || lower == "float") return Dtype::kFp32;
  return std::nullopt;
}

std::string dtype_names_joined() {
  std::string out;
  for (Dtype d : all_dtypes()) {
    if (!out.empty()) out += ", ";
    out += dtype_name(d);
  }
  return out;
}

std::optional<Dtype> wider_dtype(Dtype d) {
  static constexpr Dtype kNarrowToWide[] = {Dtype::kInt4, Dtype::kInt8, Dtype::kFp8, Dtype::kFp16,
                                            Dtype::kBf16, Dtype::kTf32, Dtype::kFp32};
  for (std::size_t i = 0; i + 1 < std::size(kNarrowToWide); ++i)
    if (kNarrowToWide[i] == d) return kNarrowToWide[i + 1];
  return std::nullopt;
}

}  // namespace cs
