#!/usr/bin/env bash
# Opt-in: builds deploy/Dockerfile and smoke-tests the image. Not part of the test command (no
# container engine runs on the CI machines, and base images cannot be pulled there).
#
#   bash deploy/container/smoke-test.sh
#
# Needs podman (or buildah for the build and podman to run) and, as root, debootstrap: the base
# images debian:12 and debian:12-slim are made locally with debootstrap from Debian's archive
# instead of being pulled from a container registry. Set CASEBRIDGE_PULL_BASE=1 to pull them instead.
# What it checks, on the built image:
#   - `casebridge --version` runs as uid 10001 with a read-only root filesystem;
#   - `casebridge check-config` accepts a config mounted read-only at /etc/casebridge, with the
#     Forge password as a secret file and the Salesforce key as an environment variable;
#   - `casebridge demo` (sandbox, SQLite state in the /var/lib/casebridge volume) completes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
root=$(pwd)
image=${CASEBRIDGE_IMAGE:-localhost/casebridge:smoke}

engine=""
if command -v podman >/dev/null; then
  engine=podman
elif command -v buildah >/dev/null; then
  engine=buildah
else
  echo "smoke-test: neither podman nor buildah is installed (apt-get install podman); nothing done" >&2
  exit 77
fi
command -v podman >/dev/null || {
  echo "smoke-test: podman is needed to run the image (buildah only builds it)" >&2
  exit 77
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# debian:12 and debian:12-slim from debootstrap (minbase: apt and the essentials, as the images).
make_base() {
  local tag=$1 variant=$2
  if podman image exists "$tag"; then return 0; fi
  [ "$(id -u)" -eq 0 ] || { echo "smoke-test: debootstrap needs root" >&2; exit 77; }
  command -v debootstrap >/dev/null || apt-get install -y -qq debootstrap
  local dir="$work/rootfs-${tag##*:}"
  debootstrap --variant="$variant" bookworm "$dir"
  tar -C "$dir" -c . | podman import - "$tag"
}
if [ "${CASEBRIDGE_PULL_BASE:-0}" != "1" ]; then
  # Tagged localhost/…: podman finds a short name such as debian:12 in local storage first.
  make_base localhost/debian:12 minbase
  make_base localhost/debian:12-slim minbase
fi

echo "== build $image"
pull=--pull=never
[ "${CASEBRIDGE_PULL_BASE:-0}" != "1" ] || pull=--pull=missing
if [ "$engine" = podman ]; then
  podman build "$pull" -f deploy/Dockerfile -t "$image" "$root"
else
  buildah bud "$pull" -f deploy/Dockerfile -t "$image" "$root"
fi

run() {
  podman run --rm --read-only --tmpfs /tmp --user 10001:10001 "$@"
}

echo "== casebridge --version, read-only root, uid 10001"
run "$image" --version
[ "$(run --entrypoint /usr/bin/id "$image" -u)" = 10001 ]

echo "== check-config with mounted config and secrets"
mkdir -p "$work/etc" "$work/secrets"
cat >"$work/etc/casebridge.json" <<'JSON'
{
  "salesforce": {"client_id": "smoke", "username": "smoke@example.com",
                 "private_key": {"env": "CASEBRIDGE_SALESFORCE_PRIVATE_KEY"}},
  "forge": {"base_url": "https://forge.example.com", "email": "smoke@example.com",
            "password": {"file": "/run/secrets/casebridge/forge-password"}},
  "state_store": "sqlite:/var/lib/casebridge/casebridge-state.db"
}
JSON
echo "smoke-password" >"$work/secrets/forge-password"
chmod 0400 "$work/secrets/forge-password"
chown -R 10001:10001 "$work/secrets" 2>/dev/null || true
run -v "$work/etc:/etc/casebridge:ro" -v "$work/secrets:/run/secrets/casebridge:ro" \
  -e CASEBRIDGE_SALESFORCE_PRIVATE_KEY="$(printf -- '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----')" \
  "$image" check-config

echo "== demo on the sandbox, state in a volume"
podman volume create casebridge-smoke-state >/dev/null
trap 'podman volume rm -f casebridge-smoke-state >/dev/null; rm -rf "$work"' EXIT
run -v casebridge-smoke-state:/var/lib/casebridge -w /var/lib/casebridge "$image" demo

echo "smoke-test: passed"
