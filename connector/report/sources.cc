#include "connector/report/sources.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <vector>

#include "connector/common/line_reader.h"
#include "connector/common/private_file.h"
#include "connector/engine/snapshot_codec.h"
#include "connector/report/case_flags.h"

namespace casebridge::report {
namespace {

constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\f\v") == std::string_view::npos;
}

}  // namespace

Status AddFlagsFromStore(store::StateStore& store, ReportWriter& writer) {
  ReportOptions const& o = writer.options();
  store::FlagQuery query;
  query.field = o.range_field == RangeField::kStarted ? store::FlagTimeField::kStarted
                                                      : store::FlagTimeField::kDue;
  query.from = o.from;
  query.to = o.to;
  if (o.filters.rules.size() == 1) query.rule_id = o.filters.rules.front();
  // A stored pending flag may be breached as of the report: only final statuses are pushed.
  if (o.filters.statuses.size() == 1 &&
      (o.filters.statuses.front() == "met" || o.filters.statuses.front() == "info")) {
    query.status = o.filters.statuses.front();
  }
  if (o.filters.installers.size() == 1) query.installer = o.filters.installers.front();
  Instant const as_of = o.AsOf();
  store::FlagRecord restated;
  Status writer_error;
  Status s = store.ForEachFlag(query, [&](store::FlagRecord const& f) {
    if (ClockRunning(f)) {
      restated = f;
      RestateAsOf(restated, as_of);
      writer_error = writer.Add(restated);
    } else {
      writer_error = writer.Add(f);
    }
    return writer_error;
  });
  if (!writer_error.ok()) return writer_error;
  if (!s.ok()) {
    return {s.code(), "reading flags from the state store failed: " + s.message(), s.info()};
  }
  return OkStatus();
}

StatusOr<SnapshotInputStats> AddFlagsFromSnapshots(std::istream& in, std::string const& name,
                                                   engine::Engine const& engine, Instant now,
                                                   ReportWriter& writer, std::ostream& problems) {
  SnapshotInputStats stats;
  engine::SnapshotReader reader;
  CaseFactsReader facts_reader;
  engine::Snapshot snapshot;
  engine::Evaluation evaluation;
  CaseFacts facts;
  store::FlagRecord record;
  std::string problem;
  auto report_bad = [&](Status const& st) {
    ++stats.bad_lines;
    problem.clear();
    problem += name;
    problem += ':';
    problem += std::to_string(stats.lines);
    problem += ": ";
    if (!st.info().field.empty()) {
      problem += st.info().field;
      problem += ": ";
    }
    problem += st.message();
    problem += '\n';
    problems << problem;
  };
  LineReader lines(ReadFromStream(in));
  std::string_view text;
  while (true) {
    auto kind = lines.Next(text);
    if (!kind.ok()) {
      return Status(kind.status().code(), "reading " + name + " stopped after line " +
                                              std::to_string(stats.lines) + ": " +
                                              kind.status().message());
    }
    if (*kind == LineReader::Kind::kEnd) break;
    ++stats.lines;
    if (*kind == LineReader::Kind::kTooLong) {
      report_bad(InvalidArgumentError("the line is " + lines.TooLongText() +
                                      " (the limit for one snapshot)"));
      continue;
    }
    if (stats.lines == 1 && text.starts_with(kUtf8Bom)) text.remove_prefix(kUtf8Bom.size());
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (IsBlank(text)) continue;
    if (Status st = reader.Parse(text, snapshot); !st.ok()) {
      report_bad(st);
      continue;
    }
    if (Status st = facts_reader.Parse(text, facts); !st.ok()) {
      report_bad(st);
      continue;
    }
    ++stats.cases;
    engine.Evaluate(snapshot, now, evaluation);
    for (engine::Flag const& flag : evaluation.flags) {
      ToFlagRecord(snapshot, flag, facts, record);
      record.updated_at = now;
      if (Status st = writer.Add(record); !st.ok()) return st;
    }
  }
  writer.SetSkippedInput(stats.bad_lines);
  return stats;
}

StatusOr<ReportTotals> WriteReportFile(ReportOptions const& options, std::string const& path,
                                       std::function<Status(ReportWriter&)> const& fill) {
  if (path == "-") {
    auto writer = ReportWriter::Create(options, std::cout);
    if (!writer.ok()) return writer.status();
    if (Status s = fill(**writer); !s.ok()) return s;
    if (Status s = (*writer)->Finish(); !s.ok()) return s;
    return (*writer)->totals();
  }
  if (Status s = ValidateOptions(options); !s.ok()) return s;
  // A regular file is written beside the target and renamed into place (no half-written
  // report). Anything else that exists (a device such as /dev/null, a FIFO) is written in place:
  // renaming over it would replace the device with a file.
  std::error_code ec;
  auto const kind = std::filesystem::status(path, ec).type();
  if (!ec && kind != std::filesystem::file_type::not_found &&
      kind != std::filesystem::file_type::regular) {
    std::ofstream direct(path, std::ios::binary);
    if (!direct) {
      ErrorInfo info;
      info.file = path;
      return UnavailableError("cannot write " + path + ": " + std::strerror(errno),
                              std::move(info));
    }
    // A failed write names the file and why (a full device: "No space left on device").
    auto named = [&](Status s) -> Status {
      if (direct) return s;
      ErrorInfo info;
      info.file = path;
      return UnavailableError("cannot write " + path + ": " + std::strerror(errno),
                              std::move(info));
    };
    auto writer = ReportWriter::Create(options, direct);
    if (!writer.ok()) return writer.status();
    if (Status s = fill(**writer); !s.ok()) return named(s);
    if (Status s = (*writer)->Finish(); !s.ok()) return named(s);
    ReportTotals const totals = (*writer)->totals();
    writer->reset();
    direct.close();
    if (!direct) return named(UnavailableError("writing " + path + " failed"));
    return totals;
  }
  std::string const temp = path + ".partial-" + std::to_string(::getpid());
  std::vector<char> buffer(std::size_t{1} << 16);
  std::ofstream file;
  file.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  std::remove(temp.c_str());  // a stale one left by a crashed run with the same pid
  // 0600 whatever the umask: the report holds names and subjects (issue 12, defect 9).
  if (Status s = CreatePrivateFile(temp); !s.ok()) {
    ErrorInfo info;
    info.file = path;
    return UnavailableError("cannot write " + path + ": " + s.message(), std::move(info));
  }
  file.open(temp, std::ios::binary | std::ios::trunc);
  if (!file) {
    ErrorInfo info;
    info.file = path;
    return UnavailableError("cannot write " + path + ": " + std::strerror(errno), std::move(info));
  }
  auto fail = [&](Status const& s) -> Status {
    file.close();
    std::remove(temp.c_str());
    return s;
  };
  auto writer = ReportWriter::Create(options, file);
  if (!writer.ok()) return fail(writer.status());
  if (Status s = fill(**writer); !s.ok()) return fail(s);
  if (Status s = (*writer)->Finish(); !s.ok()) {
    return fail(UnavailableError("writing " + path + " failed: " + s.message()));
  }
  ReportTotals const totals = (*writer)->totals();
  writer->reset();
  file.close();
  if (!file) return fail(UnavailableError("writing " + path + " failed"));
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int const err = errno;
    std::remove(temp.c_str());
    return UnavailableError("cannot move the report into place at " + path + ": " +
                            std::strerror(err));
  }
  return totals;
}

}  // namespace casebridge::report
