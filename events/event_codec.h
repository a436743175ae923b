// The stored and served JSON form of an event (docs/api.md, "Resources").
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"
#include "events/event.h"

namespace flagledger {

// Renders `event` with the members in the contract's order. Deterministic: the same event
// always gives the same bytes.
std::string EncodeEvent(const Event& event);

// An encoded event's hash chain members, found by position at its end (views into the JSON).
struct SealedEvent {
  std::string_view covered;  // what the "hash" member covers: the JSON up to it, no '}'
  std::string_view previous_hash, hash;
};

// Splits `json` when it ends with both chain members, each 64 lowercase hex digits.
bool SplitSealedEvent(std::string_view json, SealedEvent& out);

// Decodes what EncodeEvent wrote, with simdjson on-demand and one reused parser.
// Not thread-safe: use one decoder per thread.
class EventDecoder {
 public:
  EventDecoder();
  ~EventDecoder();
  EventDecoder(const EventDecoder&) = delete;
  EventDecoder& operator=(const EventDecoder&) = delete;

  enum class Parts { kEverything, kWithoutChanges };

  // Returns kInternal with a reason when `json` is not a well-formed event. kWithoutChanges
  // leaves `changes` empty and unchecked (folding needs only the resulting flag).
  // On bytes that are not valid JSON, or name a member twice, on-demand parsing checks only
  // what it reads and takes the first member of a name after the one it read before: a decode
  // may then return an event made of the members it found (one that encodes and decodes
  // again unchanged), and the two Parts may disagree. Damage to the log's files is caught
  // before this, by RocksDB's checksums of table blocks and WAL records.
  Result<Event> Decode(std::string_view json, Parts parts = Parts::kEverything);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flagledger
