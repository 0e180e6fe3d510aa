// `casebridge evaluate --input FILE --now ISO [--policy DIR] [--format jsonl|text]`
// (SPEC section 2): evaluates case snapshots (JSON Lines) against the procedures offline.
//
// Streaming with constant memory: the input is read in large chunks, each line is parsed into
// one reused Snapshot, evaluated into one reused Evaluation and appended to an output buffer
// that is written out in large chunks. One output line (or text block) per case, input order.
// Blank lines are skipped; a bad line is reported on stderr as `<file>:<line>: <field>:
// <message>` and skipped, the rest is still evaluated, and the exit code is then 2. A line
// longer than 16 MiB is a bad line and is skipped without being held in memory (LineReader).
#include <fcntl.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/cli/command_options.h"
#include "connector/common/clock.h"
#include "connector/common/line_reader.h"
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/evaluation_json.h"
#include "connector/engine/snapshot_codec.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

constexpr std::size_t kFlushAt = std::size_t{1} << 20;  // output buffer size that triggers a write
constexpr std::string_view kUtf8Bom = "\xEF\xBB\xBF";

enum class Format : std::uint8_t { kJsonl, kText };

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge evaluate --input FILE [--now ISO8601] [--policy DIR]\n"
        "                           [--format jsonl|text]\n\n"
        "Evaluates case snapshots (JSON Lines, one object per line: SPEC section 2) against\n"
        "the escalation procedures and prints, for each case in input order, one JSON line\n"
        "  {\"id\":…,\"stage\":…,\"flags\":[…],\"actions\":[…]}\n"
        "or, with --format text, a readable block per case and a totals footer.\n\n"
        "Blank lines are skipped. A bad line (not JSON, no id/created_at, a bad value, more\n"
        "than 512 levels of nesting, longer than 16 MiB) is reported on stderr as\n"
        "`<file>:<line>: <field>: <message>` and skipped; the other lines are still\n"
        "evaluated. Exit status: 0 all lines evaluated; 2 bad usage, bad policy, unreadable\n"
        "input (or input that is not text lines), or at least one bad line.\n\n"
     << opts;
}

bool IsBlank(std::string_view s) {
  return std::ranges::all_of(
      s, [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; });
}

// Closes a file descriptor we opened (never stdin).
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ > STDIN_FILENO) ::close(fd_);
  }
  FdCloser(FdCloser const&) = delete;
  FdCloser& operator=(FdCloser const&) = delete;

 private:
  int fd_;
};

// One pass over the input: lines in, one evaluation per good line out (buffered), bad lines
// reported on stderr as `<file>:<line>: <field>: <message>`.
class EvaluateRun {
 public:
  EvaluateRun(engine::Engine const& engine, Instant now, Format format, CommandContext& ctx)
      : engine_(engine), now_(now), format_(format), ctx_(ctx) {
    out_.reserve(kFlushAt + std::size_t{64} * 1024);
  }

  int Run(int fd, std::string const& name, std::string const& prefix) {
    name_ = name;
    // Results are written out before blocking on more input, so piped use sees them promptly.
    LineReader source([this, read = ReadFromFd(fd)](char* dst, std::size_t size) {
      Flush();
      return read(dst, size);
    });
    std::string_view line;
    for (;;) {
      auto kind = source.Next(line);
      if (!kind.ok()) {
        Flush();
        if (line_no_ == 0) {
          ctx_.err << prefix << "cannot read " << name_ << ": " << kind.status().message() << "\n";
        } else {
          ctx_.err << prefix << "reading " << name_ << " stopped after line " << line_no_ << ": "
                   << kind.status().message() << "\n";
        }
        return kExitUsage;
      }
      if (*kind == LineReader::Kind::kEnd) break;
      ++line_no_;
      if (*kind == LineReader::Kind::kTooLong) {
        Bad("", "the line is " + source.TooLongText() + " (the limit for one snapshot)");
        continue;
      }
      OneLine(line);
    }
    if (format_ == Format::kText) totals_.AppendText(out_, bad_);
    Flush();
    if (!ctx_.out) {
      ctx_.err << prefix << "writing the output failed\n";
      return kExitUsage;
    }
    if (bad_ > 0) {
      ctx_.err << prefix << bad_ << (bad_ == 1 ? " bad line" : " bad lines")
               << " skipped (see above)\n";
      return kExitUsage;
    }
    return kExitOk;
  }

 private:
  void OneLine(std::string_view line) {
    if (line_no_ == 1 && line.starts_with(kUtf8Bom)) line.remove_prefix(kUtf8Bom.size());
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    if (IsBlank(line)) return;
    if (Status st = reader_.Parse(line, snapshot_); !st.ok()) {
      Bad(st.info().field, st.message());
      return;
    }
    engine_.Evaluate(snapshot_, now_, evaluation_);
    if (format_ == Format::kJsonl) {
      engine::AppendEvaluationJson(out_, snapshot_.id, evaluation_);
      out_.push_back('\n');
    } else {
      engine::AppendEvaluationText(out_, snapshot_, evaluation_);
      totals_.Add(evaluation_);
    }
    if (out_.size() >= kFlushAt) Flush();
  }

  void Bad(std::string_view field, std::string_view message) {
    ++bad_;
    problem_.clear();
    problem_ += name_;
    problem_ += ':';
    problem_ += std::to_string(line_no_);
    problem_ += ": ";
    if (!field.empty()) {
      problem_ += field;
      problem_ += ": ";
    }
    problem_ += message;
    problem_ += '\n';
    ctx_.err << problem_;
  }

  void Flush() {
    if (out_.empty()) return;
    ctx_.out.write(out_.data(), static_cast<std::streamsize>(out_.size()));
    ctx_.out.flush();
    out_.clear();
  }

  engine::Engine const& engine_;
  Instant now_;
  Format format_;
  CommandContext& ctx_;
  std::string name_;
  engine::SnapshotReader reader_;
  engine::Snapshot snapshot_;
  engine::Evaluation evaluation_;
  engine::EvaluationTotals totals_;
  std::string out_;
  std::string problem_;
  std::int64_t line_no_ = 0;
  std::int64_t bad_ = 0;
};

}  // namespace

int RunEvaluateCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "input,i", po::value<std::string>()->value_name("FILE"),
      "snapshots as JSON Lines; `-` reads standard input")(
      "now", po::value<std::string>()->value_name("ISO8601"),
      "evaluate as of this instant, with an offset (2026-03-09T12:00:00Z, "
      "2026-03-09T08:00:00-04:00); default: the current time")(
      "policy", po::value<std::string>()->value_name("DIR"),
      "mappings directory (default: the shipped defaults)")(
      "format", po::value<std::string>()->value_name("FORMAT")->default_value("jsonl"),
      "jsonl (one JSON line per case) or text (readable, with totals)");

  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("evaluate", po::command_line_parser(args).options(opts),
                                      usage, ctx, vm))
    return *done;
  std::string const prefix = ctx.program + " evaluate: ";
  if (vm.count("input") == 0) {
    ctx.err << prefix << "--input is required (a file of snapshot lines, or - for stdin)\n";
    return kExitUsage;
  }
  std::string const input = vm["input"].as<std::string>();

  Instant now{};
  if (vm.count("now") != 0) {
    std::string const text = vm["now"].as<std::string>();
    auto parsed = ParseInstant(text);
    if (!parsed) {
      ctx.err << prefix << "--now: \"" << text
              << "\" is not an ISO-8601 date-time with an offset (e.g. 2026-03-09T12:00:00Z or "
                 "2026-03-09T08:00:00-04:00)\n";
      return kExitUsage;
    }
    now = *parsed;
  } else {
    now = SystemClock().Now();  // the composition root is the one place that reads the clock
  }

  Format format = Format::kJsonl;
  if (auto const f = vm["format"].as<std::string>(); f == "text") {
    format = Format::kText;
  } else if (f != "jsonl") {
    ctx.err << prefix << "--format: unknown format \"" << f << "\" (use jsonl or text)\n";
    return kExitUsage;
  }

  std::string const policy_dir = vm.count("policy") != 0 ? vm["policy"].as<std::string>() : "";
  auto policy_or = mappings::LoadPolicyOrError(policy_dir);
  if (!policy_or.ok()) {
    ctx.err << prefix << "the policy "
            << (policy_dir.empty() ? std::string("(shipped defaults)") : "in " + policy_dir)
            << " is invalid:\n"
            << policy_or.status().message() << "\n";
    return kExitUsage;
  }
  mappings::Policy const policy = std::move(policy_or).value();
  auto calendar_or = engine::BusinessCalendar::Create(policy.calendar);
  if (!calendar_or.ok()) {
    ctx.err << prefix << "the policy's calendar is invalid: " << calendar_or.status().message()
            << "\n";
    return kExitUsage;
  }
  engine::BusinessCalendar const calendar = std::move(calendar_or).value();
  engine::Engine const engine(policy, calendar);

  int fd = STDIN_FILENO;
  std::string name = "<stdin>";
  if (input != "-") {
    do {
      fd = ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
      ctx.err << prefix << "cannot read " << input << ": " << std::strerror(errno) << "\n";
      return kExitUsage;
    }
    name = input;
  }
  FdCloser const closer(fd);
  EvaluateRun run(engine, now, format, ctx);
  return run.Run(fd, name, prefix);
}

}  // namespace casebridge::cli
