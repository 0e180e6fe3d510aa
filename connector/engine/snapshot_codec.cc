#include "connector/engine/snapshot_codec.h"

#include <simdjson.h>

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

#include "connector/engine/evaluation_json.h"

namespace casebridge::engine {
namespace {

namespace od = simdjson::ondemand;
using simdjson::error_code;

constexpr std::size_t kMaxQuoted = 40;  // bytes of an offending value quoted in a message

// `"value"` cut at a UTF-8 boundary after at most kMaxQuoted bytes, with "…" when cut; control
// characters escaped so a message never carries raw newlines to a terminal.
std::string Excerpt(std::string_view value) {
  std::string out;
  std::size_t n = value.size();
  bool const cut = n > kMaxQuoted;
  if (cut) {
    n = kMaxQuoted;
    // Back up over UTF-8 continuation bytes so a multi-byte character is not split.
    while (n > 0 && (static_cast<unsigned char>(value[n]) & 0xC0U) == 0x80U) --n;
  }
  AppendJsonString(out, value.substr(0, n));
  if (cut) out += "\xE2\x80\xA6";  // …
  return out;
}

Status FieldError(std::string field, std::string message) {
  ErrorInfo info;
  info.field = std::move(field);
  return InvalidArgumentError(std::move(message), std::move(info));
}

Status JsonError(error_code code) {
  std::string_view detail = simdjson::error_message(code);
  while (!detail.empty() && (detail.back() == '.' || detail.back() == ' ')) {
    detail.remove_suffix(1);
  }
  return InvalidArgumentError("not valid JSON (" + std::string(detail) + ")");
}

std::string_view TrimRight(std::string_view raw) {
  while (!raw.empty() &&
         (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\n' || raw.back() == '\r')) {
    raw.remove_suffix(1);
  }
  return raw;
}

// How a wrongly typed value is shown in a message: scalars as their JSON text (cut like
// Excerpt()), containers by kind only: `5`, `"2"`, `true`, `null`, `an array`, `an object`.
std::string Describe(od::json_type t, od::value& v) {
  if (t == od::json_type::array) return "an array";
  if (t == od::json_type::object) return "an object";
  std::string_view const raw = TrimRight(v.raw_json_token());
  if (raw.size() <= kMaxQuoted) return std::string(raw);
  std::size_t n = kMaxQuoted;
  while (n > 0 && (static_cast<unsigned char>(raw[n]) & 0xC0U) == 0x80U) --n;
  return std::string(raw.substr(0, n)) + "\xE2\x80\xA6";
}

// True when `s` is a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
bool IsJsonNumber(std::string_view s) {
  std::size_t i = 0;
  auto digits = [&] {
    std::size_t const start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i > start;
  };
  if (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == s.size();
}

// How deep a line may nest (the line's object is level 1). Known fields need 4 levels; an
// unknown field may hold any JSON, but a line nested deeper than this is refused instead of
// being walked (the walk below recurses once per level).
constexpr int kMaxDepth = 512;

// Walks a value the reader does not use (an unknown field, a field of an unknown event type) so
// that malformed content still makes the line invalid JSON: on-demand skipping only checks
// brackets, string ends and UTF-8. `depth` is the level of `v`; a value nested deeper than
// kMaxDepth sets `too_deep` and fails (simdjson on-demand does not bound the depth for us).
Status ValidateSkipped(od::value& v, int depth, bool& too_deep) {
  if (depth > kMaxDepth) {
    too_deep = true;
    return InvalidArgumentError("nested more than " + std::to_string(kMaxDepth) + " levels deep");
  }
  od::json_type t{};
  if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
  switch (t) {
    case od::json_type::object: {
      od::object obj;
      if (auto e = v.get_object().get(obj); e != simdjson::SUCCESS) return JsonError(e);
      for (auto field_result : obj) {
        od::field field;
        if (auto e = std::move(field_result).get(field); e != simdjson::SUCCESS) {
          return JsonError(e);
        }
        std::string_view key;
        if (auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS) return JsonError(e);
        od::value child = field.value();
        Status st = ValidateSkipped(child, depth + 1, too_deep);
        if (!st.ok()) return st;
      }
      return OkStatus();
    }
    case od::json_type::array: {
      od::array arr;
      if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) return JsonError(e);
      for (auto item_result : arr) {
        od::value child;
        if (auto e = std::move(item_result).get(child); e != simdjson::SUCCESS) {
          return JsonError(e);
        }
        Status st = ValidateSkipped(child, depth + 1, too_deep);
        if (!st.ok()) return st;
      }
      return OkStatus();
    }
    case od::json_type::string: {
      std::string_view s;
      if (auto e = v.get_string().get(s); e != simdjson::SUCCESS) return JsonError(e);
      return OkStatus();
    }
    case od::json_type::number:
      if (!IsJsonNumber(TrimRight(v.raw_json_token()))) return JsonError(simdjson::NUMBER_ERROR);
      return OkStatus();
    case od::json_type::boolean: {
      bool b = false;
      if (auto e = v.get_bool().get(b); e != simdjson::SUCCESS) return JsonError(e);
      return OkStatus();
    }
    case od::json_type::null: {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e != simdjson::SUCCESS || !is_null) {
        return JsonError(e != simdjson::SUCCESS ? e : simdjson::N_ATOM_ERROR);
      }
      return OkStatus();
    }
  }
  return OkStatus();
}

// ValidateSkipped() for the value of the field at `path()` (built only on the error path), which
// sits at level `depth`: a too-deep value is reported with that field's path.
template <typename PathFn>
Status SkipUnknown(od::value& v, int depth, PathFn&& path) {
  bool too_deep = false;
  Status st = ValidateSkipped(v, depth, too_deep);
  if (too_deep) return FieldError(std::string(path()), st.message());
  return st;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view lower) {
  if (a.size() != lower.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != lower[i]) return false;
  }
  return true;
}

// What a value turned out to be: a JSON null, or present (a string, bool, … as requested).
enum class Got : std::uint8_t { kNull, kValue };

// The parse of one line into `out_`. Field paths are built only on the error path.
class LineParser {
 public:
  explicit LineParser(Snapshot& out) : out_(out) {}

  Status Run(od::document& doc) {
    od::object root;
    if (auto e = doc.get_object().get(root); e != simdjson::SUCCESS) {
      if (e == simdjson::INCORRECT_TYPE) {
        return InvalidArgumentError("not valid JSON (a snapshot line must be a JSON object)");
      }
      return JsonError(e);
    }
    bool has_id = false;
    bool has_created = false;
    for (auto field_result : root) {
      od::field field;
      if (auto e = std::move(field_result).get(field); e != simdjson::SUCCESS) return JsonError(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS) return JsonError(e);
      od::value v = field.value();
      Status s = RootField(key, v, has_id, has_created);
      if (!s.ok()) return s;
    }
    // Exactly one value on the line: anything after the closing brace is an error.
    if (auto loc = doc.current_location(); loc.error() != simdjson::OUT_OF_BOUNDS) {
      return InvalidArgumentError("not valid JSON (unexpected text after the object)");
    }
    if (!has_id) return FieldError("id", "required field is missing");
    if (!has_created) return FieldError("created_at", "required field is missing");
    return OkStatus();
  }

 private:
  // Reads a string or null into `s`/`got`; any other type is an error naming `name`.
  Status StringOrNull(std::string_view name, od::value& v, std::string_view& s, Got& got) {
    od::json_type t{};
    if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t == od::json_type::null) {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e != simdjson::SUCCESS || !is_null) {
        return JsonError(e != simdjson::SUCCESS ? e : simdjson::TAPE_ERROR);
      }
      got = Got::kNull;
      return OkStatus();
    }
    if (t != od::json_type::string) {
      return FieldError(std::string(name), "must be a string or null, got " + Describe(t, v));
    }
    if (auto e = v.get_string().get(s); e != simdjson::SUCCESS) return JsonError(e);
    got = Got::kValue;
    return OkStatus();
  }

  Status OptionalString(std::string_view name, od::value& v, std::string& dest) {
    std::string_view s;
    Got got{};
    Status st = StringOrNull(name, v, s, got);
    if (!st.ok()) return st;
    dest.assign(s);  // "" for null
    return OkStatus();
  }

  // Parses an instant field (string, offset required). `allow_null` for closed_at.
  Status InstantField(std::string_view name, od::value& v, bool allow_null,
                      std::optional<Instant>& dest) {
    std::string_view s;
    Got got{};
    Status st = StringOrNull(name, v, s, got);
    if (!st.ok()) return st;
    if (got == Got::kNull) {
      if (!allow_null) return FieldError(std::string(name), "is required and must not be null");
      dest.reset();
      return OkStatus();
    }
    auto t = ParseInstant(s);
    if (!t) {
      return FieldError(
          std::string(name),
          "not an ISO-8601 date-time with an offset (e.g. 2026-03-02T14:05:00Z): " + Excerpt(s));
    }
    dest = *t;
    return OkStatus();
  }

  Status RootField(std::string_view key, od::value& v, bool& has_id, bool& has_created) {
    if (key == "id") {
      std::string_view s;
      Got got{};
      Status st = StringOrNull(key, v, s, got);
      if (!st.ok()) return st;
      if (got == Got::kNull || s.empty()) return FieldError("id", "must be a non-empty string");
      out_.id.assign(s);
      has_id = true;
      return OkStatus();
    }
    if (key == "created_at") {
      std::optional<Instant> t;
      Status st = InstantField(key, v, /*allow_null=*/false, t);
      if (!st.ok()) return st;
      out_.created_at = *t;
      has_created = true;
      return OkStatus();
    }
    if (key == "closed_at") return InstantField(key, v, /*allow_null=*/true, out_.closed_at);
    if (key == "events") return Events(v);
    if (key == "source") return OptionalString(key, v, out_.source);
    if (key == "number") return OptionalString(key, v, out_.number);
    if (key == "primary_reason") return OptionalString(key, v, out_.primary_reason);
    if (key == "secondary_reason") return OptionalString(key, v, out_.secondary_reason);
    if (key == "owner") return OptionalString(key, v, out_.owner);
    if (key == "homeowner_id") return OptionalString(key, v, out_.homeowner_id);
    if (key == "installer_id") return OptionalString(key, v, out_.installer_id);
    if (key == "tier") return Tier(v);
    if (key == "financing") return FinancingField(v);
    if (key == "pre_m3_pto") return PreM3(v);
    // Unknown field: ignored, but it must still be valid JSON.
    return SkipUnknown(v, 2, [key] { return key; });
  }

  Status Tier(od::value& v) {
    od::json_type t{};
    if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t == od::json_type::null) {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e != simdjson::SUCCESS || !is_null) {
        return JsonError(e != simdjson::SUCCESS ? e : simdjson::TAPE_ERROR);
      }
      out_.tier = 0;
      return OkStatus();
    }
    std::int64_t n = 0;
    if (t != od::json_type::number || v.get_int64().get(n) != simdjson::SUCCESS || n < 1 || n > 4) {
      return FieldError("tier", "must be null or an integer 1-4, got " + Describe(t, v));
    }
    out_.tier = static_cast<int>(n);
    return OkStatus();
  }

  Status FinancingField(od::value& v) {
    std::string_view s;
    Got got{};
    Status st = StringOrNull("financing", v, s, got);
    if (!st.ok()) return st;
    if (got == Got::kNull) {
      out_.financing = Financing::kNone;
    } else if (EqualsIgnoreCase(s, "beam")) {
      out_.financing = Financing::kBeam;
    } else if (EqualsIgnoreCase(s, "concert")) {
      out_.financing = Financing::kConcert;
    } else {
      return FieldError("financing", "must be null, \"beam\" or \"concert\", got " + Excerpt(s));
    }
    return OkStatus();
  }

  Status PreM3(od::value& v) {
    od::json_type t{};
    if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t == od::json_type::null) {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e != simdjson::SUCCESS || !is_null) {
        return JsonError(e != simdjson::SUCCESS ? e : simdjson::TAPE_ERROR);
      }
      out_.pre_m3_pto = false;
      return OkStatus();
    }
    if (t != od::json_type::boolean) {
      return FieldError("pre_m3_pto", "must be true or false, got " + Describe(t, v));
    }
    bool b = false;
    if (auto e = v.get_bool().get(b); e != simdjson::SUCCESS) return JsonError(e);
    out_.pre_m3_pto = b;
    return OkStatus();
  }

  // The level of an event's field values: line object, `events`, the event, its field.
  static constexpr int kEventFieldDepth = 4;

  static std::string EventPath(std::size_t index, std::string_view field) {
    std::string p = "events[" + std::to_string(index) + "]";
    if (!field.empty()) {
      p.push_back('.');
      p.append(field);
    }
    return p;
  }

  Status Events(od::value& v) {
    out_.events.clear();  // a repeated "events" key replaces, never merges
    od::json_type t{};
    if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t == od::json_type::null) {
      bool is_null = false;
      if (auto e = v.is_null().get(is_null); e != simdjson::SUCCESS || !is_null) {
        return JsonError(e != simdjson::SUCCESS ? e : simdjson::TAPE_ERROR);
      }
      return OkStatus();
    }
    if (t != od::json_type::array) {
      return FieldError("events", "must be an array or null, got " + Describe(t, v));
    }
    od::array arr;
    if (auto e = v.get_array().get(arr); e != simdjson::SUCCESS) return JsonError(e);
    std::size_t index = 0;
    for (auto item_result : arr) {
      od::value item;
      if (auto e = std::move(item_result).get(item); e != simdjson::SUCCESS) return JsonError(e);
      Status s = OneEvent(index, item);
      if (!s.ok()) return s;
      ++index;
    }
    return OkStatus();
  }

  // Fields of one event as seen in the object; interpreted once its `type` is known (the type
  // may come after the other fields).
  struct RawEvent {
    std::string_view type;
    std::string_view at;
    std::string_view to;
    std::string_view outcome;
    std::string_view action;
    std::string_view key;
    std::string_view record;
    bool has_type = false, has_at = false, has_to = false, has_outcome = false, has_action = false,
         has_key = false, has_record = false;
    // First wrongly typed field; only an error when the event's type turns out to be known
    // (an unknown event type is ignored whole, whatever its other fields hold).
    Status deferred;
  };

  // Reads a string-or-null event field. A value of another type is recorded in
  // `raw.deferred` (after checking it is valid JSON) and reported only for a known type.
  Status EventString(std::size_t index, std::string_view name, od::value& v, RawEvent& raw,
                     std::string_view& dest, bool& has) {
    od::json_type t{};
    if (auto e = v.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t != od::json_type::string && t != od::json_type::null) {
      if (raw.deferred.ok()) {
        raw.deferred =
            FieldError(EventPath(index, name), "must be a string or null, got " + Describe(t, v));
      }
      return SkipUnknown(v, kEventFieldDepth, [&] { return EventPath(index, name); });
    }
    Got got{};
    Status st = StringOrNull(name, v, dest, got);
    if (!st.ok()) return st;
    has = got == Got::kValue;
    return OkStatus();
  }

  Status OneEvent(std::size_t index, od::value& item) {
    od::json_type t{};
    if (auto e = item.type().get(t); e != simdjson::SUCCESS) return JsonError(e);
    if (t != od::json_type::object) {
      return FieldError(EventPath(index, ""), "must be an object, got " + Describe(t, item));
    }
    od::object obj;
    if (auto e = item.get_object().get(obj); e != simdjson::SUCCESS) return JsonError(e);
    RawEvent raw;
    for (auto field_result : obj) {
      od::field field;
      if (auto e = std::move(field_result).get(field); e != simdjson::SUCCESS) return JsonError(e);
      std::string_view key;
      if (auto e = field.unescaped_key().get(key); e != simdjson::SUCCESS) return JsonError(e);
      od::value v = field.value();
      Status s;
      if (key == "type") {
        od::json_type tt{};
        if (auto e = v.type().get(tt); e != simdjson::SUCCESS) return JsonError(e);
        if (tt != od::json_type::string) {
          return FieldError(EventPath(index, "type"),
                            "must be a string (an event type name), got " + Describe(tt, v));
        }
        s = EventString(index, key, v, raw, raw.type, raw.has_type);
      } else if (key == "at") {
        s = EventString(index, key, v, raw, raw.at, raw.has_at);
      } else if (key == "to") {
        s = EventString(index, key, v, raw, raw.to, raw.has_to);
      } else if (key == "outcome") {
        s = EventString(index, key, v, raw, raw.outcome, raw.has_outcome);
      } else if (key == "action") {
        s = EventString(index, key, v, raw, raw.action, raw.has_action);
      } else if (key == "key") {
        s = EventString(index, key, v, raw, raw.key, raw.has_key);
      } else if (key == "record") {
        s = EventString(index, key, v, raw, raw.record, raw.has_record);
      } else {
        s = SkipUnknown(v, kEventFieldDepth, [&] { return EventPath(index, key); });
      }
      if (!s.ok()) return s;
    }
    if (!raw.has_type) return FieldError(EventPath(index, "type"), "required field is missing");
    EventType const type = ParseEventType(raw.type);
    if (type == EventType::kUnknown) return OkStatus();  // SPEC 2: unknown types are ignored
    if (!raw.deferred.ok()) return raw.deferred;
    if (!raw.has_at) return FieldError(EventPath(index, "at"), "required field is missing");
    auto at = ParseInstant(raw.at);
    if (!at) {
      return FieldError(EventPath(index, "at"),
                        "not an ISO-8601 date-time with an offset (e.g. 2026-03-02T14:05:00Z): " +
                            Excerpt(raw.at));
    }
    Event& ev = out_.events.emplace_back();
    ev.type = type;
    ev.at = *at;
    if (raw.has_record) ev.record.assign(raw.record);
    switch (type) {
      case EventType::kReassigned:
        if (!raw.has_to || raw.to.empty()) {
          return FieldError(EventPath(index, "to"),
                            "a reassigned event needs \"to\" (\"queue:<key>\" or \"user:<id>\")");
        }
        ev.to.assign(raw.to);
        break;
      case EventType::kInstallerCalled:
        if (!raw.has_outcome) {
          ev.outcome = CallOutcome::kNone;
        } else if (raw.outcome == "reached") {
          ev.outcome = CallOutcome::kReached;
        } else if (raw.outcome == "voicemail") {
          ev.outcome = CallOutcome::kVoicemail;
        } else {
          return FieldError(
              EventPath(index, "outcome"),
              "must be \"reached\", \"voicemail\" or null, got " + Excerpt(raw.outcome));
        }
        break;
      case EventType::kTaskCreated:
        if (!raw.has_action || raw.action.empty()) {
          return FieldError(EventPath(index, "action"),
                            "a task_created event needs \"action\" (an action id)");
        }
        if (!raw.has_key || raw.key.empty()) {
          return FieldError(EventPath(index, "key"),
                            "a task_created event needs \"key\" (the idempotency key)");
        }
        ev.action.assign(raw.action);
        ev.key.assign(raw.key);
        break;
      default:
        break;
    }
    return OkStatus();
  }

  Snapshot& out_;
};

}  // namespace

struct SnapshotReader::Impl {
  od::parser parser;
  std::vector<char> buffer;  // the line followed by SIMDJSON_PADDING bytes, reused
};

SnapshotReader::SnapshotReader() : impl_(std::make_unique<Impl>()) {}
SnapshotReader::~SnapshotReader() = default;
SnapshotReader::SnapshotReader(SnapshotReader&&) noexcept = default;
SnapshotReader& SnapshotReader::operator=(SnapshotReader&&) noexcept = default;

Status SnapshotReader::Parse(std::string_view line, Snapshot& out) {
  out.Clear();
  auto& buf = impl_->buffer;
  std::size_t const needed = line.size() + simdjson::SIMDJSON_PADDING;
  if (buf.size() < needed) buf.resize(needed);
  if (!line.empty()) std::memcpy(buf.data(), line.data(), line.size());
  std::memset(buf.data() + line.size(), 0, simdjson::SIMDJSON_PADDING);
  od::document doc;
  if (auto e = impl_->parser.iterate(buf.data(), line.size(), buf.size()).get(doc);
      e != simdjson::SUCCESS) {
    return JsonError(e);
  }
  LineParser p(out);
  return p.Run(doc);
}

Status ParseSnapshotLine(std::string_view line, Snapshot& out) {
  SnapshotReader reader;
  return reader.Parse(line, out);
}

namespace {

void AppendField(std::string& out, std::string_view name) {
  out += ",\"";
  out += name;
  out += "\":";
}

// A string field, left out when empty (the reader takes absent as "").
void AppendStringField(std::string& out, std::string_view name, std::string const& value) {
  if (value.empty()) return;
  AppendField(out, name);
  AppendJsonString(out, value);
}

void AppendEventJson(std::string& out, Event const& e) {
  out += "{\"type\":";
  AppendJsonString(out, EventTypeName(e.type));
  out += ",\"at\":\"";
  AppendInstant(out, e.at);
  out += '"';
  AppendStringField(out, "to", e.to);
  if (e.outcome != CallOutcome::kNone) {
    AppendField(out, "outcome");
    out += e.outcome == CallOutcome::kReached ? "\"reached\"" : "\"voicemail\"";
  }
  AppendStringField(out, "action", e.action);
  AppendStringField(out, "key", e.key);
  AppendStringField(out, "record", e.record);
  out += '}';
}

}  // namespace

void AppendSnapshotJson(std::string& out, Snapshot const& s) {
  out += "{\"id\":";
  AppendJsonString(out, s.id);
  AppendStringField(out, "source", s.source);
  AppendStringField(out, "number", s.number);
  out += ",\"created_at\":\"";
  AppendInstant(out, s.created_at);
  out += '"';
  if (s.closed_at) {
    out += ",\"closed_at\":\"";
    AppendInstant(out, *s.closed_at);
    out += '"';
  }
  AppendStringField(out, "primary_reason", s.primary_reason);
  AppendStringField(out, "secondary_reason", s.secondary_reason);
  if (s.tier != 0) {
    AppendField(out, "tier");
    out += std::to_string(s.tier);
  }
  AppendStringField(out, "owner", s.owner);
  if (s.financing != Financing::kNone) {
    AppendField(out, "financing");
    out += s.financing == Financing::kBeam ? "\"beam\"" : "\"concert\"";
  }
  if (s.pre_m3_pto) out += ",\"pre_m3_pto\":true";
  AppendStringField(out, "homeowner_id", s.homeowner_id);
  AppendStringField(out, "installer_id", s.installer_id);
  out += ",\"events\":[";
  bool first = true;
  for (auto const& e : s.events) {
    if (e.type == EventType::kUnknown) continue;
    if (!first) out += ',';
    first = false;
    AppendEventJson(out, e);
  }
  out += "]}";
}

}  // namespace casebridge::engine
