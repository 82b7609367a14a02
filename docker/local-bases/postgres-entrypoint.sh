#!/usr/bin/env bash
# The part of the official postgres image's entrypoint that docker-compose.yml
# relies on: on an empty $PGDATA, create a cluster whose superuser `postgres`
# has POSTGRES_PASSWORD, run /docker-entrypoint-initdb.d/*.sh and *.sql against
# a server listening on its socket only, then serve on every interface with
# password (scram-sha-256) authentication for TCP clients. No `set -u`, as in
# the official script: a sourced init script would inherit it.
set -Eeo pipefail

if [ "${1:-}" != postgres ]; then exec "$@"; fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD must be set}"
  initdb --username=postgres --pwfile=<(printf '%s\n' "$POSTGRES_PASSWORD") \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all all scram-sha-256\n' >> "$PGDATA/pg_hba.conf"

  pg_ctl --wait --silent --options="-c listen_addresses=''" start
  export PGUSER=postgres PGDATABASE=postgres
  for script in /docker-entrypoint-initdb.d/*; do
    case "$script" in
      *.sh)
        echo "running $script"
        # As the official image does: run it if executable, otherwise source it.
        # shellcheck source=/dev/null
        if [ -x "$script" ]; then "$script"; else . "$script"; fi
        ;;
      *.sql)
        echo "running $script"
        psql -v ON_ERROR_STOP=1 --no-psqlrc --file="$script"
        ;;
      *) ;;
    esac
  done
  pg_ctl --wait --silent --mode=fast stop
  echo 'database initialised'
fi

exec "$@" -c listen_addresses='*'
