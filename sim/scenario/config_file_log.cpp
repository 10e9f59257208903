#include "sim/scenario/config_file_log.hpp"

#include <algorithm>

namespace cs {

namespace {

// The logs alive on this thread, innermost last. Per thread: two loads on two threads never
// see each other's files.
thread_local std::vector<ConfigFileLog*> alive;

}  // namespace

ConfigFileLog::ConfigFileLog() {
  alive.push_back(this);
}

ConfigFileLog::~ConfigFileLog() {
  alive.erase(std::find(alive.begin(), alive.end(), this));
}

void ConfigFileLog::note(const std::filesystem::path& file) {
  if (alive.empty()) return;
  std::error_code ec;
  std::filesystem::path canonical = std::filesystem::weakly_canonical(file, ec);
  if (ec) canonical = file;
  for (ConfigFileLog* log : alive)
    if (std::find(log->files_.begin(), log->files_.end(), canonical) == log->files_.end())
      log->files_.push_back(canonical);
}

}  // namespace cs
