#include "connector/sandbox/record_store.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "connector/sandbox/sf_ids.h"

namespace casebridge::sandbox {
namespace {

// The index key of a field's value (see RecordStore::FieldIndex); empty when it has none.
std::string IndexKey(nlohmann::json const& fields, std::string const& field, bool fold_case) {
  auto it = fields.find(field);
  if (it == fields.end() || !it->is_string()) return {};
  std::string const& value = it->get_ref<std::string const&>();
  if (!fold_case) return value.size() < 15 ? std::string() : value.substr(0, 15);
  std::string key = value;
  for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return key;
}

bool BySequence(Record const* a, Record const* b) { return a->sequence < b->sequence; }

}  // namespace

bool Record::deleted() const {
  auto it = fields.find("IsDeleted");
  return it != fields.end() && it->is_boolean() && it->get<bool>();
}

nlohmann::json const& Record::Get(std::string const& field) const {
  static nlohmann::json const kNull;
  auto it = fields.find(field);
  return it == fields.end() ? kNull : *it;
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
      std::string k = IndexKey(r->fields, field, fold_case);
      if (!k.empty()) index.by_key[std::move(k)].push_back(r);
    }
    found = by_field.find({field, fold_case});
  }
  auto it = found->second.by_key.find(key);
  return it == found->second.by_key.end() ? kEmpty : it->second;
}

void RecordStore::Reindex(Record& record, nlohmann::json const* before, bool gone) {
  auto by_field = indexes_.find(record.object);
  if (by_field == indexes_.end()) return;
  for (auto& [name_kind, index] : by_field->second) {
    std::string const& field = name_kind.first;
    std::string const old_key = before ? IndexKey(*before, field, index.fold_case) : "";
    std::string const new_key = gone ? "" : IndexKey(record.fields, field, index.fold_case);
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
  record->fields = std::move(fields);
  record->fields["Id"] = id18;
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
  nlohmann::json before = std::move(record.fields);
  record.fields = std::move(fields);
  record.fields["Id"] = record.id;
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
      nlohmann::json current = std::move(record.fields);
      record.fields = std::move(*u.previous);
      Reindex(record, &current, false);
    } else {
      Reindex(record, &record.fields, true);
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
