// Current list pages kept as response bytes with the organization states they were rendered
// from (OrgState::KeepRenderedPage), within one byte budget for all of them.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>

#include "projections/org_state.h"

namespace flagledger {

// Thread-safe; no lock. Each organization state keeps at most one page, the one rendered last,
// so that a page read again and again (the first page, typically) is rendered once per change
// of its organization. A kept page counts against the budget until the state and every answer
// still sending it let go of it; a page that does not fit is rendered for its request alone.
class ListPageCache {
 public:
  static constexpr std::size_t kDefaultBudgetBytes = std::size_t{64} << 20;

  explicit ListPageCache(std::size_t budget_bytes);

  // The page of `org` at [offset, offset + limit) when `org` keeps it, else null.
  std::shared_ptr<const std::string> Find(const OrgState& org, std::size_t offset,
                                          std::size_t limit) const;

  // `bytes`, the page of `org` at [offset, offset + limit) just rendered, kept with `org` in
  // place of its previous page if the budget allows; shared either way.
  std::shared_ptr<const std::string> Keep(const OrgState& org, std::size_t offset,
                                          std::size_t limit, std::string bytes);

  // Bytes of pages kept now (their rendered bytes only).
  std::size_t kept_bytes() const { return budget_->used.load(std::memory_order_relaxed); }

 private:
  struct Budget {
    std::atomic<std::size_t> used{0};
    std::size_t limit = 0;
  };
  // Shared with the kept pages, which may outlive the cache (a snapshot held elsewhere).
  std::shared_ptr<Budget> budget_;
};

}  // namespace flagledger
