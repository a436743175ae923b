// A sorted sequence kept in shared immutable chunks, so that a version changed in a few places
// shares every chunk it did not change with the version it came from.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <memory>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace flagledger {

// Item: a nullable shared handle (std::shared_ptr<const X>). KeyOf: a stateless functor,
// KeyOf()(item) -> std::string_view; keys strictly increase along the sequence.
//
// Immutable once built and read concurrently without locks. Merge() builds the next version:
// k edits into n items copy the chunk table (about n / kTargetChunk entries) and the chunks the
// edits fall into, O(n / kTargetChunk + k x kMaxChunk), where one flat vector would copy all n
// items. Every chunk holds kMinChunk..kMaxChunk items, except the only chunk of a sequence
// shorter than kMinChunk.
template <typename Item, typename KeyOf>
class SortedChunks {
  using Chunk = std::shared_ptr<const std::vector<Item>>;
  struct Entry {
    Chunk items;      // never empty
    std::size_t end;  // items in this and the earlier chunks
  };

 public:
  static constexpr std::size_t kMinChunk = 128;
  static constexpr std::size_t kTargetChunk = 256;
  static constexpr std::size_t kMaxChunk = 512;

  // Puts `value` under `key` (a new key, or a replacement), or removes `key` when value is null.
  // REQUIRES: a non-null value's key is `key`.
  struct Edit {
    std::string_view key;
    Item value;
  };

  // Forward, over the items in key order; valid while the sequence lives.
  class Iterator {
   public:
    using value_type = Item;
    using difference_type = std::ptrdiff_t;
    using reference = const Item&;
    using iterator_category = std::forward_iterator_tag;

    Iterator() = default;
    const Item& operator*() const { return *item_; }
    const Item* operator->() const { return item_; }
    Iterator& operator++() {
      if (++item_ == chunk_end_) Enter(entry_ + 1, 0);
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      ++*this;
      return before;
    }
    bool operator==(const Iterator& other) const { return item_ == other.item_; }

   private:
    friend class SortedChunks;
    Iterator(const Entry* entry, const Entry* entries_end, std::size_t item)
        : entries_end_(entries_end) {
      Enter(entry, item);
    }
    // Points at item `item` of `entry`'s chunk, or nowhere (the end) past the last chunk.
    void Enter(const Entry* entry, std::size_t item) {
      entry_ = entry;
      if (entry == entries_end_) {
        item_ = chunk_end_ = nullptr;
        return;
      }
      item_ = entry->items->data() + item;
      chunk_end_ = entry->items->data() + entry->items->size();
    }

    const Item* item_ = nullptr;  // null at the end
    const Item* chunk_end_ = nullptr;
    const Entry* entry_ = nullptr;
    const Entry* entries_end_ = nullptr;
  };

  SortedChunks() = default;
  // REQUIRES: `items` sorted by key, keys unique, none null.
  explicit SortedChunks(std::vector<Item> items) {
    Assembler out;
    for (Item& item : items) out.Add(std::move(item));
    *this = out.Finish();
  }

  std::size_t size() const { return entries_.empty() ? 0 : entries_.back().end; }
  bool empty() const { return entries_.empty(); }
  Iterator begin() const { return Iterator(entries_.data(), EntriesEnd(), 0); }
  Iterator end() const { return Iterator(EntriesEnd(), EntriesEnd(), 0); }

  // The item with this key, or nullptr. O(log n).
  const Item* Find(std::string_view key) const {
    // The last chunk starting at or before `key` is the only one that can hold it.
    auto chunk =
        std::upper_bound(entries_.begin(), entries_.end(), key,
                         [](std::string_view k, const Entry& e) { return k < FirstKey(e); });
    if (chunk == entries_.begin()) return nullptr;
    const std::vector<Item>& items = *std::prev(chunk)->items;
    auto item = std::lower_bound(items.begin(), items.end(), key, KeyBefore);
    return item != items.end() && KeyOf()(*item) == key ? &*item : nullptr;
  }

  // Consecutive items, for range-for (std::ranges::subrange would do, but clang 14, which
  // builds the fuzz targets, cannot compile libstdc++ 12's).
  struct Range {
    Iterator first, last;
    std::size_t count;
    Iterator begin() const { return first; }
    Iterator end() const { return last; }
    std::size_t size() const { return count; }
    bool empty() const { return count == 0; }
  };
  // Items [offset, offset + limit) in key order, empty past the end. O(log n) + the slice.
  Range Slice(std::size_t offset, std::size_t limit) const {
    offset = std::min(offset, size());
    std::size_t count = std::min(limit, size() - offset);
    return Range{At(offset), At(offset + count), count};
  }

  // This sequence with `edits` applied; their values are moved out. Shares every chunk no edit
  // falls into. REQUIRES: edits sorted by key, keys unique. Removing an absent key does nothing.
  SortedChunks Merge(std::span<Edit> edits) const {
    Assembler out;
    std::size_t edit = 0;
    for (std::size_t c = 0; c < entries_.size(); ++c) {
      // The chunk takes the edits below the next chunk's first key (the last takes the rest).
      std::size_t stop = edits.size();
      if (c + 1 < entries_.size()) {
        std::string_view bound = FirstKey(entries_[c + 1]);
        stop = edit;
        while (stop < edits.size() && edits[stop].key < bound) ++stop;
      }
      if (stop == edit) {
        out.Share(entries_[c].items);
        continue;
      }
      const std::vector<Item>& items = *entries_[c].items;
      auto item = items.begin();
      for (; edit < stop; ++edit) {
        // The items before the edit's key are copied unchanged; finding them is O(log chunk).
        auto at = std::lower_bound(item, items.end(), edits[edit].key, KeyBefore);
        out.Add(item, at);
        item = at;
        if (item != items.end() && KeyOf()(*item) == edits[edit].key) ++item;
        if (edits[edit].value) out.Add(std::move(edits[edit].value));
      }
      out.Add(item, items.end());
    }
    for (; edit < edits.size(); ++edit) {  // into an empty sequence
      if (edits[edit].value) out.Add(std::move(edits[edit].value));
    }
    return out.Finish();
  }

  // The chunks, for tests of sharing and sizes.
  std::size_t chunk_count() const { return entries_.size(); }
  const std::vector<Item>& chunk(std::size_t index) const { return *entries_[index].items; }

 private:
  static std::string_view FirstKey(const Entry& entry) { return KeyOf()(entry.items->front()); }
  static bool KeyBefore(const Item& item, std::string_view key) { return KeyOf()(item) < key; }

  // The iterator at position `position` (end() at size()).
  Iterator At(std::size_t position) const {
    auto chunk = std::upper_bound(entries_.begin(), entries_.end(), position,
                                  [](std::size_t p, const Entry& e) { return p < e.end; });
    std::size_t before = chunk == entries_.begin() ? 0 : std::prev(chunk)->end;
    return Iterator(std::to_address(chunk), EntriesEnd(),
                    chunk == entries_.end() ? 0 : position - before);
  }
  const Entry* EntriesEnd() const { return entries_.data() + entries_.size(); }

  // Collects the next version's items in order into chunks of legal sizes: shared chunks as
  // they are, other items through a buffer that never holds more than about
  // kMinChunk + 2 x kMaxChunk of them. The buffer is one per thread and reused, as Merge runs
  // per write batch and allocating it each time is a measurable part of the fold
  // (bench/RESULTS.md, "Large organizations"); so at most one Assembler of a type lives on a
  // thread at a time, which holds as only Merge and the constructor make one.
  class Assembler {
   public:
    Assembler() : pending_(Buffer()) { pending_.clear(); }

    void Add(Item item) {
      pending_.push_back(std::move(item));
      CutFullChunks();
    }
    template <typename It>
    void Add(It first, It last) {
      pending_.insert(pending_.end(), first, last);
      CutFullChunks();
    }

    void Share(const Chunk& chunk) {
      if (pending_.size() < kMinChunk && !pending_.empty()) {
        // Too few to stand alone: they take the shared chunk's items along (a copy).
        pending_.insert(pending_.end(), chunk->begin(), chunk->end());
        return;
      }
      Flush();
      Push(chunk);
    }

    SortedChunks Finish() {
      if (!pending_.empty() && pending_.size() < kMinChunk && !result_.entries_.empty()) {
        // Too few to stand alone: they join the chunk before them.
        Chunk last = std::move(result_.entries_.back().items);
        result_.entries_.pop_back();
        pending_.insert(pending_.begin(), last->begin(), last->end());
      }
      Flush();
      return std::move(result_);
    }

   private:
    static std::vector<Item>& Buffer() {
      static thread_local std::vector<Item> buffer;
      return buffer;
    }

    void CutFullChunks() {
      while (pending_.size() >= kMinChunk + kMaxChunk) {  // cut a chunk off the front
        auto cut = pending_.begin() + kTargetChunk;
        Push(std::vector<Item>(std::make_move_iterator(pending_.begin()),
                               std::make_move_iterator(cut)));
        pending_.erase(pending_.begin(), cut);
      }
    }

    // Cuts the pending items into as few chunks of at most kMaxChunk as hold them, of nearly
    // equal sizes (so each holds at least kMinChunk when there are kMinChunk or more).
    void Flush() {
      std::size_t count = pending_.size();
      std::size_t pieces = (count + kMaxChunk - 1) / kMaxChunk;
      auto from = pending_.begin();
      for (std::size_t piece = 0; piece < pieces; ++piece) {
        auto to = from + (count * (piece + 1) / pieces - count * piece / pieces);
        Push(std::vector<Item>(std::make_move_iterator(from), std::make_move_iterator(to)));
        from = to;
      }
      pending_.clear();
    }
    void Push(std::vector<Item> items) {
      Push(std::make_shared<const std::vector<Item>>(std::move(items)));
    }
    void Push(Chunk chunk) {
      std::size_t end = result_.size() + chunk->size();
      result_.entries_.push_back(Entry{std::move(chunk), end});
    }

    SortedChunks result_;
    std::vector<Item>& pending_;  // empty between uses
  };

  std::vector<Entry> entries_;
};

}  // namespace flagledger
