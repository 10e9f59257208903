#pragma once
// The size and SHA-256 (FIPS 180-4) of a file, so that a run's /meta pins down exactly which
// bytes of a trace it read.
#include <cstdint>
#include <filesystem>
#include <string>

namespace cs {

struct FileDigest {
  std::uint64_t bytes = 0;
  std::string sha256;  // 64 lower-case hex digits
};

// Reads the whole file. Throws std::runtime_error when it cannot be read.
FileDigest digest_file(const std::filesystem::path& path);

}  // namespace cs
