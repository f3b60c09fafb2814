#!/usr/bin/env bash
# The API's route tests (the contract) through a real PgBouncer in transaction mode, Debian's 1.18,
# which does not keep prepared statements: once with DATABASE_PREPARED_STATEMENTS=false (unnamed
# statements) and once with it on, the default, where named statements collide and each collision
# must be retried unnamed, never answered 500. The tests' database is created and migrated
# directly, as a deployment behind a transaction pooler migrates; only the app goes through
# PgBouncer. Needs the PostgreSQL of CI (DATABASE_URL, default below) and installs pgbouncer with
# apt when it is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

DIRECT_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}
DB_HOST=$(node -e 'const u = new URL(process.argv[1]); console.log(u.hostname)' "$DIRECT_URL")
DB_PORT=$(node -e 'const u = new URL(process.argv[1]); console.log(u.port || 5432)' "$DIRECT_URL")

if ! command -v pgbouncer >/dev/null 2>&1 && [ ! -x /usr/sbin/pgbouncer ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq pgbouncer >/dev/null
fi
PGBOUNCER=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)
"$PGBOUNCER" --version | head -1

# A free loopback port, and a folder of its own for the configuration, log and pid file.
PORT=$(node -e 'const s = require("net").createServer(); s.listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
WORK=$(mktemp -d)
cat >"$WORK/pgbouncer.ini" <<EOF
[databases]
; Any database name (each test run creates its own) goes to the same server.
* = host=$DB_HOST port=$DB_PORT

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $WORK/userlist.txt
pool_mode = transaction
max_client_conn = 500
default_pool_size = 20
logfile = $WORK/pgbouncer.log
pidfile = $WORK/pgbouncer.pid
EOF
echo '"postgres" ""' >"$WORK/userlist.txt"

# PgBouncer refuses to run as root.
if [ "$(id -u)" = 0 ]; then
  chown -R postgres "$WORK"
  runuser -u postgres -- "$PGBOUNCER" -d "$WORK/pgbouncer.ini"
else
  "$PGBOUNCER" -d "$WORK/pgbouncer.ini"
fi
stop() {
  if [ -f "$WORK/pgbouncer.pid" ]; then kill "$(cat "$WORK/pgbouncer.pid")" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap stop EXIT
for _ in $(seq 50); do
  node -e 'require("net").connect(Number(process.argv[1]), "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$PORT" && break
  sleep 0.1
done

for prepared in false true; do
  printf '\n--- the contract through PgBouncer (transaction mode), DATABASE_PREPARED_STATEMENTS=%s\n' "$prepared"
  DATABASE_URL="$DIRECT_URL" TEST_POOLER_ADDRESS="127.0.0.1:$PORT" DATABASE_PREPARED_STATEMENTS="$prepared" \
    npx vitest run app/api
done
