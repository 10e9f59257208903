#pragma once
// Numeric formats a GPU computes and stores in. One enum serves weights, activations, the KV
// cache and the tensor-core peak, because quantization changes both the bytes moved and the
// peak used (an fp8 GEMM runs on the fp8 tensor cores and reads half the bytes of bf16).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cs {

enum class Dtype { kFp32, kTf32, kBf16, kFp16, kFp8, kInt8, kInt4 };

// Storage size of one element. tf32 is a compute mode on fp32 storage, so it is 4 bytes.
double dtype_bytes(Dtype d);
std::string_view dtype_name(Dtype d);
std::optional<Dtype> parse_dtype(std::string_view text);  // "bf16", "FP8", "int4", ...
const std::vector<Dtype>& all_dtypes();
// "fp32, tf32, bf16, fp16, fp8, int8, int4", for error messages and --help.
std::string dtype_names_joined();

// The format whose tensor-core peak serves a computation in `d` when the GPU lacks `d`: the
// next wider format (int4 -> int8 -> fp8 -> fp16 -> bf16 -> tf32 -> fp32), since narrow data
// is widened before it is multiplied. nullopt after fp32.
std::optional<Dtype> wider_dtype(Dtype d);

}  // namespace cs
