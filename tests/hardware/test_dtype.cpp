#include <catch2/catch.hpp>

#include "sim/hardware/dtype.hpp"

using namespace cs;

TEST_CASE("each format stores its documented number of bytes per element") {
  CHECK(dtype_bytes(Dtype::kFp32) == 4);
  CHECK(dtype_bytes(Dtype::kTf32) == 4);  // a compute mode on fp32 storage
  CHECK(dtype_bytes(Dtype::kBf16) == 2);
  CHECK(dtype_bytes(Dtype::kFp16) == 2);
  CHECK(dtype_bytes(Dtype::kFp8) == 1);
  CHECK(dtype_bytes(Dtype::kInt8) == 1);
  CHECK(dtype_bytes(Dtype::kInt4) == 0.5);
}

TEST_CASE("format names parse back, case-insensitively, with common spellings") {
  for (Dtype d : all_dtypes()) CHECK(parse_dtype(dtype_name(d)) == d);
  CHECK(parse_dtype("BF16") == Dtype::kBf16);
  CHECK(parse_dtype("bfloat16") == Dtype::kBf16);
  CHECK(parse_dtype("half") == Dtype::kFp16);
  CHECK_FALSE(parse_dtype("fp64").has_value());
}

TEST_CASE("narrow formats widen step by step up to fp32") {
  CHECK(wider_dtype(Dtype::kInt4) == Dtype::kInt8);
  CHECK(wider_dtype(Dtype::kFp8) == Dtype::kFp16);
  CHECK(wider_dtype(Dtype::kFp16) == Dtype::kBf16);
  CHECK_FALSE(wider_dtype(Dtype::kFp32).has_value());
}
