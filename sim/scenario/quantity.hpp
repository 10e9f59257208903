#pragma once
// Quantities as people write them in scenarios and on the command line: "900 GB/s",
// "400 Gbps", "80 GiB", "2.5 us", "$2.21/h", "10x". Each is parsed into SI base units
// (bytes, bytes/s, s, W, FLOP/s, USD, USD/h, ...). Units are case-sensitive where it matters:
// "Gb" is gigabits, "GB" gigabytes; "GB" is 1e9 bytes, "GiB" 2^30.
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/engine/time.hpp"

namespace cs {

enum class Dimension {
  kBytes,       // B, kB, KB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB
  kBandwidth,   // bytes/s: GB/s, GiB/s, MB/s, ..., and bits: bps, Kbps, Mbps, Gbps, Tbps, Gb/s
  kDuration,    // seconds: ns, us, µs, ms, s, min, h, d, week
  kPower,       // watts: mW, W, kW, MW
  kFlopRate,    // FLOP/s: GFLOP/s, TFLOP/s, PFLOP/s, TFLOPS, TOPS (integer ops)
  kFlops,       // FLOP count: FLOP, TFLOP, PFLOP, EFLOP, or a plain number
  kUsd,         // $12.5, 12.5 USD
  kUsdPerHour,  // $2.21/h, $2.21/hour, 2.21 USD/h
  kUsdPerKwh,   // $0.10/kWh
  kUsdPerGb,    // $0.09/GB (egress)
  kRate,        // events per second: 40/s, 40 req/s, 2400/min, 3/h
  kRatio,       // 10x, 50%, 0.5
  kCount,       // 175B, 300B, 1.5T, 8k, 2M, or a plain number
};

// What a value of this dimension looks like, for error messages ("a size such as 80 GiB").
std::string describe(Dimension d);

class QuantityError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws QuantityError saying what was expected. Zero may be written without a unit.
double parse_quantity(std::string_view text, Dimension d);
// Exact to the nanosecond: the decimal digits are scaled with integer arithmetic, and a
// fraction of a nanosecond rounds up (durations never round down to zero).
Time parse_duration(std::string_view text);

}  // namespace cs
