#pragma once
// A strict parser for the one JSON shape request traces use: a single flat object per line
// whose values are numbers, strings, true/false/null, or arrays of numbers. Anything else
// (nested objects, arrays of arrays, trailing text, duplicate keys, bad escapes) is rejected
// with a reason and the byte column, because a half-understood row is worse than none.
#include <string>
#include <string_view>
#include <vector>

namespace cs {

enum class FlatJsonKind { kNumber, kString, kBool, kNull, kNumberArray };

struct FlatJsonValue {
  FlatJsonKind kind = FlatJsonKind::kNull;
  std::string_view number;             // kNumber: the number's text, JSON grammar checked
  std::string text;                    // kString: unescaped (UTF-8)
  bool boolean = false;                // kBool
  std::vector<std::string_view> numbers;  // kNumberArray: each element's text
};

struct FlatJsonMember {
  std::string key;
  FlatJsonValue value;
};

// Parses `line` into `members` (cleared first; views point into `line`). Throws
// std::invalid_argument("... at column N") when the line is not such an object.
void parse_flat_json_object(std::string_view line, std::vector<FlatJsonMember>& members);

}  // namespace cs
