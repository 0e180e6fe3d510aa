// `casebridge calendar due|elapsed`: the business calendar of SPEC 1.1 on the command line, with
// the calendar of the mappings (the shipped defaults, or `--policy DIR`).
#include <boost/program_options.hpp>

#include <charconv>
#include <chrono>
#include <cmath>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

// Largest accepted --hours: far beyond any rule, small enough that seconds never overflow.
constexpr double kMaxHours = 1'000'000;

constexpr std::string_view kOverview =
    "usage: casebridge calendar <action> [options]\n"
    "\n"
    "Business-calendar arithmetic (SPEC 1.1) with the calendar of the mappings: local opening\n"
    "hours on open days in the calendar's time zone, holidays excluded.\n"
    "\n"
    "actions:\n"
    "  due       the instant at which H business hours have passed since --start\n"
    "  elapsed   business time between --start and --end, in whole minutes (rounded down)\n"
    "\n"
    "`casebridge calendar <action> --help` describes an action's options.\n";

constexpr std::string_view kDueUsage =
    "usage: casebridge calendar due --start ISO --hours H [--policy DIR]\n"
    "\n"
    "Prints the earliest instant t >= start such that the business time in [start, t) is H\n"
    "hours, as YYYY-MM-DDTHH:MM:SSZ. A start outside business hours counts from the next\n"
    "opening; H = 0 prints the start itself.\n";

constexpr std::string_view kElapsedUsage =
    "usage: casebridge calendar elapsed --start ISO --end ISO [--policy DIR]\n"
    "\n"
    "Prints the business time in [start, end) in whole minutes, rounded down (0 when end is\n"
    "not after start).\n";

constexpr std::string_view kInstantForm =
    "expected an ISO-8601 date-time with an offset, e.g. 2026-03-02T09:05:00-05:00 or "
    "2026-03-02T14:05:00Z";

class CalendarAction {
 public:
  CalendarAction(std::string name, std::string_view usage, CommandContext& ctx)
      : name_(std::move(name)), usage_(usage), ctx_(ctx), options_("options") {
    options_.add_options()                      //
        ("help,h", "print this help and exit")  //
        ("start", po::value<std::string>(), "start instant (ISO-8601 with an offset)");
  }

  po::options_description& options() { return options_; }

  /// Parses `args`; returns an exit code when the command is already finished (help, error).
  std::optional<int> Parse(std::vector<std::string> const& args) {
    options_.add_options()("policy", po::value<std::string>(),
                           "mappings directory (default: the shipped mappings)");
    po::options_description all;
    all.add(options_).add_options()("argument", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    positional.add("argument", -1);
    try {
      po::store(
          po::command_line_parser(args)
              .options(all)
              .positional(positional)
              .style(po::command_line_style::unix_style ^ po::command_line_style::allow_guessing)
              .run(),
          vm_);
    } catch (po::error const& e) {
      return Usage(e.what());
    }
    if (vm_.count("argument") != 0) {
      return Usage("unexpected argument '" +
                   vm_.at("argument").as<std::vector<std::string>>().front() +
                   "' (every value follows its option, e.g. --hours 4)");
    }
    if (vm_.count("help") != 0) {
      ctx_.out << usage_ << "\n" << options_;
      return kExitOk;
    }
    return std::nullopt;
  }

  /// The value of a required option, or nullopt after reporting it missing.
  std::optional<std::string> Required(std::string const& option) {
    if (vm_.count(option) == 0) {
      Usage("missing required option --" + option);
      return std::nullopt;
    }
    return vm_.at(option).as<std::string>();
  }

  std::optional<Instant> RequiredInstant(std::string const& option) {
    auto text = Required(option);
    if (!text) return std::nullopt;
    auto t = ParseInstant(*text);
    if (!t) Usage("--" + option + " '" + *text + "': " + std::string(kInstantForm));
    return t;
  }

  /// The calendar of the mappings; nullopt after reporting the problem.
  std::optional<engine::BusinessCalendar> Calendar() {
    std::string const dir = vm_.count("policy") != 0 ? vm_.at("policy").as<std::string>() : "";
    auto policy = mappings::LoadPolicyOrError(dir);
    if (!policy.ok()) {
      Fail((dir.empty() ? std::string() : "--policy '" + dir + "': ") + policy.status().message());
      return std::nullopt;
    }
    auto cal = engine::BusinessCalendar::Create(policy->calendar);
    if (!cal.ok()) {
      Fail((dir.empty() ? std::string("shipped mappings") : dir) + ": " + cal.status().message());
      return std::nullopt;
    }
    return *cal;
  }

  int Usage(std::string const& message) {
    Fail(message);
    ctx_.err << "Try `" << ctx_.program << " calendar " << name_ << " --help`.\n";
    return kExitUsage;
  }

  int Fail(std::string const& message) {
    ctx_.err << ctx_.program << " calendar " << name_ << ": " << message << "\n";
    return kExitUsage;
  }

 private:
  std::string name_;
  std::string_view usage_;
  CommandContext& ctx_;
  po::options_description options_;
  po::variables_map vm_;
};

/// `--hours` text to whole seconds (nearest); nullopt after reporting a bad value.
std::optional<std::chrono::seconds> ParseHours(CalendarAction& action, std::string const& text) {
  double hours = 0;
  char const* const end = text.data() + text.size();
  auto const [ptr, ec] = std::from_chars(text.data(), end, hours);
  if (text.empty() || ec != std::errc{} || ptr != end || !std::isfinite(hours)) {
    action.Usage("--hours '" + text + "': not a number of hours (e.g. 4 or 1.25)");
    return std::nullopt;
  }
  if (hours < 0) {
    action.Usage("--hours '" + text + "': must not be negative");
    return std::nullopt;
  }
  if (hours > kMaxHours) {
    action.Usage("--hours '" + text + "': must be at most 1000000");
    return std::nullopt;
  }
  return std::chrono::seconds{std::llround(hours * 3600)};
}

int RunDue(std::vector<std::string> const& args, CommandContext& ctx) {
  CalendarAction action("due", kDueUsage, ctx);
  action.options().add_options()("hours", po::value<std::string>(),
                                 "business hours to add; fractional allowed (rounded to the "
                                 "nearest second)");
  if (auto done = action.Parse(args)) return *done;
  auto const start = action.RequiredInstant("start");
  if (!start) return kExitUsage;
  auto const hours_text = action.Required("hours");
  if (!hours_text) return kExitUsage;
  auto const business = ParseHours(action, *hours_text);
  if (!business) return kExitUsage;
  auto const cal = action.Calendar();
  if (!cal) return kExitUsage;
  Instant const due = cal->Due(*start, *business);
  if (due == engine::BusinessCalendar::kNever) {
    return action.Fail("the due instant lies after " +
                       FormatInstant(engine::BusinessCalendar::kLatest) +
                       ", beyond the supported range");
  }
  std::string line;
  AppendInstant(line, due);
  line.push_back('\n');
  ctx.out << line;
  return kExitOk;
}

int RunElapsed(std::vector<std::string> const& args, CommandContext& ctx) {
  CalendarAction action("elapsed", kElapsedUsage, ctx);
  action.options().add_options()("end", po::value<std::string>(),
                                 "end instant (ISO-8601 with an offset), exclusive");
  if (auto done = action.Parse(args)) return *done;
  auto const start = action.RequiredInstant("start");
  if (!start) return kExitUsage;
  auto const end = action.RequiredInstant("end");
  if (!end) return kExitUsage;
  auto const cal = action.Calendar();
  if (!cal) return kExitUsage;
  auto const minutes = std::chrono::floor<std::chrono::minutes>(cal->Elapsed(*start, *end));
  ctx.out << minutes.count() << "\n";
  return kExitOk;
}

}  // namespace

int RunCalendarCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  if (args.empty()) {
    ctx.err << ctx.program << " calendar: missing action (expected 'due' or 'elapsed')\n\n"
            << kOverview;
    return kExitUsage;
  }
  std::string const& action = args.front();
  if (action == "--help" || action == "-h" || action == "help") {
    ctx.out << kOverview;
    return kExitOk;
  }
  std::vector<std::string> const rest(args.begin() + 1, args.end());
  if (action == "due") return RunDue(rest, ctx);
  if (action == "elapsed") return RunElapsed(rest, ctx);
  ctx.err << ctx.program << " calendar: unknown action '" << action
          << "' (expected 'due' or 'elapsed')\n\n"
          << kOverview;
  return kExitUsage;
}

}  // namespace casebridge::cli
