#include "workloads/csv_job_trace.hpp"

#include <stdexcept>
#include <utility>

#include "workloads/trace_field_parse.hpp"

namespace cs {

CsvJobTrace::CsvJobTrace(std::string path, JobTraceOptions options)
    : LineJobSource(std::move(path), options, "submit_s") {
  for (std::size_t i = 0; i < header().size(); ++i) {
    const std::string& name = header()[i];
    const int c = static_cast<int>(i);
    if (name == "submit_s")
      submit_ = c;
    else if (name == "gpus")
      gpus_ = c;
    else if (name == "duration_s")
      duration_ = c;
    else if (name == "name")
      name_ = c;
    else if (name == "qos")
      qos_ = c;
    else
      fail_header("unknown column '" + name + "'; expected submit_s, gpus, duration_s, name, qos");
  }
  for (const auto& [column, name] : {std::pair{submit_, "submit_s"}, {gpus_, "gpus"}, {duration_, "duration_s"}})
    if (column < 0) fail_header(std::string("missing column '") + name + "' in the header");
}

JobTraceRecord CsvJobTrace::parse_row(std::string_view line) {
  const auto& f = split_row(line);
  auto seconds = [&](int c, const char* name) {
    const std::int64_t ns = parse_decimal_scaled(f[static_cast<std::size_t>(c)], 9);
    if (ns < 0) throw std::invalid_argument(std::string(name) + " is negative");
    return Time::ns(ns);
  };
  JobTraceRecord r;
  ++row_;
  r.name = name_ >= 0 && !f[static_cast<std::size_t>(name_)].empty() ? std::string(f[static_cast<std::size_t>(name_)])
                                                                     : "job-" + std::to_string(row_ - 1);
  r.qos = qos_ >= 0 ? std::string(f[static_cast<std::size_t>(qos_)]) : "";
  r.num_gpu = parse_count(f[static_cast<std::size_t>(gpus_)]);
  r.gpu_milli = r.num_gpu > 0 ? 1000 : 0;
  r.creation = options().offset + seconds(submit_, "submit_s");
  r.scheduled = r.creation;
  r.deletion = r.creation + seconds(duration_, "duration_s");
  r.phase = PodPhase::kSucceeded;
  return r;
}

}  // namespace cs
