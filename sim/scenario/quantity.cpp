#include "sim/scenario/quantity.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace cs {

namespace {

struct Unit {
  std::string name;
  double factor;  // to SI
};
using UnitTable = std::vector<Unit>;

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

// "  12.5e3 GB/s " -> number "12.5e3", unit "GB/s". A leading '$' moves into the unit
// ("$2.21/h" -> unit "$/h") so money reads the same written either way.
struct Split {
  std::string number;
  std::string unit;
};

bool split_number(std::string_view text, Split& out) {
  std::string_view s = trim(text);
  bool dollar = false;
  if (!s.empty() && s.front() == '$') {
    dollar = true;
    s.remove_prefix(1);
  }
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  bool any_digit = false;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, any_digit = true;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i, any_digit = true;
  }
  if (!any_digit) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    const std::size_t exp_digits = j;
    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
    if (j > exp_digits) i = j;  // otherwise the E is a unit prefix ("5 EFLOP")
  }
  out.number = std::string(s.substr(0, i));
  std::string unit(trim(s.substr(i)));
  if (dollar) unit = "$" + unit;
  out.unit = std::move(unit);
  return true;
}

// Adds base+suffix with SI prefixes (k/K, M, G, T, P) and, if asked, binary ones (Ki..Pi).
void add_prefixed(UnitTable& t, const std::string& base, const std::string& suffix, double scale, bool binary) {
  static const std::array<std::pair<const char*, double>, 7> kSi = {
      {{"", 1.0}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"G", 1e9}, {"T", 1e12}, {"P", 1e15}}};
  static const std::array<std::pair<const char*, double>, 5> kBinary = {
      {{"Ki", 0x1p10}, {"Mi", 0x1p20}, {"Gi", 0x1p30}, {"Ti", 0x1p40}, {"Pi", 0x1p50}}};
  for (const auto& [p, f] : kSi) t.push_back({p + base + suffix, f * scale});
  if (binary)
    for (const auto& [p, f] : kBinary) t.push_back({p + base + suffix, f * scale});
}

UnitTable make_table(Dimension d) {
  UnitTable t;
  switch (d) {
    case Dimension::kBytes:
      add_prefixed(t, "B", "", 1, true);
      t.push_back({"bytes", 1});
      break;
    case Dimension::kBandwidth:
      add_prefixed(t, "B", "/s", 1, true);
      add_prefixed(t, "b", "/s", 0.125, false);
      add_prefixed(t, "bps", "", 0.125, false);
      break;
    case Dimension::kDuration:
      t = {{"ns", 1e-9},   {"us", 1e-6},    {"µs", 1e-6},     {"ms", 1e-3},     {"s", 1},        {"sec", 1},
           {"min", 60},    {"h", 3600},     {"hr", 3600},     {"hour", 3600},   {"hours", 3600}, {"d", 86400},
           {"day", 86400}, {"days", 86400}, {"week", 604800}, {"weeks", 604800}};
      break;
    case Dimension::kPower:
      t = {{"mW", 1e-3}, {"W", 1}, {"kW", 1e3}, {"MW", 1e6}};
      break;
    case Dimension::kFlopRate:
      add_prefixed(t, "FLOP", "/s", 1, false);
      add_prefixed(t, "FLOPS", "", 1, false);
      add_prefixed(t, "OP", "/s", 1, false);
      add_prefixed(t, "OPS", "", 1, false);
      t.push_back({"EFLOP/s", 1e18});
      t.push_back({"EFLOPS", 1e18});
      break;
    case Dimension::kFlops:
      add_prefixed(t, "FLOP", "", 1, false);
      t.push_back({"EFLOP", 1e18});
      t.push_back({"", 1});
      break;
    case Dimension::kUsd:
      t = {{"$", 1}, {"USD", 1}};
      break;
    case Dimension::kUsdPerHour:
      for (const char* per : {"/h", "/hr", "/hour"}) {
        t.push_back({std::string("$") + per, 1});
        t.push_back({std::string("USD") + per, 1});
      }
      break;
    case Dimension::kUsdPerKwh:
      t = {{"$/kWh", 1}, {"USD/kWh", 1}, {"$/MWh", 1e-3}};
      break;
    case Dimension::kUsdPerGb:
      t = {{"$/GB", 1}, {"USD/GB", 1}, {"$/TB", 1e-3}, {"$/GiB", 1e9 / 0x1p30}};
      break;
    case Dimension::kRate:
      for (const char* what : {"", "req", "requests", "jobs", "events"}) {
        t.push_back({std::string(what) + "/s", 1});
        t.push_back({std::string(what) + "/min", 1.0 / 60});
        t.push_back({std::string(what) + "/h", 1.0 / 3600});
        t.push_back({std::string(what) + "/day", 1.0 / 86400});
      }
      t.push_back({"Hz", 1});
      break;
    case Dimension::kRatio:
      t = {{"", 1}, {"x", 1}, {"%", 0.01}};
      break;
    case Dimension::kCount:
      t = {{"", 1}, {"k", 1e3}, {"K", 1e3}, {"M", 1e6}, {"B", 1e9}, {"G", 1e9}, {"T", 1e12}};
      break;
  }
  return t;
}

const UnitTable& table(Dimension d) {
  static const std::array<UnitTable, 13> kTables = [] {
    std::array<UnitTable, 13> all;
    for (int i = 0; i < 13; ++i) all[i] = make_table(static_cast<Dimension>(i));
    return all;
  }();
  return kTables[static_cast<int>(d)];
}

[[noreturn]] void fail(std::string_view text, Dimension d, std::string_view why) {
  throw QuantityError("cannot read \"" + std::string(text) + "\" as " + describe(d) + ": " + std::string(why));
}

// The unit, with a space between "$" and the rest tolerated ("$ 2/h" is rare but harmless).
const Unit* find_unit(Dimension d, const std::string& name) {
  for (const Unit& u : table(d))
    if (u.name == name) return &u;
  return nullptr;
}

}  // namespace

std::string describe(Dimension d) {
  switch (d) {
    case Dimension::kBytes:
      return "a size such as 80 GiB or 700 GB";
    case Dimension::kBandwidth:
      return "a bandwidth such as 900 GB/s or 400 Gbps";
    case Dimension::kDuration:
      return "a duration such as 2.5 us, 90 s, 5 min or 1.5 h";
    case Dimension::kPower:
      return "a power such as 700 W or 10.2 kW";
    case Dimension::kFlopRate:
      return "a compute rate such as 312 TFLOP/s or 989 TFLOPS";
    case Dimension::kFlops:
      return "a FLOP count such as 350 TFLOP or 3.14e23";
    case Dimension::kUsd:
      return "an amount of money such as $12.50";
    case Dimension::kUsdPerHour:
      return "an hourly price such as $2.21/h";
    case Dimension::kUsdPerKwh:
      return "an energy price such as $0.10/kWh";
    case Dimension::kUsdPerGb:
      return "a data price such as $0.09/GB";
    case Dimension::kRate:
      return "a rate such as 40/s, 40 req/s or 2400/min";
    case Dimension::kRatio:
      return "a ratio such as 10x, 50% or 0.5";
    case Dimension::kCount:
      return "a count such as 175B, 1.5T, 8k or 4096";
  }
  return "a quantity";
}

double parse_quantity(std::string_view text, Dimension d) {
  Split parts;
  if (!split_number(text, parts)) fail(text, d, "no number found");
  const double value = std::strtod(parts.number.c_str(), nullptr);
  if (!std::isfinite(value)) fail(text, d, "the number is out of range");
  const Unit* unit = find_unit(d, parts.unit);
  if (!unit) {
    if (parts.unit.empty() && value == 0) return 0;
    if (parts.unit.empty()) fail(text, d, "a unit is required");
    fail(text, d, "unknown unit \"" + parts.unit + "\"");
  }
  return value * unit->factor;
}

Time parse_duration(std::string_view text) {
  Split parts;
  if (!split_number(text, parts)) fail(text, Dimension::kDuration, "no number found");
  if (!find_unit(Dimension::kDuration, parts.unit)) {
    if (!(parts.unit.empty() && std::strtod(parts.number.c_str(), nullptr) == 0))
      fail(text, Dimension::kDuration,
           parts.unit.empty() ? "a unit is required" : "unknown unit \"" + parts.unit + "\"");
    return Time{};
  }
  // value = mantissa · 10^exponent exactly, then · unit in ns, all in 128-bit integers.
  __int128 mantissa = 0;
  int exponent = 0;
  bool negative = false, in_fraction = false;
  const std::string& n = parts.number;
  std::size_t i = 0;
  if (n[i] == '+' || n[i] == '-') negative = n[i++] == '-';
  for (; i < n.size() && n[i] != 'e' && n[i] != 'E'; ++i) {
    if (n[i] == '.') {
      in_fraction = true;
      continue;
    }
    if (mantissa > (__int128{1} << 100)) fail(text, Dimension::kDuration, "too many digits");
    mantissa = mantissa * 10 + (n[i] - '0');
    if (in_fraction) --exponent;
  }
  if (i < n.size()) exponent += std::atoi(n.c_str() + i + 1);
  const auto unit_ns = static_cast<__int128>(std::llround(find_unit(Dimension::kDuration, parts.unit)->factor * 1e9));
  __int128 ns = mantissa * unit_ns;
  const __int128 limit = static_cast<__int128>(INT64_MAX);
  for (; exponent > 0; --exponent) {
    ns *= 10;
    if (ns > limit) fail(text, Dimension::kDuration, "longer than the simulator's clock range (292 years)");
  }
  bool remainder = false;
  for (; exponent < 0; ++exponent) {
    remainder = remainder || ns % 10 != 0;
    ns /= 10;
  }
  if (remainder) ++ns;
  if (ns > limit) fail(text, Dimension::kDuration, "longer than the simulator's clock range (292 years)");
  const auto v = static_cast<std::int64_t>(ns);
  return Time::ns(negative ? -v : v);
}

}  // namespace cs
