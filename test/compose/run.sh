#!/usr/bin/env bash
# shellcheck source-path=SCRIPTDIR disable=SC2015  # `test && test || fail` is meant
# npm run test:compose: `docker compose up` run for real. Makes base images
# without a registry, builds the app image with the project's Dockerfile, runs
# the project's docker-compose.yml, drives the gateway from the host, checks
# what test/deploy/compose.spec.ts can only assert, and removes everything.
# Twice: as it is (TCP), then with the dev and nats profiles, TRANSPORT=nats
# and three user replicas.
#
# Skips (exit 0, with the reason) where Docker cannot run: not root and no
# engine, no apt-get for missing tools, or a dockerd that does not start.
# Stops a dockerd it started; leaves an engine that was already running alone.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
# shellcheck source=lib.sh
. "$HERE/lib.sh"
# shellcheck source=engine.sh
. "$HERE/engine.sh"
# shellcheck source=images.sh
. "$HERE/images.sh"
# shellcheck source=stack.sh
. "$HERE/stack.sh"
# shellcheck source=checks.sh
. "$HERE/checks.sh"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gatehouse-compose.XXXXXX")
PROJECT=''

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$PROJECT" ] && [ -n "$(project_leftovers 2>/dev/null)" ]; then
    log "removing what is left of $PROJECT"
    stack_down || cat "$WORK/down.log" >&2
    # Anonymous volumes orphaned by a `down` without -v, if any.
    ((${#PROJECT_VOLUMES[@]} == 0)) || docker volume rm --force "${PROJECT_VOLUMES[@]}" >/dev/null 2>&1 || true
  fi
  stop_engine || status=1
  rm -rf "$WORK"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The machine's docker settings (credential helpers, registry auth) stay out.
export DOCKER_CONFIG=$WORK/docker-config
mkdir -p "$DOCKER_CONFIG"

summary() {
  local image entry
  log "==== passed: $CHECKS checks in $SECONDS s"
  for entry in "${PHASES[@]}"; do log "phase ${entry% *}: ${entry##* } s"; done
  for image in "$DEBIAN_IMAGE" "$NODE_IMAGE" "$POSTGRES_IMAGE" "$NATS_IMAGE" "$REDIS_IMAGE" "$APP_IMAGE"; do
    log "image $image: $(image_size_mb "$image") MB"
  done
}

checks() {
  check_published_ports
  check_not_root
  check_postgres_internal
  check_user_stop_start
  check_data_volume
}

# The second stack: both profiles, the services over NATS with limits in
# Redis, three user replicas, mail into the dev inbox.
scaled_stack() {
  STACK_PROFILES=(dev nats)
  STACK_ENV=(TRANSPORT=nats REDIS_URL=redis://redis:6379)
  STACK_SCALE=(user=3)
  write_stack_config
}

scaled_checks() {
  check_published_ports
  check_not_root
  check_replicas_share
  check_mail_delivered
}

main() {
  ensure_tools
  pick_docker_cli
  start_engine
  phase bases make_bases
  phase build build_app_image
  phase inspect check_no_build_secrets_in_image
  write_stack_config
  phase up stack_up
  phase flow check_flow
  phase checks checks
  phase teardown stack_teardown
  scaled_stack
  phase up-nats-dev stack_up
  phase flow-nats-dev check_flow
  phase checks-nats-dev scaled_checks
  phase teardown-nats-dev stack_teardown
  summary
}

main
