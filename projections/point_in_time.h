// State at a past point of the log, answered from the log's indexes, never by a full replay.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "events/event_log.h"
#include "projections/flag_record.h"

namespace flagledger {

// The flag a stored event leaves behind (nullptr after a delete), with the event's version.
Result<std::shared_ptr<const FlagRecord>> RecordAfterEvent(std::string_view event_json);

// One flag as it stood right after event `sequence`: nullptr when it did not exist then.
// O(log n). Thread-safe.
Result<std::shared_ptr<const FlagRecord>> FlagAt(const EventLog& log,
                                                 std::string_view organization_id,
                                                 std::string_view flag_key, std::uint64_t sequence);

// Every live flag of the organization right after event `sequence`, sorted by key: its
// nearest checkpoint, at most about max(256, flags) events after it, and one MultiGet of the
// flags' events (EventLog::LiveFlagsAt). Thread-safe.
Result<std::vector<std::shared_ptr<const FlagRecord>>> OrganizationAt(
    const EventLog& log, std::string_view organization_id, std::uint64_t sequence);

// The sequence of the organization's newest event at or before `at` (0: none). O(log n).
// Thread-safe.
Result<std::uint64_t> OrganizationSequenceAt(const EventLog& log, std::string_view organization_id,
                                             std::uint64_t at);

}  // namespace flagledger
