// `casebridge evaluate --input FILE --now ISO [--policy DIR] [--format jsonl|text]`
// (SPEC section 2): evaluates case snapshots (JSON Lines) against the procedures offline.
//
// Streaming with constant memory: the input is read in large chunks, each line is parsed into
// one reused Snapshot, evaluated into one reused Evaluation and appended to an output buffer
// that is written out in large chunks. One output line (or text block) per case, input order.
// Blank lines are skipped; a bad line is reported on stderr as `<file>:<line>: <field>:
// <message>` and skipped, the rest is still evaluated, and the exit code is then 2.
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
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/engine/evaluation_json.h"
#include "connector/engine/snapshot_codec.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

constexpr std::size_t kReadChunk = std::size_t{1} << 20;  // bytes per read()
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
        "Blank lines are skipped. A bad line (not JSON, no id/created_at, a bad value) is\n"
        "reported on stderr as `<file>:<line>: <field>: <message>` and skipped; the other\n"
        "lines are still evaluated. Exit status: 0 all lines evaluated; 2 bad usage, bad\n"
        "policy, unreadable input, or at least one bad line.\n\n"
     << opts;
}

// Reads a file (or stdin) in large chunks and hands out complete lines. The buffer grows only
// for a line longer than the chunk size.
class LineSource {
 public:
  LineSource(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    buf_.resize(kReadChunk);
  }

  /// Next line without its '\n' in `line` (valid until the next call). False at the end of the
  /// input or on a read error (see error()).
  template <typename BeforeRead>
  bool Next(std::string_view& line, BeforeRead&& before_read) {
    for (;;) {
      if (auto const* nl =
              static_cast<char const*>(std::memchr(buf_.data() + begin_, '\n', end_ - begin_))) {
        auto const len = static_cast<std::size_t>(nl - (buf_.data() + begin_));
        line = std::string_view(buf_.data() + begin_, len);
        begin_ += len + 1;
        return true;
      }
      if (eof_) {
        if (begin_ == end_) return false;
        line = std::string_view(buf_.data() + begin_, end_ - begin_);  // no final newline
        begin_ = end_;
        return true;
      }
      // Move the partial line to the front and read more behind it.
      if (begin_ > 0) {
        std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
        end_ -= begin_;
        begin_ = 0;
      }
      if (buf_.size() - end_ < kReadChunk / 2) buf_.resize(buf_.size() + kReadChunk);
      before_read();
      ssize_t got = 0;
      do {
        got = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      } while (got < 0 && errno == EINTR);
      if (got < 0) {
        error_ = std::strerror(errno);
        return false;
      }
      if (got == 0) {
        eof_ = true;
      } else {
        end_ += static_cast<std::size_t>(got);
      }
    }
  }

  [[nodiscard]] std::string const& error() const { return error_; }
  [[nodiscard]] std::string const& name() const { return name_; }

 private:
  int fd_;
  std::string name_;
  std::vector<char> buf_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool eof_ = false;
  std::string error_;
};

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
  LineSource source(fd, name);

  engine::SnapshotReader reader;
  engine::Snapshot snapshot;
  engine::Evaluation evaluation;
  engine::EvaluationTotals totals;
  std::string out;
  out.reserve(kFlushAt + std::size_t{64} * 1024);
  std::string problem;
  auto flush = [&] {
    if (out.empty()) return;
    ctx.out.write(out.data(), static_cast<std::streamsize>(out.size()));
    ctx.out.flush();  // before blocking on more input, so piped use sees results promptly
    out.clear();
  };

  std::int64_t line_no = 0;
  std::int64_t bad = 0;
  std::string_view line;
  while (source.Next(line, flush)) {
    ++line_no;
    if (line_no == 1 && line.substr(0, kUtf8Bom.size()) == kUtf8Bom) {
      line.remove_prefix(kUtf8Bom.size());
    }
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);  // CRLF files
    if (IsBlank(line)) continue;

    if (Status st = reader.Parse(line, snapshot); !st.ok()) {
      ++bad;
      problem.clear();
      problem += name;
      problem += ':';
      problem += std::to_string(line_no);
      problem += ": ";
      if (!st.info().field.empty()) {
        problem += st.info().field;
        problem += ": ";
      }
      problem += st.message();
      problem += '\n';
      ctx.err << problem;
      continue;
    }
    engine.Evaluate(snapshot, now, evaluation);
    if (format == Format::kJsonl) {
      engine::AppendEvaluationJson(out, snapshot.id, evaluation);
      out.push_back('\n');
    } else {
      engine::AppendEvaluationText(out, snapshot, evaluation);
      totals.Add(evaluation);
    }
    if (out.size() >= kFlushAt) flush();
  }
  if (!source.error().empty()) {
    flush();
    if (line_no == 0) {
      ctx.err << prefix << "cannot read " << name << ": " << source.error() << "\n";
    } else {
      ctx.err << prefix << "reading " << name << " failed after line " << line_no << ": "
              << source.error() << "\n";
    }
    return kExitUsage;
  }
  if (format == Format::kText) totals.AppendText(out, bad);
  flush();
  if (!ctx.out) {
    ctx.err << prefix << "writing the output failed\n";
    return kExitUsage;
  }
  if (bad > 0) {
    ctx.err << prefix << bad << (bad == 1 ? " bad line" : " bad lines") << " skipped (see above)\n";
    return kExitUsage;
  }
  return kExitOk;
}

}  // namespace casebridge::cli
