// The CSV form of events (RFC 4180, docs/api.md "Exports"): one row per changed member.
//
//   sequence,recorded_at,type,organization_id,flag_key,version,actor,request_id,member,from,to
//
// `member` is enabled or rollout_condition (a flag event lists each member it changed;
// flag.deleted lists both, from the flag it deleted, to null), or token (token events: the
// token's facts as JSON, to on token.created, from on token.revoked). from and to are the
// member's JSON value (true, false, null, or an object). Rows end in CRLF; a field holding a
// comma, a quote or a line break is quoted, its quotes doubled.
#pragma once

#include <string>
#include <string_view>

#include "events/event.h"

namespace flagledger {

// The header row.
void AppendEventCsvHeader(std::string& out);

// The rows of one event.
void AppendEventCsvRows(std::string& out, const Event& event);

}  // namespace flagledger
