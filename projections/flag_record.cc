#include "projections/flag_record.h"

#include "core/flag_json.h"

namespace flagledger {

std::shared_ptr<const FlagRecord> MakeFlagRecord(Flag flag, std::uint64_t version) {
  auto record = std::make_shared<FlagRecord>();
  record->json = FlagJson(flag);
  record->flag = std::move(flag);
  record->version = version;
  return record;
}

}  // namespace flagledger
