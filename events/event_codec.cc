// Event encoding. An event is stored (and served) as one JSON object, members in this order:
//
//   event   := {"sequence":u64,"type":type,"organization_id":str,"flag_key":str,
//               "version":u64,"recorded_at":micros_time,"actor":str,"request_id":str,
//               "changes":changes,"flag":flag|null[,"previous":flag]
//               [,"reverted_to":{"to_event":u64,"as_of":micros_time|null}][,"restore_id":str]}
//   type    := "flag.created" | "flag.updated" | "flag.rollout_updated" | "flag.deleted"
//              | "flag.reverted"
//   changes := {["enabled":{"from":bool|null,"to":bool}]
//               [,"rollout_condition":{"from":rollout|null,"to":rollout|null}]}
//   rollout := {"min_version":semver|null,"activation_date":seconds_time|null}
//   flag    := {"flag_key","enabled","organization_id","rollout_condition","created_at",
//               "updated_at"}                       (core/flag_json.h)
//   micros_time := "YYYY-MM-DDTHH:MM:SS.ffffffZ"   seconds_time := "YYYY-MM-DDTHH:MM:SSZ"
//
// A token event (system stream) names its key "token_id" and has "token" instead of
// "changes" and "flag":
//
//   token_event := {"sequence":u64,"type":"token.created"|"token.revoked",
//                   "organization_id":"_system","token_id":str,"version":u64,
//                   "recorded_at":micros_time,"actor":str,"request_id":str,
//                   "token":{"name":str,"organization_id":str,"role":str,"secret_sha256":str}}
//
// Both end with the write's reason when it gave one, then the hash chain's members
// (events/event_chain.h), on every event of a log of schema 4 or later:
//
//   ...[,"actor_token_id":str][,"reason":str],"previous_hash":hex64,"hash":hex64}
//
// "previous" (the flag just before) is on flag.deleted and on a flag.reverted that deletes;
// events stored before schema 3 got it when the log was upgraded (log_migrations.h).
// "reverted_to" is on flag.reverted only, "restore_id" on those an organization restore wrote.
//
// Flag timestamps are stored at second precision, as rendered; created_at and updated_at of
// the live projection come from recorded_at, so decoding keeps the flag member only for
// reading history, never as the source of the projection's times.
#include "events/event_codec.h"

#include <simdjson.h>

#include "core/flag_json.h"
#include "core/json_writer.h"

namespace flagledger {

namespace od = simdjson::ondemand;

namespace {

// `,"actor_token_id":"…"` and `,"reason":"…"` when the event has them, then
// `,"previous_hash":"…","hash":"…"}`: the members present, then the object's end.
void AppendChainMembers(std::string& out, const Event& event) {
  if (!event.actor_token_id.empty()) {
    out += ",\"actor_token_id\":";
    AppendJsonString(out, event.actor_token_id);
  }
  if (!event.reason.empty()) {
    out += ",\"reason\":";
    AppendJsonString(out, event.reason);
  }
  if (!event.previous_hash.empty()) {
    out += ",\"previous_hash\":";
    AppendJsonString(out, event.previous_hash);
  }
  if (!event.hash.empty()) {
    out += ",\"hash\":";
    AppendJsonString(out, event.hash);
  }
  out.push_back('}');
}

}  // namespace

std::string EncodeEvent(const Event& event) {
  std::string out;
  out.reserve(512);
  out += "{\"sequence\":";
  AppendJsonUint(out, event.sequence);
  out += ",\"type\":";
  AppendJsonString(out, EventTypeName(event.type));
  out += ",\"organization_id\":";
  AppendJsonString(out, event.organization_id);
  out += IsTokenEvent(event.type) ? ",\"token_id\":" : ",\"flag_key\":";
  AppendJsonString(out, event.flag_key);
  out += ",\"version\":";
  AppendJsonUint(out, event.version);
  out += ",\"recorded_at\":\"";
  event.recorded_at.AppendMicros(out);
  out += "\",\"actor\":";
  AppendJsonString(out, event.actor);
  out += ",\"request_id\":";
  AppendJsonString(out, event.request_id);
  if (IsTokenEvent(event.type)) {
    static const TokenFacts kNoFacts;
    const TokenFacts& token = event.token ? *event.token : kNoFacts;
    out += ",\"token\":{\"name\":";
    AppendJsonString(out, token.name);
    out += ",\"organization_id\":";
    AppendJsonString(out, token.organization_id);
    out += ",\"role\":";
    AppendJsonString(out, RoleName(token.role));
    out += ",\"secret_sha256\":";
    AppendJsonString(out, token.secret_sha256);
    out.push_back('}');
    AppendChainMembers(out, event);
    return out;
  }
  out += ",\"changes\":{";
  if (event.changes.enabled) {
    out += "\"enabled\":{\"from\":";
    if (event.changes.enabled->from) {
      AppendJsonBool(out, *event.changes.enabled->from);
    } else {
      out += "null";
    }
    out += ",\"to\":";
    AppendJsonBool(out, event.changes.enabled->to);
    out.push_back('}');
  }
  if (event.changes.rollout_condition) {
    if (event.changes.enabled) out.push_back(',');
    out += "\"rollout_condition\":{\"from\":";
    AppendRolloutJson(out, event.changes.rollout_condition->from);
    out += ",\"to\":";
    AppendRolloutJson(out, event.changes.rollout_condition->to);
    out.push_back('}');
  }
  out += "},\"flag\":";
  if (event.flag) {
    AppendFlagJson(out, *event.flag);
  } else {
    out += "null";
  }
  if (event.previous) {
    out += ",\"previous\":";
    AppendFlagJson(out, *event.previous);
  }
  if (event.reverted_to) {
    out += ",\"reverted_to\":{\"to_event\":";
    AppendJsonUint(out, event.reverted_to->to_event);
    out += ",\"as_of\":";
    AppendJsonMicrosOrNull(out, event.reverted_to->as_of);
    out.push_back('}');
  }
  if (!event.restore_id.empty()) {
    out += ",\"restore_id\":";
    AppendJsonString(out, event.restore_id);
  }
  AppendChainMembers(out, event);
  return out;
}

bool SplitSealedEvent(std::string_view json, SealedEvent& out) {
  constexpr std::string_view kPrevious = ",\"previous_hash\":\"";
  constexpr std::string_view kHash = "\",\"hash\":\"";
  constexpr std::size_t kTail = kPrevious.size() + 64 + kHash.size() + 64 + 2;
  if (json.size() < kTail + 1 || !json.ends_with("\"}")) return false;
  std::string_view tail = json.substr(json.size() - kTail);
  if (!tail.starts_with(kPrevious) || tail.substr(kPrevious.size() + 64, kHash.size()) != kHash) {
    return false;
  }
  auto is_hex = [](std::string_view digits) {  // branch-free: hashes are random digits
    bool bad = false;
    for (char c : digits) {
      auto byte = static_cast<unsigned char>(c);
      bad |= (static_cast<unsigned>(byte - '0') > 9u) & (static_cast<unsigned>(byte - 'a') > 5u);
    }
    return !bad;
  };
  out.previous_hash = tail.substr(kPrevious.size(), 64);
  out.hash = tail.substr(kPrevious.size() + 64 + kHash.size(), 64);
  out.covered = json.substr(0, json.size() - (kHash.size() - 1) - 64 - 2);
  return is_hex(out.previous_hash) && is_hex(out.hash);
}

namespace {

// Reads one event; the first error wins and is kept in `error`.
class EventReader {
 public:
  explicit EventReader(std::string_view json) : text(json) {}

  std::string_view text;  // the whole event, for ReadOptional
  std::string error;

  bool Fail(std::string_view what) {
    if (error.empty()) error = std::string(what);
    return false;
  }

  bool IsNull(od::value value) {
    od::json_type type;
    return value.type().get(type) == simdjson::SUCCESS && type == od::json_type::null;
  }

  bool ReadString(od::object& object, std::string_view name, std::string& out) {
    std::string_view text;
    if (object.find_field(name).get_string().get(text)) return Fail(name);
    out.assign(text);
    return true;
  }

  bool ReadTime(od::value value, Timestamp& out, std::string_view name) {
    std::string_view text;
    if (value.get_string().get(text)) return Fail(name);
    auto parsed = ParseRfc3339(text);
    if (!parsed.ok()) return Fail(name);
    out = parsed->time;
    return true;
  }

  bool ReadRollout(od::value value, std::optional<RolloutCondition>& out) {
    if (IsNull(value)) {
      out.reset();
      return true;
    }
    od::object object;
    if (value.get_object().get(object)) return Fail("rollout_condition");
    RolloutCondition rollout;
    od::value min_version, activation_date;
    if (object.find_field("min_version").get(min_version)) return Fail("min_version");
    if (!IsNull(min_version)) {
      std::string_view text;
      if (min_version.get_string().get(text)) return Fail("min_version");
      auto parsed = SemVer::Parse(text);
      if (!parsed.ok()) return Fail("min_version");
      rollout.min_version = std::move(parsed).value();
    }
    if (object.find_field("activation_date").get(activation_date)) {
      return Fail("activation_date");
    }
    if (!IsNull(activation_date)) {
      Timestamp time;
      if (!ReadTime(activation_date, time, "activation_date")) return false;
      rollout.activation_date = time;
    }
    out = std::move(rollout);
    return true;
  }

  bool ReadFlag(od::value value, std::optional<Flag>& out) {
    if (IsNull(value)) {
      out.reset();
      return true;
    }
    od::object object;
    if (value.get_object().get(object)) return Fail("flag");
    Flag flag;
    od::value rollout, created_at, updated_at;
    if (!ReadString(object, "flag_key", flag.flag_key)) return false;
    if (object.find_field("enabled").get_bool().get(flag.enabled)) return Fail("flag.enabled");
    if (!ReadString(object, "organization_id", flag.organization_id)) return false;
    if (object.find_field("rollout_condition").get(rollout) ||
        !ReadRollout(rollout, flag.rollout_condition)) {
      return Fail("flag.rollout_condition");
    }
    if (object.find_field("created_at").get(created_at) ||
        !ReadTime(created_at, flag.created_at, "flag.created_at")) {
      return Fail("flag.created_at");
    }
    if (object.find_field("updated_at").get(updated_at) ||
        !ReadTime(updated_at, flag.updated_at, "flag.updated_at")) {
      return Fail("flag.updated_at");
    }
    out = std::move(flag);
    return true;
  }

  bool ReadChanges(od::object changes, EventChanges& out) {
    for (auto field : changes) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return Fail("changes");
      od::object change;
      if (field.value().get_object().get(change)) return Fail("changes");
      od::value from, to;
      if (change.find_field("from").get(from)) return Fail("changes.from");
      if (key == "enabled") {
        EnabledChange enabled;
        if (!IsNull(from)) {
          bool value;
          if (from.get_bool().get(value)) return Fail("changes.enabled.from");
          enabled.from = value;
        }
        if (change.find_field("to").get_bool().get(enabled.to)) return Fail("changes.enabled.to");
        out.enabled = enabled;
      } else if (key == "rollout_condition") {
        RolloutChange rollout;
        if (!ReadRollout(from, rollout.from)) return false;
        if (change.find_field("to").get(to) || !ReadRollout(to, rollout.to)) {
          return Fail("changes.rollout_condition.to");
        }
        out.rollout_condition = std::move(rollout);
      } else {
        return Fail("changes has an unknown member");
      }
    }
    return true;
  }

  bool ReadToken(od::object& event, TokenFacts& token) {
    od::object object;
    std::string_view role;
    if (event.find_field("token").get_object().get(object)) return Fail("token");
    if (!ReadString(object, "name", token.name) ||
        !ReadString(object, "organization_id", token.organization_id)) {
      return false;
    }
    if (object.find_field("role").get_string().get(role)) return Fail("token.role");
    auto parsed = ParseRole(role);
    if (!parsed) return Fail("token.role");
    token.role = *parsed;
    return ReadString(object, "secret_sha256", token.secret_sha256);
  }

  bool ReadEvent(od::document& doc, Event& event, bool with_changes) {
    od::object object;
    if (doc.get_object().get(object)) return Fail("event is not an object");
    std::string_view type;
    od::value recorded_at, flag;
    od::object changes;
    if (object.find_field("sequence").get_uint64().get(event.sequence)) return Fail("sequence");
    if (object.find_field("type").get_string().get(type)) return Fail("type");
    auto parsed_type = ParseEventType(type);
    if (!parsed_type) return Fail("type");
    event.type = *parsed_type;
    bool token_event = IsTokenEvent(event.type);
    if (!ReadString(object, "organization_id", event.organization_id) ||
        !ReadString(object, token_event ? "token_id" : "flag_key", event.flag_key)) {
      return false;
    }
    if (object.find_field("version").get_uint64().get(event.version)) return Fail("version");
    if (object.find_field("recorded_at").get(recorded_at) ||
        !ReadTime(recorded_at, event.recorded_at, "recorded_at")) {
      return Fail("recorded_at");
    }
    if (!ReadString(object, "actor", event.actor) ||
        !ReadString(object, "request_id", event.request_id)) {
      return false;
    }
    if (token_event) return ReadToken(object, event.token.emplace()) && ReadOptional(object, event);
    if (with_changes && (object.find_field("changes").get_object().get(changes) ||
                         !ReadChanges(changes, event.changes))) {
      return Fail("changes");
    }
    if (object.find_field("flag").get(flag) || !ReadFlag(flag, event.flag)) return Fail("flag");
    od::value previous;
    if (HasMember(",\"previous\":{") && !object.find_field("previous").get(previous)) {
      if (!ReadFlag(previous, event.previous)) return Fail("previous");
    }
    if (event.type == EventType::kFlagReverted && !ReadRevertPoint(object, event)) return false;
    return ReadOptional(object, event);
  }

  // Whether `member` (`,"name":` and the value's first byte) occurs in the text. It cannot
  // occur inside a JSON string, whose quotes are escaped, so a member absent at the top level
  // does not send an ordered lookup past the members after it.
  bool HasMember(std::string_view member) const {
    return text.find(member) != std::string_view::npos;
  }

  bool ReadRevertPoint(od::object& object, Event& event) {
    od::object point;
    od::value as_of;
    RevertPoint& read = event.reverted_to.emplace();
    if (object.find_field("reverted_to").get_object().get(point) ||
        point.find_field("to_event").get_uint64().get(read.to_event) ||
        point.find_field("as_of").get(as_of)) {
      return Fail("reverted_to");
    }
    if (!IsNull(as_of) && !ReadTime(as_of, read.as_of.emplace(), "reverted_to.as_of")) {
      return false;
    }
    return !HasMember(",\"restore_id\":\"") || ReadString(object, "restore_id", event.restore_id);
  }

  // The optional members after every other but the chain's, in the order EncodeEvent writes
  // them. Each is looked up in order (an unordered lookup is not safe on damaged input), and
  // only when HasMember finds it.
  bool ReadOptional(od::object& object, Event& event) {
    return ReadOptionalString(object, "actor_token_id", ",\"actor_token_id\":\"",
                              event.actor_token_id) &&
           ReadOptionalString(object, "reason", ",\"reason\":\"", event.reason);
  }

  bool ReadOptionalString(od::object& object, std::string_view name, std::string_view member,
                          std::string& out) {
    if (!HasMember(member)) return true;
    od::value value;
    if (object.find_field(name).get(value)) return true;  // not at the top level
    std::string_view found;
    if (value.get_string().get(found)) return Fail(name);
    out.assign(found);
    return true;
  }
};

}  // namespace

struct EventDecoder::Impl {
  od::parser parser;
  std::string buffer;  // the input copied with SIMDJSON_PADDING spare bytes
};

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

Result<Event> EventDecoder::Decode(std::string_view json, Parts parts) {
  std::string& buffer = impl_->buffer;
  buffer.reserve(json.size() + simdjson::SIMDJSON_PADDING);
  buffer.assign(json);
  od::document doc;
  Event event;
  EventReader reader(json);
  if (impl_->parser.iterate(buffer.data(), buffer.size(), buffer.capacity()).get(doc)) {
    reader.Fail("not JSON");
  } else {
    reader.ReadEvent(doc, event, parts == Parts::kEverything);
  }
  SealedEvent sealed;
  if (reader.error.empty() && SplitSealedEvent(json, sealed)) {
    event.previous_hash = sealed.previous_hash;
    event.hash = sealed.hash;
  }
  if (!reader.error.empty()) {
    return Status(ErrorCode::kInternal, "undecodable event: " + reader.error);
  }
  return event;
}

}  // namespace flagledger
