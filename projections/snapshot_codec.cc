// Snapshot file format, integers little-endian:
//
//   file    := header org* trailer
//   header  := "FLEDSNAP" u32 format(1) u32 log_schema(EventLog::kSchemaVersion)
//              u64 sequence u64 org_count
//   org     := str organization_id u64 flag_count flag*       (orgs and flags in key order)
//   flag    := str flag_key u8 bits [str min_version] [i64 activation_date]
//              i64 created_at i64 updated_at u64 version      (times in microseconds)
//   bits    := 1 enabled | 2 has min_version | 4 has activation_date
//   str     := u16 length, bytes
//   trailer := u32 CRC-32 (zlib) of every byte before it
#include "projections/snapshot_codec.h"

#include <zlib.h>

#include <cstring>

#include "core/identifier.h"
#include "events/event_log.h"

namespace flagledger {
namespace {

constexpr char kMagic[8] = {'F', 'L', 'E', 'D', 'S', 'N', 'A', 'P'};
constexpr std::uint32_t kFormat = 1;
constexpr std::uint8_t kEnabled = 1, kHasMinVersion = 2, kHasActivation = 4;

template <typename Int>
void Put(std::string& out, Int value) {
  for (std::size_t i = 0; i < sizeof(Int); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint64_t>(value) >> (8 * i)));
  }
}

void PutString(std::string& out, std::string_view text) {
  Put<std::uint16_t>(out, static_cast<std::uint16_t>(text.size()));
  out.append(text);
}

std::uint32_t Crc32(std::string_view bytes) {
  return static_cast<std::uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size())));
}

// Reads the format; the first failure sticks.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  bool at_end() const { return bytes_.empty(); }

  template <typename Int>
  Int Get() {
    if (bytes_.size() < sizeof(Int)) return Fail<Int>();
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(Int); ++i) {
      value |= static_cast<std::uint64_t>(static_cast<unsigned char>(bytes_[i])) << (8 * i);
    }
    bytes_.remove_prefix(sizeof(Int));
    return static_cast<Int>(value);
  }
  std::string_view GetString() {
    auto length = Get<std::uint16_t>();
    if (bytes_.size() < length) return Fail<std::string_view>();
    std::string_view text = bytes_.substr(0, length);
    bytes_.remove_prefix(length);
    return text;
  }

 private:
  template <typename T>
  T Fail() {
    ok_ = false;
    bytes_ = {};
    return T{};
  }
  std::string_view bytes_;
  bool ok_ = true;
};

Status Damaged(const std::string& why) {
  return Status(ErrorCode::kInternal, "snapshot rejected: " + why);
}

}  // namespace

std::string EncodeSnapshot(const ProjectionSnapshot& snapshot) {
  std::string out;
  out.reserve(64 + snapshot.FlagCount() * 96);
  out.append(kMagic, sizeof(kMagic));
  Put<std::uint32_t>(out, kFormat);
  Put<std::uint32_t>(out, EventLog::kSchemaVersion);
  Put<std::uint64_t>(out, snapshot.sequence);
  Put<std::uint64_t>(out, snapshot.organizations.size());
  for (const auto& org : snapshot.organizations) {
    PutString(out, org->organization_id());
    Put<std::uint64_t>(out, org->size());
    for (const auto& record : org->flags()) {
      const Flag& flag = record->flag;
      const auto& rollout = flag.rollout_condition;
      std::uint8_t bits = (flag.enabled ? kEnabled : 0) |
                          (rollout && rollout->min_version ? kHasMinVersion : 0) |
                          (rollout && rollout->activation_date ? kHasActivation : 0);
      PutString(out, flag.flag_key);
      Put<std::uint8_t>(out, bits);
      if (bits & kHasMinVersion) PutString(out, rollout->min_version->text());
      if (bits & kHasActivation) Put<std::int64_t>(out, rollout->activation_date->micros());
      Put<std::int64_t>(out, flag.created_at.micros());
      Put<std::int64_t>(out, flag.updated_at.micros());
      Put<std::uint64_t>(out, record->version);
    }
  }
  Put<std::uint32_t>(out, Crc32(out));
  return out;
}

Result<std::shared_ptr<const ProjectionSnapshot>> DecodeSnapshot(std::string_view bytes) {
  if (bytes.size() < sizeof(kMagic) + 28 ||
      std::memcmp(bytes.data(), kMagic, sizeof(kMagic)) != 0) {
    return Damaged("not a flagledger snapshot");
  }
  std::string_view body = bytes.substr(0, bytes.size() - 4);
  Reader trailer(bytes.substr(bytes.size() - 4));
  if (trailer.Get<std::uint32_t>() != Crc32(body)) return Damaged("checksum mismatch");

  Reader in(body.substr(sizeof(kMagic)));
  std::uint32_t format = in.Get<std::uint32_t>();
  std::uint32_t schema = in.Get<std::uint32_t>();
  if (format != kFormat) return Damaged("unknown format " + std::to_string(format));
  // Schemas 1 to 3 differ in the log's metadata and indexes only: the same projection.
  if (schema < static_cast<std::uint32_t>(EventLog::kOldestReadableSchema) ||
      schema > static_cast<std::uint32_t>(EventLog::kSchemaVersion)) {
    return Damaged("written for log schema " + std::to_string(schema));
  }
  auto snapshot = std::make_shared<ProjectionSnapshot>();
  snapshot->sequence = in.Get<std::uint64_t>();
  std::uint64_t org_count = in.Get<std::uint64_t>();
  std::vector<std::shared_ptr<const OrgState>> organizations;
  std::string_view previous_org;
  for (std::uint64_t o = 0; o < org_count && in.ok(); ++o) {
    std::string_view organization_id = in.GetString();
    if (!IsValidIdentifier(organization_id) || (o > 0 && organization_id <= previous_org)) {
      return Damaged("organization ids invalid or out of order");
    }
    previous_org = organization_id;
    std::uint64_t flag_count = in.Get<std::uint64_t>();
    if (flag_count == 0 || flag_count > body.size()) return Damaged("bad flag count");
    std::vector<std::shared_ptr<const FlagRecord>> flags;
    flags.reserve(flag_count);
    for (std::uint64_t f = 0; f < flag_count && in.ok(); ++f) {
      Flag flag;
      flag.organization_id = std::string(organization_id);
      std::string_view flag_key = in.GetString();
      if (!IsValidIdentifier(flag_key) || (f > 0 && flag_key <= flags.back()->flag.flag_key)) {
        return Damaged("flag keys invalid or out of order");
      }
      flag.flag_key = std::string(flag_key);
      std::uint8_t bits = in.Get<std::uint8_t>();
      flag.enabled = bits & kEnabled;
      if (bits & (kHasMinVersion | kHasActivation)) flag.rollout_condition.emplace();
      if (bits & kHasMinVersion) {
        auto version = SemVer::Parse(in.GetString());
        if (!version.ok()) return Damaged("invalid min_version");
        flag.rollout_condition->min_version = std::move(version).value();
      }
      if (bits & kHasActivation) {
        flag.rollout_condition->activation_date = Timestamp::FromMicros(in.Get<std::int64_t>());
      }
      flag.created_at = Timestamp::FromMicros(in.Get<std::int64_t>());
      flag.updated_at = Timestamp::FromMicros(in.Get<std::int64_t>());
      std::uint64_t version = in.Get<std::uint64_t>();
      flags.push_back(MakeFlagRecord(std::move(flag), version));
    }
    organizations.push_back(
        std::make_shared<const OrgState>(std::string(organization_id), FlagList(std::move(flags))));
  }
  if (!in.ok() || !in.at_end()) return Damaged("truncated or trailing bytes");
  snapshot->organizations = OrgList(std::move(organizations));
  return std::shared_ptr<const ProjectionSnapshot>(std::move(snapshot));
}

bool SameProjection(const ProjectionSnapshot& a, const ProjectionSnapshot& b,
                    std::string* difference) {
  auto differ = [&](std::string what) {
    if (difference) *difference = std::move(what);
    return false;
  };
  if (a.sequence != b.sequence) {
    return differ("sequence " + std::to_string(a.sequence) + " vs " + std::to_string(b.sequence));
  }
  if (a.organizations.size() != b.organizations.size()) return differ("organization count");
  for (auto x = a.organizations.begin(), y = b.organizations.begin(); x != a.organizations.end();
       ++x, ++y) {
    const OrgState& p = **x;
    const OrgState& q = **y;
    if (p.organization_id() != q.organization_id() || p.size() != q.size()) {
      return differ("organization " + p.organization_id());
    }
    for (auto f = p.flags().begin(), g = q.flags().begin(); f != p.flags().end(); ++f, ++g) {
      const FlagRecord& r = **f;
      const FlagRecord& t = **g;
      if (!(r.flag == t.flag) || r.version != t.version || r.json != t.json) {
        return differ("flag " + p.organization_id() + "/" + r.flag.flag_key);
      }
    }
  }
  return true;
}

}  // namespace flagledger
