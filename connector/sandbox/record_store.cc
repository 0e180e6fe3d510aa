#include "connector/sandbox/record_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "connector/sandbox/sf_ids.h"

namespace casebridge::sandbox {
namespace {

// Texts longer than this are stored without looking for an equal one (bodies, descriptions).
constexpr std::size_t kDedupLimit = 64;
constexpr std::size_t kPoolBlock = std::size_t{1} << 20;

bool BySequence(Record const* a, Record const* b) { return a->sequence < b->sequence; }

nlohmann::json Decode(StringPool const& pool, FieldValue const& v) {
  switch (v.kind) {
    case FieldValue::Kind::kNull:
      return nullptr;
    case FieldValue::Kind::kBool:
      return v.boolean;
    case FieldValue::Kind::kInt:
      return v.integer;
    case FieldValue::Kind::kUnsigned:
      return v.unsigned_integer;
    case FieldValue::Kind::kDouble:
      return v.number;
    case FieldValue::Kind::kText:
      return std::string(pool.View(v.text));
    case FieldValue::Kind::kJson:
      return nlohmann::json::parse(pool.View(v.text));
  }
  return nullptr;
}

}  // namespace

std::uint32_t StringPool::Intern(std::string_view text) {
  bool const dedup = text.size() <= kDedupLimit;
  if (dedup) {
    if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  }
  if (block_used_ + text.size() > block_size_) {
    block_size_ = std::max(kPoolBlock, text.size());
    blocks_.push_back(std::make_unique<char[]>(block_size_));
    block_used_ = 0;
  }
  char* at = blocks_.back().get() + block_used_;
  if (!text.empty()) std::memcpy(at, text.data(), text.size());
  block_used_ += text.size();
  auto const id = static_cast<std::uint32_t>(texts_.size());
  texts_.emplace_back(at, text.size());
  if (dedup) ids_.emplace(texts_.back(), id);
  return id;
}

std::optional<std::uint32_t> StringPool::Find(std::string_view text) const {
  auto it = ids_.find(text);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

FieldValue const* Record::Slot(std::string_view field) const {
  auto const name = pool_ ? pool_->Find(field) : std::nullopt;
  if (!name) return nullptr;
  for (auto const& v : values_) {
    if (v.name == *name) return &v;
  }
  return nullptr;
}

bool Record::deleted() const {
  FieldValue const* v = Slot("IsDeleted");
  return v != nullptr && v->kind == FieldValue::Kind::kBool && v->boolean;
}

nlohmann::json Record::Get(std::string_view field) const {
  if (field == "Id") return id;
  FieldValue const* v = Slot(field);
  return v == nullptr ? nlohmann::json() : Decode(*pool_, *v);
}

std::optional<std::string_view> Record::Text(std::string_view field) const {
  if (field == "Id") return std::string_view(id);
  FieldValue const* v = Slot(field);
  if (v == nullptr || v->kind != FieldValue::Kind::kText) return std::nullopt;
  return pool_->View(v->text);
}

nlohmann::json Record::Fields() const {
  nlohmann::json out = nlohmann::json::object();
  for (auto const& v : values_) out[std::string(pool_->View(v.name))] = Decode(*pool_, v);
  out["Id"] = id;
  return out;
}

std::vector<FieldValue> RecordStore::Encode(nlohmann::json const& fields) {
  std::vector<FieldValue> out;
  out.reserve(fields.size());
  for (auto const& [name, value] : fields.items()) {
    if (name == "Id") continue;
    FieldValue v;
    v.name = pool_.Intern(name);
    if (value.is_null()) {
      v.kind = FieldValue::Kind::kNull;
    } else if (value.is_boolean()) {
      v.kind = FieldValue::Kind::kBool;
      v.boolean = value.get<bool>();
    } else if (value.is_number_unsigned()) {
      v.kind = FieldValue::Kind::kUnsigned;
      v.unsigned_integer = value.get<std::uint64_t>();
    } else if (value.is_number_integer()) {
      v.kind = FieldValue::Kind::kInt;
      v.integer = value.get<std::int64_t>();
    } else if (value.is_number_float()) {
      v.kind = FieldValue::Kind::kDouble;
      v.number = value.get<double>();
    } else if (value.is_string()) {
      v.kind = FieldValue::Kind::kText;
      v.text = pool_.Intern(value.get_ref<std::string const&>());
    } else {
      v.kind = FieldValue::Kind::kJson;
      v.text = pool_.Intern(value.dump());
    }
    out.push_back(v);
  }
  out.shrink_to_fit();
  return out;
}

std::string RecordStore::IndexKey(std::vector<FieldValue> const& values, std::string const& field,
                                  bool fold_case) const {
  auto const name = pool_.Find(field);
  if (!name) return {};
  for (auto const& v : values) {
    if (v.name != *name) continue;
    if (v.kind != FieldValue::Kind::kText) return {};
    std::string_view const value = pool_.View(v.text);
    if (!fold_case) return value.size() < 15 ? std::string() : std::string(value.substr(0, 15));
    std::string key(value);
    for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return key;
  }
  return {};
}

Record const* RecordStore::Find(std::string_view id) const {
  auto key = IdKey(id);
  if (!key) return nullptr;
  auto it = by_key_.find(*key);
  return it == by_key_.end() ? nullptr : it->second.get();
}

Record* RecordStore::FindMutable(std::string_view id) {
  auto key = IdKey(id);
  if (!key) return nullptr;
  auto it = by_key_.find(*key);
  return it == by_key_.end() ? nullptr : it->second.get();
}

std::vector<Record*> const& RecordStore::Table(std::string const& object) const {
  static std::vector<Record*> const kEmpty;
  auto it = tables_.find(object);
  return it == tables_.end() ? kEmpty : it->second;
}

std::vector<Record*> const& RecordStore::Referencing(std::string const& object,
                                                     std::string const& field,
                                                     std::string_view key) const {
  return Lookup(object, field, false, std::string(key.substr(0, 15)));
}

std::vector<Record*> const& RecordStore::Matching(std::string const& object,
                                                  std::string const& field,
                                                  std::string_view value) const {
  std::string key(value);
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return Lookup(object, field, true, key);
}

std::vector<Record*> const& RecordStore::Lookup(std::string const& object, std::string const& field,
                                                bool fold_case, std::string const& key) const {
  static std::vector<Record*> const kEmpty;
  auto& by_field = indexes_[object];
  auto found = by_field.find({field, fold_case});
  if (found == by_field.end()) {
    FieldIndex& index = by_field[{field, fold_case}];
    index.fold_case = fold_case;
    for (Record* r : Table(object)) {
      std::string k = IndexKey(r->values_, field, fold_case);
      if (!k.empty()) index.by_key[std::move(k)].push_back(r);
    }
    found = by_field.find({field, fold_case});
  }
  auto it = found->second.by_key.find(key);
  return it == found->second.by_key.end() ? kEmpty : it->second;
}

void RecordStore::Reindex(Record& record, std::vector<FieldValue> const* before, bool gone) {
  auto by_field = indexes_.find(record.object);
  if (by_field == indexes_.end()) return;
  for (auto& [name_kind, index] : by_field->second) {
    std::string const& field = name_kind.first;
    std::string const old_key = before ? IndexKey(*before, field, index.fold_case) : "";
    std::string const new_key = gone ? "" : IndexKey(record.values_, field, index.fold_case);
    if (old_key == new_key) continue;
    if (!old_key.empty()) {
      auto it = index.by_key.find(old_key);
      if (it != index.by_key.end()) {
        std::erase(it->second, &record);
        if (it->second.empty()) index.by_key.erase(it);
      }
    }
    if (!new_key.empty()) {
      auto& list = index.by_key[new_key];
      list.insert(std::upper_bound(list.begin(), list.end(), &record, BySequence), &record);
    }
  }
}

std::string RecordStore::NextId(ObjectSchema const& object) {
  for (;;) {
    std::string id = MakeId(object.key_prefix(), ++sequences_[object.name()]);
    if (by_key_.find(id.substr(0, 15)) == by_key_.end()) return id;
  }
}

std::string RecordStore::NextCaseNumber() {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08llu", static_cast<unsigned long long>(++case_number_));
  return buf;
}

void RecordStore::NoteCaseNumber(std::string const& number) {
  if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos) return;
  case_number_ = std::max<std::uint64_t>(case_number_, std::strtoull(number.c_str(), nullptr, 10));
}

Record& RecordStore::Insert(ObjectSchema const& object, std::string const& id18,
                            nlohmann::json fields) {
  auto record = std::make_unique<Record>();
  record->object = object.name();
  record->id = id18;
  record->pool_ = &pool_;
  record->values_ = Encode(fields);
  record->sequence = ++sequence_;
  Record* raw = record.get();
  std::string key = id18.substr(0, 15);
  by_key_[key] = std::move(record);
  tables_[object.name()].push_back(raw);
  Reindex(*raw, nullptr, false);
  if (depth_ > 0) undo_.push_back({std::move(key), std::nullopt});
  return *raw;
}

void RecordStore::Replace(Record& record, nlohmann::json fields) {
  std::vector<FieldValue> before = std::move(record.values_);
  record.values_ = Encode(fields);
  Reindex(record, &before, false);
  if (depth_ > 0) undo_.push_back({record.id.substr(0, 15), std::move(before)});
}

std::size_t RecordStore::BeginTransaction() {
  ++depth_;
  return undo_.size();
}

void RecordStore::RollbackTo(std::size_t mark) {
  while (undo_.size() > mark) {
    Undo u = std::move(undo_.back());
    undo_.pop_back();
    auto it = by_key_.find(u.key);
    if (it == by_key_.end()) continue;
    Record& record = *it->second;
    if (u.previous) {
      std::vector<FieldValue> current = std::move(record.values_);
      record.values_ = std::move(*u.previous);
      Reindex(record, &current, false);
    } else {
      Reindex(record, &record.values_, true);
      auto& table = tables_[record.object];
      if (!table.empty() && table.back() == &record) {
        table.pop_back();  // undone in reverse order: the newest insert is last
      } else {
        table.erase(std::remove(table.begin(), table.end(), &record), table.end());
      }
      by_key_.erase(it);
    }
  }
}

void RecordStore::EndTransaction() {
  if (--depth_ == 0) undo_.clear();
}

void RecordStore::Clear() {
  tables_.clear();
  indexes_.clear();
  by_key_.clear();
  undo_.clear();
}

}  // namespace casebridge::sandbox
