#pragma once
// Which YAML files a load read, so that a stored result can later tell whether any of them
// changed (sweep and plan resume). While a ConfigFileLog lives, every file load_config_file
// opens on the same thread (the file itself, its extends: and !include files) is added to it
// and to every other log alive on that thread: an outer load sees what an inner one read.
#include <filesystem>
#include <vector>

namespace cs {

class ConfigFileLog {
 public:
  ConfigFileLog();
  ~ConfigFileLog();
  ConfigFileLog(const ConfigFileLog&) = delete;
  ConfigFileLog& operator=(const ConfigFileLog&) = delete;

  // Canonical paths, in the order first read, each once.
  const std::vector<std::filesystem::path>& files() const { return files_; }

  // The loader's report of a file it opened; nothing when no log is alive.
  static void note(const std::filesystem::path& file);

 private:
  std::vector<std::filesystem::path> files_;
};

}  // namespace cs
