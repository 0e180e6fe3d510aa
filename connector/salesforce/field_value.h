// Typed field values for SOQL literals and record writes, and the rule for field/object names.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "connector/common/status.h"
#include "connector/common/time.h"

namespace casebridge::salesforce {

/// A Salesforce field value. Instant is a dateTime (always written in UTC as
/// `YYYY-MM-DDTHH:MM:SSZ`), sys_days a date (`YYYY-MM-DD`), nullptr the null value.
using FieldValue = std::variant<std::nullptr_t, bool, std::int64_t, double, std::string, Instant,
                                std::chrono::sys_days>;

/// A record's fields in the order they are written.
using Fields = std::vector<std::pair<std::string, FieldValue>>;

/// One sObject to write: its type (e.g. "Task") and fields.
struct SObject {
  std::string type;
  Fields fields;
};

/// True for names made of `[A-Za-z0-9_]` starting with a letter (`Subject`, `Ext_Id__c`).
bool IsValidName(std::string_view name);
/// True for dotted paths of valid names (`Owner.Name`, `Account__r.Region__c`).
bool IsValidFieldPath(std::string_view path);
/// kInvalidArgument naming `what` unless IsValidName(name).
Status ValidateName(std::string_view name, std::string_view what);
/// kInvalidArgument naming `what` unless IsValidFieldPath(path).
Status ValidateFieldPath(std::string_view path, std::string_view what);

}  // namespace casebridge::salesforce
