// One organization's live flags at one point of the log.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "projections/flag_record.h"
#include "projections/sorted_chunks.h"

namespace flagledger {

struct FlagKeyOf {
  std::string_view operator()(const std::shared_ptr<const FlagRecord>& record) const {
    return record->flag.flag_key;
  }
};
// An organization's flags by key; a changed version shares the chunks it did not change.
using FlagList = SortedChunks<std::shared_ptr<const FlagRecord>, FlagKeyOf>;

// One page of an OrgState as a reader rendered it (a list page's bytes), kept with the state
// for the next reader of the same page. Rendered from Page(offset, limit) and size() alone,
// so it never goes stale: a changed organization is a new OrgState.
struct RenderedPage {
  std::size_t offset = 0;
  std::size_t limit = 0;
  std::string bytes;
};

// Immutable, but for the one rendered page it keeps; shared by snapshots and read concurrently
// without locks.
class OrgState {
 public:
  // REQUIRES: `flags` all of `organization_id`.
  OrgState(std::string organization_id, FlagList flags)
      : organization_id_(std::move(organization_id)), flags_(std::move(flags)) {}

  const std::string& organization_id() const { return organization_id_; }
  std::size_t size() const { return flags_.size(); }
  const FlagList& flags() const { return flags_; }

  // The flag with this key, or nullptr. O(log n).
  const FlagRecord* Find(std::string_view flag_key) const {
    const auto* record = flags_.Find(flag_key);
    return record ? record->get() : nullptr;
  }
  std::shared_ptr<const FlagRecord> FindShared(std::string_view flag_key) const {
    const auto* record = flags_.Find(flag_key);
    return record ? *record : nullptr;
  }
  // Flags [offset, offset + limit) in key order, empty past the end. O(log n) + the page.
  auto Page(std::size_t offset, std::size_t limit) const { return flags_.Slice(offset, limit); }

  // The page kept last, or null. Any thread.
  std::shared_ptr<const RenderedPage> rendered_page() const {
    return rendered_page_.load(std::memory_order_acquire);
  }
  // Keeps `page` in place of the one kept before (null: none). Any thread; the last one wins.
  void KeepRenderedPage(std::shared_ptr<const RenderedPage> page) const {
    rendered_page_.store(std::move(page), std::memory_order_release);
  }

 private:
  std::string organization_id_;
  FlagList flags_;
  mutable std::atomic<std::shared_ptr<const RenderedPage>> rendered_page_;
};

}  // namespace flagledger
