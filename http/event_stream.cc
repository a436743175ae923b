#include "http/event_stream.h"

namespace flagledger {
namespace {

// The "type" member of an event JSON as EncodeEvent writes it ({"sequence":N,"type":"...").
std::string_view EventTypeOf(std::string_view json) {
  constexpr std::string_view kMember = "\"type\":\"";
  std::size_t start = json.find(kMember);
  if (start == std::string_view::npos) return "event";
  start += kMember.size();
  std::size_t end = json.find('"', start);
  return end == std::string_view::npos ? "event" : json.substr(start, end - start);
}

}  // namespace

ResponseStream::Part EventStream::Next(std::string& out) {
  EventRange range;
  range.after = cursor_;
  range.limit = kBatch;
  bool any = false;
  auto frame = [&](std::uint64_t sequence, std::string_view json) {
    out += "id: ";
    out += std::to_string(sequence);
    out += "\nevent: ";
    out += EventTypeOf(json);
    out += "\ndata: ";
    out += json;  // one line: the encoder never writes a raw newline
    out += "\n\n";
    cursor_ = sequence;
    any = true;
    return true;
  };
  Status scanned = organization_id_.empty() ? log_.Scan(range, frame)
                                            : log_.ScanOrganization(organization_id_, range, frame);
  return scanned.ok() && any ? Part::kData : Part::kNothingYet;
}

}  // namespace flagledger
