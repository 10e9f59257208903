#pragma once
// Helpers for tests that break a scenario text and check the ConfigError it gives.
#include <catch2/catch.hpp>

#include <string>

#include "scenario_test_files.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/scenario_loader.hpp"

namespace cs::test {

// `text` with the first `from` replaced by `to` (the test fails if `from` is absent).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

// Loads `text` as bad.yaml and returns the ConfigError's message, which must start with that
// file's path (the test fails if the scenario loads).
inline std::string error_of(const std::string& text, const LoadOptions& options = {}) {
  TempDir dir;
  const auto file = dir.write("bad.yaml", text);
  try {
    load_scenario(file, options);
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(file.string(), 0) == 0);
    return message;
  }
  FAIL("the scenario loaded without error");
  return {};
}

}  // namespace cs::test
