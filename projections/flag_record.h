// A flag as the projection holds it: the value, its stream version and its rendered JSON.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/flag.h"

namespace flagledger {

// Immutable once built; shared between snapshots and threads through shared_ptr<const>.
struct FlagRecord {
  Flag flag;
  std::uint64_t version = 0;  // the version of the event that produced this state
  std::string json;           // FlagJson(flag), rendered once when the state changes
};

std::shared_ptr<const FlagRecord> MakeFlagRecord(Flag flag, std::uint64_t version);

}  // namespace flagledger
