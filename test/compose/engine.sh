# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# The tools and the Docker engine the compose test needs (sourced by run.sh).
# Missing tools are installed with apt when running as root; a machine that
# cannot provide them, or whose dockerd cannot start, makes the test skip.

# command -> Debian package that provides it
declare -A PACKAGE_OF=(
  [dockerd]=docker.io
  [docker-compose]=docker-compose
  [mmdebstrap]=mmdebstrap
  [curl]=curl
  [openssl]=openssl
)

ensure_tools() {
  local missing=() command
  for command in "${!PACKAGE_OF[@]}"; do
    command -v "$command" >/dev/null || missing+=("${PACKAGE_OF[$command]}")
  done
  ((${#missing[@]})) || return 0
  [ "$(id -u)" = 0 ] || skip "missing ${missing[*]}, and not root, so they cannot be installed"
  command -v apt-get >/dev/null || skip "missing ${missing[*]}, and there is no apt-get to install them"
  log "installing ${missing[*]} with apt-get"
  # Another apt may be running on a shared machine: wait for its lock, boundedly.
  timeout 300 apt-get -qq -o DPkg::Lock::Timeout=120 update >"$WORK/apt.log" 2>&1 &&
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get -qq -o DPkg::Lock::Timeout=120 \
      install -y --no-install-recommends "${missing[@]}" >>"$WORK/apt.log" 2>&1 ||
    skip "apt-get could not install ${missing[*]}: $(tail -n 3 "$WORK/apt.log" | tr '\n' ' ')"
}

# The docker CLI to use: one that builds with BuildKit (needed for build
# secrets). Docker 23+ CLIs need the buildx plugin for that; older ones (such as
# Debian's docker.io 20.10) have it built in. A newer CLI without buildx may
# come first on PATH, so each candidate is tried.
pick_docker_cli() {
  local candidate version
  for candidate in "$(type -P docker)" /usr/bin/docker; do
    [ -x "$candidate" ] || continue
    if "$candidate" buildx version >/dev/null 2>&1; then
      DOCKER=$candidate
      return 0
    fi
    version=$("$candidate" version --format '{{.Client.Version}}' 2>/dev/null || true)
    if [ -n "$version" ] && ((${version%%.*} < 23)); then
      DOCKER=$candidate
      return 0
    fi
  done
  skip "no docker CLI here builds with BuildKit (a CLI of Docker 23 or later needs the buildx plugin)"
}

docker() { timeout "${DOCKER_TIMEOUT:-300}" "$DOCKER" "$@"; }

engine_answers() { docker info >/dev/null 2>&1; }

# Reuses a running engine; otherwise starts dockerd, which stop_engine stops.
ENGINE_PID=''
start_engine() {
  if DOCKER_TIMEOUT=20 engine_answers; then
    log "using the Docker engine already running ($(docker version --format '{{.Server.Version}}'))"
    return 0
  fi
  [ "$(id -u)" = 0 ] || skip "no Docker engine is running, and only root can start dockerd"
  log "starting dockerd"
  setsid dockerd --exec-opt native.cgroupdriver=cgroupfs >"$WORK/dockerd.log" 2>&1 </dev/null &
  ENGINE_PID=$!
  if ! DOCKER_TIMEOUT=10 wait_for 60 dockerd dockerd_settled || ! engine_answers; then
    log "the end of dockerd's log:"
    tail -n 20 "$WORK/dockerd.log" >&2 || true
    stop_engine
    skip "dockerd cannot start here (see its log above)"
  fi
  log "dockerd $(docker version --format '{{.Server.Version}}') running, pid $ENGINE_PID"
}

engine_running() { kill -0 "$ENGINE_PID" 2>/dev/null; }

# dockerd answers, or has exited (no use waiting any longer).
dockerd_settled() { engine_answers || ! engine_running; }

stop_engine() {
  [ -n "$ENGINE_PID" ] || return 0
  kill -TERM "$ENGINE_PID" 2>/dev/null || true
  if ! wait_for 60 "dockerd to stop" bash -c "! kill -0 $ENGINE_PID 2>/dev/null"; then
    kill -KILL "$ENGINE_PID" 2>/dev/null || true
  fi
  wait "$ENGINE_PID" 2>/dev/null || true
  if engine_running; then
    log "WARNING: dockerd (pid $ENGINE_PID) is still running"
    return 1
  fi
  log "stopped the dockerd this test started (pid $ENGINE_PID)"
  ENGINE_PID=''
}
