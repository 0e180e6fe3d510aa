// In-memory records of the emulated org, with an undo log so that allOrNone requests
// (sObject Collections, Composite) can roll back. Not thread-safe: the owner (SalesforceOrg)
// serialises access with its mutex.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/sandbox/schema.h"

namespace casebridge::sandbox {

struct Record {
  std::string object;     // canonical object name
  std::string id;         // 18-character id
  nlohmann::json fields;  // canonical field name -> null | bool | number | string

  [[nodiscard]] bool deleted() const;
  /// The value of a field (null json when absent).
  [[nodiscard]] nlohmann::json const& Get(std::string const& field) const;
};

class RecordStore {
 public:
  RecordStore() = default;

  /// Record by id (15 or 18 characters, any case for 18), or nullptr.
  [[nodiscard]] Record const* Find(std::string_view id) const;
  [[nodiscard]] Record* FindMutable(std::string_view id);

  /// The records of an object in insertion order (deleted ones included).
  [[nodiscard]] std::vector<Record*> const& Table(std::string const& object) const;

  /// A fresh 18-character id for `object`.
  std::string NextId(ObjectSchema const& object);
  /// The next Case autonumber ("00001001", …).
  std::string NextCaseNumber();
  /// Makes later autonumbers larger than a seeded CaseNumber.
  void NoteCaseNumber(std::string const& number);

  /// Inserts a record (id must be new and valid). Returns the stored record.
  Record& Insert(ObjectSchema const& object, std::string const& id18, nlohmann::json fields);
  /// Replaces a record's fields (recorded in the undo log).
  void Replace(Record& record, nlohmann::json fields);

  /// Transactions nest; the undo log is kept while at least one is open.
  std::size_t BeginTransaction();
  void RollbackTo(std::size_t mark);
  void EndTransaction();

  /// Removes every record (not undoable).
  void Clear();
  [[nodiscard]] std::size_t size() const { return by_key_.size(); }

 private:
  struct Undo {
    std::string key;                         // 15-character id
    std::optional<nlohmann::json> previous;  // nullopt: the record was inserted
  };

  std::unordered_map<std::string, std::vector<Record*>> tables_;
  std::unordered_map<std::string, std::unique_ptr<Record>> by_key_;
  std::unordered_map<std::string, std::uint64_t> sequences_;
  std::uint64_t case_number_ = 1000;
  std::vector<Undo> undo_;
  int depth_ = 0;
};

/// RAII transaction: rolls back unless Commit() was called.
class StoreTransaction {
 public:
  explicit StoreTransaction(RecordStore& store) : store_(store), mark_(store.BeginTransaction()) {}
  ~StoreTransaction() {
    if (!committed_) store_.RollbackTo(mark_);
    store_.EndTransaction();
  }
  StoreTransaction(StoreTransaction const&) = delete;
  StoreTransaction& operator=(StoreTransaction const&) = delete;

  void Commit() { committed_ = true; }
  void Rollback() { store_.RollbackTo(mark_); }

 private:
  RecordStore& store_;
  std::size_t mark_;
  bool committed_ = false;
};

}  // namespace casebridge::sandbox
