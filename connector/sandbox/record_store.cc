#include "connector/sandbox/record_store.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "connector/sandbox/sf_ids.h"

namespace casebridge::sandbox {

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
  Record* raw = record.get();
  std::string key = id18.substr(0, 15);
  by_key_[key] = std::move(record);
  tables_[object.name()].push_back(raw);
  if (depth_ > 0) undo_.push_back({std::move(key), std::nullopt});
  return *raw;
}

void RecordStore::Replace(Record& record, nlohmann::json fields) {
  if (depth_ > 0) undo_.push_back({record.id.substr(0, 15), record.fields});
  record.fields = std::move(fields);
  record.fields["Id"] = record.id;
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
    if (u.previous) {
      it->second->fields = std::move(*u.previous);
    } else {
      auto& table = tables_[it->second->object];
      table.erase(std::remove(table.begin(), table.end(), it->second.get()), table.end());
      by_key_.erase(it);
    }
  }
}

void RecordStore::EndTransaction() {
  if (--depth_ == 0) undo_.clear();
}

void RecordStore::Clear() {
  tables_.clear();
  by_key_.clear();
  undo_.clear();
}

}  // namespace casebridge::sandbox
