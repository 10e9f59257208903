#include <catch2/catch.hpp>

#include "scenario_test_files.hpp"
#include "sim/scenario/config_error.hpp"
#include "sim/scenario/config_file_log.hpp"
#include "sim/scenario/config_node.hpp"

using namespace cs;
using cs::test::TempDir;

TEST_CASE("extends lays the file over its base: maps merge, values and lists are replaced") {
  TempDir dir;
  dir.write("base.yaml",
            "gpus:\n  a100: {memory: 80 GiB, tdp: 400 W}\n  l4: {memory: 24 GB}\nlist: [1, 2, 3]\nkeep: yes\n");
  const auto top = dir.write("top.yaml", "extends: base.yaml\ngpus:\n  a100: {tdp: 300 W}\nlist: [9]\n");
  const ConfigNode root = load_config_file(top);
  REQUIRE(root.find("extends") == nullptr);
  const ConfigNode* a100 = root.find("gpus")->find("a100");
  CHECK(a100->find("memory")->scalar == "80 GiB");  // kept from the base
  CHECK(a100->find("tdp")->scalar == "300 W");      // replaced by the top file
  CHECK(a100->find("tdp")->where.line == 3);        // and it points at the top file's line
  CHECK(*a100->find("tdp")->where.origin == top.string());
  CHECK(root.find("gpus")->find("l4") != nullptr);
  CHECK(root.find("list")->items.size() == 1);
  CHECK(root.find("keep")->scalar == "yes");
}

TEST_CASE("!include replaces a value by another file's tree") {
  TempDir dir;
  dir.write("pool.yaml", "servers: 4\nprice: $1/h\n");
  const auto top = dir.write("top.yaml", "queueing: !include pool.yaml\n");
  const ConfigNode root = load_config_file(top);
  CHECK(root.find("queueing")->find("servers")->scalar == "4");
  CHECK(root.find("queueing")->find("servers")->where.line == 1);
}

TEST_CASE("a file log lists every file a load read, once each, and an outer log sees an inner load's files") {
  TempDir dir;
  const auto pool = dir.write("pool.yaml", "servers: 4\n");
  const auto base = dir.write("base.yaml", "name: b\nqueueing: !include pool.yaml\n");
  const auto top = dir.write("top.yaml", "extends: base.yaml\nother: !include pool.yaml\n");
  const auto alone = dir.write("alone.yaml", "name: a\n");
  (void)load_config_file(alone);  // no log alive: nothing recorded anywhere
  ConfigFileLog outer;
  {
    ConfigFileLog inner;
    (void)load_config_file(top);
    const auto canonical = [](const std::filesystem::path& f) { return std::filesystem::weakly_canonical(f); };
    CHECK(inner.files() == std::vector<std::filesystem::path>{canonical(top), canonical(pool), canonical(base)});
  }
  (void)load_config_file(alone);
  REQUIRE(outer.files().size() == 4);
  CHECK(outer.files().back() == std::filesystem::weakly_canonical(alone));
}

TEST_CASE("an include cycle is an error, not a hang") {
  TempDir dir;
  dir.write("a.yaml", "extends: b.yaml\n");
  dir.write("b.yaml", "extends: a.yaml\n");
  CHECK_THROWS_WITH(load_config_file(dir.path() / "a.yaml"), Catch::Contains("include cycle"));
}

TEST_CASE("a --set override changes a nested value, a list item, or adds a key, and records its origin") {
  TempDir dir;
  const auto f = dir.write("s.yaml", "a:\n  b: 1\n  list:\n    - {x: 1}\n    - {x: 2}\n");
  ConfigNode root = load_config_file(f);
  apply_override(root, "a.b=64");
  apply_override(root, "a.list[1].x=5 min");
  apply_override(root, "a.new.deep=[1, 2]");
  CHECK(root.find("a")->find("b")->scalar == "64");
  CHECK(root.find("a")->find("list")->items[1].find("x")->scalar == "5 min");
  CHECK(root.find("a")->find("new")->find("deep")->items.size() == 2);
  CHECK(root.find("a")->find("b")->where.describe() == "command line (--set a.b=64)");
  CHECK_THROWS_WITH(apply_override(root, "a.list[7].x=1"), Catch::Contains("index out of range: the list has 2 items"));
  CHECK_THROWS_WITH(apply_override(root, "a.b.c=1"), Catch::Contains("cannot set a key inside a single value"));
  CHECK_THROWS_WITH(apply_override(root, "no_equals_sign"), Catch::Contains("expected path=value"));
}

TEST_CASE("the resolved tree is written back as YAML that loads to the same tree") {
  TempDir dir;
  const auto f = dir.write("s.yaml", "name: x\nnested: {a: 1 s, b: [1, 2]}\nempty:\n");
  const std::string yaml = to_yaml(load_config_file(f));
  const auto again = dir.write("again.yaml", yaml);
  CHECK(to_yaml(load_config_file(again)) == yaml);
  CHECK(load_config_file(again).find("nested")->find("a")->scalar == "1 s");
}
