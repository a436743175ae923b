// The log's hash chain (docs/operations.md, "Tamper evidence").
//
// Every stored event ends with two members: "previous_hash", the "hash" of the event before
// it (kGenesisHash for event 1), and "hash", the SHA-256 of the event's own stored JSON
// without its "hash" member, i.e. up to and including "previous_hash", closed by '}'. The
// hash therefore covers every member of the event, its sequence and, through previous_hash,
// every event before it: changing, removing, inserting or reordering any stored event breaks
// the chain at that event unless every later hash is recomputed too. Removing events from
// the end, or rewriting the whole chain, is caught only against a head recorded elsewhere
// (`GET /api/v1/events/head`, `flagledger verify --expect-head`).
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"
#include "events/event_codec.h"

namespace flagledger {

inline constexpr std::string_view kGenesisHash =
    "0000000000000000000000000000000000000000000000000000000000000000";

// Sets event.previous_hash and event.hash and returns the event's stored JSON.
std::string EncodeChainedEvent(Event& event, std::string_view previous_hash);

// The hash a sealed event must carry: SHA-256 of `sealed.covered` + '}', as 64 hex digits.
std::string ChainHash(const SealedEvent& sealed);

// A point of the chain: an event's sequence and hash (sequence 0: the empty log, genesis).
struct ChainHead {
  std::uint64_t sequence = 0;
  std::string hash{kGenesisHash};
  bool operator==(const ChainHead&) const = default;
};

// "SEQ:HASH" (the form `verify --expect-head` takes and the head endpoint documents).
std::string FormatChainHead(const ChainHead& head);
// Parses "SEQ:HASH" (SEQ >= 1, HASH 64 lowercase hex digits); false on anything else.
bool ParseChainHead(std::string_view text, ChainHead& out);

}  // namespace flagledger
