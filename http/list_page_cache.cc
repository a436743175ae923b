#include "http/list_page_cache.h"

#include <utility>

#include "http/http_message.h"

namespace flagledger {

ListPageCache::ListPageCache(std::size_t budget_bytes) : budget_(std::make_shared<Budget>()) {
  budget_->limit = budget_bytes;
}

std::shared_ptr<const std::string> ListPageCache::Find(const OrgState& org, std::size_t offset,
                                                       std::size_t limit) const {
  auto page = org.rendered_page();
  if (!page || page->offset != offset || page->limit != limit) return nullptr;
  return ShareBytes(std::move(page), &RenderedPage::bytes);
}

std::shared_ptr<const std::string> ListPageCache::Keep(const OrgState& org, std::size_t offset,
                                                       std::size_t limit, std::string bytes) {
  std::size_t size = bytes.size();
  auto* page = new RenderedPage{offset, limit, std::move(bytes)};
  if (budget_->used.fetch_add(size, std::memory_order_relaxed) + size > budget_->limit) {
    budget_->used.fetch_sub(size, std::memory_order_relaxed);
    return ShareBytes(std::shared_ptr<const RenderedPage>(page), &RenderedPage::bytes);
  }
  std::shared_ptr<const RenderedPage> kept(
      page, [budget = budget_, size](const RenderedPage* page) {
        budget->used.fetch_sub(size, std::memory_order_relaxed);
        delete page;
      });
  org.KeepRenderedPage(kept);
  return ShareBytes(std::move(kept), &RenderedPage::bytes);
}

}  // namespace flagledger
