#pragma once
// The output contract of a listener: the /summary keys and /timeline series it may write, each
// with its unit and meaning. A name may hold placeholders in angle brackets for the parts a
// scenario chooses ("<pool>.ttft_p99_s", "link_util_<kind>", "training<i>_job"); a placeholder
// stands for any run of characters, none included (the single training job writes
// "training_job"). RunFile refuses a key no declared table names (docs/OUTPUT.md lists every
// table; tests/metrics checks the two agree).
#include <span>
#include <string>
#include <string_view>

namespace cs {

struct OutputKey {
  std::string_view name;         // a key, or a pattern with <placeholders>
  std::string_view unit;         // "s", "1/s", "USD", "1" (a count or ratio), "text"
  std::string_view description;  // what the figure is, in a phrase
};

struct OutputKeyTable {
  std::string_view listener;  // who writes the keys ("serving pool", "training cluster")
  std::span<const OutputKey> summary;
  std::span<const OutputKey> series;
};

// Whether `name` is an instance of `pattern`.
bool key_matches(std::string_view pattern, std::string_view name);

// The declaration of `name` among `keys` (each name read as `prefix` + its name); null if none.
const OutputKey* find_key(std::span<const OutputKey> keys, std::string_view prefix, std::string_view name);

}  // namespace cs
