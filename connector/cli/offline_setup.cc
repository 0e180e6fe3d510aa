#include "connector/cli/offline_setup.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "connector/common/clock.h"
#include "mappings/loader.h"

namespace casebridge::cli {
namespace {

namespace po = boost::program_options;

std::string Str(po::variables_map const& vm, char const* name) {
  return vm.count(name) != 0 ? vm[name].as<std::string>() : std::string();
}

}  // namespace

std::string ConfigFilePath(po::variables_map const& vm) {
  if (vm.count("config") != 0) return vm["config"].as<std::string>();
  if (char const* env = std::getenv("CASEBRIDGE_CONFIG"); env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  if (std::filesystem::is_regular_file("casebridge.json", ec)) return "casebridge.json";
  return "";
}

void AddOfflineOptions(po::options_description& opts) {
  opts.add_options()("config", po::value<std::string>()->value_name("FILE"),
                     "casebridge.json (default: $CASEBRIDGE_CONFIG, else ./casebridge.json if "
                     "present): its state_store and mappings_dir")(
      "store", po::value<std::string>()->value_name("URL"),
      "state store: sqlite:PATH or postgresql://… (default: $CASEBRIDGE_STATE_STORE, else the "
      "config's state_store)")("now", po::value<std::string>()->value_name("ISO8601"),
                               "evaluate as of this instant (default: the current time)")(
      "org", po::value<std::string>()->value_name("NAME"),
      "the org of the config's orgs whose store rows and mappings to use (required when the "
      "config names several)");
}

bool LoadOfflineConfig(po::variables_map const& vm, std::string const& prefix, CommandContext& ctx,
                       OfflineSettings& out) {
  std::string const path = ConfigFilePath(vm);
  std::string const org = Str(vm, "org");
  if (path.empty()) {
    if (!org.empty()) out.config.org = org;  // no config: the store's rows of that org
    return true;
  }
  std::vector<mappings::Problem> problems;
  out.config = mappings::LoadAppConfig(path, problems);
  out.config_read = true;
  bool fatal = false;
  for (auto const& p : problems) {
    if (p.key.empty() || p.key == "state_store" || p.key.starts_with("mappings_dir")) {
      ctx.err << prefix << p.ToString() << "\n";
      fatal = true;
    }
  }
  if (fatal) return false;
  if (org.empty()) {
    if (out.config.orgs.size() <= 1) return true;
    ctx.err << prefix << path << " names several orgs (" << out.config.OrgNames()
            << "): choose one with --org\n";
    return false;
  }
  mappings::OrgConfig const* selected = out.config.FindOrg(org);
  if (selected == nullptr) {
    ctx.err << prefix << "--org: unknown org '" << org << "' (" << path
            << " names: " << out.config.OrgNames() << ")\n";
    return false;
  }
  out.config = out.config.ForOrg(*selected);
  return true;
}

std::unique_ptr<store::StateStore> OpenExistingStore(po::variables_map const& vm,
                                                     OfflineSettings const& settings,
                                                     std::string const& prefix,
                                                     CommandContext& ctx) {
  std::string url = Str(vm, "store");
  if (url.empty()) {
    char const* env = std::getenv("CASEBRIDGE_STATE_STORE");
    url = env != nullptr && *env != '\0' ? std::string(env) : settings.config.state_store;
  }
  std::string_view path = url;
  if (path.starts_with("sqlite:") && url != "sqlite::memory:") {
    path.remove_prefix(7);
    if (path.starts_with("//")) path.remove_prefix(2);
    std::error_code ec;
    if (!std::filesystem::exists(std::string(path), ec)) {
      ctx.err << prefix << "no state store at " << path << " (run a sync first, or pass --store)\n";
      return nullptr;
    }
  }
  auto store = store::OpenStateStore(url, settings.config.org);
  if (!store.ok()) {
    ctx.err << prefix << "cannot open the state store " << store::RedactStoreUrl(url) << ": "
            << store.status().message() << "\n";
    return nullptr;
  }
  return std::move(*store);
}

bool LoadPolicyDir(std::string const& dir, std::string const& prefix, CommandContext& ctx,
                   LoadedPolicy& out) {
  auto policy = mappings::LoadPolicyOrError(dir);
  if (!policy.ok()) {
    ctx.err << prefix << "the policy "
            << (dir.empty() ? std::string("(shipped defaults)") : "in " + dir) << " is invalid:\n"
            << policy.status().message() << "\n";
    return false;
  }
  out.policy = std::move(policy).value();
  auto calendar = engine::BusinessCalendar::Create(out.policy.calendar);
  if (!calendar.ok()) {
    ctx.err << prefix << "the calendar of the policy "
            << (dir.empty() ? std::string("(shipped defaults)") : "in " + dir)
            << " is invalid: " << calendar.status().message() << "\n";
    return false;
  }
  out.calendar.emplace(std::move(calendar).value());
  return true;
}

bool WriteOutput(std::string const& text, std::string const& path, std::string const& prefix,
                 CommandContext& ctx) {
  if (path.empty() || path == "-") {
    ctx.out << text;
    return static_cast<bool>(ctx.out);
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  file << text;
  if (!file.flush()) {
    ctx.err << prefix << "cannot write " << path << "\n";
    return false;
  }
  return true;
}

bool ReadNow(po::variables_map const& vm, std::string const& prefix, CommandContext& ctx,
             Instant& out) {
  if (vm.count("now") == 0) {
    out = SystemClock().Now();  // the composition root is the one place that reads the clock
    return true;
  }
  std::string const text = vm["now"].as<std::string>();
  auto parsed = ParseInstant(text);
  if (!parsed) {
    ctx.err << prefix << "--now: \"" << text
            << "\" is not an ISO-8601 date-time with an offset (e.g. 2026-03-20T15:00:00Z)\n";
    return false;
  }
  out = *parsed;
  return true;
}

}  // namespace casebridge::cli
