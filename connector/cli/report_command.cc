// `casebridge report --from DATE --to DATE --format csv|json|md|html --out FILE [filters]`
// (SPEC 3, issue 6): compliance exports from the state store, or straight from snapshots
// (`--input FILE.jsonl --now ISO`) evaluated with the engine, so an auditor can report on
// exported data without a store.
//
// Settings, highest first: command line > environment (CASEBRIDGE_CONFIG,
// CASEBRIDGE_STATE_STORE) > config file (--config, else $CASEBRIDGE_CONFIG, else
// ./casebridge.json when it exists: state_store, mappings_dir, salesforce.login_url as the
// instance for links unless it is the generic login host, forge.base_url) > defaults (the
// AppConfig default store, the shipped mappings). Only those keys of the config are used;
// problems elsewhere in it (say, an unset secret variable) do not stop a report.
//
// Orgs (issue 14): --org NAME reports that org alone (its store rows, mappings and links; none of
// another org's cases). Without --org the report covers every org the config names, one after
// the other in one file, stated as of the earliest of their last successful runs; each row's
// link goes to its own org. A config without `orgs` is the one org "default".
#include <boost/program_options.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connector/cli/cli.h"
#include "connector/cli/command_options.h"
#include "connector/cli/offline_setup.h"
#include "connector/common/clock.h"
#include "connector/common/time.h"
#include "connector/engine/business_calendar.h"
#include "connector/engine/engine.h"
#include "connector/report/explain.h"
#include "connector/report/report.h"
#include "connector/report/sources.h"
#include "connector/store/state_store.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

void PrintUsage(std::ostream& os, po::options_description const& opts) {
  os << "usage: casebridge report --from DATE --to DATE --format csv|json|md|html --out FILE\n"
        "                         [--rule ID]... [--owner ID]... [--installer ID]...\n"
        "                         [--status met|breached|pending|info]... [--by started|due]\n"
        "                         [--store URL | --input FILE.jsonl [--now ISO8601]]\n"
        "                         [--config FILE] [--policy DIR] [--bom] [--max-rows N]\n"
        "                         [--salesforce-url URL] [--forge-url URL] [--fail-on-breach]\n\n"
        "Writes a compliance report of the flags whose clock started (or, with --by due, was\n"
        "due) in the range: one row per flag (case, rule, owner, installer, tier, started, due,\n"
        "met_at, status, minutes late, evidence, link to the record) and summaries per rule,\n"
        "owner, queue, installer and ISO week, worst first.\n\n"
        "Formats: csv (RFC 4180, every flag; --bom for Excel), json (every flag; schema in\n"
        "connector/report/report.schema.json), md (summaries and the worst breaches, for a\n"
        "ticket or chat), html (one self-contained page: charts, sortable and filterable\n"
        "breached-flags table; no network access). md and html list at most --max-rows\n"
        "breached flags (the most minutes late) and say when there were more.\n\n"
        "Dates (YYYY-MM-DD) are whole days in the business calendar's time zone, --to\n"
        "included; ISO-8601 date-times with an offset are taken as is (--to excluded).\n\n"
        "Flags come from the state store (--store, else $CASEBRIDGE_STATE_STORE, else the\n"
        "config's state_store, else the default), or from snapshots with --input, evaluated\n"
        "at --now exactly like `casebridge evaluate`; a snapshot line may also carry\n"
        "subject, owner_name, installer_name, queue and record_url for the report.\n\n"
        "Every report states its flags as of one instant, shown in it: --now, else for the\n"
        "store the end of the last successful run. The minutes late of unmet flags, and\n"
        "whether an unmet flag is pending or breached, are those at that instant (from the\n"
        "stored due times; nothing is read again).\n\n"
        "Exit status: 0 written; 1 written and --fail-on-breach found breached flags; 2 bad\n"
        "usage, config or input (bad snapshot lines are reported and skipped, the report is\n"
        "still written).\n\n"
     << opts;
}

std::vector<std::string> Strings(po::variables_map const& vm, char const* name) {
  if (vm.count(name) == 0) return {};
  return vm[name].as<std::vector<std::string>>();
}

std::string Str(po::variables_map const& vm, char const* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

// A generic Salesforce login host is not an instance: records are not served from it.
bool IsGenericLoginUrl(std::string const& url) {
  return url.find("://login.salesforce.com") != std::string::npos ||
         url.find("://test.salesforce.com") != std::string::npos;
}

// The file of an existing SQLite store URL, or "" for other URLs.
std::string SqlitePath(std::string const& url) {
  std::string_view u = url;
  if (!u.starts_with("sqlite:")) return "";
  u.remove_prefix(7);
  if (u.starts_with("//")) u.remove_prefix(2);
  if (u == ":memory:") return "";
  return std::string(u);
}

std::string BaseName(std::string const& path) {
  if (path == "-") return "<stdin>";
  return std::filesystem::path(path).filename().string();
}

// The instant a store report states its flags as of (issue 16): --now when given, else the end
// of the last successful run (each case was last evaluated by some run; the clocks of its unmet
// flags have run on since), else `clock_now` when no run has succeeded yet. Says on `err` when
// the choice is not the obvious one.
StatusOr<Instant> StoreAsOf(store::StateStore& store, std::optional<Instant> asked,
                            Instant clock_now, std::ostream& err, std::string const& prefix) {
  auto last = store.LastFinishedRun(store::RunStatus::kSucceeded);
  if (!last.ok()) {
    return Status(last.status().code(),
                  "reading the runs from the state store failed: " + last.status().message());
  }
  std::optional<Instant> const last_end = *last ? (*last)->finished : std::nullopt;
  if (asked) {
    if (last_end && *asked < *last_end) {
      err << prefix << "note: --now " << FormatInstant(*asked)
          << " is before the end of the last successful run (" << FormatInstant(*last_end)
          << "); the store holds each case as last evaluated, so only the clocks of unmet flags "
             "are stated as of --now\n";
    }
    return *asked;
  }
  if (last_end) return *last_end;
  err << prefix << "note: the state store has no successful run yet; flags are stated as of "
      << FormatInstant(clock_now) << "\n";
  return clock_now;
}

// "emea, apac".
std::string JoinNames(std::vector<std::string> const& names) {
  std::string out;
  for (auto const& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// The explain pages the HTML report's breached rows link to (--explain-pages).
int WritePages(store::StateStore& store, mappings::Policy const& policy,
               report::ReportOptions const& options, std::string const& out_path,
               CommandContext& ctx, std::string const& prefix) {
  auto calendar = engine::BusinessCalendar::Create(policy.calendar);
  if (!calendar.ok()) {
    ctx.err << prefix << "the policy's calendar is invalid: " << calendar.status().message()
            << "\n";
    return kExitUsage;
  }
  store::FlagQuery query;
  query.field = options.range_field == report::RangeField::kDue ? store::FlagTimeField::kDue
                                                                : store::FlagTimeField::kStarted;
  query.from = options.from;
  query.to = options.to;
  query.status = "breached";
  std::string const dir = std::filesystem::path(out_path).parent_path().string();
  auto pages = report::WriteExplainPages(store, policy, *calendar, query, options.AsOf(),
                                         dir.empty() ? "." : dir);
  if (!pages.ok()) {
    ctx.err << prefix << "writing the explain pages failed: " << pages.status().message() << "\n";
    return kExitUsage;
  }
  ctx.out << "wrote " << pages->written << " explain page(s) to "
          << (std::filesystem::path(dir.empty() ? "." : dir) / "explain").string();
  if (pages->skipped > 0)
    ctx.out << " (" << pages->skipped << " case(s) without a stored snapshot)";
  ctx.out << "\n";
  return kExitOk;
}

}  // namespace

int RunReportCommand(std::vector<std::string> const& args, CommandContext& ctx) {
  po::options_description opts("options");
  opts.add_options()("help,h", "show this help")(
      "from", po::value<std::string>()->value_name("DATE"),
      "start of the range: YYYY-MM-DD (local day) or an ISO-8601 date-time")(
      "to", po::value<std::string>()->value_name("DATE"),
      "end of the range: YYYY-MM-DD (included) or an ISO-8601 date-time (excluded)")(
      "format", po::value<std::string>()->value_name("FORMAT"), "csv, json, md or html")(
      "out,o", po::value<std::string>()->value_name("FILE"),
      "file to write (replaced only once complete); - writes standard output")(
      "rule", po::value<std::vector<std::string>>()->value_name("ID")->composing(),
      "only this rule (repeatable), e.g. response_4bh")(
      "owner", po::value<std::vector<std::string>>()->value_name("ID")->composing(),
      "only this owner (repeatable): user:<id>, queue:<key> or the bare id/key")(
      "installer", po::value<std::vector<std::string>>()->value_name("ID")->composing(),
      "only this installer account id (repeatable)")(
      "status", po::value<std::vector<std::string>>()->value_name("STATUS")->composing(),
      "only flags with this status (repeatable): met, breached, pending, info")(
      "by", po::value<std::string>()->value_name("FIELD")->default_value("started"),
      "which instant places a flag in the range: started or due")(
      "store", po::value<std::string>()->value_name("URL"),
      "state store: sqlite:PATH or postgresql://… (default: $CASEBRIDGE_STATE_STORE, the "
      "config's state_store, else the default)")(
      "input,i", po::value<std::string>()->value_name("FILE"),
      "report on snapshots (JSON Lines; - reads standard input) instead of the store")(
      "now", po::value<std::string>()->value_name("ISO8601"),
      "state the flags as of this instant (snapshots: evaluate them at it; store: default the "
      "end of the last successful run) and date the report with it (default: now)")(
      "org", po::value<std::string>()->value_name("NAME"),
      "report only this org of the config's orgs (default: every org the config names, in one "
      "report)")(
      "config", po::value<std::string>()->value_name("FILE"),
      "casebridge.json (default: $CASEBRIDGE_CONFIG, else ./casebridge.json if present)")(
      "policy", po::value<std::string>()->value_name("DIR"),
      "mappings directory (default: the config's mappings_dir, else the shipped defaults)")(
      "bom", "csv: start with a UTF-8 byte order mark (for Excel)")(
      "max-rows", po::value<std::int64_t>()->value_name("N")->default_value(5000),
      "md/html: most breached flags listed (the worst, at least 1); csv/json always list every "
      "flag")("salesforce-url", po::value<std::string>()->value_name("URL"),
              "Salesforce instance for record links, e.g. https://acme.my.salesforce.com")(
      "forge-url", po::value<std::string>()->value_name("URL"),
      "Forge web app for record links (default: the config's forge.base_url)")(
      "forge-record-path",
      po::value<std::string>()->value_name("PATH")->default_value("/tickets/{id}"),
      "path of a Forge ticket page under --forge-url; {id} is the ticket id")(
      "title", po::value<std::string>()->value_name("TEXT")->default_value("Compliance report"),
      "report title")("fail-on-breach", "exit 1 when the report holds a breached flag")(
      "explain-pages",
      "html from the store: link each breached row to explain/<case id>.html and write those "
      "`casebridge explain` pages next to --out");

  po::variables_map vm;
  auto const usage = [&](std::ostream& os) { PrintUsage(os, opts); };
  if (auto done = ParseCommandOptions("report", po::command_line_parser(args).options(opts), usage,
                                      ctx, vm))
    return *done;
  std::string const prefix = ctx.program + " report: ";
  for (char const* required : {"from", "to", "format", "out"}) {
    if (vm.count(required) == 0) {
      ctx.err << prefix << "--" << required << " is required (see --help)\n";
      return kExitUsage;
    }
  }
  auto const format = report::ParseFormat(vm["format"].as<std::string>());
  if (!format) {
    ctx.err << prefix << "--format: unknown format \"" << vm["format"].as<std::string>()
            << "\" (use csv, json, md or html)\n";
    return kExitUsage;
  }
  if (vm.count("input") != 0 && vm.count("store") != 0) {
    ctx.err << prefix << "give either --input (snapshots) or --store, not both\n";
    return kExitUsage;
  }
  bool const from_snapshots = vm.count("input") != 0;
  bool const explain_pages = vm.count("explain-pages") != 0;
  if (explain_pages &&
      (*format != report::Format::kHtml || from_snapshots || Str(vm, "out") == "-")) {
    ctx.err << prefix << "--explain-pages needs --format html, the state store and an --out file\n";
    return kExitUsage;
  }

  Instant now{};
  if (vm.count("now") != 0) {
    std::string const text = vm["now"].as<std::string>();
    auto parsed = ParseInstant(text);
    if (!parsed) {
      ctx.err << prefix << "--now: \"" << text
              << "\" is not an ISO-8601 date-time with an offset (e.g. 2026-03-20T15:00:00Z)\n";
      return kExitUsage;
    }
    now = *parsed;
  } else {
    now = SystemClock().Now();  // the composition root is the one place that reads the clock
  }

  // Config: only the keys a report uses.
  std::string const config_path = ConfigFilePath(vm);
  mappings::AppConfig config;
  if (!config_path.empty()) {
    std::vector<mappings::Problem> problems;
    config = mappings::LoadAppConfig(config_path, problems);
    bool const store_from_config = !from_snapshots && vm.count("store") == 0 &&
                                   std::getenv("CASEBRIDGE_STATE_STORE") == nullptr;
    bool const policy_from_config = vm.count("policy") == 0;
    bool fatal = false;
    for (auto const& p : problems) {
      if (p.key.empty() || (store_from_config && p.key == "state_store") ||
          (policy_from_config && p.key.starts_with("mappings_dir"))) {
        ctx.err << prefix << p.ToString() << "\n";
        fatal = true;
      }
    }
    if (fatal) return kExitUsage;
  }
  // --org: that org's store rows, mappings and links; else every org of the config.
  std::vector<std::string> orgs;
  if (std::string const org = Str(vm, "org"); !org.empty()) {
    mappings::OrgConfig const* selected = config.FindOrg(org);
    if (!config_path.empty() && selected == nullptr) {
      ctx.err << prefix << "--org: unknown org '" << org << "' (" << config_path
              << " names: " << config.OrgNames() << ")\n";
      return kExitUsage;
    }
    if (selected != nullptr) config = config.ForOrg(*selected);
    orgs.push_back(org);
  } else if (config.orgs.empty()) {
    orgs.emplace_back(store::kDefaultOrg);
  } else {
    for (auto const& o : config.orgs) orgs.push_back(o.name);
  }

  std::string const policy_dir = vm.count("policy") != 0 ? Str(vm, "policy") : config.mappings_dir;
  auto policy_or = mappings::LoadPolicyOrError(policy_dir);
  if (!policy_or.ok()) {
    ctx.err << prefix << "the policy "
            << (policy_dir.empty() ? std::string("(shipped defaults)") : "in " + policy_dir)
            << " is invalid:\n"
            << policy_or.status().message() << "\n";
    return kExitUsage;
  }
  mappings::Policy const policy = std::move(policy_or).value();

  report::ReportOptions options;
  options.format = *format;
  options.time_zone = policy.calendar.time_zone;
  options.generated_at = now;
  options.title = Str(vm, "title");
  options.bom = vm.count("bom") != 0;
  // Read signed: an unsigned option would take -1 as the largest size (no limit at all).
  if (auto const max_rows = vm["max-rows"].as<std::int64_t>(); max_rows >= 1) {
    options.max_rows = static_cast<std::size_t>(max_rows);
  } else {
    ctx.err << prefix << "--max-rows must be at least 1 (got " << max_rows << ")\n";
    return kExitUsage;
  }
  options.filters.rules = Strings(vm, "rule");
  options.filters.owners = Strings(vm, "owner");
  options.filters.installers = Strings(vm, "installer");
  options.filters.statuses = Strings(vm, "status");
  if (auto const by = Str(vm, "by"); by == "due") {
    options.range_field = report::RangeField::kDue;
  } else if (by != "started") {
    ctx.err << prefix << "--by: \"" << by << "\" (use started or due)\n";
    return kExitUsage;
  }
  std::string const from_text = Str(vm, "from");
  std::string const to_text = Str(vm, "to");
  auto from = report::ParseRangeBound(from_text, false, options.time_zone);
  auto to = report::ParseRangeBound(to_text, true, options.time_zone);
  if (!from.ok() || !to.ok()) {
    Status const& bad = !from.ok() ? from.status() : to.status();
    ctx.err << prefix << "--" << bad.info().field << ": " << bad.message() << "\n";
    return kExitUsage;
  }
  options.from = *from;
  options.to = *to;
  options.range_label = from_text + " to " + to_text;
  options.links.salesforce_instance_url = Str(vm, "salesforce-url");
  if (options.links.salesforce_instance_url.empty() &&
      !IsGenericLoginUrl(config.salesforce.login_url) && !config_path.empty()) {
    options.links.salesforce_instance_url = config.salesforce.login_url;
  }
  options.links.forge_base_url =
      vm.count("forge-url") != 0 ? Str(vm, "forge-url") : config.forge.base_url;
  options.links.forge_record_path = Str(vm, "forge-record-path");
  options.links.explain_pages = explain_pages;
  if (Status s = report::ValidateOptions(options); !s.ok()) {
    ctx.err << prefix << s.message() << "\n";
    return kExitUsage;
  }

  std::string const out_path = Str(vm, "out");
  StatusOr<report::ReportTotals> written = Status(StatusCode::kInternal, "not run");
  std::int64_t bad_lines = 0;

  if (from_snapshots) {
    std::string const input = Str(vm, "input");
    auto calendar_or = engine::BusinessCalendar::Create(policy.calendar);
    if (!calendar_or.ok()) {
      ctx.err << prefix << "the policy's calendar is invalid: " << calendar_or.status().message()
              << "\n";
      return kExitUsage;
    }
    engine::BusinessCalendar const calendar = std::move(calendar_or).value();
    engine::Engine const engine(policy, calendar);
    std::ifstream file;
    std::istream* in = &std::cin;
    if (input != "-") {
      file.open(input, std::ios::binary);
      if (!file) {
        ctx.err << prefix << "cannot read " << input << "\n";
        return kExitUsage;
      }
      in = &file;
    }
    options.source = "snapshots " + BaseName(input) + " evaluated at " + FormatInstant(now);
    options.as_of = now;
    std::string const name = input == "-" ? "<stdin>" : input;
    written = report::WriteReportFile(options, out_path, [&](report::ReportWriter& w) -> Status {
      auto stats = report::AddFlagsFromSnapshots(*in, name, engine, now, w, ctx.err);
      if (!stats.ok()) return stats.status();
      bad_lines = stats->bad_lines;
      return OkStatus();
    });
  } else {
    std::string url = Str(vm, "store");
    if (url.empty()) {
      char const* env = std::getenv("CASEBRIDGE_STATE_STORE");
      url = env != nullptr && *env != '\0' ? std::string(env) : config.state_store;
    }
    if (std::string const path = SqlitePath(url); !path.empty()) {
      std::error_code ec;
      if (!std::filesystem::exists(path, ec)) {
        ctx.err << prefix << "no state store at " << path
                << " (run a sync first, pass --store, or report on snapshots with --input)\n";
        return kExitUsage;
      }
    }
    std::vector<std::unique_ptr<store::StateStore>> stores;
    for (auto const& org : orgs) {
      auto store = store::OpenStateStore(url, org);
      if (!store.ok()) {
        ctx.err << prefix << "cannot open the state store " << store::RedactStoreUrl(url) << ": "
                << store.status().message() << "\n";
        return kExitUsage;
      }
      stores.push_back(std::move(*store));
    }
    options.source = "state store " + stores.front()->description();
    if (orgs.size() > 1 || orgs.front() != store::kDefaultOrg) {
      options.source += (orgs.size() > 1 ? ", orgs " : ", org ") + JoinNames(orgs);
    }
    // Several orgs: as of the earliest of their last successful runs.
    std::optional<Instant> as_of;
    for (auto const& store : stores) {
      auto org_as_of =
          StoreAsOf(*store, vm.count("now") != 0 ? std::optional<Instant>(now) : std::nullopt, now,
                    ctx.err, prefix);
      if (!org_as_of.ok()) {
        ctx.err << prefix << org_as_of.status().message() << "\n";
        return kExitUsage;
      }
      if (!as_of || *org_as_of < *as_of) as_of = *org_as_of;
    }
    options.as_of = *as_of;
    written = report::WriteReportFile(options, out_path, [&](report::ReportWriter& w) -> Status {
      for (auto const& store : stores) {
        if (Status s = report::AddFlagsFromStore(*store, w); !s.ok()) return s;
      }
      return OkStatus();
    });
    for (auto const& store : stores) {
      if (!written.ok() || !explain_pages) break;
      if (int rc = WritePages(*store, policy, options, out_path, ctx, prefix); rc != kExitOk) {
        return rc;
      }
    }
  }

  if (!written.ok()) {
    ctx.err << prefix << written.status().message() << "\n";
    return kExitUsage;
  }
  report::ReportTotals const& t = *written;
  std::ostream& note = out_path == "-" ? ctx.err : ctx.out;
  note << "wrote " << report::FormatName(options.format) << " report "
       << (out_path == "-" ? std::string("to standard output") : out_path) << ": " << t.flags
       << (t.flags == 1 ? " flag" : " flags") << " (" << t.breached << " breached, " << t.pending
       << " pending, " << t.met << " met, " << t.info << " info) as of "
       << FormatInstant(options.AsOf());
  if (t.table_truncated) {
    note << "; the breached table lists the " << t.table_rows << " worst (--max-rows)";
  }
  note << "\n";
  if (bad_lines > 0) {
    ctx.err << prefix << bad_lines << (bad_lines == 1 ? " bad line" : " bad lines")
            << " skipped (see above)\n";
    return kExitUsage;
  }
  if (vm.count("fail-on-breach") != 0 && t.breached > 0) return kExitBreach;
  return kExitOk;
}

}  // namespace casebridge::cli
