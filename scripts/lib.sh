# Shared settings for the project's scripts (sourced, not run).
# shellcheck shell=bash
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${LOYALTY_CACHE:-$ROOT/.cache}"
VENV="$CACHE/venv"
PY="$VENV/bin/python"
ODOO_DIR="$CACHE/odoo-18.0"
OCA_DIR="$CACHE/oca"
ODOO_BIN="$ODOO_DIR/odoo-bin"
ODOO_CONF="$CACHE/odoo.conf"
PG_ENV="$CACHE/pg.env"
PGDATA_DIR="${LOYALTY_PGDATA:-$CACHE/pgdata}"
[ -z "${LOYALTY_PGDATA:-}" ] && [ -f "$CACHE/pgdata.path" ] && PGDATA_DIR="$(cat "$CACHE/pgdata.path")"
PG_OS_USER="${LOYALTY_PG_OS_USER:-odoo}"
PG_LOCAL_PORT="${LOYALTY_PG_PORT:-5433}"
DB_ROLE="${LOYALTY_DB_ROLE:-odoo}"
DB_PASSWORD="${LOYALTY_DB_PASSWORD:-odoo}"
HTTP_PORT="${LOYALTY_HTTP_PORT:-8069}"
ADDON=customer_loyalty
MODULES_FOR_TESTS="$ADDON"

# Whether an Odoo log shows a failure. Odoo only logs a WARNING when an addon's demo data fails to
# load (and installs it without), so that counts as a failure too.
odoo_log_failed() {  # logfile
    grep -qE " (ERROR|CRITICAL) |demo data failed to install" "$1"
}

# Whether the Odoo server of `make start` runs (its pid file names a live odoo-bin process).
server_running() {
    local pid
    pid="$(cat "$CACHE/server.pid" 2>/dev/null)" || return 1
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
        && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q odoo-bin
}

log() { printf '\033[1m[%s]\033[0m %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

pg_bin_dir() {
    local d
    for d in /usr/lib/postgresql/{17,16,15,14,13}/bin; do
        [ -x "$d/initdb" ] && { echo "$d"; return 0; }
    done
    command -v initdb >/dev/null 2>&1 && { dirname "$(command -v initdb)"; return 0; }
    return 1
}

# Loads the connection settings chosen by scripts/postgres.sh.
load_pg_env() {
    [ -f "$PG_ENV" ] || die "no PostgreSQL settings yet: run 'make setup'"
    # shellcheck disable=SC1090
    . "$PG_ENV"
    export PGHOST PGPORT PGUSER PGPASSWORD
}
