#include "events/replicated_batch.h"

#include "events/log_keys.h"

namespace flagledger {

namespace {

constexpr std::string_view kMagic = "FLB1";

void AppendU32(std::string& out, std::size_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
}

void AppendBytes(std::string& out, std::string_view bytes) {
  AppendU32(out, bytes.size());
  out += bytes;
}

// Reads the encoding front to back; any read past the end makes it !ok().
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool ok() const { return ok_; }
  bool done() const { return rest_.empty(); }

  std::uint64_t U64() {
    if (!Have(8)) return 0;
    std::uint64_t value = internal::ReadBigEndian(rest_);
    rest_.remove_prefix(8);
    return value;
  }
  std::uint32_t U32() {
    if (!Have(4)) return 0;
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) value = (value << 8) | static_cast<unsigned char>(rest_[i]);
    rest_.remove_prefix(4);
    return value;
  }
  std::string_view Bytes() {
    std::uint32_t size = U32();
    if (!Have(size)) return {};
    std::string_view bytes = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return bytes;
  }
  std::string_view Take(std::size_t size) {
    if (!Have(size)) return {};
    std::string_view bytes = rest_.substr(0, size);
    rest_.remove_prefix(size);
    return bytes;
  }

 private:
  bool Have(std::size_t size) {
    if (rest_.size() < size) ok_ = false;
    return ok_;
  }
  std::string_view rest_;
  bool ok_ = true;
};

Status NotABatch(std::string_view why) {
  return Status(ErrorCode::kInternal, "not an encoded batch of the log: " + std::string(why));
}

}  // namespace

std::string EncodeReplicatedBatch(const ReplicatedBatch& batch) {
  std::string out(kMagic);
  internal::AppendBigEndian(out, batch.first);
  internal::AppendBigEndian(out, batch.last);
  AppendU32(out, batch.events.size());
  for (const std::string& event : batch.events) AppendBytes(out, event);
  AppendU32(out, batch.records.size());
  for (const IdempotencyRecord& record : batch.records) {
    AppendBytes(out, record.scope_key);
    AppendBytes(out, internal::EncodeIdempotencyRecord(record));
  }
  return out;
}

Result<ReplicatedBatch> DecodeReplicatedBatch(std::string_view value) {
  Reader reader(value);
  if (reader.Take(kMagic.size()) != kMagic) return NotABatch("no FLB1 mark");
  ReplicatedBatch batch;
  batch.first = reader.U64();
  batch.last = reader.U64();
  const std::uint32_t events = reader.U32();
  for (std::uint32_t i = 0; i < events && reader.ok(); ++i) {
    batch.events.emplace_back(reader.Bytes());
  }
  const std::uint32_t records = reader.U32();
  for (std::uint32_t i = 0; i < records && reader.ok(); ++i) {
    std::string_view scope_key = reader.Bytes();
    std::string_view encoded = reader.Bytes();
    IdempotencyRecord record;
    if (reader.ok() && !internal::DecodeIdempotencyRecord(scope_key, encoded, record)) {
      return NotABatch("a stored answer does not decode");
    }
    batch.records.push_back(std::move(record));
  }
  if (!reader.ok()) return NotABatch("it ends early");
  if (!reader.done()) return NotABatch("bytes follow its end");
  if (batch.events.empty() || batch.first == 0 ||
      batch.last != batch.first + batch.events.size() - 1) {
    return NotABatch("its events do not number " + std::to_string(batch.first) + " to " +
                     std::to_string(batch.last));
  }
  return batch;
}

}  // namespace flagledger
