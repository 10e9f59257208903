#include <catch2/catch.hpp>

#include <filesystem>
#include <random>
#include <string>

#include "../io/h5_read.hpp"
#include "sim/io/run_file.hpp"
#include "sim/metrics/timeline_sampler.hpp"

using namespace cs;
using namespace cs::time_literals;

TEST_CASE("samples fall on the interval grid, see same-instant model events, and rates are per second") {
  // A name of its own: test runs of other checkouts share /tmp.
  const auto path =
      std::filesystem::temp_directory_path() / ("clustersim-sampler-test-" + std::to_string(std::random_device{}()) + ".h5");
  {
    Engine engine(1);
    double level = 0, counter = 0;
    // The model changes state exactly on sample instants; the sample must see the new value.
    for (int s = 0; s <= 30; ++s)
      engine.schedule_at(Time::s(s), [&, s] {
        level = s;
        counter += 5;
      });
    TimelineSampler sampler(engine, 10_s);
    static constexpr OutputKey kSeries[] = {{"level", "1", "a gauge"}, {"per_s", "1/s", "a rate"}};
    static constexpr OutputKeyTable kTable{"test", {}, kSeries};
    sampler.declare(kTable);
    sampler.add_gauge({"level", "1", ColumnType::kFloat64, ""}, [&] { return level; });
    sampler.add_rate({"per_s", "1/s", ColumnType::kFloat64, ""}, [&] { return counter; });
    RunFile out(path);
    sampler.start(sampler.open_timeline(out), 30_s);
    engine.run_until(30_s);
    out.commit();
  }
  const hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  CHECK(test::read_column(f, "/timeline/time_s") == std::vector<double>{0, 10, 20, 30});
  CHECK(test::read_column(f, "/timeline/level") == std::vector<double>{0, 10, 20, 30});
  // 5 per second: between samples 10 events of +5 = 50 over 10 s.
  CHECK(test::read_column(f, "/timeline/per_s") == std::vector<double>{0, 5, 5, 5});
  H5Fclose(f);
  std::filesystem::remove(path);
}

TEST_CASE("a name prefix applies to the series added while its handle lives, nested, and ends with it") {
  Engine engine(1);
  TimelineSampler sampler(engine, Time::s(1));
  const auto zero = [] { return 0.0; };
  {
    const auto pool = sampler.name_prefix("h100.");
    sampler.add_gauge({"replicas", "1", ColumnType::kFloat64, ""}, zero);
    {
      const auto inner = sampler.name_prefix("h100.spot.");
      sampler.add_gauge({"power_kw", "kW", ColumnType::kFloat64, ""}, zero);
    }
    sampler.add_gauge({"cost_usd", "USD", ColumnType::kFloat64, ""}, zero);
  }
  sampler.add_gauge({"replicas", "1", ColumnType::kFloat64, ""}, zero);
  std::vector<std::string> names;
  for (const ColumnSpec& c : sampler.columns()) names.push_back(c.name);
  CHECK(names == std::vector<std::string>{"h100.replicas", "h100.spot.power_kw", "h100.cost_usd", "replicas"});
}
