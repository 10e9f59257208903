// The classic hold model (Vaucher & Duval 1975; Jones 1986): keep N events pending, and for
// each event popped schedule one at now + an exponential delay. Prints events per wall second
// and the number of heap allocations made while timing (the steady state must make none).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "sim/engine/engine.hpp"

namespace {
std::atomic<std::uint64_t> g_allocations{0};
}

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}

namespace {

struct Hold {
  cs::Engine* engine;
  cs::RandomStream* rng;
  double mean_delay_ns;
  void operator()() const {
    const auto delay = cs::Time::ns(1 + static_cast<std::int64_t>(rng->exponential(1.0 / mean_delay_ns)));
    engine->schedule_in(delay, Hold{*this});
  }
};

void run_hold(std::size_t pending, std::uint64_t events) {
  cs::Engine engine(2024);
  auto& rng = engine.random("hold");
  const double mean_delay_ns = 1e6;
  engine.queue().reserve(pending + 1);
  for (std::size_t i = 0; i < pending; ++i)
    engine.schedule_at(cs::Time::ns(static_cast<std::int64_t>(rng.exponential(1.0 / mean_delay_ns))),
                       Hold{&engine, &rng, mean_delay_ns});
  // Warm-up: let the heap reach its steady-state shape before timing.
  engine.run_until(cs::Time::max(), pending);

  const std::uint64_t before_events = engine.events_processed();
  const std::uint64_t before_allocs = g_allocations.load();
  const auto t0 = std::chrono::steady_clock::now();
  engine.run_until(cs::Time::max(), events);
  const auto t1 = std::chrono::steady_clock::now();
  const std::uint64_t allocs = g_allocations.load() - before_allocs;
  const std::uint64_t done = engine.events_processed() - before_events;
  const double wall = std::chrono::duration<double>(t1 - t0).count();
  std::printf("hold model  pending=%9zu  events=%10llu  wall=%7.3f s  %6.2f M events/s  allocations=%llu\n", pending,
              static_cast<unsigned long long>(done), wall, static_cast<double>(done) / wall / 1e6,
              static_cast<unsigned long long>(allocs));
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t events = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20'000'000;
  std::printf("clustersim engine benchmark: hold model, exponential delays, %llu timed events per size\n",
              static_cast<unsigned long long>(events));
  for (std::size_t pending : {std::size_t{1'000}, std::size_t{100'000}, std::size_t{1'000'000}})
    run_hold(pending, events);
  return 0;
}
