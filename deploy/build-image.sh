#!/usr/bin/env bash
# Build the service image (deploy/Dockerfile) from the repository root, and optionally check
# that it migrates a PostgreSQL >= 15 and serves from it, as the Kubernetes manifest runs it.
#
#   deploy/build-image.sh [TAG]          build only (TAG: partyplan:latest)
#
#   SMOKE_OWNER_URL=postgresql://owner:…@db.internal:5432/partyplan_smoke \
#   SMOKE_APP_URL=postgresql://partyplan_app:…@db.internal:5432/partyplan_smoke \
#   SMOKE_APP_PASSWORD=… deploy/build-image.sh [TAG]
#                                        and then: keys made in a volume (root:10001 0440, as
#                                        the Secret's mount), `partyplan db upgrade` as the
#                                        owner (the migration Job), `partyplan serve` as the
#                                        image's uid 10001 with the service role's URL only and
#                                        the keys read-only, until /readyz answers 200.
#
# The database must be reachable from the containers (they use the host's network). Use a
# scratch database: the smoke run migrates it. CONTAINER_ENGINE=docker|podman chooses the tool
# (default: the first of the two whose daemon answers).
#
# Without a container runtime (CI machines without a Docker daemon), tests/deploy/test_image.py
# does the same steps with the wheel installed into a fresh virtualenv.
set -euo pipefail
cd "$(dirname "$0")/.."

tag="${1:-partyplan:latest}"
engine="${CONTAINER_ENGINE:-}"
if [ -z "$engine" ]; then
    for candidate in docker podman; do
        if command -v "$candidate" >/dev/null && "$candidate" info >/dev/null 2>&1; then
            engine="$candidate"
            break
        fi
    done
fi
if [ -z "$engine" ]; then
    echo "build-image: no docker or podman whose daemon answers; start one, or set CONTAINER_ENGINE" >&2
    exit 2
fi

"$engine" build -f deploy/Dockerfile -t "$tag" .
echo "built $tag"

if [ -z "${SMOKE_OWNER_URL:-}" ]; then
    exit 0
fi
if [ -z "${SMOKE_APP_URL:-}" ]; then
    echo "build-image: SMOKE_OWNER_URL is set: set SMOKE_APP_URL (the service role's URL) too" >&2
    exit 2
fi

volume="partyplan-smoke-keys-$$"
container="partyplan-smoke-$$"
port="${SMOKE_PORT:-18000}"
cleanup() {
    "$engine" rm -f "$container" >/dev/null 2>&1 || true
    "$engine" volume rm -f "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT

# The Secret's two files, as Kubernetes mounts them with defaultMode 0440 and fsGroup 10001.
"$engine" volume create "$volume" >/dev/null
"$engine" run --rm --user 0 -v "$volume:/keys" --entrypoint sh "$tag" -c \
    'partyplan keys init --key-dir /keys >/dev/null &&
     chown 0:10001 /keys /keys/signing-key.json /keys/pii-key &&
     chmod 0440 /keys/signing-key.json /keys/pii-key && chmod 0550 /keys'

# The migration Job.
"$engine" run --rm --network host \
    -e PARTYPLAN_DATABASE_URL="$SMOKE_OWNER_URL" \
    -e PARTYPLAN_APP_PASSWORD="${SMOKE_APP_PASSWORD:-}" \
    "$tag" partyplan db upgrade

# A replica of the Deployment: the image's user and command, the service role's URL only.
"$engine" run -d --name "$container" --network host \
    -v "$volume:/var/run/partyplan-keys:ro" \
    -e PARTYPLAN_APP_DATABASE_URL="$SMOKE_APP_URL" \
    -e PARTYPLAN_METRICS_TOKEN="$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    "$tag" partyplan serve --host 127.0.0.1 --port "$port" >/dev/null

for _ in $(seq 60); do
    if curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1; then
        echo "smoke: $tag serves from PostgreSQL ($("$engine" exec "$container" id -u) is its uid): /readyz 200"
        exit 0
    fi
    if [ "$("$engine" inspect -f '{{.State.Running}}' "$container")" != "true" ]; then
        break
    fi
    sleep 1
done
"$engine" logs "$container" >&2 || true
echo "build-image: the image did not become ready" >&2
exit 1
