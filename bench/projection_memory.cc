// Peak memory of the projection: 1M flags over 1,000 organizations, folded the way the
// server's start-up does (ProjectionBuilder::Fold), measured as the growth of the process's peak
// RSS (VmHWM).
//
// Run: build/release/bench/projection_memory [flags] [organizations]
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "bench/synthetic_log.h"
#include "projections/projection_builder.h"

namespace {

long StatusKilobytes(const char* field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field, 0) == 0) return std::atol(line.c_str() + std::string(field).size());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace flagledger;
  const std::uint64_t flags = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000;
  const std::uint64_t organizations = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  long before = StatusKilobytes("VmHWM:");
  std::shared_ptr<const ProjectionSnapshot> snapshot;
  {
    ProjectionBuilder builder;
    for (std::uint64_t i = 0; i < flags; ++i) {
      Event event;
      event.sequence = i + 1;
      event.version = 1;
      event.organization_id = SyntheticOrganization(i % organizations);
      event.flag_key = SyntheticFlagKey(i / organizations);
      Flag flag;
      flag.organization_id = event.organization_id;
      flag.flag_key = event.flag_key;
      flag.enabled = i % 2 == 0;
      if (i % 3 == 0) {
        flag.rollout_condition = RolloutCondition{SemVer::Parse("2.4.0").value(),
                                                  Timestamp::FromMicros(1'768'435'200'000'000)};
      }
      flag.created_at = flag.updated_at = Timestamp::FromMicros(1'767'225'600'000'000);
      event.flag = flag;
      builder.Fold(std::move(event));
    }
    snapshot = builder.Build();
  }
  long peak = StatusKilobytes("VmHWM:");
  long resident = StatusKilobytes("VmRSS:");
  std::printf("flags %llu organizations %llu\n",
              static_cast<unsigned long long>(snapshot->FlagCount()),
              static_cast<unsigned long long>(organizations));
  std::printf(
      "peak RSS growth %.1f MiB = %.0f bytes/flag; resident after build %.1f MiB = %.0f "
      "bytes/flag\n",
      (peak - before) / 1024.0, (peak - before) * 1024.0 / flags, resident / 1024.0,
      resident * 1024.0 / flags);
  return 0;
}
