#include "connector/sandbox/soql_engine.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "connector/sandbox/sf_ids.h"
#include "connector/sandbox/sf_values.h"
#include "connector/sandbox/soql_lexer.h"
#include "connector/sandbox/soql_parser.h"

namespace casebridge::sandbox {
namespace {

using json = nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr int kMaxRelationshipDepth = 5;
constexpr std::int64_t kMaxOffset = 2000;

// ---------------------------------------------------------------------------------------------
// Bound (schema-resolved) query

struct BoundPath {
  std::vector<FieldDef const*> hops;    // lookup fields walked, in order
  std::vector<std::string> hop_names;   // their relationship names (output keys)
  std::string final_part;               // the last path element as written
  FieldDef const* final_def = nullptr;  // on the first target object that has it
  bool polymorphic_type = false;        // `Type` on a polymorphic (Name) relationship
  FieldType type = FieldType::kString;
  std::string column;  // canonical dotted path, e.g. "Owner.Name"
};

struct BoundValue {
  enum class Kind { kNull, kString, kId, kNumber, kBoolean, kRange };
  Kind kind = Kind::kNull;
  std::string s;   // kString (as written), kId (15-char key), kRange lower bound
  std::string hi;  // kRange upper bound (exclusive)
  double number = 0;
  bool boolean = false;
};

struct LikeElem {
  enum class Kind { kChar, kOne, kAny };
  Kind kind = Kind::kChar;
  char c = 0;
};

struct BoundQuery;

struct BoundCondition {
  SoqlCondition::Kind kind = SoqlCondition::Kind::kCompare;
  std::vector<std::shared_ptr<BoundCondition>> children;
  BoundPath path;
  CompareOp op = CompareOp::kEq;
  std::vector<BoundValue> values;
  std::vector<LikeElem> like;
  std::shared_ptr<BoundQuery> semi_join;  // kIn/kNotIn against a sub-select
};

struct BoundOrder {
  BoundPath path;
  bool descending = false;
  bool nulls_first = true;
};

struct BoundItem {
  bool is_subquery = false;
  BoundPath path;
  ChildRelationship const* child = nullptr;
  std::shared_ptr<BoundQuery> subquery;
};

struct BoundQuery {
  ObjectSchema const* object = nullptr;
  std::vector<BoundItem> items;
  std::shared_ptr<BoundCondition> where;
  std::vector<BoundOrder> order;
  std::optional<std::int64_t> limit;
  std::optional<std::int64_t> offset;
  bool count_only = false;
};

std::string TypeNameForMessage(FieldType t) {
  switch (t) {
    case FieldType::kId:
      return "id";
    case FieldType::kReference:
      return "reference";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kNumber:
      return "double";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "dateTime";
    case FieldType::kString:
    case FieldType::kAny:
      return "string";
  }
  return "string";
}

// Field values are scalars: convert without a text round trip.
ordered_json ToOrdered(json const& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) return v.get<std::int64_t>();
  if (v.is_number_float()) return v.get<double>();
  if (v.is_null()) return nullptr;
  return ordered_json::parse(v.dump());
}

bool IsTextual(FieldType t) { return t == FieldType::kString || t == FieldType::kAny; }
bool IsIdLike(FieldType t) { return t == FieldType::kId || t == FieldType::kReference; }

std::vector<LikeElem> CompileLike(std::string const& pattern) {
  std::vector<LikeElem> out;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char const c = pattern[i];
    if (c == '\\' && i + 1 < pattern.size()) {
      out.push_back({LikeElem::Kind::kChar, pattern[++i]});
    } else if (c == '%') {
      if (out.empty() || out.back().kind != LikeElem::Kind::kAny) {
        out.push_back({LikeElem::Kind::kAny, 0});
      }
    } else if (c == '_') {
      out.push_back({LikeElem::Kind::kOne, 0});
    } else {
      out.push_back({LikeElem::Kind::kChar, c});
    }
  }
  return out;
}

char Fold(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// Advances past one UTF-8 code point.
std::size_t NextCodePoint(std::string_view s, std::size_t i) {
  ++i;
  while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
  return i;
}

// Case-insensitive LIKE with backtracking over the last `%`.
bool LikeMatch(std::vector<LikeElem> const& p, std::string_view s) {
  std::size_t pi = 0;
  std::size_t si = 0;
  std::optional<std::size_t> star_p;
  std::size_t star_s = 0;
  while (si < s.size()) {
    if (pi < p.size() && p[pi].kind == LikeElem::Kind::kAny) {
      star_p = pi++;
      star_s = si;
      continue;
    }
    if (pi < p.size() && p[pi].kind == LikeElem::Kind::kOne) {
      ++pi;
      si = NextCodePoint(s, si);
      continue;
    }
    if (pi < p.size() && Fold(p[pi].c) == Fold(s[si])) {
      ++pi;
      ++si;
      continue;
    }
    if (!star_p) return false;
    pi = *star_p + 1;
    star_s = NextCodePoint(s, star_s);
    si = star_s;
  }
  while (pi < p.size() && p[pi].kind == LikeElem::Kind::kAny) ++pi;
  return pi == p.size();
}

class Binder {
 public:
  Binder(Schema const& schema, std::string_view soql, Instant now)
      : schema_(schema), soql_(soql), now_(now) {}

  StatusOr<std::shared_ptr<BoundQuery>> BindTop(SoqlQuery const& q) {
    ObjectSchema const* object = schema_.Find(q.from);
    if (object == nullptr) {
      return SoqlError(soql_, q.from_offset, "INVALID_TYPE",
                       "sObject type '" + q.from +
                           "' is not supported. If you are attempting to use a custom object, be "
                           "sure to append the '__c' after the entity name. Please reference your "
                           "WSDL or the describe call for the appropriate names.");
    }
    return Bind(q, *object);
  }

 private:
  StatusOr<std::shared_ptr<BoundQuery>> Bind(SoqlQuery const& q, ObjectSchema const& object) {
    auto b = std::make_shared<BoundQuery>();
    b->object = &object;
    b->count_only = q.count_only;
    std::vector<std::string> seen;
    for (auto const& item : q.select) {
      if (item.kind == SoqlSelectItem::Kind::kCount) continue;
      BoundItem bi;
      if (item.kind == SoqlSelectItem::Kind::kSubquery) {
        SoqlQuery const& sub = *item.subquery;
        ChildRelationship const* child = object.FindChild(sub.from);
        if (child == nullptr) {
          return SoqlError(soql_, sub.from_offset, "INVALID_TYPE",
                           "Didn't understand relationship '" + sub.from +
                               "' in FROM part of query call. If you are attempting to use a "
                               "custom relationship, be sure to append the '__r' after the custom "
                               "relationship name. Please reference your WSDL or the describe "
                               "call for the appropriate names.");
        }
        ObjectSchema const* child_object = schema_.Find(child->child_object);
        auto bound = Bind(sub, *child_object);
        if (!bound.ok()) return bound.status();
        bi.is_subquery = true;
        bi.child = child;
        bi.subquery = std::move(bound).value();
        std::string const key = Lower(child->name);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
          return SoqlError(soql_, item.offset, "MALFORMED_QUERY",
                           "duplicate field selected: " + child->name);
        }
        seen.push_back(key);
      } else {
        auto path = BindPath(object, item.field);
        if (!path.ok()) return path.status();
        bi.path = std::move(path).value();
        std::string const key = Lower(bi.path.column);
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) {
          return SoqlError(soql_, item.offset, "MALFORMED_QUERY",
                           "duplicate field selected: " + bi.path.column);
        }
        seen.push_back(key);
      }
      b->items.push_back(std::move(bi));
    }
    if (q.where) {
      auto c = BindCondition(object, *q.where);
      if (!c.ok()) return c.status();
      b->where = std::move(c).value();
    }
    for (auto const& o : q.order_by) {
      auto path = BindPath(object, o.field);
      if (!path.ok()) return path.status();
      BoundOrder bo;
      bo.path = std::move(path).value();
      bo.descending = o.descending;
      bo.nulls_first = o.nulls_first.value_or(!o.descending);
      b->order.push_back(std::move(bo));
    }
    b->limit = q.limit;
    if (q.offset && *q.offset > kMaxOffset) {
      return SoqlError(soql_, q.offset_offset, "NUMBER_OUTSIDE_VALID_RANGE",
                       "Maximum SOQL offset allowed is " + std::to_string(kMaxOffset));
    }
    b->offset = q.offset;
    return b;
  }

  StatusOr<BoundPath> BindPath(ObjectSchema const& object, FieldRef const& ref) {
    BoundPath p;
    std::vector<ObjectSchema const*> current = {&object};
    if (static_cast<int>(ref.parts.size()) - 1 > kMaxRelationshipDepth) {
      return SoqlError(soql_, ref.offset, "MALFORMED_QUERY",
                       "SOQL statements cannot query more than 5 levels of parent relationships");
    }
    bool polymorphic = false;
    for (std::size_t i = 0; i + 1 < ref.parts.size(); ++i) {
      std::string const& rel = ref.parts[i];
      FieldDef const* hop = nullptr;
      for (auto const* o : current) {
        hop = o->FindRelationship(rel);
        if (hop != nullptr) break;
      }
      if (hop == nullptr) {
        return SoqlError(soql_, ref.offset, "INVALID_FIELD",
                         "Didn't understand relationship '" + rel +
                             "' in field path. If you are attempting to use a custom "
                             "relationship, be sure to append the '__r' after the custom "
                             "relationship name. Please reference your WSDL or the describe call "
                             "for the appropriate names.");
      }
      p.hops.push_back(hop);
      p.hop_names.push_back(hop->relationship_name);
      polymorphic = hop->reference_to.size() > 1;
      current.clear();
      for (auto const& target : hop->reference_to) {
        if (auto const* t = schema_.Find(target)) current.push_back(t);
      }
    }
    p.final_part = ref.parts.back();
    for (auto const* o : current) {
      p.final_def = o->FindField(p.final_part);
      if (p.final_def != nullptr) break;
    }
    std::string final_name;
    if (p.final_def != nullptr) {
      final_name = p.final_def->name;
      p.type = p.final_def->type;
      // `Type` of a polymorphic owner is the target's kind ("User", or a Group's Type).
      p.polymorphic_type = polymorphic && EqualsIgnoreCase(final_name, "Type");
    } else if (polymorphic && EqualsIgnoreCase(p.final_part, "Type")) {
      p.polymorphic_type = true;
      p.type = FieldType::kString;
      final_name = "Type";
    } else {
      std::string const entity =
          polymorphic ? "Name" : (current.empty() ? object.name() : current.front()->name());
      return SoqlError(soql_, ref.offset, "INVALID_FIELD",
                       "No such column '" + p.final_part + "' on entity '" + entity +
                           "'. If you are attempting to use a custom field, be sure to append "
                           "the '__c' after the custom field name. Please reference your WSDL or "
                           "the describe call for the appropriate names.");
    }
    for (auto const& h : p.hop_names) p.column += h + ".";
    p.column += final_name;
    return p;
  }

  Status TypeMismatch(BoundPath const& path, SoqlValue const& v) {
    bool const quoted = IsTextual(path.type) || IsIdLike(path.type);
    return SoqlError(soql_, v.offset, "INVALID_FIELD",
                     "value of filter criterion for field '" + path.column + "' must be of type " +
                         TypeNameForMessage(path.type) + " and should " + (quoted ? "" : "not ") +
                         "be enclosed in quotes");
  }

  StatusOr<BoundValue> BindValue(BoundPath const& path, SoqlValue const& v) {
    BoundValue b;
    if (v.kind == SoqlValue::Kind::kNull) return b;
    if (v.kind == SoqlValue::Kind::kString && v.like_only_escape) {
      return SoqlError(soql_, v.offset, "MALFORMED_QUERY",
                       "Invalid string literal " + v.source +
                           ": the escape sequences \\% and \\_ are only valid in LIKE");
    }
    switch (path.type) {
      case FieldType::kString:
      case FieldType::kAny:
        if (v.kind != SoqlValue::Kind::kString) return TypeMismatch(path, v);
        b.kind = BoundValue::Kind::kString;
        b.s = v.text;
        return b;
      case FieldType::kId:
      case FieldType::kReference: {
        if (v.kind != SoqlValue::Kind::kString) return TypeMismatch(path, v);
        auto key = IdKey(v.text);
        if (!key) {
          return SoqlError(soql_, v.offset, "INVALID_QUERY_FILTER_OPERATOR",
                           "invalid ID field: " + v.text);
        }
        b.kind = BoundValue::Kind::kId;
        b.s = *key;
        return b;
      }
      case FieldType::kBoolean:
        if (v.kind != SoqlValue::Kind::kBoolean) return TypeMismatch(path, v);
        b.kind = BoundValue::Kind::kBoolean;
        b.boolean = v.boolean;
        return b;
      case FieldType::kNumber:
        if (v.kind != SoqlValue::Kind::kNumber) return TypeMismatch(path, v);
        b.kind = BoundValue::Kind::kNumber;
        b.number = v.number;
        return b;
      case FieldType::kDate:
      case FieldType::kDateTime: {
        bool const is_date = path.type == FieldType::kDate;
        if (v.kind == SoqlValue::Kind::kDateLiteral) {
          auto const today = std::chrono::floor<std::chrono::days>(now_);
          std::chrono::sys_days lo = today;
          std::chrono::sys_days hi = today;
          std::chrono::days const n{v.n};
          std::chrono::days const one{1};
          if (v.text == "TODAY") {
            hi = today + one;
          } else if (v.text == "YESTERDAY") {
            lo = today - one;
            hi = today;
          } else if (v.text == "TOMORROW") {
            lo = today + one;
            hi = today + one + one;
          } else if (v.text == "LAST_N_DAYS") {
            lo = today - n;
            hi = today + one;
          } else if (v.text == "NEXT_N_DAYS") {
            lo = today + one;
            hi = today + one + n;
          } else {  // N_DAYS_AGO
            lo = today - n;
            hi = lo + one;
          }
          b.kind = BoundValue::Kind::kRange;
          b.s = is_date ? FormatRestDate(lo) : FormatRestDateTime(Instant{lo});
          b.hi = is_date ? FormatRestDate(hi) : FormatRestDateTime(Instant{hi});
          return b;
        }
        if (v.kind != (is_date ? SoqlValue::Kind::kDate : SoqlValue::Kind::kDateTime)) {
          return TypeMismatch(path, v);
        }
        b.kind = BoundValue::Kind::kString;
        b.s = v.text;
        return b;
      }
    }
    return b;
  }

  StatusOr<std::shared_ptr<BoundCondition>> BindCondition(ObjectSchema const& object,
                                                          SoqlCondition const& c) {
    auto b = std::make_shared<BoundCondition>();
    b->kind = c.kind;
    if (c.kind == SoqlCondition::Kind::kAnd || c.kind == SoqlCondition::Kind::kOr ||
        c.kind == SoqlCondition::Kind::kNot) {
      for (auto const& child : c.children) {
        auto bc = BindCondition(object, *child);
        if (!bc.ok()) return bc.status();
        b->children.push_back(std::move(bc).value());
      }
      return b;
    }
    auto path = BindPath(object, c.field);
    if (!path.ok()) return path.status();
    b->path = std::move(path).value();
    b->op = c.op;
    if (c.semi_join) {
      auto sub = BindSemiJoin(object, b->path, c);
      if (!sub.ok()) return sub.status();
      b->semi_join = std::move(sub).value();
      return b;
    }
    if (c.kind == SoqlCondition::Kind::kLike) {
      if (!IsTextual(b->path.type)) {
        return SoqlError(soql_, c.field.offset, "INVALID_QUERY_FILTER_OPERATOR",
                         "invalid operator on " + TypeNameForMessage(b->path.type) +
                             " field: LIKE is only valid on text fields ('" + b->path.column +
                             "')");
      }
      b->like = CompileLike(c.values.front().like_pattern);
      return b;
    }
    for (auto const& v : c.values) {
      if (v.kind == SoqlValue::Kind::kNull && c.kind == SoqlCondition::Kind::kCompare &&
          c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
        return SoqlError(soql_, v.offset, "INVALID_QUERY_FILTER_OPERATOR",
                         "null can only be compared with = or !=");
      }
      if (b->path.type == FieldType::kBoolean && c.kind == SoqlCondition::Kind::kCompare &&
          c.op != CompareOp::kEq && c.op != CompareOp::kNe) {
        return SoqlError(soql_, c.field.offset, "INVALID_QUERY_FILTER_OPERATOR",
                         "invalid operator on boolean field: " + b->path.column);
      }
      auto bv = BindValue(b->path, v);
      if (!bv.ok()) return bv.status();
      b->values.push_back(std::move(bv).value());
    }
    return b;
  }

  // The objects an id or reference field's values point to.
  static std::vector<std::string> TargetsOf(FieldDef const& f, ObjectSchema const& owner) {
    if (f.type == FieldType::kId) return {owner.name()};
    return f.reference_to;
  }

  // `left [NOT] IN (SELECT field FROM Object WHERE …)`: Salesforce's type rules. The left
  // operand and the selected field are id or reference fields whose values point to a common
  // object, and the inner select is on another object than the outer one.
  StatusOr<std::shared_ptr<BoundQuery>> BindSemiJoin(ObjectSchema const& outer,
                                                     BoundPath const& left,
                                                     SoqlCondition const& c) {
    SoqlQuery const& sub = *c.semi_join;
    if (!IsIdLike(left.type) || left.final_def == nullptr) {
      return SoqlError(soql_, c.field.offset, "MALFORMED_QUERY",
                       "semi join sub-selects are only allowed on id or reference fields, cannot "
                       "use: '" +
                           left.column + "'");
    }
    ObjectSchema const* inner = schema_.Find(sub.from);
    if (inner == nullptr) {
      return SoqlError(soql_, sub.from_offset, "INVALID_TYPE",
                       "sObject type '" + sub.from +
                           "' is not supported. If you are attempting to use a custom object, be "
                           "sure to append the '__c' after the entity name. Please reference your "
                           "WSDL or the describe call for the appropriate names.");
    }
    if (inner == &outer) {
      return SoqlError(soql_, sub.from_offset, "MALFORMED_QUERY",
                       "The inner and outer selects should not be on the same object type");
    }
    auto bound = Bind(sub, *inner);
    if (!bound.ok()) return bound.status();
    BoundPath const& selected = (*bound)->items.front().path;
    if (!IsIdLike(selected.type) || selected.final_def == nullptr) {
      return SoqlError(
          soql_, sub.select.front().offset, "MALFORMED_QUERY",
          "semi join sub selects can only query id fields, cannot use: '" + selected.column + "'");
    }
    std::vector<std::string> const left_targets = TargetsOf(*left.final_def, outer);
    std::vector<std::string> const inner_targets = TargetsOf(*selected.final_def, *inner);
    bool const compatible =
        std::any_of(inner_targets.begin(), inner_targets.end(), [&](std::string const& t) {
          return std::any_of(left_targets.begin(), left_targets.end(),
                             [&](std::string const& l) { return EqualsIgnoreCase(l, t); });
        });
    if (!compatible) {
      auto join = [](std::vector<std::string> const& names) {
        std::string out;
        for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
        return out;
      };
      return SoqlError(soql_, c.semi_join_offset, "MALFORMED_QUERY",
                       "the semi join sub-select returns " + join(inner_targets) + " ids ('" +
                           inner->name() + "." + selected.column + "'), but '" + left.column +
                           "' holds " + join(left_targets) + " ids");
    }
    return bound;
  }

  Schema const& schema_;
  std::string_view soql_;
  Instant now_;
};

// ---------------------------------------------------------------------------------------------
// Evaluation

class Evaluator {
 public:
  Evaluator(Schema const& schema, RecordStore const& store, QueryOptions const& options)
      : schema_(schema), store_(store), options_(options) {}

  // The record at the end of the path's hops (nullptr when a lookup is empty or dangling).
  Record const* Target(BoundPath const& p, Record const& r) const {
    Record const* cur = &r;
    for (auto const* hop : p.hops) {
      json const& id = cur->Get(hop->name);
      if (!id.is_string()) return nullptr;
      cur = store_.Find(id.get_ref<std::string const&>());
      if (cur == nullptr) return nullptr;
    }
    return cur;
  }

  // Canonical name of the path's final field on `target`'s object.
  std::string const* FinalName(BoundPath const& p, Record const& target) const {
    if (p.hops.empty() || p.hops.back()->reference_to.size() == 1) {
      return p.final_def ? &p.final_def->name : nullptr;
    }
    ObjectSchema const* o = schema_.Find(target.object);
    FieldDef const* f = o ? o->FindField(p.final_part) : nullptr;
    return f ? &f->name : nullptr;
  }

  json Value(BoundPath const& p, Record const& r) const {
    Record const* target = Target(p, r);
    if (target == nullptr) return nullptr;
    if (p.polymorphic_type) {
      if (target->object == "Group") return target->Get("Type");
      return target->object;
    }
    std::string const* name = FinalName(p, *target);
    if (name == nullptr) return nullptr;
    return target->Get(*name);
  }

  static std::string AsText(json const& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    return v.dump();
  }

  // Three-way comparison of a non-null field value with a bound value of its type.
  static int Compare(json const& fv, BoundValue const& v, FieldType type) {
    switch (type) {
      case FieldType::kString:
      case FieldType::kAny:
        return CompareIgnoreCase(AsText(fv), v.s);
      case FieldType::kId:
      case FieldType::kReference: {
        std::string_view const s =
            fv.is_string() ? std::string_view(fv.get_ref<std::string const&>()).substr(0, 15)
                           : std::string_view();
        int const c = s.compare(v.s);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
      case FieldType::kBoolean: {
        bool const a = fv.is_boolean() && fv.get<bool>();
        return a == v.boolean ? 0 : (a ? 1 : -1);
      }
      case FieldType::kNumber: {
        double const a = fv.is_number() ? fv.get<double>() : 0.0;
        return a < v.number ? -1 : (a > v.number ? 1 : 0);
      }
      case FieldType::kDate:
      case FieldType::kDateTime: {
        std::string const s = AsText(fv);
        int const c = s.compare(v.s);
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
    }
    return 0;
  }

  static bool Equal(json const& fv, BoundValue const& v, FieldType type) {
    if (v.kind == BoundValue::Kind::kNull) return fv.is_null();
    if (fv.is_null()) return false;
    if (v.kind == BoundValue::Kind::kRange) {
      std::string const s = AsText(fv);
      return s >= v.s && s < v.hi;
    }
    return Compare(fv, v, type) == 0;
  }

  static bool Ordered(json const& fv, BoundValue const& v, FieldType type, CompareOp op) {
    if (fv.is_null() || v.kind == BoundValue::Kind::kNull) return false;
    if (v.kind == BoundValue::Kind::kRange) {
      std::string const s = AsText(fv);
      switch (op) {
        case CompareOp::kLt:
          return s < v.s;
        case CompareOp::kLe:
          return s < v.hi;
        case CompareOp::kGt:
          return s >= v.hi;
        case CompareOp::kGe:
          return s >= v.s;
        default:
          return false;
      }
    }
    int const c = Compare(fv, v, type);
    switch (op) {
      case CompareOp::kLt:
        return c < 0;
      case CompareOp::kLe:
        return c <= 0;
      case CompareOp::kGt:
        return c > 0;
      case CompareOp::kGe:
        return c >= 0;
      default:
        return false;
    }
  }

  bool Matches(BoundCondition const& c, Record const& r) const {
    switch (c.kind) {
      case SoqlCondition::Kind::kAnd:
        for (auto const& child : c.children) {
          if (!Matches(*child, r)) return false;
        }
        return true;
      case SoqlCondition::Kind::kOr:
        for (auto const& child : c.children) {
          if (Matches(*child, r)) return true;
        }
        return false;
      case SoqlCondition::Kind::kNot:
        return !Matches(*c.children.front(), r);
      case SoqlCondition::Kind::kLike: {
        json const v = Value(c.path, r);
        if (v.is_null()) return false;
        return LikeMatch(c.like, AsText(v));
      }
      case SoqlCondition::Kind::kIn:
      case SoqlCondition::Kind::kNotIn: {
        if (c.semi_join) {
          json const v = Value(c.path, r);
          bool const any = v.is_string() && SemiJoinKeys(c).contains(IdPrefix(v));
          return c.kind == SoqlCondition::Kind::kIn ? any : !any;
        }
        json const v = Value(c.path, r);
        if (auto const* keys = InListKeys(c)) {
          bool const any = v.is_string() && keys->contains(IdPrefix(v));
          return c.kind == SoqlCondition::Kind::kIn ? any : !any;
        }
        bool any = false;
        for (auto const& bv : c.values) {
          if (Equal(v, bv, c.path.type)) {
            any = true;
            break;
          }
        }
        return c.kind == SoqlCondition::Kind::kIn ? any : !any;
      }
      case SoqlCondition::Kind::kCompare: {
        json const v = Value(c.path, r);
        BoundValue const& bv = c.values.front();
        switch (c.op) {
          case CompareOp::kEq:
            return Equal(v, bv, c.path.type);
          case CompareOp::kNe:
            return !Equal(v, bv, c.path.type);
          default:
            return Ordered(v, bv, c.path.type, c.op);
        }
      }
    }
    return false;
  }

  static std::string IdPrefix(json const& id) {
    auto const& s = id.get_ref<std::string const&>();
    return s.size() > 15 ? s.substr(0, 15) : s;
  }

  // The 15-character keys a semi-join's sub-select returns, computed once per query run.
  std::unordered_set<std::string> const& SemiJoinKeys(BoundCondition const& c) const {
    auto it = semi_join_keys_.find(&c);
    if (it != semi_join_keys_.end()) return it->second;
    BoundQuery const& sub = *c.semi_join;
    BoundPath const& selected = sub.items.front().path;
    std::unordered_set<std::string> keys;
    for (Record const* r : Select(sub, Candidates(sub))) {
      json const v = Value(selected, *r);
      if (v.is_string()) keys.insert(IdPrefix(v));
    }
    return semi_join_keys_.emplace(&c, std::move(keys)).first->second;
  }

  // The keys of a long `IN (…)` list of ids (computed once per query run), or nullptr when
  // the list is short or holds null.
  std::unordered_set<std::string> const* InListKeys(BoundCondition const& c) const {
    if (!IsIdLike(c.path.type) || c.values.size() <= 8) return nullptr;
    auto it = in_list_keys_.find(&c);
    if (it == in_list_keys_.end()) {
      std::optional<std::unordered_set<std::string>> keys;
      if (std::all_of(c.values.begin(), c.values.end(),
                      [](BoundValue const& bv) { return bv.kind == BoundValue::Kind::kId; })) {
        keys.emplace();
        for (auto const& bv : c.values) keys->insert(bv.s);
      }
      it = in_list_keys_.emplace(&c, std::move(keys)).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  static int CompareForSort(json const& a, json const& b, FieldType type) {
    switch (type) {
      case FieldType::kString:
      case FieldType::kAny:
        return CompareIgnoreCase(AsText(a), AsText(b));
      case FieldType::kBoolean: {
        bool const x = a.is_boolean() && a.get<bool>();
        bool const y = b.is_boolean() && b.get<bool>();
        return x == y ? 0 : (x ? 1 : -1);
      }
      case FieldType::kNumber: {
        double const x = a.is_number() ? a.get<double>() : 0.0;
        double const y = b.is_number() ? b.get<double>() : 0.0;
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      default: {
        int const c = AsText(a).compare(AsText(b));
        return c < 0 ? -1 : (c > 0 ? 1 : 0);
      }
    }
  }

  // Filters, sorts and slices `candidates` by the query's WHERE, ORDER BY, OFFSET and LIMIT.
  std::vector<Record const*> Select(BoundQuery const& q,
                                    std::vector<Record const*> const& candidates) const {
    std::vector<Record const*> rows;
    for (Record const* r : candidates) {
      if (!options_.include_deleted && r->deleted()) continue;
      if (q.where && !Matches(*q.where, *r)) continue;
      rows.push_back(r);
    }
    if (!q.order.empty()) {
      std::vector<std::pair<std::vector<json>, Record const*>> keyed;
      keyed.reserve(rows.size());
      for (Record const* r : rows) {
        std::vector<json> keys;
        keys.reserve(q.order.size());
        for (auto const& o : q.order) keys.push_back(Value(o.path, *r));
        keyed.emplace_back(std::move(keys), r);
      }
      std::stable_sort(keyed.begin(), keyed.end(), [&](auto const& x, auto const& y) {
        for (std::size_t i = 0; i < q.order.size(); ++i) {
          auto const& o = q.order[i];
          json const& a = x.first[i];
          json const& b = y.first[i];
          if (a.is_null() || b.is_null()) {
            if (a.is_null() && b.is_null()) continue;
            return a.is_null() == o.nulls_first;
          }
          int c = CompareForSort(a, b, o.path.type);
          if (o.descending) c = -c;
          if (c != 0) return c < 0;
        }
        return false;
      });
      for (std::size_t i = 0; i < rows.size(); ++i) rows[i] = keyed[i].second;
    }
    std::size_t const offset =
        q.offset ? std::min(rows.size(), static_cast<std::size_t>(*q.offset)) : 0;
    rows.erase(rows.begin(), rows.begin() + static_cast<std::ptrdiff_t>(offset));
    if (q.limit && rows.size() > static_cast<std::size_t>(*q.limit)) {
      rows.resize(static_cast<std::size_t>(*q.limit));
    }
    return rows;
  }

  ordered_json Attributes(Record const& r) const {
    ordered_json a;
    a["type"] = r.object;
    a["url"] = "/services/data/v" + options_.api_version + "/sobjects/" + r.object + "/" + r.id;
    return a;
  }

  ordered_json Render(BoundQuery const& q, Record const& r) const {
    ordered_json out;
    out["attributes"] = Attributes(r);
    for (auto const& item : q.items) {
      if (item.is_subquery) {
        auto const& children =
            store_.Referencing(item.child->child_object, item.child->field, r.id);
        std::vector<Record const*> rows;
        if (!children.empty()) {
          rows = Select(*item.subquery, {children.begin(), children.end()});
        }
        if (rows.empty()) {
          out[item.child->name] = nullptr;
          continue;
        }
        ordered_json sub;
        sub["totalSize"] = rows.size();
        sub["done"] = true;
        ordered_json records = ordered_json::array();
        for (Record const* c : rows) records.push_back(Render(*item.subquery, *c));
        sub["records"] = std::move(records);
        out[item.child->name] = std::move(sub);
        continue;
      }
      BoundPath const& p = item.path;
      ordered_json* node = &out;
      Record const* cur = &r;
      bool missing = false;
      for (std::size_t i = 0; i < p.hops.size(); ++i) {
        std::string const& key = p.hop_names[i];
        json const& id = cur->Get(p.hops[i]->name);
        Record const* next =
            id.is_string() ? store_.Find(id.get_ref<std::string const&>()) : nullptr;
        if (next == nullptr) {
          if (!node->contains(key)) (*node)[key] = nullptr;
          missing = true;
          break;
        }
        if (!node->contains(key) || (*node)[key].is_null()) {
          ordered_json nested;
          nested["attributes"] = Attributes(*next);
          (*node)[key] = std::move(nested);
        }
        node = &(*node)[key];
        cur = next;
      }
      if (missing) continue;
      std::string const* name = FinalName(p, *cur);
      std::string const key =
          p.polymorphic_type ? std::string("Type") : (name ? *name : p.final_def->name);
      (*node)[key] = ToOrdered(Value(p, r));
    }
    return out;
  }

  static std::string CsvValue(json const& v, FieldType type) {
    if (v.is_null()) return "";
    if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
    if (v.is_number()) {
      double const d = v.get<double>();
      char buf[64];
      if (std::floor(d) == d && std::fabs(d) < 1e15) {
        std::snprintf(buf, sizeof(buf), "%.0f", d);
      } else {
        std::snprintf(buf, sizeof(buf), "%.15g", d);
      }
      return buf;
    }
    if (v.is_string()) {
      if (type == FieldType::kDateTime) return DateTimeToCsv(v.get<std::string>());
      return v.get<std::string>();
    }
    return v.dump();
  }

  std::vector<Record const*> Candidates(ObjectSchema const& o) const {
    auto const& table = store_.Table(o.name());
    return {table.begin(), table.end()};
  }

  // The records a query must look at: those of its object, or, when a top-level condition
  // pins `Id` or a lookup field to a few ids, only those the store's indexes give for them
  // (in insertion order, as a scan would see them). WHERE still filters them.
  std::vector<Record const*> Candidates(BoundQuery const& q) const {
    if (q.where) {
      if (auto pinned = Pinned(*q.object, *q.where)) return *std::move(pinned);
    }
    return Candidates(*q.object);
  }

  std::optional<std::vector<Record const*>> Pinned(ObjectSchema const& o,
                                                   BoundCondition const& c) const {
    if (c.kind == SoqlCondition::Kind::kAnd) {
      for (auto const& child : c.children) {
        if (auto pinned = Pinned(o, *child)) return pinned;
      }
      return std::nullopt;
    }
    auto const keys = PinnedKeys(c, store_.Table(o.name()).size());
    if (!keys) return std::nullopt;
    FieldDef const& field = *c.path.final_def;
    std::vector<Record const*> out;
    for (std::string const& key : *keys) {
      if (field.type == FieldType::kId) {
        Record const* r = store_.Find(key);
        if (r != nullptr && r->object == o.name()) out.push_back(r);
        continue;
      }
      for (Record const* r : store_.Referencing(o.name(), field.name, key)) out.push_back(r);
    }
    std::sort(out.begin(), out.end(),
              [](Record const* a, Record const* b) { return a->sequence < b->sequence; });
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }

  // The id keys `c` pins a field of the record itself (`Id` or a lookup) to: `= id`,
  // `IN (ids…)`, or `IN (SELECT …)` when the sub-select returns few keys for the table's size.
  std::optional<std::vector<std::string>> PinnedKeys(BoundCondition const& c,
                                                     std::size_t table_size) const {
    BoundPath const& p = c.path;
    bool const eq = c.kind == SoqlCondition::Kind::kCompare && c.op == CompareOp::kEq;
    if ((!eq && c.kind != SoqlCondition::Kind::kIn) || !p.hops.empty() || p.polymorphic_type ||
        p.final_def == nullptr || !IsIdLike(p.final_def->type)) {
      return std::nullopt;
    }
    std::vector<std::string> keys;
    if (c.semi_join) {
      auto const& set = SemiJoinKeys(c);
      if (set.size() > table_size / 8) return std::nullopt;
      keys.assign(set.begin(), set.end());
      return keys;
    }
    for (auto const& v : c.values) {
      if (v.kind != BoundValue::Kind::kId) return std::nullopt;
      keys.push_back(v.s);
    }
    return keys;
  }

 private:
  Schema const& schema_;
  RecordStore const& store_;
  QueryOptions const& options_;
  // Evaluation is single-threaded (the caller holds the org's lock); the cache lives as long
  // as this Evaluator, i.e. one query run.
  mutable std::unordered_map<BoundCondition const*, std::unordered_set<std::string>>
      semi_join_keys_;
  mutable std::unordered_map<BoundCondition const*, std::optional<std::unordered_set<std::string>>>
      in_list_keys_;
};

StatusOr<std::shared_ptr<BoundQuery>> ParseAndBind(Schema const& schema, std::string_view soql,
                                                   QueryOptions const& options) {
  auto parsed = ParseSoql(soql);
  if (!parsed.ok()) return parsed.status();
  Binder binder(schema, soql, options.now);
  return binder.BindTop(*parsed);
}

Status BulkUnsupported(std::string const& what) {
  ErrorInfo info;
  info.http_status = 400;
  info.vendor_code = "INVALIDJOB";
  return InvalidArgumentError(what + " is not supported in Bulk API 2.0 query jobs", info);
}

}  // namespace

StatusOr<QueryResult> SoqlEngine::Run(std::string_view soql, QueryOptions const& options) const {
  auto selection = Select(soql, options);
  if (!selection.ok()) return selection.status();
  QueryResult result;
  result.object = selection->object;
  result.count_only = selection->count_only;
  result.total_size = selection->total_size;
  if (result.count_only) return result;
  auto records = Render(soql, options, selection->rows);
  if (!records.ok()) return records.status();
  result.records = std::move(records).value();
  return result;
}

StatusOr<QuerySelection> SoqlEngine::Select(std::string_view soql,
                                            QueryOptions const& options) const {
  auto bound = ParseAndBind(schema_, soql, options);
  if (!bound.ok()) return bound.status();
  BoundQuery const& q = **bound;
  Evaluator eval(schema_, store_, options);
  std::vector<Record const*> const rows = eval.Select(q, eval.Candidates(q));
  QuerySelection selection;
  selection.object = q.object->name();
  selection.count_only = q.count_only;
  selection.total_size = static_cast<std::int64_t>(rows.size());
  if (q.count_only) return selection;
  selection.rows.reserve(rows.size());
  for (Record const* r : rows) {
    RowKey key{};
    std::copy_n(r->id.begin(), key.size(), key.begin());
    selection.rows.push_back(key);
  }
  return selection;
}

StatusOr<std::vector<ordered_json>> SoqlEngine::Render(std::string_view soql,
                                                       QueryOptions const& options,
                                                       std::span<RowKey const> rows) const {
  auto bound = ParseAndBind(schema_, soql, options);
  if (!bound.ok()) return bound.status();
  Evaluator eval(schema_, store_, options);
  std::vector<ordered_json> out;
  out.reserve(rows.size());
  for (RowKey const& key : rows) {
    Record const* r = store_.Find(std::string_view(key.data(), key.size()));
    if (r != nullptr) out.push_back(eval.Render(**bound, *r));
  }
  return out;
}

Status SoqlEngine::CheckForBulk(std::string_view soql, QueryOptions const& options) const {
  auto parsed = ParseSoql(soql);
  if (!parsed.ok()) return parsed.status();
  if (parsed->count_only) return BulkUnsupported("COUNT()");
  if (parsed->offset) return BulkUnsupported("OFFSET");
  for (auto const& item : parsed->select) {
    if (item.kind == SoqlSelectItem::Kind::kSubquery) {
      return BulkUnsupported("A parent-to-child relationship subquery");
    }
  }
  Binder binder(schema_, soql, options.now);
  auto bound = binder.BindTop(*parsed);
  return bound.ok() ? OkStatus() : bound.status();
}

StatusOr<CsvResult> SoqlEngine::RunForBulk(std::string_view soql,
                                           QueryOptions const& options) const {
  if (auto s = CheckForBulk(soql, options); !s.ok()) return s;
  auto bound = ParseAndBind(schema_, soql, options);
  if (!bound.ok()) return bound.status();
  BoundQuery const& q = **bound;
  Evaluator eval(schema_, store_, options);
  std::vector<Record const*> const rows = eval.Select(q, eval.Candidates(q));
  CsvResult result;
  result.object = q.object->name();
  for (auto const& item : q.items) result.columns.push_back(item.path.column);
  result.rows.reserve(rows.size());
  for (Record const* r : rows) {
    std::vector<std::string> row;
    row.reserve(q.items.size());
    for (auto const& item : q.items) {
      row.push_back(Evaluator::CsvValue(eval.Value(item.path, *r), item.path.type));
    }
    result.rows.push_back(std::move(row));
  }
  return result;
}

}  // namespace casebridge::sandbox
