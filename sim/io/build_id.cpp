#include "sim/io/build_id.hpp"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <string_view>

#include "sim/io/file_digest.hpp"

namespace cs {

namespace {

std::string hex(const unsigned char* bytes, std::size_t n) {
  std::string out;
  char two[3];
  for (std::size_t i = 0; i < n; ++i) {
    std::snprintf(two, sizeof two, "%02x", bytes[i]);
    out += two;
  }
  return out;
}

std::size_t aligned4(std::size_t n) {
  return (n + 3) & ~std::size_t{3};
}

// dl_iterate_phdr visits the executable first; its PT_NOTE segments hold the build ID as a note
// named "GNU" of type NT_GNU_BUILD_ID (name and descriptor each padded to 4 bytes).
int find_gnu_build_id(dl_phdr_info* info, std::size_t, void* out) {
  for (ElfW(Half) i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& segment = info->dlpi_phdr[i];
    if (segment.p_type != PT_NOTE) continue;
    const auto* p = reinterpret_cast<const unsigned char*>(info->dlpi_addr + segment.p_vaddr);
    const unsigned char* end = p + segment.p_memsz;
    while (p + sizeof(ElfW(Nhdr)) <= end) {
      const auto* note = reinterpret_cast<const ElfW(Nhdr)*>(p);
      const unsigned char* name = p + sizeof(ElfW(Nhdr));
      const unsigned char* desc = name + aligned4(note->n_namesz);
      if (desc + note->n_descsz > end) break;
      const bool gnu = note->n_namesz == 4 && std::string_view(reinterpret_cast<const char*>(name), 3) == "GNU";
      if (gnu && note->n_type == NT_GNU_BUILD_ID) {
        *static_cast<std::string*>(out) = hex(desc, note->n_descsz);
        return 1;
      }
      p = desc + aligned4(note->n_descsz);
    }
  }
  return 1;  // only the executable (the first object) is looked at
}

std::string compute_build_id() {
  std::string id;
  dl_iterate_phdr(find_gnu_build_id, &id);
  if (!id.empty()) return id;
  return digest_file("/proc/self/exe").sha256;
}

}  // namespace

const std::string& build_id() {
  static const std::string id = compute_build_id();
  return id;
}

}  // namespace cs
