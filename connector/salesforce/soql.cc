#include "connector/salesforce/soql.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace casebridge::salesforce {
namespace {

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsNameChar(char c) { return IsAsciiLetter(c) || (c >= '0' && c <= '9') || c == '_'; }

void AppendEscaped(std::string& out, std::string_view value, bool like) {
  static constexpr std::array<char, 16> kHex = {'0', '1', '2', '3', '4', '5', '6', '7',
                                                '8', '9', 'A', 'B', 'C', 'D', 'E', 'F'};
  for (char const c : value) {
    switch (c) {
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '%':
        out += like ? "\\%" : "%";
        break;
      case '_':
        out += like ? "\\_" : "_";
        break;
      default: {
        auto const u = static_cast<unsigned char>(c);
        if (u < 0x20) {
          // Other control characters (incl. NUL): the documented \uXXXX form.
          out += "\\u00";
          out.push_back(kHex.at(u >> 4U));
          out.push_back(kHex.at(u & 0x0FU));
        } else {
          out.push_back(c);  // printable ASCII and UTF-8 bytes pass through
        }
      }
    }
  }
}

std::string NumberText(double v) {
  if (!std::isfinite(v)) return "null";
  std::array<char, 64> buf{};
  auto [p, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), v);
  return ec == std::errc() ? std::string(buf.data(), p) : std::string("null");
}

}  // namespace

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > 255 || !IsAsciiLetter(name.front())) return false;
  return std::all_of(name.begin(), name.end(), IsNameChar);
}

bool IsValidFieldPath(std::string_view path) {
  if (path.empty()) return false;
  std::size_t start = 0;
  for (;;) {
    auto const dot = path.find('.', start);
    if (!IsValidName(path.substr(
            start, dot == std::string_view::npos ? std::string_view::npos : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

Status ValidateName(std::string_view name, std::string_view what) {
  if (IsValidName(name)) return OkStatus();
  return InvalidArgumentError(std::string(what) + " '" + std::string(name.substr(0, 80)) +
                              "' is not a valid Salesforce name ([A-Za-z][A-Za-z0-9_]*)");
}

Status ValidateFieldPath(std::string_view path, std::string_view what) {
  if (IsValidFieldPath(path)) return OkStatus();
  return InvalidArgumentError(std::string(what) + " '" + std::string(path.substr(0, 80)) +
                              "' is not a valid Salesforce field path ([A-Za-z0-9_.])");
}

std::string Soql::Literal(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out.push_back('\'');
  AppendEscaped(out, value, /*like=*/false);
  out.push_back('\'');
  return out;
}

std::string Soql::LikeLiteral(std::string_view value, LikeMatch match) {
  std::string out;
  out.reserve(value.size() + 4);
  out.push_back('\'');
  if (match == LikeMatch::kSuffix || match == LikeMatch::kContains) out.push_back('%');
  AppendEscaped(out, value, /*like=*/true);
  if (match == LikeMatch::kPrefix || match == LikeMatch::kContains) out.push_back('%');
  out.push_back('\'');
  return out;
}

std::string Soql::DateTime(Instant t) { return FormatInstant(t); }

std::string Soql::Date(std::chrono::sys_days d) { return FormatDate(d); }

std::string Soql::Value(FieldValue const& v) {
  struct Visitor {
    std::string operator()(std::nullptr_t) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(std::int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return NumberText(d); }
    std::string operator()(std::string const& s) const { return Literal(s); }
    std::string operator()(Instant t) const { return DateTime(t); }
    std::string operator()(std::chrono::sys_days d) const { return Date(d); }
  };
  return std::visit(Visitor{}, v);
}

StatusOr<std::string> Soql::In(std::string_view field, std::vector<std::string> const& values) {
  if (auto s = ValidateFieldPath(field, "field"); !s.ok()) return s;
  if (values.empty()) {
    return InvalidArgumentError("IN list for '" + std::string(field) +
                                "' is empty (SOQL cannot express an empty IN)");
  }
  std::string out(field);
  out += " IN (";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i != 0) out += ',';
    out += Literal(values[i]);
  }
  out += ')';
  return out;
}

void SoqlBuilder::Fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

SoqlBuilder& SoqlBuilder::Select(std::vector<std::string> const& fields) {
  for (auto const& f : fields) {
    if (f != "COUNT()" && !IsValidFieldPath(f)) {
      Fail(ValidateFieldPath(f, "select field").message());
    } else {
      fields_.push_back(f);
    }
  }
  return *this;
}

SoqlBuilder& SoqlBuilder::From(std::string_view object) {
  if (auto s = ValidateName(object, "object"); !s.ok()) {
    Fail(s.message());
  } else {
    object_ = std::string(object);
  }
  return *this;
}

SoqlBuilder& SoqlBuilder::Where(std::string_view field, std::string_view op,
                                FieldValue const& value) {
  static constexpr std::array<std::string_view, 7> kOps = {"=", "!=", "<", "<=", ">", ">=", "LIKE"};
  if (auto s = ValidateFieldPath(field, "where field"); !s.ok()) {
    Fail(s.message());
    return *this;
  }
  if (std::find(kOps.begin(), kOps.end(), op) == kOps.end()) {
    Fail("operator '" + std::string(op.substr(0, 10)) + "' is not allowed in a condition");
    return *this;
  }
  if (op == "LIKE") {
    auto const* s = std::get_if<std::string>(&value);
    if (s == nullptr) {
      Fail("LIKE on '" + std::string(field) + "' needs a string value");
      return *this;
    }
    conditions_.push_back(std::string(field) + " LIKE " + Soql::LikeLiteral(*s));
    return *this;
  }
  conditions_.push_back(std::string(field) + " " + std::string(op) + " " + Soql::Value(value));
  return *this;
}

SoqlBuilder& SoqlBuilder::WhereLike(std::string_view field, std::string_view value,
                                    LikeMatch match) {
  if (auto s = ValidateFieldPath(field, "where field"); !s.ok()) {
    Fail(s.message());
    return *this;
  }
  conditions_.push_back(std::string(field) + " LIKE " + Soql::LikeLiteral(value, match));
  return *this;
}

SoqlBuilder& SoqlBuilder::WhereIn(std::string_view field, std::vector<std::string> const& values) {
  auto in = Soql::In(field, values);
  if (!in.ok()) {
    Fail(in.status().message());
  } else {
    conditions_.push_back(std::move(*in));
  }
  return *this;
}

SoqlBuilder& SoqlBuilder::OrderBy(std::string_view field, bool ascending) {
  if (auto s = ValidateFieldPath(field, "order-by field"); !s.ok()) {
    Fail(s.message());
  } else {
    order_by_.push_back(std::string(field) + (ascending ? " ASC" : " DESC"));
  }
  return *this;
}

SoqlBuilder& SoqlBuilder::Limit(std::int64_t n) {
  if (n <= 0) {
    Fail("LIMIT must be positive");
  } else {
    limit_ = n;
  }
  return *this;
}

StatusOr<std::string> SoqlBuilder::Build() const {
  if (error_) return InvalidArgumentError(*error_);
  if (fields_.empty()) return InvalidArgumentError("SOQL: no fields selected");
  if (object_.empty()) return InvalidArgumentError("SOQL: no object (FROM) given");
  std::string out = "SELECT ";
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    if (i != 0) out += ", ";
    out += fields_[i];
  }
  out += " FROM " + object_;
  for (std::size_t i = 0; i < conditions_.size(); ++i) {
    out += i == 0 ? " WHERE " : " AND ";
    out += conditions_[i];
  }
  for (std::size_t i = 0; i < order_by_.size(); ++i) {
    out += i == 0 ? " ORDER BY " : ", ";
    out += order_by_[i];
  }
  if (limit_) out += " LIMIT " + std::to_string(*limit_);
  return out;
}

StatusOr<std::string> SoqlBuilder::BuildCount() const {
  SoqlBuilder count = *this;
  count.fields_ = {"COUNT()"};
  count.order_by_.clear();
  return count.Build();
}

}  // namespace casebridge::salesforce
