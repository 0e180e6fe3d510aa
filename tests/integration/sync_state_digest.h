// What a sync leaves in its state store, in a form two runs can be compared by (the fault soak
// and the random kills compare a disturbed sync with an uninterrupted one): the ledger (key ->
// state), the flags (case and rule -> verdict, due, met) and the watermarks.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "connector/common/time.h"
#include "connector/store/state_store.h"

namespace casebridge::sync_test {

/// The watermarks a sync with the shipped mappings keeps: the primary objects and each
/// relationship of signals.json `related`.
inline std::vector<std::pair<std::string, std::string>> const& KnownWatermarks() {
  static std::vector<std::pair<std::string, std::string>> const marks = {
      {"salesforce", "Case"},   {"salesforce", "Tasks"},     {"salesforce", "EmailMessages"},
      {"salesforce", "Feeds"},  {"salesforce", "Histories"}, {"forge", "tickets"},
      {"forge", "interactions"}};
  return marks;
}

struct StateDigest {
  std::map<std::string, std::string> ledger;      // action key -> state
  std::map<std::string, std::string> flags;       // "<case id> <rule>" -> "status due met"
  std::map<std::string, std::string> watermarks;  // "<system>/<object>" -> modstamp

  /// The flags of every case except `skip` (cases people changed in one run and not the other).
  [[nodiscard]] std::map<std::string, std::string> FlagsExcept(
      std::set<std::string> const& skip) const {
    std::map<std::string, std::string> out;
    for (auto const& [key, value] : flags) {
      if (skip.count(key.substr(0, key.find(' '))) == 0) out.emplace(key, value);
    }
    return out;
  }
};

/// The entries where `a` and `b` differ (at most `most`), for a failure message.
inline std::string Differences(std::map<std::string, std::string> const& a,
                               std::map<std::string, std::string> const& b, int most = 10) {
  std::string out;
  auto note = [&out, &most](std::string const& key, std::string const& x, std::string const& y) {
    if (most-- > 0) out += "\n  " + key + ": " + x + " | " + y;
  };
  for (auto const& [key, value] : a) {
    auto it = b.find(key);
    if (it == b.end() || it->second != value) note(key, value, it == b.end() ? "-" : it->second);
  }
  for (auto const& [key, value] : b) {
    if (a.count(key) == 0) note(key, "-", value);
  }
  return out;
}

inline std::string OptionalInstant(std::optional<Instant> const& t) {
  return t ? FormatInstant(*t) : std::string("-");
}

/// Reads the digest of the store at `url` (an assertion fails when it cannot).
inline StateDigest ReadDigest(std::string const& url) {
  StateDigest d;
  auto store = store::OpenStateStore(url);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return d;
  auto rows = (*store)->ListActions(
      {{store::ActionState::kPlanned, store::ActionState::kWritten, store::ActionState::kFailed},
       "",
       10000000,
       std::nullopt,
       ""});
  EXPECT_TRUE(rows.ok()) << rows.status();
  if (rows.ok()) {
    for (auto const& row : *rows) {
      d.ledger[row.action.key] = std::string(store::ActionStateName(row.state));
    }
  }
  store::FlagQuery everything;
  everything.from = Instant{};
  everything.to = *ParseInstant("2100-01-01T00:00:00Z");
  auto s = (*store)->ForEachFlag(everything, [&d](store::FlagRecord const& f) {
    d.flags[f.case_id + " " + f.rule_id] =
        f.status + " " + OptionalInstant(f.due) + " " + OptionalInstant(f.met_at);
    return OkStatus();
  });
  EXPECT_TRUE(s.ok()) << s;
  for (auto const& [system, object] : KnownWatermarks()) {
    auto mark = (*store)->GetWatermark(system, object);
    EXPECT_TRUE(mark.ok()) << mark.status();
    if (mark.ok() && *mark) d.watermarks[system + "/" + object] = (*mark)->modstamp;
  }
  return d;
}

}  // namespace casebridge::sync_test
