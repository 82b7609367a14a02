# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# The stack under test (sourced by run.sh): the project's docker-compose.yml
# plus docker-compose.images.yml, under a project name of its own, with
# throwaway passwords and signing key and the gateway on a free loopback port.

# The services the stack runs: those of the compose file with no profile or
# with one of STACK_PROFILES. A service added there is started, waited for and
# checked without a change here.
STACK_SERVICES=()
# What one stack under test is: the profiles it brings up, KEY=value lines
# added to its environment, and `--scale` arguments (service=count). run.sh
# sets them before write_stack_config; stack_up uses them again after a `down`.
STACK_PROFILES=()
STACK_ENV=()
STACK_SCALE=()

write_stack_config() {
  PROJECT=gatehouse-compose-test-$(random_hex 4)
  GATEWAY_PORT_ON_HOST=$(free_port)
  MAILDEV_PORT_ON_HOST=$(free_port)
  BASE_URL=http://127.0.0.1:$GATEWAY_PORT_ON_HOST
  MAILDEV_URL=http://127.0.0.1:$MAILDEV_PORT_ON_HOST
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$WORK/jwt-private-key.pem" 2>/dev/null
  chmod 644 "$WORK/jwt-private-key.pem" # identity runs as uid 1000 (see docker/README.md)
  # --env-file keeps the checkout's own .env, if any, out of the test.
  {
    cat <<EOF
POSTGRES_PASSWORD=$(random_hex 24)
USER_DB_PASSWORD=$(random_hex 24)
IDENTITY_DB_PASSWORD=$(random_hex 24)
SMTP_URL=smtp://maildev:1025
JWT_PRIVATE_KEY_PATH=$WORK/jwt-private-key.pem
GATEWAY_PUBLISH=127.0.0.1:$GATEWAY_PORT_ON_HOST
MAILDEV_WEB_PORT=$MAILDEV_PORT_ON_HOST
COMPOSE_TEST_APP_IMAGE=$APP_IMAGE
COMPOSE_TEST_POSTGRES_IMAGE=$POSTGRES_IMAGE
COMPOSE_TEST_NATS_IMAGE=$NATS_IMAGE
COMPOSE_TEST_REDIS_IMAGE=$REDIS_IMAGE
EOF
    ((${#STACK_ENV[@]} == 0)) || printf '%s\n' "${STACK_ENV[@]}"
  } >"$WORK/env"
  mapfile -t STACK_SERVICES < <(active_services)
  ((${#STACK_SERVICES[@]})) || fail "docker-compose config lists no service"
  log "project $PROJECT, profiles [${STACK_PROFILES[*]}], services ${STACK_SERVICES[*]}, gateway at $BASE_URL"
}

# Compose v1's `config --services` lists the services of every profile, so the
# active ones are picked from the resolved file here.
active_services() {
  compose config | node -e '
    const { parse } = require(process.argv[1]);
    const active = process.argv.slice(2);
    let text = "";
    process.stdin.on("data", (chunk) => (text += chunk)).on("end", () => {
      for (const [name, service] of Object.entries(parse(text).services)) {
        if (!service.profiles || service.profiles.some((profile) => active.includes(profile))) console.log(name);
      }
    });
  ' "$ROOT/node_modules/yaml" "${STACK_PROFILES[@]}"
}

# A TCP port nothing on this machine listens on now.
free_port() {
  node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'
}

compose() {
  local profiles=() profile
  for profile in "${STACK_PROFILES[@]}"; do profiles+=(--profile "$profile"); done
  timeout "${COMPOSE_TIMEOUT:-300}" docker-compose --project-name "$PROJECT" "${profiles[@]}" --env-file "$WORK/env" \
    --file "$ROOT/docker-compose.yml" --file "$HERE/docker-compose.images.yml" "$@"
}

# containers_of SERVICE: the ids of its containers (several once scaled), from
# the labels Compose puts on them (cheaper than `docker-compose ps` per call).
containers_of() {
  docker ps --all --quiet --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.service=$1"
}

container_of() { containers_of "$1" | head -n 1; }

# Every container of every service has passed its health check (or fails the
# test at once if one has given up).
all_healthy() {
  local service id status ids
  for service in "${STACK_SERVICES[@]}"; do
    ids=$(containers_of "$service")
    [ -n "$ids" ] || return 1
    for id in $ids; do
      status=$(docker inspect --format '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$id")
      case "$status" in
        healthy) ;;
        unhealthy | exited | dead) show_stack && fail "$service ($id) is $status" ;;
        *) return 1 ;;
      esac
    done
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
  local scale=() entry
  for entry in "${STACK_SCALE[@]}"; do scale+=(--scale "$entry"); done
  if ! COMPOSE_TIMEOUT=420 compose up --detach --no-build "${scale[@]}" >"$WORK/up.log" 2>&1; then
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
  local id
  for id in $(docker ps --all --quiet --filter "label=com.docker.compose.project=$PROJECT"); do
    mapfile -t -O "${#PROJECT_VOLUMES[@]}" PROJECT_VOLUMES < <(docker inspect \
      --format '{{range .Mounts}}{{if .Name}}{{.Name}}{{"\n"}}{{end}}{{end}}' "$id")
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
