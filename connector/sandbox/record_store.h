// In-memory records of the emulated org, with an undo log so that allOrNone requests
// (sObject Collections, Composite) can roll back. Not thread-safe: the owner (SalesforceOrg)
// serialises access with its mutex.
//
// Memory: a record is its object name, id and a flat list of 16-byte values; every text (field
// names, ids, dates, picklist values, bodies) lives once in the store's StringPool, so a
// million-case org (about ten million records) fits in a few gigabytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "connector/sandbox/schema.h"

namespace casebridge::sandbox {

/// The texts of a store, each kept once (long ones without deduplication), addressed by a
/// 32-bit id. Texts are never freed: the store only grows.
class StringPool {
 public:
  std::uint32_t Intern(std::string_view text);
  /// The id of a text already interned, or nullopt.
  [[nodiscard]] std::optional<std::uint32_t> Find(std::string_view text) const;
  [[nodiscard]] std::string_view View(std::uint32_t id) const { return texts_[id]; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t block_used_ = 0;
  std::size_t block_size_ = 0;
  std::vector<std::string_view> texts_;
  std::unordered_map<std::string_view, std::uint32_t> ids_;
};

/// One field of a record: its interned name and a scalar value.
struct FieldValue {
  enum class Kind : std::uint8_t { kNull, kBool, kInt, kUnsigned, kDouble, kText, kJson };
  std::uint32_t name = 0;
  Kind kind = Kind::kNull;
  union {
    std::int64_t integer = 0;
    bool boolean;
    std::uint64_t unsigned_integer;
    double number;
    std::uint32_t text;  // kText, kJson (a non-scalar, dumped)
  };
};

class Record {
 public:
  std::string object;          // canonical object name
  std::string id;              // 18-character id
  std::uint64_t sequence = 0;  // insertion order within the store

  [[nodiscard]] bool deleted() const;
  /// The value of a field (null json when absent).
  [[nodiscard]] nlohmann::json Get(std::string_view field) const;
  /// The value of a text field, or nullopt when it is absent or not text.
  [[nodiscard]] std::optional<std::string_view> Text(std::string_view field) const;
  /// Every field, with "Id", as a JSON object (canonical name -> null|bool|number|string).
  [[nodiscard]] nlohmann::json Fields() const;

 private:
  friend class RecordStore;
  FieldValue const* Slot(std::string_view field) const;

  StringPool const* pool_ = nullptr;
  std::vector<FieldValue> values_;  // without "Id"
};

class RecordStore {
 public:
  RecordStore() = default;
  RecordStore(RecordStore const&) = delete;
  RecordStore& operator=(RecordStore const&) = delete;

  /// Record by id (15 or 18 characters, any case for 18), or nullptr.
  [[nodiscard]] Record const* Find(std::string_view id) const;
  [[nodiscard]] Record* FindMutable(std::string_view id);

  /// The records of an object in insertion order (deleted ones included).
  [[nodiscard]] std::vector<Record*> const& Table(std::string const& object) const;

  /// The records of `object` whose reference field `field` (canonical name) holds the id with
  /// the 15-character key `key`, in insertion order (deleted ones included). The index of an
  /// (object, field) pair is built on first use and then kept current by Insert, Replace and
  /// rollbacks, so child subqueries and `ParentId IN (…)` filters do not scan the table.
  [[nodiscard]] std::vector<Record*> const& Referencing(std::string const& object,
                                                        std::string const& field,
                                                        std::string_view key) const;
  /// The records of `object` whose text field `field` equals `value` ignoring ASCII case, in
  /// insertion order (deleted ones included); indexed like Referencing (external-id upserts).
  [[nodiscard]] std::vector<Record*> const& Matching(std::string const& object,
                                                     std::string const& field,
                                                     std::string_view value) const;

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
    std::string key;                                  // 15-character id
    std::optional<std::vector<FieldValue>> previous;  // nullopt: the record was inserted
  };

  // Records by the key of one field's value, in insertion order. The key of a reference is its
  // 15-character id key; that of a text field (fold_case) its lower-cased value.
  struct FieldIndex {
    bool fold_case = false;
    std::unordered_map<std::string, std::vector<Record*>> by_key;
  };

  std::vector<Record*> const& Lookup(std::string const& object, std::string const& field,
                                     bool fold_case, std::string const& key) const;
  // Moves `record` in every index of its object from the keys of `before` to those of its
  // current values (`before` null: the record is new; `gone`: it leaves the indexes).
  void Reindex(Record& record, std::vector<FieldValue> const* before, bool gone);
  // The index key of field `name` in `values` (see FieldIndex); empty when it has none.
  std::string IndexKey(std::vector<FieldValue> const& values, std::string const& field,
                       bool fold_case) const;
  std::vector<FieldValue> Encode(nlohmann::json const& fields);

  StringPool pool_;

  std::unordered_map<std::string, std::vector<Record*>> tables_;
  // object -> (field, kind) -> index; built lazily (hence mutable), kept current by every write.
  mutable std::unordered_map<std::string, std::map<std::pair<std::string, bool>, FieldIndex>>
      indexes_;
  std::uint64_t sequence_ = 0;
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
