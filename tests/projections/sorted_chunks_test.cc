#include "projections/sorted_chunks.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace flagledger {
namespace {

using Item = std::shared_ptr<const std::string>;
struct KeyOfItem {
  std::string_view operator()(const Item& item) const { return *item; }
};
using Chunks = SortedChunks<Item, KeyOfItem>;
using Model = std::map<std::string, Item>;

std::string Key(int i) {
  char key[16];
  std::snprintf(key, sizeof(key), "k%07d", i);
  return key;
}
Item MakeItem(const std::string& key) { return std::make_shared<const std::string>(key); }

Chunks FromKeys(int count) {
  std::vector<Item> items;
  for (int i = 0; i < count; ++i) items.push_back(MakeItem(Key(i)));
  return Chunks(std::move(items));
}

// Every chunk holds kMinChunk..kMaxChunk items, except the only chunk of a short sequence.
void ExpectLegalChunks(const Chunks& chunks) {
  for (std::size_t c = 0; c < chunks.chunk_count(); ++c) {
    EXPECT_FALSE(chunks.chunk(c).empty());
    EXPECT_LE(chunks.chunk(c).size(), Chunks::kMaxChunk) << "chunk " << c;
    if (chunks.chunk_count() > 1) {
      EXPECT_GE(chunks.chunk(c).size(), Chunks::kMinChunk) << "chunk " << c;
    }
  }
}

// The sequence holds exactly the model's items, in order, each the very item put in.
void ExpectSame(const Chunks& chunks, const Model& model) {
  ASSERT_EQ(chunks.size(), model.size());
  EXPECT_EQ(chunks.empty(), model.empty());
  auto item = chunks.begin();
  for (const auto& [key, value] : model) {
    ASSERT_NE(item, chunks.end());
    EXPECT_EQ(item->get(), value.get()) << key;
    ++item;
  }
  EXPECT_EQ(item, chunks.end());
  ExpectLegalChunks(chunks);
}

TEST(SortedChunks, EmptyHasNothing) {
  Chunks empty;
  EXPECT_EQ(empty.size(), 0u);
  EXPECT_TRUE(empty.empty());
  EXPECT_EQ(empty.begin(), empty.end());
  EXPECT_EQ(empty.Find("a"), nullptr);
  EXPECT_TRUE(empty.Slice(0, 20).empty());
  std::vector<Chunks::Edit> removals = {{"a", nullptr}};
  EXPECT_TRUE(empty.Merge(removals).empty()) << "removing an absent key does nothing";
}

TEST(SortedChunks, FindsEveryKeyAndNoOther) {
  Chunks chunks = FromKeys(5000);
  ASSERT_GT(chunks.chunk_count(), 1u);
  for (int i = 0; i < 5000; ++i) {
    const Item* item = chunks.Find(Key(i));
    ASSERT_NE(item, nullptr) << i;
    EXPECT_EQ(**item, Key(i));
  }
  EXPECT_EQ(chunks.Find(""), nullptr);
  EXPECT_EQ(chunks.Find("a"), nullptr) << "before the first key";
  EXPECT_EQ(chunks.Find("k0000000x"), nullptr) << "between keys";
  EXPECT_EQ(chunks.Find("z"), nullptr) << "after the last key";
}

TEST(SortedChunks, SlicesByPositionAcrossChunks) {
  Chunks chunks = FromKeys(1000);
  ExpectLegalChunks(chunks);
  for (std::size_t offset : {0u, 1u, 255u, 256u, 511u, 990u, 999u}) {
    auto slice = chunks.Slice(offset, 20);
    std::size_t expected = std::min<std::size_t>(20, 1000 - offset);
    ASSERT_EQ(slice.size(), expected) << offset;
    int i = static_cast<int>(offset);
    for (const Item& item : slice) EXPECT_EQ(*item, Key(i++)) << offset;
    EXPECT_EQ(i, static_cast<int>(offset + expected));
  }
  EXPECT_TRUE(chunks.Slice(1000, 20).empty());
  EXPECT_TRUE(chunks.Slice(5000, 20).empty());
  EXPECT_EQ(chunks.Slice(0, 5000).size(), 1000u);
}

TEST(SortedChunks, AChangedVersionSharesTheChunksNoEditFallsInto) {
  Chunks base = FromKeys(100'000);
  std::vector<Chunks::Edit> edits = {{"k0050000x", MakeItem("k0050000x")}};
  Chunks next = base.Merge(edits);
  ASSERT_EQ(next.size(), 100'001u);
  std::size_t shared = 0;
  for (std::size_t c = 0; c < next.chunk_count(); ++c) {
    for (std::size_t b = 0; b < base.chunk_count(); ++b) {
      if (next.chunk(c).data() == base.chunk(b).data()) ++shared;
    }
  }
  EXPECT_EQ(shared, next.chunk_count() - 1) << "only the chunk the insertion falls into is new";
  EXPECT_EQ(base.size(), 100'000u) << "the base is never modified";
  EXPECT_EQ(base.Find("k0050000x"), nullptr);
  ASSERT_NE(next.Find("k0050000x"), nullptr);
}

TEST(SortedChunks, RemovingEverythingLeavesNothing) {
  Chunks chunks = FromKeys(3000);
  std::vector<Chunks::Edit> edits;
  std::vector<std::string> keys;
  for (int i = 0; i < 3000; ++i) keys.push_back(Key(i));
  for (const auto& key : keys) edits.push_back({key, nullptr});
  EXPECT_TRUE(chunks.Merge(edits).empty());
}

// One removal per version, from the middle (a chunk shrinks before a shared one) and from the
// end (the last chunk shrinks): every version keeps legal chunk sizes.
TEST(SortedChunks, StaysBalancedAsItemsAreRemovedOneByOne) {
  Chunks chunks = FromKeys(2000);
  Model model;
  for (const Item& item : chunks) model[*item] = item;
  std::vector<int> removals;
  for (int i = 700; i < 1300; ++i) removals.push_back(i);
  for (int i = 1999; i >= 1400; --i) removals.push_back(i);
  for (int i : removals) {
    std::string key = Key(i);
    std::vector<Chunks::Edit> edits = {{key, nullptr}};
    chunks = chunks.Merge(edits);
    model.erase(key);
    ExpectSame(chunks, model);
    if (HasFailure()) return;
  }
}

// Random batches of insertions, replacements and removals (of present and absent keys),
// checked against std::map after every batch; earlier versions are checked unchanged at the end.
TEST(SortedChunks, MatchesAnOrderedMapUnderRandomEdits) {
  std::mt19937 random(20261125);
  Chunks chunks;
  Model model;
  std::vector<std::pair<Chunks, Model>> earlier;
  for (int round = 0; round < 300; ++round) {
    // Mostly small batches as the writer makes them, now and then a bulk load or a purge.
    int batch = round % 50 == 0 ? 3000 : 1 + static_cast<int>(random() % 40);
    int key_space = round < 150 ? 20'000 : 4'000;  // later rounds remove more than they add
    std::map<std::string, Item> edits;
    for (int e = 0; e < batch; ++e) {
      std::string key = Key(static_cast<int>(random() % key_space));
      bool remove = random() % (round < 150 ? 4 : 2) == 0;
      edits[key] = remove ? nullptr : MakeItem(key);
    }
    Model next_model = model;
    std::vector<Chunks::Edit> edit_list;
    for (const auto& [key, value] : edits) {
      edit_list.push_back({key, value});
      if (value)
        next_model[key] = value;
      else
        next_model.erase(key);
    }
    Chunks next = chunks.Merge(edit_list);
    ExpectSame(next, next_model);
    for (const auto& [key, value] : edits) {
      const Item* found = next.Find(key);
      EXPECT_EQ(found ? found->get() : nullptr, value.get()) << key;
    }
    std::size_t offset = next_model.empty() ? 0 : random() % next_model.size();
    auto slice = next.Slice(offset, 100);
    auto expected = next_model.begin();
    std::advance(expected, offset);
    for (const Item& item : slice) EXPECT_EQ(item.get(), (expected++)->second.get());
    if (round % 20 == 0) earlier.emplace_back(chunks, model);
    chunks = std::move(next);
    model = std::move(next_model);
    if (HasFailure()) return;
  }
  for (const auto& [version, its_model] : earlier) ExpectSame(version, its_model);
}

}  // namespace
}  // namespace flagledger
