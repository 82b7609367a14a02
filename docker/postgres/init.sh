#!/usr/bin/env bash
# Runs once, when the postgres container initialises an empty data volume
# (mounted into /docker-entrypoint-initdb.d by docker-compose.yml).
#
# Database per service: each app logs in with its own role, which owns its own
# database; PUBLIC gets nothing, so neither role can even connect to the
# other's database. Passwords come from the environment, never from this file.
# To change one later, use ALTER ROLE (or start over with `docker compose down -v`).
# No `set -u`: the entrypoint sources (rather than runs) a script that lost its
# executable bit, and the option would leak into it.
set -Eeo pipefail

: "${USER_DB_PASSWORD:?USER_DB_PASSWORD must be set}"
: "${IDENTITY_DB_PASSWORD:?IDENTITY_DB_PASSWORD must be set}"

# psql's :'name' interpolation quotes the passwords as SQL literals, so any
# character in them is safe here.
psql -v ON_ERROR_STOP=1 --no-psqlrc \
  --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
  --set user_password="$USER_DB_PASSWORD" \
  --set identity_password="$IDENTITY_DB_PASSWORD" <<'SQL'
CREATE ROLE gatehouse_user LOGIN PASSWORD :'user_password';
CREATE ROLE gatehouse_identity LOGIN PASSWORD :'identity_password';

CREATE DATABASE users OWNER gatehouse_user;
CREATE DATABASE identity OWNER gatehouse_identity;

REVOKE ALL ON DATABASE users FROM PUBLIC;
REVOKE ALL ON DATABASE identity FROM PUBLIC;
SQL
