#include "tests/deploy/strict_xml.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <optional>

namespace casebridge::deploy_test {
namespace {

constexpr int kMaxDepth = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsNameStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' || c == ':';
}
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'; }

bool IsXmlChar(std::uint32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
         (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The offset of the first byte that is not valid UTF-8 or not an XML character, if any.
std::optional<std::size_t> FirstInvalidChar(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto const b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      n = 1;
      cp = b;
    } else if ((b & 0xE0) == 0xC0) {
      n = 2;
      cp = b & 0x1Fu;
    } else if ((b & 0xF0) == 0xE0) {
      n = 3;
      cp = b & 0x0Fu;
    } else if ((b & 0xF8) == 0xF0) {
      n = 4;
      cp = b & 0x07u;
    } else {
      return i;
    }
    if (i + n > s.size()) return i;
    for (std::size_t k = 1; k < n; ++k) {
      auto const c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    bool const overlong =
        (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
    if (overlong || !IsXmlChar(cp)) return i;
    i += n;
  }
  return std::nullopt;
}

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}

  StatusOr<XmlElement> Document() {
    if (s_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
    if (auto bad = FirstInvalidChar(s_)) {
      pos_ = *bad;
      return Fail("invalid UTF-8 or a character XML does not allow");
    }
    if (s_.substr(pos_, 5) == "<?xml" && pos_ + 5 < s_.size() && IsSpace(s_[pos_ + 5])) {
      if (auto st = Declaration(); !st.ok()) return st;
    }
    if (auto st = Misc(); !st.ok()) return st;
    if (AtEnd() || s_[pos_] != '<') return Fail("expected the root element");
    XmlElement root;
    if (auto st = Element(root, 0); !st.ok()) return st;
    if (auto st = Misc(); !st.ok()) return st;
    if (!AtEnd()) return Fail("content after the root element");
    return root;
  }

 private:
  [[nodiscard]] bool AtEnd() const { return pos_ >= s_.size(); }
  [[nodiscard]] bool LookingAt(std::string_view what) const {
    return s_.substr(pos_, what.size()) == what;
  }
  [[nodiscard]] int Line(std::size_t at) const {
    std::string_view const head = s_.substr(0, std::min(at, s_.size()));
    return 1 + static_cast<int>(std::count(head.begin(), head.end(), '\n'));
  }
  Status Fail(std::string const& what) const {
    return InvalidArgumentError("line " + std::to_string(Line(pos_)) + ": " + what);
  }
  bool SkipSpace() {
    std::size_t const start = pos_;
    while (!AtEnd() && IsSpace(s_[pos_])) ++pos_;
    return pos_ > start;
  }

  Status Name(std::string& out) {
    if (AtEnd() || !IsNameStart(s_[pos_])) return Fail("expected an (ASCII) name");
    std::size_t const start = pos_;
    while (!AtEnd() && IsNameChar(s_[pos_])) ++pos_;
    out.assign(s_.substr(start, pos_ - start));
    return OkStatus();
  }

  // `<?xml version="1.0" [encoding="UTF-8"] [standalone="yes|no"]?>`
  Status Declaration() {
    pos_ += 5;
    XmlElement decl;
    while (true) {
      bool const spaced = SkipSpace();
      if (LookingAt("?>")) break;
      if (!spaced) return Fail("expected whitespace in the XML declaration");
      if (auto st = Attribute(decl); !st.ok()) return st;
    }
    pos_ += 2;
    auto const* version = decl.Attribute("version");
    if (version == nullptr || *version != "1.0")
      return Fail("the XML declaration needs version 1.0");
    if (auto const* enc = decl.Attribute("encoding")) {
      std::string upper = *enc;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper != "UTF-8") return Fail("encoding must be UTF-8, not " + *enc);
    }
    for (auto const& [name, value] : decl.attributes) {
      if (name != "version" && name != "encoding" && name != "standalone") {
        return Fail("unknown XML declaration attribute " + name);
      }
    }
    return OkStatus();
  }

  // Whitespace and comments between the declaration, the root and the end.
  Status Misc() {
    while (true) {
      SkipSpace();
      if (LookingAt("<!--")) {
        if (auto st = Comment(); !st.ok()) return st;
      } else if (LookingAt("<?")) {
        return Fail("processing instructions are not used in metadata files");
      } else if (LookingAt("<!")) {
        return Fail("DOCTYPE and other declarations are not used in metadata files");
      } else {
        return OkStatus();
      }
    }
  }

  Status Comment() {
    auto const end = s_.find("--", pos_ + 4);
    if (end == std::string_view::npos) return Fail("unterminated comment");
    if (s_.substr(end, 3) != "-->") return Fail("'--' inside a comment");
    pos_ = end + 3;
    return OkStatus();
  }

  // `&name;` / `&#N;` / `&#xH;` at pos_, appended decoded.
  Status Reference(std::string& out) {
    auto const end = s_.find(';', pos_);
    if (end == std::string_view::npos || end - pos_ > 12) return Fail("unterminated '&' reference");
    std::string_view const ref = s_.substr(pos_ + 1, end - pos_ - 1);
    static constexpr std::array<std::pair<std::string_view, char>, 5> kNamed = {
        {{"lt", '<'}, {"gt", '>'}, {"amp", '&'}, {"quot", '"'}, {"apos", '\''}}};
    for (auto const& [name, c] : kNamed) {
      if (ref == name) {
        out += c;
        pos_ = end + 1;
        return OkStatus();
      }
    }
    if (ref.size() < 2 || ref[0] != '#') return Fail("unknown entity &" + std::string(ref) + ";");
    bool const hex = ref[1] == 'x';
    std::string_view const digits = ref.substr(hex ? 2 : 1);
    std::uint32_t cp = 0;
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (hex && c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (hex && c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0) return Fail("bad character reference &" + std::string(ref) + ";");
      cp = cp * (hex ? 16 : 10) + static_cast<std::uint32_t>(d);
    }
    if (digits.empty() || !IsXmlChar(cp)) {
      return Fail("bad character reference &" + std::string(ref) + ";");
    }
    AppendUtf8(out, cp);
    pos_ = end + 1;
    return OkStatus();
  }

  // `name = "value"` (or single quotes) at pos_, added to `e` (duplicates refused).
  Status Attribute(XmlElement& e) {
    std::string name;
    if (auto st = Name(name); !st.ok()) return st;
    SkipSpace();
    if (AtEnd() || s_[pos_] != '=') return Fail("expected '=' after attribute " + name);
    ++pos_;
    SkipSpace();
    if (AtEnd() || (s_[pos_] != '"' && s_[pos_] != '\'')) return Fail("expected a quoted value");
    char const quote = s_[pos_++];
    std::string value;
    while (!AtEnd() && s_[pos_] != quote) {
      if (s_[pos_] == '<') return Fail("'<' in an attribute value");
      if (s_[pos_] == '&') {
        if (auto st = Reference(value); !st.ok()) return st;
      } else {
        value += s_[pos_++];
      }
    }
    if (AtEnd()) return Fail("unterminated attribute value");
    ++pos_;
    if (e.Attribute(name) != nullptr) return Fail("duplicate attribute " + name);
    e.attributes.emplace_back(std::move(name), std::move(value));
    return OkStatus();
  }

  // The start tag at pos_ ('<' included) up to its '>' or '/>'; `empty` says which.
  Status StartTag(XmlElement& e, bool& empty) {
    e.line = Line(pos_);
    ++pos_;
    if (auto st = Name(e.name); !st.ok()) return st;
    while (true) {
      bool const spaced = SkipSpace();
      if (LookingAt("/>")) {
        pos_ += 2;
        empty = true;
        return OkStatus();
      }
      if (LookingAt(">")) {
        ++pos_;
        empty = false;
        return OkStatus();
      }
      if (AtEnd()) return Fail("unterminated start tag <" + e.name);
      if (!spaced) return Fail("expected whitespace, '>' or '/>' in <" + e.name);
      if (auto st = Attribute(e); !st.ok()) return st;
    }
  }

  Status Element(XmlElement& e, int depth) {
    if (depth > kMaxDepth) return Fail("elements nested too deeply");
    bool empty = false;
    if (auto st = StartTag(e, empty); !st.ok()) return st;
    if (empty) return OkStatus();
    if (auto st = Content(e, depth); !st.ok()) return st;
    // At "</".
    pos_ += 2;
    std::string closing;
    if (auto st = Name(closing); !st.ok()) return st;
    if (closing != e.name) {
      return Fail("</" + closing + "> closes <" + e.name + "> of line " + std::to_string(e.line));
    }
    SkipSpace();
    if (AtEnd() || s_[pos_] != '>') return Fail("expected '>' after </" + closing);
    ++pos_;
    return OkStatus();
  }

  // Character data, references, CDATA, comments and child elements, up to the end tag's "</".
  Status Content(XmlElement& e, int depth) {
    while (true) {
      if (AtEnd())
        return Fail("<" + e.name + "> of line " + std::to_string(e.line) + " is not closed");
      if (LookingAt("</")) return OkStatus();
      if (LookingAt("<!--")) {
        if (auto st = Comment(); !st.ok()) return st;
      } else if (LookingAt("<![CDATA[")) {
        auto const end = s_.find("]]>", pos_ + 9);
        if (end == std::string_view::npos) return Fail("unterminated CDATA section");
        e.text += s_.substr(pos_ + 9, end - pos_ - 9);
        pos_ = end + 3;
      } else if (LookingAt("<?") || LookingAt("<!")) {
        return Fail("processing instructions and declarations are not used in metadata files");
      } else if (LookingAt("<")) {
        XmlElement child;
        if (auto st = Element(child, depth + 1); !st.ok()) return st;
        e.children.push_back(std::move(child));
      } else if (LookingAt("&")) {
        if (auto st = Reference(e.text); !st.ok()) return st;
      } else {
        if (LookingAt("]]>")) return Fail("']]>' in character data");
        e.text += s_[pos_++];
      }
    }
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::string const* XmlElement::Attribute(std::string_view attribute) const {
  for (auto const& [name, value] : attributes) {
    if (name == attribute) return &value;
  }
  return nullptr;
}

std::vector<XmlElement const*> XmlElement::Children(std::string_view child) const {
  std::vector<XmlElement const*> out;
  for (auto const& c : children) {
    if (c.name == child) out.push_back(&c);
  }
  return out;
}

StatusOr<XmlElement> ParseXml(std::string_view text) { return Reader(text).Document(); }

}  // namespace casebridge::deploy_test
