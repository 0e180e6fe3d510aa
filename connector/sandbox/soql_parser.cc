#include "connector/sandbox/soql_parser.h"

#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "connector/sandbox/sf_values.h"
#include "connector/sandbox/soql_lexer.h"

namespace casebridge::sandbox {
namespace {

// Clauses and operators the emulator recognises but does not implement: a query using one
// gets a MALFORMED_QUERY that says so instead of a confusing syntax error.
constexpr std::array<std::string_view, 11> kUnsupported = {
    "GROUP",    "HAVING",   "WITH",   "FOR",    "USING", "TYPEOF",
    "INCLUDES", "EXCLUDES", "FIELDS", "UPDATE", "ROLLUP"};

class Parser {
 public:
  Parser(std::string_view soql, std::vector<Token> tokens)
      : soql_(soql), tokens_(std::move(tokens)) {}

  StatusOr<SoqlQuery> ParseTop() {
    auto q = ParseQuery(/*nested=*/false);
    if (!q.ok()) return q.status();
    if (Peek().kind != TokenKind::kEnd) return Unexpected(Peek());
    return q;
  }

 private:
  Token const& Peek(std::size_t ahead = 0) const {
    std::size_t const i = pos_ + ahead;
    return i < tokens_.size() ? tokens_[i] : tokens_.back();
  }
  Token const& Next() {
    Token const& t = Peek();
    if (pos_ < tokens_.size() - 1) ++pos_;
    return t;
  }
  bool IsKeyword(Token const& t, std::string_view kw) const {
    return t.kind == TokenKind::kIdent && EqualsIgnoreCase(t.text, kw);
  }
  bool AcceptKeyword(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    Next();
    return true;
  }
  bool Accept(TokenKind kind) {
    if (Peek().kind != kind) return false;
    Next();
    return true;
  }

  Status Error(std::size_t offset, std::string const& what) const {
    return SoqlError(soql_, offset, "MALFORMED_QUERY", what);
  }
  Status Unexpected(Token const& t) const {
    if (t.kind == TokenKind::kEnd) return Error(t.offset, "unexpected end of query");
    for (auto kw : kUnsupported) {
      if (IsKeyword(t, kw)) {
        return Error(t.offset, "unexpected token: '" + t.text +
                                   "' (this SOQL feature is not supported by the casebridge "
                                   "Salesforce emulator; see connector/sandbox/README.md)");
      }
    }
    return Error(t.offset, "unexpected token: '" + t.text + "'");
  }
  Status ExpectKeyword(std::string_view kw) {
    if (AcceptKeyword(kw)) return OkStatus();
    return Unexpected(Peek());
  }
  Status Expect(TokenKind kind) {
    if (Accept(kind)) return OkStatus();
    return Unexpected(Peek());
  }

  static bool IsReserved(Token const& t) {
    static constexpr std::array<std::string_view, 16> kReserved = {
        "SELECT", "FROM", "WHERE", "AND",    "OR",   "NOT",  "IN",    "LIKE",
        "ORDER",  "BY",   "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE", "NULLS"};
    if (t.kind != TokenKind::kIdent) return false;
    for (auto kw : kReserved) {
      if (EqualsIgnoreCase(t.text, kw)) return true;
    }
    return false;
  }

  StatusOr<FieldRef> ParseFieldRef() {
    Token const& t = Peek();
    if (t.kind != TokenKind::kIdent || IsReserved(t)) return Unexpected(t);
    Next();
    FieldRef f;
    f.text = t.text;
    f.offset = t.offset;
    std::size_t start = 0;
    while (true) {
      std::size_t const dot = t.text.find('.', start);
      f.parts.push_back(t.text.substr(start, dot == std::string::npos ? dot : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    return f;
  }

  StatusOr<SoqlQuery> ParseQuery(bool nested) {
    SoqlQuery q;
    if (auto s = ExpectKeyword("SELECT"); !s.ok()) return s;
    while (true) {
      SoqlSelectItem item;
      item.offset = Peek().offset;
      if (IsKeyword(Peek(), "COUNT") && Peek(1).kind == TokenKind::kLParen) {
        Next();
        Next();
        if (Peek().kind != TokenKind::kRParen) {
          return Error(Peek().offset,
                       "COUNT(fieldName) and other aggregate functions are not supported by the "
                       "casebridge Salesforce emulator; use COUNT()");
        }
        Next();
        item.kind = SoqlSelectItem::Kind::kCount;
        q.count_only = true;
      } else if (Peek().kind == TokenKind::kLParen) {
        if (nested) return Error(Peek().offset, "nested subqueries are not supported");
        Next();
        auto sub = ParseQuery(/*nested=*/true);
        if (!sub.ok()) return sub.status();
        if (auto s = Expect(TokenKind::kRParen); !s.ok()) return s;
        item.kind = SoqlSelectItem::Kind::kSubquery;
        item.subquery = std::make_shared<SoqlQuery>(std::move(sub).value());
      } else {
        auto f = ParseFieldRef();
        if (!f.ok()) return f.status();
        item.field = std::move(f).value();
      }
      q.select.push_back(std::move(item));
      if (!Accept(TokenKind::kComma)) break;
    }
    if (q.count_only && q.select.size() > 1) {
      return Error(q.select.front().offset, "COUNT() must be the only element in the SELECT list");
    }
    if (auto s = ExpectKeyword("FROM"); !s.ok()) return s;
    Token const& from = Peek();
    if (from.kind != TokenKind::kIdent || IsReserved(from) ||
        from.text.find('.') != std::string::npos) {
      return Unexpected(from);
    }
    Next();
    q.from = from.text;
    q.from_offset = from.offset;
    if (AcceptKeyword("WHERE")) {
      auto c = ParseCondition();
      if (!c.ok()) return c.status();
      q.where = std::move(c).value();
      int semi_joins = 0;
      if (auto s = CheckSemiJoins(*q.where, "", semi_joins); !s.ok()) return s;
    }
    if (AcceptKeyword("ORDER")) {
      if (auto s = ExpectKeyword("BY"); !s.ok()) return s;
      while (true) {
        SoqlOrder o;
        auto f = ParseFieldRef();
        if (!f.ok()) return f.status();
        o.field = std::move(f).value();
        if (AcceptKeyword("DESC")) {
          o.descending = true;
        } else {
          AcceptKeyword("ASC");
        }
        if (AcceptKeyword("NULLS")) {
          if (AcceptKeyword("FIRST")) {
            o.nulls_first = true;
          } else if (AcceptKeyword("LAST")) {
            o.nulls_first = false;
          } else {
            return Unexpected(Peek());
          }
        }
        q.order_by.push_back(std::move(o));
        if (!Accept(TokenKind::kComma)) break;
      }
    }
    if (IsKeyword(Peek(), "LIMIT")) {
      q.limit_offset = Next().offset;
      auto n = ParseNonNegativeInt("LIMIT");
      if (!n.ok()) return n.status();
      q.limit = *n;
    }
    if (IsKeyword(Peek(), "OFFSET")) {
      q.offset_offset = Next().offset;
      auto n = ParseNonNegativeInt("OFFSET");
      if (!n.ok()) return n.status();
      q.offset = *n;
    }
    return q;
  }

  StatusOr<std::int64_t> ParseNonNegativeInt(std::string const& clause) {
    Token const& t = Peek();
    if (t.kind != TokenKind::kNumber || t.text.find_first_of(".-+") != std::string::npos) {
      return Error(t.offset, clause + " must be followed by a non-negative integer");
    }
    Next();
    return static_cast<std::int64_t>(std::strtoll(t.text.c_str(), nullptr, 10));
  }

  // cond := term {AND term} | term {OR term}
  StatusOr<std::shared_ptr<SoqlCondition>> ParseCondition() {
    auto first = ParseTerm();
    if (!first.ok()) return first.status();
    std::shared_ptr<SoqlCondition> result = std::move(first).value();
    std::optional<SoqlCondition::Kind> joiner;
    while (IsKeyword(Peek(), "AND") || IsKeyword(Peek(), "OR")) {
      Token const& op = Peek();
      auto const kind = IsKeyword(op, "AND") ? SoqlCondition::Kind::kAnd : SoqlCondition::Kind::kOr;
      if (joiner && *joiner != kind) {
        return Error(op.offset, "unexpected token: '" + op.text +
                                    "' (parentheses are required when mixing AND and OR)");
      }
      Next();
      if (!joiner) {
        joiner = kind;
        auto group = std::make_shared<SoqlCondition>();
        group->kind = kind;
        group->children.push_back(std::move(result));
        result = std::move(group);
      }
      auto next = ParseTerm();
      if (!next.ok()) return next.status();
      result->children.push_back(std::move(next).value());
    }
    return result;
  }

  StatusOr<std::shared_ptr<SoqlCondition>> ParseTerm() {
    // Nesting is bounded so a hostile query cannot exhaust the stack.
    if (++depth_ > kMaxNesting) {
      return Error(Peek().offset, "the WHERE clause is nested too deeply");
    }
    struct Unnest {
      int& depth;
      ~Unnest() { --depth; }
    } unnest{depth_};
    if (AcceptKeyword("NOT")) {
      auto inner = ParseTerm();
      if (!inner.ok()) return inner.status();
      auto c = std::make_shared<SoqlCondition>();
      c->kind = SoqlCondition::Kind::kNot;
      c->children.push_back(std::move(inner).value());
      return c;
    }
    if (Accept(TokenKind::kLParen)) {
      auto inner = ParseCondition();
      if (!inner.ok()) return inner.status();
      if (auto s = Expect(TokenKind::kRParen); !s.ok()) return s;
      return inner;
    }
    auto field = ParseFieldRef();
    if (!field.ok()) return field.status();
    auto c = std::make_shared<SoqlCondition>();
    c->field = std::move(field).value();
    Token const& op = Peek();
    if (IsKeyword(op, "LIKE")) {
      Next();
      c->kind = SoqlCondition::Kind::kLike;
      if (Peek().kind != TokenKind::kString) {
        return Error(Peek().offset, "LIKE must be followed by a string literal");
      }
      auto v = ParseValue();
      if (!v.ok()) return v.status();
      c->values.push_back(std::move(v).value());
      return c;
    }
    bool negated_in = false;
    if (IsKeyword(op, "NOT") && IsKeyword(Peek(1), "IN")) {
      Next();
      negated_in = true;
    }
    if (IsKeyword(Peek(), "IN")) {
      Next();
      c->kind = negated_in ? SoqlCondition::Kind::kNotIn : SoqlCondition::Kind::kIn;
      if (auto s = Expect(TokenKind::kLParen); !s.ok()) return s;
      if (IsKeyword(Peek(), "SELECT")) return ParseSemiJoin(std::move(c));
      while (true) {
        auto v = ParseValue();
        if (!v.ok()) return v.status();
        c->values.push_back(std::move(v).value());
        if (!Accept(TokenKind::kComma)) break;
      }
      if (auto s = Expect(TokenKind::kRParen); !s.ok()) return s;
      return c;
    }
    c->kind = SoqlCondition::Kind::kCompare;
    switch (op.kind) {
      case TokenKind::kEq:
        c->op = CompareOp::kEq;
        break;
      case TokenKind::kNe:
        c->op = CompareOp::kNe;
        break;
      case TokenKind::kLt:
        c->op = CompareOp::kLt;
        break;
      case TokenKind::kLe:
        c->op = CompareOp::kLe;
        break;
      case TokenKind::kGt:
        c->op = CompareOp::kGt;
        break;
      case TokenKind::kGe:
        c->op = CompareOp::kGe;
        break;
      default:
        return Unexpected(op);
    }
    Next();
    auto v = ParseValue();
    if (!v.ok()) return v.status();
    c->values.push_back(std::move(v).value());
    return c;
  }

  // The sub-select of `field [NOT] IN (SELECT …)`; the '(' is consumed, SELECT is next.
  StatusOr<std::shared_ptr<SoqlCondition>> ParseSemiJoin(std::shared_ptr<SoqlCondition> c) {
    std::size_t const select_offset = Peek().offset;
    if (in_semi_join_) {
      return Error(select_offset, "Nesting of semi join sub-selects is not supported");
    }
    if (c->field.parts.size() > 1) {
      return Error(c->field.offset,
                   "semi join sub-selects are not allowed on relationship fields: '" +
                       c->field.text +
                       "' (the left operand must be a field of the queried object)");
    }
    in_semi_join_ = true;
    auto sub = ParseQuery(/*nested=*/true);
    in_semi_join_ = false;
    if (!sub.ok()) return sub.status();
    SoqlQuery const& q = *sub;
    if (q.count_only) {
      return Error(q.select.front().offset, "COUNT() is not allowed in semi join sub-selects");
    }
    if (q.select.size() != 1) {
      return Error(q.select[1].offset, "semi join sub-selects can only select one field");
    }
    SoqlSelectItem const& item = q.select.front();
    if (item.kind != SoqlSelectItem::Kind::kField) {
      return Error(item.offset, "semi join sub-selects can only select one id field");
    }
    if (item.field.parts.size() > 1) {
      return Error(item.offset, "semi join sub selects can only query id fields, cannot use: '" +
                                    item.field.text + "'");
    }
    if (!q.order_by.empty()) {
      return Error(q.order_by.front().field.offset,
                   "ORDER BY is not allowed in semi join sub-selects");
    }
    if (q.limit) return Error(q.limit_offset, "LIMIT is not allowed in semi join sub-selects");
    if (q.offset) return Error(q.offset_offset, "OFFSET is not allowed in semi join sub-selects");
    if (auto s = Expect(TokenKind::kRParen); !s.ok()) return s;
    c->semi_join = std::make_shared<SoqlQuery>(std::move(sub).value());
    c->semi_join_offset = select_offset;
    return c;
  }

  // Salesforce's structural limits on semi/anti-joins in one WHERE: at most two, and none under
  // OR or NOT (a negated semi-join is written `NOT IN`).
  Status CheckSemiJoins(SoqlCondition const& c, std::string_view enclosing, int& count) const {
    switch (c.kind) {
      case SoqlCondition::Kind::kAnd:
        for (auto const& child : c.children) {
          if (auto s = CheckSemiJoins(*child, enclosing, count); !s.ok()) return s;
        }
        return OkStatus();
      case SoqlCondition::Kind::kOr:
      case SoqlCondition::Kind::kNot: {
        std::string_view const op = c.kind == SoqlCondition::Kind::kOr ? "OR" : "NOT";
        for (auto const& child : c.children) {
          if (auto s = CheckSemiJoins(*child, op, count); !s.ok()) return s;
        }
        return OkStatus();
      }
      default:
        break;
    }
    if (!c.semi_join) return OkStatus();
    if (!enclosing.empty()) {
      return Error(c.field.offset, "Semi join sub-selects are not allowed with the '" +
                                       std::string(enclosing) + "' operator");
    }
    if (++count > kMaxSemiJoins) {
      return Error(c.field.offset, "Maximum of " + std::to_string(kMaxSemiJoins) +
                                       " semi join sub-selects are allowed in a WHERE clause");
    }
    return OkStatus();
  }

  StatusOr<SoqlValue> ParseValue() {
    Token const& t = Peek();
    SoqlValue v;
    v.offset = t.offset;
    v.source = t.text;
    switch (t.kind) {
      case TokenKind::kString:
        v.kind = SoqlValue::Kind::kString;
        v.text = t.value;
        v.like_pattern = t.like_pattern;
        v.like_only_escape = t.like_only_escape;
        Next();
        return v;
      case TokenKind::kNumber:
        v.kind = SoqlValue::Kind::kNumber;
        v.number = std::strtod(t.text.c_str(), nullptr);
        Next();
        return v;
      case TokenKind::kDate:
        v.kind = SoqlValue::Kind::kDate;
        v.text = t.value;
        Next();
        return v;
      case TokenKind::kDateTime:
        v.kind = SoqlValue::Kind::kDateTime;
        v.text = t.value;
        Next();
        return v;
      case TokenKind::kIdent:
        break;
      case TokenKind::kColon:
        return Error(t.offset, "bind variables (:name) are only valid in Apex");
      default:
        return Unexpected(t);
    }
    std::string const upper = [&] {
      std::string u = t.text;
      for (char& ch : u) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      return u;
    }();
    if (upper == "TRUE" || upper == "FALSE") {
      v.kind = SoqlValue::Kind::kBoolean;
      v.boolean = upper == "TRUE";
      Next();
      return v;
    }
    if (upper == "NULL") {
      v.kind = SoqlValue::Kind::kNull;
      Next();
      return v;
    }
    if (upper == "TODAY" || upper == "YESTERDAY" || upper == "TOMORROW") {
      v.kind = SoqlValue::Kind::kDateLiteral;
      v.text = upper;
      Next();
      return v;
    }
    if (upper == "LAST_N_DAYS" || upper == "NEXT_N_DAYS" || upper == "N_DAYS_AGO") {
      Next();
      if (!Accept(TokenKind::kColon) || Peek().kind != TokenKind::kNumber ||
          Peek().text.find_first_of(".-+") != std::string::npos) {
        return Error(Peek().offset, upper + " must be followed by :n (a non-negative integer)");
      }
      v.kind = SoqlValue::Kind::kDateLiteral;
      v.text = upper;
      v.n = std::atoi(Next().text.c_str());
      v.source = upper + ":" + std::to_string(v.n);
      return v;
    }
    return Error(t.offset, "unexpected token: '" + t.text +
                               "' (expected a literal value; string literals use single quotes, "
                               "and only TODAY, YESTERDAY, TOMORROW, LAST_N_DAYS:n, "
                               "NEXT_N_DAYS:n and N_DAYS_AGO:n date literals are supported)");
  }

  static constexpr int kMaxNesting = 200;
  static constexpr int kMaxSemiJoins = 2;

  std::string_view soql_;
  std::vector<Token> tokens_;
  std::size_t pos_ = 0;
  int depth_ = 0;
  bool in_semi_join_ = false;
};

}  // namespace

StatusOr<SoqlQuery> ParseSoql(std::string_view soql) {
  auto tokens = TokenizeSoql(soql);
  if (!tokens.ok()) return tokens.status();
  Parser parser(soql, std::move(tokens).value());
  return parser.ParseTop();
}

}  // namespace casebridge::sandbox
