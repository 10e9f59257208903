#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "sim/metrics/output_tables.hpp"

using namespace cs;

namespace {

// A table row as docs/OUTPUT.md writes it: | summary or series | `name` | unit | description |
std::string doc_row(std::string_view kind, const OutputKey& k) {
  return "| " + std::string(kind) + " | `" + std::string(k.name) + "` | " + std::string(k.unit) + " | " +
         std::string(k.description) + " |";
}

// The "Key tables" section docs/OUTPUT.md must hold, rendered from the declarations.
std::vector<std::string> declared_section() {
  std::vector<std::string> lines;
  for (const OutputKeyTable* t : output_key_tables()) {
    lines.push_back("### " + std::string(t->listener));
    lines.push_back("| | key | unit | description |");
    lines.push_back("|---|---|---|---|");
    for (const OutputKey& k : t->summary) lines.push_back(doc_row("summary", k));
    for (const OutputKey& k : t->series) lines.push_back(doc_row("series", k));
  }
  return lines;
}

// The section's headings and table lines as the doc has them (prose between them is skipped).
std::vector<std::string> documented_section() {
  std::ifstream in(std::string(CLUSTERSIM_SOURCE_DIR) + "/docs/OUTPUT.md");
  std::vector<std::string> lines;
  bool inside = false;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("## ", 0) == 0) inside = line == "## Key tables";
    else if (inside && (line.rfind("### ", 0) == 0 || line.rfind("|", 0) == 0)) lines.push_back(line);
  }
  return lines;
}

}  // namespace

TEST_CASE("docs/OUTPUT.md lists exactly the declared summary keys and timeline series, with their units") {
  const std::vector<std::string> declared = declared_section();
  const std::vector<std::string> documented = documented_section();
  if (declared != documented) {
    // The section to paste, beside the build.
    std::ofstream out(std::string(CLUSTERSIM_BINARY_DIR) + "/output_key_tables.md");
    for (const auto& l : declared) out << (l.rfind("### ", 0) == 0 ? "\n" : "") << l << (l.rfind("### ", 0) == 0 ? "\n\n" : "\n");
  }
  REQUIRE_FALSE(documented.empty());
  for (std::size_t i = 0; i < std::max(declared.size(), documented.size()); ++i) {
    INFO("line " << i + 1 << " of the section (the declared one is in " << CLUSTERSIM_BINARY_DIR
                 << "/output_key_tables.md)");
    CHECK((i < documented.size() ? documented[i] : "(missing)") == (i < declared.size() ? declared[i] : "(extra)"));
    if (i < documented.size() && i < declared.size() && documented[i] != declared[i]) break;
  }
}

TEST_CASE("every declared name is a well-formed pattern, once per table, with a unit and a description") {
  for (const OutputKeyTable* t : output_key_tables()) {
    for (const auto& keys : {t->summary, t->series}) {
      std::set<std::string_view> names;
      for (const OutputKey& k : keys) {
        INFO(t->listener << ": " << k.name);
        CHECK(names.insert(k.name).second);
        CHECK_FALSE(k.unit.empty());
        CHECK_FALSE(k.description.empty());
        int depth = 0;
        for (const char c : k.name) {
          depth += c == '<' ? 1 : c == '>' ? -1 : 0;
          CHECK((depth == 0 || depth == 1));
        }
        CHECK(depth == 0);
        // A pattern is an instance of itself with each placeholder written out.
        CHECK(key_matches(k.name, k.name));
      }
    }
  }
}
