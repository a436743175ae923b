#include "events/log_migrations.h"

#include <cstdio>
#include <random>

namespace flagledger {
namespace internal {
namespace {

Status AddLogId(rocksdb::DB&, const FamilyHandles& families, rocksdb::WriteBatch& batch) {
  rocksdb::Status status =
      batch.Put(families[static_cast<std::size_t>(ColumnFamily::kMeta)], kLogIdKey, NewLogId());
  if (!status.ok()) return Status(ErrorCode::kInternal, "cannot add the log id");
  return Status::Ok();
}

constexpr LogMigration kMigrations[] = {
    {1, "adds the log id that names this data directory's history", &AddLogId},
};
static_assert(std::size(kMigrations) == kCurrentSchema - 1, "one step per schema");

}  // namespace

std::span<const LogMigration> LogMigrations() { return kMigrations; }

std::string NewLogId() {
  std::random_device random;
  char text[33];
  std::snprintf(text, sizeof text, "%08x%08x%08x%08x", random(), random(), random(), random());
  return text;
}

}  // namespace internal
}  // namespace flagledger
