#pragma once
// "Did you mean ...?" for misspelled keys and catalog names.
#include <string>
#include <string_view>
#include <vector>

namespace cs {

// The candidate closest to `word` by edit distance (case-insensitive), if it is close enough
// to be a plausible typo (at most a third of the word's letters, and at least 2, differ);
// empty otherwise.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);
// "a, b or c" for messages.
std::string join_names(const std::vector<std::string>& names);

}  // namespace cs
