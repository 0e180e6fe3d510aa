#include "mappings/json_check.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "mappings/defaults.h"

namespace casebridge::mappings::json_internal {
namespace {

// Strips the parts of a nlohmann parse-error message that are not needed or may echo input:
// "[json.exception.parse_error.101] parse error at line 1, column 5: syntax error while parsing
// value - invalid literal; last read: 'secr'; expected …" -> "syntax error while parsing value -
// invalid literal; expected …". The "last read" text is the offending input: it may be a secret.
std::string CleanParseMessage(std::string const& what) {
  std::string msg = what;
  if (msg.rfind("[json.exception.", 0) == 0) {
    if (auto end = msg.find("] "); end != std::string::npos) msg = msg.substr(end + 2);
  }
  if (auto pos = msg.find("parse error"); pos != std::string::npos) {
    if (auto colon = msg.find(": ", pos); colon != std::string::npos) msg = msg.substr(colon + 2);
  }
  if (auto last = msg.find("; last read:"); last != std::string::npos) {
    std::string tail;
    if (auto expected = msg.find("; expected", last); expected != std::string::npos) {
      tail = msg.substr(expected);
    }
    msg = msg.substr(0, last) + tail;
  }
  return msg;
}

// The 0-based offset of the first `[` or `{` that opens level `limit` + 1 (the document's own
// object or array is level 1), outside strings and comments; npos when none does. Linear, so a
// file nesting 100,000 levels deep is refused before the parser and the path tracking below
// (whose memory grows with the square of the depth) ever see it.
std::size_t TooDeepAt(std::string_view text, std::size_t limit) {
  std::size_t depth = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char const c = text[i];
    if (c == '"') {
      for (++i; i < text.size() && text[i] != '"'; ++i) {
        if (text[i] == '\\') ++i;
      }
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
      auto const end = text.find("*/", i + 2);
      i = end == std::string_view::npos ? text.size() : end + 1;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

// 1-based line and column of byte offset `end` in `text`.
std::pair<std::size_t, std::size_t> LineAndColumn(std::string_view text, std::size_t end) {
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < end && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, end - line_start + 1};
}

// Tracks object/array nesting during a callback parse to report duplicate keys with a path.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(std::string root) : root_(std::move(root)) {}

  void OnEvent(Json::parse_event_t event, Json const& parsed) {
    using E = Json::parse_event_t;
    switch (event) {
      case E::object_start:
      case E::array_start:
        frames_.push_back(Frame{event == E::array_start, ChildPath(), {}, {}, 0});
        break;
      case E::object_end:
      case E::array_end:
        if (!frames_.empty()) frames_.pop_back();
        break;
      case E::key:
        if (!frames_.empty() && parsed.is_string()) {
          auto& f = frames_.back();
          f.last_key = parsed.get<std::string>();
          if (!f.keys.insert(f.last_key).second) {
            duplicates_.push_back(Join(f.path, f.last_key));
          }
        }
        break;
      case E::value:
        if (!frames_.empty() && frames_.back().is_array) ++frames_.back().next_index;
        break;
    }
  }

  [[nodiscard]] std::vector<std::string> const& duplicates() const { return duplicates_; }

 private:
  struct Frame {
    bool is_array;
    std::string path;
    std::set<std::string> keys;
    std::string last_key;
    std::size_t next_index;
  };

  // The path of a container starting now (consumes an array index in an array parent).
  std::string ChildPath() {
    if (frames_.empty()) return root_;
    auto& parent = frames_.back();
    if (parent.is_array) return Index(parent.path, parent.next_index++);
    return Join(parent.path, parent.last_key);
  }

  std::string root_;
  std::vector<Frame> frames_;
  std::vector<std::string> duplicates_;
};

}  // namespace

std::string TypeName(Json const& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "null";
    case Json::value_t::object:
      return "an object";
    case Json::value_t::array:
      return "an array";
    case Json::value_t::string:
      return "a string";
    case Json::value_t::boolean:
      return "a boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
    case Json::value_t::number_float:
      return "a number";
    case Json::value_t::binary:
      return "binary data";
    case Json::value_t::discarded:
      return "nothing";
  }
  return "an unknown type";
}

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string out(path);
  out += '.';
  out += key;
  return out;
}

std::string Index(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> prev(b.size() + 1);
  std::vector<std::size_t> cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t const subst = prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::optional<std::string_view> Closest(std::string_view word,
                                        std::initializer_list<std::string_view> candidates) {
  std::optional<std::string_view> best;
  std::size_t best_d = 3;
  for (auto c : candidates) {
    std::size_t const d = EditDistance(word, c);
    if (d < best_d && d < word.size()) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

bool LooksLikeEmail(std::string_view s) {
  auto const at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  if (std::any_of(s.begin(), s.end(),
                  [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == ','; })) {
    return false;
  }
  auto const domain = s.substr(at + 1);
  auto const dot = domain.find('.');
  return dot != std::string_view::npos && dot != 0 && domain.back() != '.' &&
         domain.find("..") == std::string_view::npos;
}

void Checker::Add(std::string key, std::string message) {
  problems_.push_back(Problem{file_, std::move(key), std::move(message)});
  ++count_;
}

std::optional<Json> Checker::Parse(std::string_view text, std::string const& root_key) {
  if (auto const at = TooDeepAt(text, kMaxJsonDepth); at != std::string_view::npos) {
    auto const [line, column] = LineAndColumn(text, at);
    Add(root_key, "invalid JSON at line " + std::to_string(line) + ", column " +
                      std::to_string(column) + ": nested more than " +
                      std::to_string(kMaxJsonDepth) + " levels deep");
    return std::nullopt;
  }
  DuplicateKeyFinder finder(root_key);
  Json::parser_callback_t cb = [&finder](int /*depth*/, Json::parse_event_t event, Json& parsed) {
    finder.OnEvent(event, parsed);
    return true;
  };
  Json doc = Json::parse(text, cb, /*allow_exceptions=*/false, /*ignore_comments=*/true);
  if (doc.is_discarded()) {
    // Parse again with exceptions only to learn where and why it failed.
    std::size_t byte = 0;
    std::string why = "not valid JSON";
    try {
      Json const ignored =
          Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
      static_cast<void>(ignored);
    } catch (Json::parse_error const& e) {
      byte = e.byte;
      why = CleanParseMessage(e.what());
    } catch (std::exception const& e) {
      why = CleanParseMessage(e.what());
    }
    if (byte == 0) {
      Add(root_key, "invalid JSON: " + why);
    } else {
      // `byte` is 1-based: the offending character is text[byte - 1].
      auto const [line, column] = LineAndColumn(text, std::min(byte - 1, text.size()));
      Add(root_key, "invalid JSON at line " + std::to_string(line) + ", column " +
                        std::to_string(column) + ": " + why);
    }
    return std::nullopt;
  }
  for (auto const& dup : finder.duplicates()) {
    Add(dup, "duplicate key (each key may appear once)");
  }
  if (!doc.is_object()) {
    Add(root_key, "expected an object at the top level, got " + TypeName(doc));
    return std::nullopt;
  }
  return doc;
}

void Checker::KnownKeys(Json const& obj, std::string_view path,
                        std::initializer_list<std::string_view> known) {
  if (!obj.is_object()) return;
  for (auto const& [key, value] : obj.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string msg = "unknown key '" + key + "'";
    if (auto near = Closest(key, known)) msg += "; did you mean '" + std::string(*near) + "'?";
    Add(Join(path, key), std::move(msg));
  }
}

Json const* Checker::Required(Json const& obj, std::string_view path, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end()) {
    Add(Join(path, key), "missing required key");
    return nullptr;
  }
  return &*it;
}

bool Checker::IsObject(Json const& v, std::string_view path) {
  if (v.is_object()) return true;
  Add(std::string(path), "expected an object, got " + TypeName(v));
  return false;
}

bool Checker::IsArray(Json const& v, std::string_view path) {
  if (v.is_array()) return true;
  Add(std::string(path), "expected an array, got " + TypeName(v));
  return false;
}

std::optional<std::string> Checker::StringValue(Json const& v, std::string_view path) {
  if (!v.is_string()) {
    Add(std::string(path), "expected a string, got " + TypeName(v));
    return std::nullopt;
  }
  auto s = v.get<std::string>();
  if (s.find_first_not_of(" \t\r\n") == std::string::npos) {
    Add(std::string(path), "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<std::string> Checker::String(Json const& obj, std::string_view path,
                                           std::string_view key) {
  Json const* v = Required(obj, path, key);
  if (v == nullptr) return std::nullopt;
  return StringValue(*v, Join(path, key));
}

std::optional<std::string> Checker::OptionalString(Json const& obj, std::string_view path,
                                                   std::string_view key) {
  if (!obj.is_object()) return std::nullopt;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) {
    Add(Join(path, key), "expected a string or null, got " + TypeName(*it));
    return std::nullopt;
  }
  return it->get<std::string>();
}

std::optional<MappingText> ReadMappingFile(std::string const& dir, std::string_view name,
                                           std::string_view root_key,
                                           std::vector<Problem>& problems) {
  namespace fs = std::filesystem;
  if (!dir.empty()) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      problems.push_back(Problem{dir, "",
                                 fs::exists(dir, ec) ? "not a directory (expected a mappings "
                                                       "directory)"
                                                     : "mappings directory does not exist"});
      return std::nullopt;
    }
    fs::path const file = fs::path(dir) / name;
    if (fs::exists(file, ec)) {
      std::ifstream in(file, std::ios::binary);
      std::ostringstream buf;
      if (in) buf << in.rdbuf();
      if (!in || in.bad()) {
        problems.push_back(Problem{file.string(), std::string(root_key),
                                   "cannot be read (check its permissions)"});
        return std::nullopt;
      }
      return MappingText{std::move(buf).str(), file.string()};
    }
  }
  std::string label = std::string(kShippedMappingsLabel) + "/" + std::string(name);
  auto embedded = ShippedMappingFile(name);
  if (!embedded) {
    problems.push_back(Problem{std::move(label), std::string(root_key),
                               "missing from the embedded defaults (build problem)"});
    return std::nullopt;
  }
  return MappingText{std::string(*embedded), std::move(label)};
}

Status ProblemsStatus(std::vector<Problem> const& problems, std::string_view what) {
  if (problems.empty()) return OkStatus();
  std::string message = std::to_string(problems.size()) +
                        (problems.size() == 1 ? " problem" : " problems") + " in the " +
                        std::string(what) + ":";
  for (auto const& p : problems) message += "\n" + p.ToString();
  ErrorInfo info;
  info.file = problems.front().file;
  info.field = problems.front().key;
  return InvalidArgumentError(std::move(message), std::move(info));
}

}  // namespace casebridge::mappings::json_internal
