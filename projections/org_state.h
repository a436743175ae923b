// One organization's live flags at one point of the log.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "projections/flag_record.h"

namespace flagledger {

// Immutable; shared by snapshots and read concurrently without locks.
class OrgState {
 public:
  // REQUIRES: `flags` sorted by flag_key bytewise, keys unique, all of `organization_id`.
  OrgState(std::string organization_id, std::vector<std::shared_ptr<const FlagRecord>> flags)
      : organization_id_(std::move(organization_id)), flags_(std::move(flags)) {}

  const std::string& organization_id() const { return organization_id_; }
  std::size_t size() const { return flags_.size(); }
  const std::vector<std::shared_ptr<const FlagRecord>>& flags() const { return flags_; }

  // The flag with this key, or nullptr. O(log n).
  const FlagRecord* Find(std::string_view flag_key) const;
  std::shared_ptr<const FlagRecord> FindShared(std::string_view flag_key) const;
  // Flags [offset, offset + limit) in key order, empty past the end. O(1) + the page.
  std::span<const std::shared_ptr<const FlagRecord>> Page(std::size_t offset,
                                                           std::size_t limit) const;

 private:
  // The position of `flag_key`, or flags_.end().
  std::vector<std::shared_ptr<const FlagRecord>>::const_iterator Locate(
      std::string_view flag_key) const;

  std::string organization_id_;
  std::vector<std::shared_ptr<const FlagRecord>> flags_;
};

}  // namespace flagledger
