# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# Helpers shared by the compose test's files (sourced by run.sh): output,
# phase timing, bounded waiting, HTTP against the published gateway.

log() { printf '[compose] %s\n' "$*"; }

# A failed check: say what and stop (the EXIT trap tears the stack down).
fail() {
  printf '[compose] FAIL: %s\n' "$*" >&2
  exit 1
}

# The machine cannot run the test: say why and succeed, so CI stays green.
skip() {
  printf '[compose] test:compose SKIPPED: %s\n' "$*"
  exit 0
}

CHECKS=0
ok() {
  CHECKS=$((CHECKS + 1))
  printf '[compose] ok %d - %s\n' "$CHECKS" "$*"
}

# phase NAME COMMAND...: runs the command and records how long it took.
PHASES=()
phase() {
  local name=$1 started=$SECONDS
  shift
  log "---- $name"
  "$@"
  PHASES+=("$name $((SECONDS - started))")
  log "---- $name done in $((SECONDS - started)) s"
}

# wait_for SECONDS WHAT COMMAND...: polls COMMAND once a second until it succeeds.
wait_for() {
  local limit=$1 what=$2 deadline=$((SECONDS + $1))
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      log "gave up after ${limit} s waiting for $what"
      return 1
    fi
    sleep 1
  done
}

random_hex() { openssl rand -hex "$1"; }

# ---- HTTP -------------------------------------------------------------------
# http METHOD PATH [JSON] [TOKEN]: one request to the gateway's published port;
# sets STATUS (000 when there was no answer) and BODY.
STATUS=''
BODY=''
http() {
  local method=$1 path=$2 json=${3:-} token=${4:-}
  local args=(--silent --show-error --max-time 15 --output "$WORK/body" --write-out '%{http_code}' --request "$method")
  [ -z "$json" ] || args+=(--header 'content-type: application/json' --data "$json")
  [ -z "$token" ] || args+=(--header "authorization: Bearer $token")
  : >"$WORK/body"
  STATUS=$(curl "${args[@]}" "$BASE_URL$path" 2>"$WORK/curl.err") || STATUS=000
  BODY=$(cat "$WORK/body")
}

# expect STATUS WHAT: the last response had this status.
expect() {
  [ "$STATUS" = "$1" ] || fail "$2: expected $1, got $STATUS ${BODY:0:300} $(cat "$WORK/curl.err")"
  ok "$2 -> $1"
}

# field PATH: a value from the last response's JSON body (dotted path, '' if absent).
field() {
  node -e '
    let value; try { value = JSON.parse(process.argv[1]); } catch { process.exit(0); }
    for (const key of process.argv[2].split(".")) value = value == null ? undefined : value[key];
    if (value != null) process.stdout.write(typeof value === "object" ? JSON.stringify(value) : String(value));
  ' "$BODY" "$1"
}

# answers METHOD PATH STATUS [JSON]: whether the gateway answers with STATUS (for wait_for).
answers() {
  http "$1" "$2" "${4:-}"
  [ "$STATUS" = "$3" ]
}
