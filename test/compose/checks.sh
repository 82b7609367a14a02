# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# What the compose test checks on the running stack (sourced by run.sh). Each
# check compares what it observes with what must hold, and fails otherwise.

# ---- the HTTP flow, from the host through the published port ----------------

credentials() { printf '{"username":"%s","password":"%s"}' "$1" "$2"; }

check_flow() {
  USERNAME=compose_$(random_hex 6)
  PASSWORD=$(random_hex 12)
  local access refresh rotated
  http POST /register "$(printf '{"username":"%s","password":"%s","email":"%s@example.com"}' "$USERNAME" "$PASSWORD" "$USERNAME")"
  expect 201 "POST /register"
  [ "$(field user.username)" = "$USERNAME" ] || fail "register answered another user: $BODY"

  http POST /login "$(credentials "$USERNAME" "$PASSWORD")"
  expect 200 "POST /login"
  access=$(field accessToken)
  refresh=$(field refreshToken)
  [ -n "$access" ] && [ -n "$refresh" ] || fail "login answered no tokens: $BODY"

  http GET /me '' "$access"
  expect 200 "GET /me with the access token"
  [ "$(field username)" = "$USERNAME" ] || fail "GET /me answered another user: $BODY"

  http POST /refresh "{\"refreshToken\":\"$refresh\"}"
  expect 200 "POST /refresh"
  rotated=$(field refreshToken)
  [ -n "$rotated" ] && [ "$rotated" != "$refresh" ] || fail "refresh did not rotate the refresh token"

  http POST /logout "{\"refreshToken\":\"$rotated\"}"
  expect 204 "POST /logout"
  http POST /refresh "{\"refreshToken\":\"$rotated\"}"
  expect 401 "POST /refresh with the logged-out token"

  http GET /health
  expect 200 "GET /health"
  [ "$(field status)" = ok ] || fail "/health is not ok: $BODY"

  http GET /docs-json
  expect 200 "GET /docs-json"
  [[ "$(field openapi)" == 3.* ]] && [ -n "$(field paths./register)" ] ||
    fail "/docs-json is not an OpenAPI 3 document with /register: ${BODY:0:200}"
}

# ---- what the static test only asserts --------------------------------------

# Only the gateway publishes a port, and only the one asked for; with the dev
# profile, maildev publishes its web UI on loopback only.
check_published_ports() {
  local service published id expected
  for service in "${STACK_SERVICES[@]}"; do
    case "$service" in
      gateway) expected="3000/tcp->127.0.0.1:$GATEWAY_PORT_ON_HOST " ;;
      maildev) expected="1080/tcp->127.0.0.1:$MAILDEV_PORT_ON_HOST " ;;
      *) expected='' ;;
    esac
    for id in $(containers_of "$service"); do
      published=$(docker inspect --format \
        '{{range $port, $bindings := .NetworkSettings.Ports}}{{range $bindings}}{{$port}}->{{.HostIp}}:{{.HostPort}} {{end}}{{end}}' "$id")
      [ "$published" = "$expected" ] || fail "$service publishes '$published', not '$expected'"
    done
  done
  ok "only the gateway publishes a port (3000 -> 127.0.0.1:$GATEWAY_PORT_ON_HOST), and maildev, if there, its web UI on loopback"
}

# Every process of every container of every service runs as a user other than root.
check_not_root() {
  local service uids id
  for service in "${STACK_SERVICES[@]}"; do
    for id in $(containers_of "$service"); do
      uids=$(docker top "$id" -eo pid,uid | awk 'NR > 1 { print $2 }' | sort -u | xargs)
      [ -n "$uids" ] || fail "docker top shows no process in $service"
      [[ " $uids " != *" 0 "* ]] || fail "$service has a process running as root (uids: $uids)"
    done
    ok "$service runs as uid $uids ($(containers_of "$service" | wc -l) container(s))"
  done
}

network_of() {
  docker network ls --quiet --filter "label=com.docker.compose.project=$PROJECT" \
    --filter "label=com.docker.compose.network=$1"
}

# probe NETWORK HOST PORT: whether a container on NETWORK alone can open a TCP
# connection to HOST:PORT within 3 s. The probe is the app image, as the app user.
probe() {
  docker run --rm --network "$1" --user 1000 --read-only --cap-drop ALL "$APP_IMAGE" node -e '
    const socket = require("node:net").connect(Number(process.argv[2]), process.argv[1]);
    socket.on("connect", () => process.exit(0));
    socket.on("error", () => process.exit(1));
    setTimeout(() => process.exit(1), 3000);
  ' "$2" "$3" >/dev/null 2>&1
}

# PostgreSQL answers on the internal network and nowhere else: a container on
# the public network reaches it neither by name nor by address.
check_postgres_internal() {
  local backend public address
  backend=$(network_of backend)
  public=$(network_of public)
  [ -n "$backend" ] && [ -n "$public" ] || fail "the project has no backend or public network"
  address=$(docker inspect --format "{{(index .NetworkSettings.Networks \"$(docker network inspect --format '{{.Name}}' "$backend")\").IPAddress}}" \
    "$(container_of postgres)")
  probe "$backend" postgres 5432 || fail "a container on the backend network cannot reach postgres:5432"
  ok "postgres:5432 is reachable on the backend network"
  ! probe "$public" postgres 5432 || fail "a container on the public network reaches postgres:5432 by name"
  ! probe "$public" "$address" 5432 || fail "a container on the public network reaches postgres at $address:5432"
  ok "postgres:5432 is not reachable from the public network, by name or at $address"
}

# With user stopped, registration answers 503 at once; started again, it works.
check_user_stop_start() {
  local attempt
  attempt=$(credentials "compose_$(random_hex 6)" "$(random_hex 12)")
  compose stop user >/dev/null 2>&1 || fail "docker-compose stop user failed"
  wait_for 20 "POST /register to answer 503" answers POST /register 503 "$attempt" || fail "got $STATUS: ${BODY:0:200}"
  [ "$(field code)" = SERVICE_UNAVAILABLE ] || fail "503 without SERVICE_UNAVAILABLE: $BODY"
  ok "with user stopped, POST /register -> 503 SERVICE_UNAVAILABLE"
  compose start user >/dev/null 2>&1 || fail "docker-compose start user failed"
  wait_for 120 "every health check" all_healthy || fail "the stack did not recover after start user"
  wait_for 30 "POST /register to answer 201" answers POST /register 201 "$attempt" || fail "got $STATUS: ${BODY:0:200}"
  ok "with user started again, POST /register -> 201"
}

volume_of() {
  docker volume ls --quiet --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.volume=$1"
}

# Accounts live in the named volume: kept by `down`, deleted by `down -v`.
check_data_volume() {
  compose down --timeout 20 >/dev/null 2>&1 || fail "docker-compose down failed"
  [ -n "$(volume_of pgdata)" ] || fail "docker-compose down removed the pgdata volume"
  stack_up
  http POST /login "$(credentials "$USERNAME" "$PASSWORD")"
  expect 200 "POST /login after down and up (the account survived)"

  stack_down || fail "docker-compose down -v failed"
  [ -z "$(volume_of pgdata)" ] || fail "docker-compose down -v kept the pgdata volume"
  ok "down -v removed the pgdata volume"
  stack_up
  http POST /login "$(credentials "$USERNAME" "$PASSWORD")"
  expect 401 "POST /login after down -v and up (the account is gone)"
}

# ---- the nats and dev profiles ---------------------------------------------

# Every replica of user takes part of the load: the queue group spreads
# user.find_by_id (one per GET /me) over all of them. 30 calls leave a replica
# with none with a chance of 3 * (2/3)^30, about 1 in 70,000.
check_replicas_share() {
  local access id shares=() handled replicas
  http POST /login "$(credentials "$USERNAME" "$PASSWORD")"
  expect 200 "POST /login (through NATS)"
  access=$(field accessToken)
  for _ in $(seq 30); do
    http GET /me '' "$access"
    [ "$STATUS" = 200 ] || fail "GET /me answered $STATUS: ${BODY:0:200}"
  done
  replicas=$(containers_of user)
  (($(wc -w <<<"$replicas") == 3)) || fail "user has $(wc -w <<<"$replicas") containers, not 3"
  # Log lines leave an app in batches, at most 50 ms (LOG_FLUSH_MS) late.
  sleep 0.3
  for id in $replicas; do
    # One log line per message a service handles, naming its pattern.
    handled=$(docker logs "$id" 2>&1 | grep -c '"user.find_by_id".*"message handled"' || true)
    ((handled > 0)) || fail "user replica $id handled no user.find_by_id of 30"
    shares+=("$handled")
  done
  ok "the 3 user replicas shared 30 GET /me: ${shares[*]}"
}

# A registration with an email puts a verification mail into the dev inbox:
# user's outbox -> mail service -> SMTP -> maildev, read back through its REST API.
has_mail_to() {
  curl --silent --max-time 5 "$MAILDEV_URL/api/email" 2>/dev/null |
    node -e 'let t = ""; process.stdin.on("data", (c) => (t += c)).on("end", () => {
      const mails = JSON.parse(t || "[]");
      process.exit(mails.some((m) => (m.to ?? []).some((to) => to.address === process.argv[1])) ? 0 : 1);
    })' "$1"
}

check_mail_delivered() {
  local address=$USERNAME@example.com
  wait_for 60 "a mail to $address in maildev" has_mail_to "$address" || fail "no mail to $address reached maildev"
  ok "the registration's verification mail to $address reached maildev ($MAILDEV_URL/api/email)"
}
