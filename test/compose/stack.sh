# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# The stack under test (sourced by run.sh): the project's docker-compose.yml
# plus docker-compose.images.yml, under a project name of its own, with
# throwaway passwords and signing key and the gateway on a free loopback port.

# Every service of the stack, from the compose file itself (COMPOSE_PROFILES
# decides which optional ones are in): a service added there is started,
# waited for and checked without a change here.
STACK_SERVICES=()
# Optional parts of docker-compose.yml (profiles) the test brings up too, e.g.
# (nats) once the NATS transport has its profile.
STACK_PROFILES=()

write_stack_config() {
  PROJECT=gatehouse-compose-test-$(random_hex 4)
  GATEWAY_PORT_ON_HOST=$(free_port)
  BASE_URL=http://127.0.0.1:$GATEWAY_PORT_ON_HOST
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt-private-key.pem" 2>/dev/null
  chmod 644 "$WORK/jwt-private-key.pem" # identity runs as uid 1000 (see docker/README.md)
  # --env-file keeps the checkout's own .env, if any, out of the test.
  cat >"$WORK/env" <<EOF
POSTGRES_PASSWORD=$(random_hex 24)
USER_DB_PASSWORD=$(random_hex 24)
IDENTITY_DB_PASSWORD=$(random_hex 24)
JWT_PRIVATE_KEY_PATH=$WORK/jwt-private-key.pem
GATEWAY_PUBLISH=127.0.0.1:$GATEWAY_PORT_ON_HOST
COMPOSE_TEST_APP_IMAGE=$APP_IMAGE
COMPOSE_TEST_POSTGRES_IMAGE=$POSTGRES_IMAGE
COMPOSE_PROFILES=$(IFS=,; echo "${STACK_PROFILES[*]}")
EOF
  mapfile -t STACK_SERVICES < <(compose config --services)
  ((${#STACK_SERVICES[@]})) || fail "docker-compose config lists no service"
  log "project $PROJECT, services ${STACK_SERVICES[*]}, gateway at $BASE_URL"
}

# A TCP port nothing on this machine listens on now.
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

compose() {
  timeout "${COMPOSE_TIMEOUT:-300}" docker-compose --project-name "$PROJECT" --env-file "$WORK/env" \
    --file "$ROOT/docker-compose.yml" --file "$HERE/docker-compose.images.yml" "$@"
}

container_of() { compose ps -q "$1"; }

# health SERVICE: the health status of its container ('' if there is none).
health() {
  local id
  id=$(container_of "$1")
  [ -n "$id" ] || return 0
  docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id"
}

all_healthy() {
  local service status
  for service in "${STACK_SERVICES[@]}"; do
    status=$(health "$service")
    case "$status" in
      healthy) ;;
      unhealthy | exited | dead) show_stack && fail "$service is $status" ;;
      *) return 1 ;;
    esac
  done
}

# The state and the end of the logs of every service: shown on a failure.
show_stack() {
  compose ps >&2 || true
  compose logs --no-color --tail=30 >&2 || true
}

# Starts the stack and waits until every health check passes. Compose itself
# starts each service only when the ones it depends on are healthy.
stack_up() {
  local started=$SECONDS
  if ! COMPOSE_TIMEOUT=420 compose up --detach --no-build >"$WORK/up.log" 2>&1; then
    cat "$WORK/up.log" >&2
    show_stack
    fail "docker-compose up failed"
  fi
  wait_for 180 "every health check" all_healthy || { show_stack; fail "the stack did not become healthy"; }
  log "healthy after $((SECONDS - started)) s: ${STACK_SERVICES[*]}"
  remember_volumes
}

# Every volume a container of the stack has mounted, anonymous ones too
# (Compose v1 does not label those with the project).
PROJECT_VOLUMES=()
remember_volumes() {
  local service
  for service in "${STACK_SERVICES[@]}"; do
    mapfile -t -O "${#PROJECT_VOLUMES[@]}" PROJECT_VOLUMES < <(docker inspect \
      --format '{{range .Mounts}}{{if .Name}}{{.Name}}{{"\n"}}{{end}}{{end}}' "$(container_of "$service")")
  done
}

# The compose project's own containers, networks and volumes, whatever their state.
project_leftovers() {
  local filter=label=com.docker.compose.project=$PROJECT
  docker ps --all --quiet --filter "$filter"
  docker network ls --quiet --filter "$filter"
  docker volume ls --quiet --filter "$filter"
  local volume
  for volume in "${PROJECT_VOLUMES[@]}"; do
    if docker volume inspect "$volume" >/dev/null 2>&1; then echo "$volume"; fi
  done | sort -u
}

stack_down() { compose down --volumes --remove-orphans --timeout 20 >"$WORK/down.log" 2>&1; }

stack_teardown() {
  stack_down || { cat "$WORK/down.log" >&2; fail "docker-compose down failed"; }
  [ -z "$(project_leftovers)" ] || fail "left behind after down -v: $(project_leftovers | tr '\n' ' ')"
  ok "no container, network or volume of $PROJECT is left"
}
