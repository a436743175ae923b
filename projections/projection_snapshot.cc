#include "projections/projection_snapshot.h"

namespace flagledger {

std::size_t ProjectionSnapshot::FlagCount() const {
  std::size_t count = 0;
  for (const auto& org : organizations) count += org->size();
  return count;
}

}  // namespace flagledger
