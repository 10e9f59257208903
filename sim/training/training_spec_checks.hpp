#pragma once
// The checks a training job's spec must pass as a whole, once every key is read (each key's own
// type and range is checked as it is read): the splits that Megatron-style parallelism needs to
// come out whole. The loader calls it once per job, before the memory model sizes the job.
#include "sim/engine/spec_problem.hpp"
#include "sim/training/training_job_spec.hpp"

namespace cs {

// Keys relative to the job's section (a `training:` map or one item of it).
SpecProblems validate(const TrainingJobSpec& job);

}  // namespace cs
