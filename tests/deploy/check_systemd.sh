#!/usr/bin/env bash
# Static checks of deploy/systemd (issue 14, systemd). Usage: check_systemd.sh SOURCE_DIR BINARY
# - `systemd-analyze verify` accepts the service and the timer and prints nothing (an unknown or
#   misspelt directive is only a warning there, so any output fails), with ExecStart pointed at
#   the built binary in a temporary copy (verify wants the executable to exist);
# - the hardening and scheduling the README promises are there;
# - the credentials LoadCredential= hands over are the ones deploy/systemd/casebridge.json reads;
# - the built binary accepts ExecStart's arguments.
set -euo pipefail
src=$1
binary=$2
units=$src/deploy/systemd
service=$units/casebridge-sync.service
timer=$units/casebridge-sync.timer
failures=0
fail() {
  echo "check_systemd: $*" >&2
  failures=$((failures + 1))
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed "s#^ExecStart=/usr/local/bin/casebridge #ExecStart=$binary #" "$service" >"$tmp/casebridge-sync.service"
cp "$timer" "$tmp/"
grep -q "^ExecStart=$binary " "$tmp/casebridge-sync.service" ||
  fail "$service: ExecStart does not start /usr/local/bin/casebridge"
if ! out=$(cd "$tmp" && systemd-analyze verify ./casebridge-sync.service ./casebridge-sync.timer 2>&1); then
  fail "systemd-analyze verify failed: $out"
elif [ -n "$out" ]; then
  fail "systemd-analyze verify warned: $out"
fi

for line in DynamicUser=yes ProtectSystem=strict StateDirectory=casebridge NoNewPrivileges=yes \
  Type=oneshot; do
  grep -qx "$line" "$service" || fail "$service: no $line"
done
grep -q '^LoadCredential=' "$service" || fail "$service: no LoadCredential="
grep -qx 'Persistent=true' "$timer" || fail "$timer: no Persistent=true"
calendar=$(sed -n 's/^OnCalendar=//p' "$timer")
normalized=$(systemd-analyze calendar "$calendar" | sed -n 's/^ *Normalized form: //p')
[ "$normalized" = "*-*-* *:00/15:00" ] ||
  fail "$timer: OnCalendar=$calendar is '$normalized', not every 15 minutes"
exec_args=$(sed -n 's#^ExecStart=/usr/local/bin/casebridge ##p' "$service")
case " $exec_args " in
  *" sync --once "*) ;;
  *) fail "$service: ExecStart does not run sync --once" ;;
esac
# shellcheck disable=SC2086 # the unit's arguments, split as systemd splits them (no quotes there)
if ! help=$("$binary" $exec_args --help 2>&1); then
  fail "casebridge does not accept ExecStart's arguments ($exec_args): $help"
fi

loaded=$(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$service" | sort)
read_by_config=$(grep -v "^ *//" "$units/casebridge.json" | grep -o '"credential": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | sort)
[ "$loaded" = "$read_by_config" ] ||
  fail "LoadCredential= names [$(echo $loaded)] but casebridge.json reads [$(echo $read_by_config)]"

if [ "$failures" -ne 0 ]; then
  echo "check_systemd: $failures problem(s)" >&2
  exit 1
fi
echo "deploy/systemd: systemd-analyze verify clean; hardening, schedule and credentials agree"
