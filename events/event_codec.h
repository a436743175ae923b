// The stored and served JSON form of an event (api-contract.md §4).
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
  Result<Event> Decode(std::string_view json, Parts parts = Parts::kEverything);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flagledger
