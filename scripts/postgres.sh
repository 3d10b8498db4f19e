#!/usr/bin/env bash
# Finds a PostgreSQL server Odoo can use, or starts a throwaway cluster under .cache/pgdata.
# Order: the server named by the libpq PG* variables; one on 127.0.0.1:5432 that accepts the
# configured role; else a local cluster (as the system user $PG_OS_USER when run as root, because
# PostgreSQL refuses to run as root). Writes the chosen settings to .cache/pg.env.
#   scripts/postgres.sh [start|stop|status]
. "$(dirname "$0")/lib.sh"
mkdir -p "$CACHE"

can_connect() {  # host port user password
    PGPASSWORD="$4" PGCONNECT_TIMEOUT=3 psql -h "$1" -p "$2" -U "$3" -d postgres -Atqc \
        "select rolcreatedb or rolsuper from pg_roles where rolname = current_user" 2>/dev/null | grep -q t
}

write_env() {  # host port user password origin
    cat > "$PG_ENV" <<ENV
PGHOST=$1
PGPORT=$2
PGUSER=$3
PGPASSWORD=$4
PG_ORIGIN=$5
ENV
    log "PostgreSQL: $3@$1:$2 ($5)"
}

port_busy() {  # is something listening on 127.0.0.1:$1 ?
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

as_pg_user() {
    if [ "$(id -u)" = 0 ]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

start_local() {
    local bin; bin="$(pg_bin_dir)" || die "PostgreSQL server binaries not found (install 'postgresql')"
    if [ "$(id -u)" = 0 ] && ! id "$PG_OS_USER" >/dev/null 2>&1; then
        useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
    fi
    # The server runs as $PG_OS_USER: if it cannot reach the checkout (e.g. a clone under
    # /root), keep the cluster in a folder of its own under /var/tmp instead.
    if [ "$(id -u)" = 0 ] && [ -z "${LOYALTY_PGDATA:-}" ] && [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
        if ! runuser -u "$PG_OS_USER" -- test -x "$CACHE"; then
            PGDATA_DIR="/var/tmp/customer_loyalty-pg-$(printf '%s' "$ROOT" | sha1sum | cut -c1-10)"
            log "the checkout is not readable by $PG_OS_USER: cluster in $PGDATA_DIR"
            echo "$PGDATA_DIR" > "$CACHE/pgdata.path"
        fi
    fi
    if [ ! -s "$PGDATA_DIR/PG_VERSION" ]; then
        log "initdb $PGDATA_DIR"
        mkdir -p "$PGDATA_DIR"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$PGDATA_DIR"
        chmod 700 "$PGDATA_DIR"
        local pwfile; pwfile="$(mktemp)"; printf '%s\n' "$DB_PASSWORD" > "$pwfile"
        [ "$(id -u)" = 0 ] && chown "$PG_OS_USER" "$pwfile"
        as_pg_user "$bin/initdb" -D "$PGDATA_DIR" -U "$DB_ROLE" --pwfile="$pwfile" \
            --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
        rm -f "$pwfile"
        local port="$PG_LOCAL_PORT"
        while port_busy "$port"; do port=$((port + 1)); done
        cat >> "$PGDATA_DIR/postgresql.conf" <<CONF
# customer_loyalty throwaway cluster: speed over durability (never use for real data)
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PGDATA_DIR'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
CONF
    fi
    if ! as_pg_user "$bin/pg_ctl" -D "$PGDATA_DIR" status >/dev/null 2>&1; then
        as_pg_user "$bin/pg_ctl" -D "$PGDATA_DIR" -l "$PGDATA_DIR/server.log" -w start >/dev/null
    fi
    local conf_port
    conf_port="$(sed -n 's/^port = \([0-9]*\).*/\1/p' "$PGDATA_DIR/postgresql.conf" | tail -n 1)"
    write_env 127.0.0.1 "$conf_port" "$DB_ROLE" "$DB_PASSWORD" local
}

case "${1:-start}" in
start)
    if [ -f "$PG_ENV" ] && grep -q '^PG_ORIGIN=local' "$PG_ENV"; then
        start_local
    elif [ -n "${PGHOST:-}${PGPORT:-}${PGUSER:-}" ] && \
        can_connect "${PGHOST:-127.0.0.1}" "${PGPORT:-5432}" "${PGUSER:-$DB_ROLE}" "${PGPASSWORD:-}"; then
        write_env "${PGHOST:-127.0.0.1}" "${PGPORT:-5432}" "${PGUSER:-$DB_ROLE}" "${PGPASSWORD:-}" environment
    elif can_connect 127.0.0.1 5432 "$DB_ROLE" "$DB_PASSWORD"; then
        write_env 127.0.0.1 5432 "$DB_ROLE" "$DB_PASSWORD" existing
    else
        start_local
    fi ;;
stop)
    if [ -s "$PGDATA_DIR/PG_VERSION" ]; then
        bin="$(pg_bin_dir)" || exit 0
        as_pg_user "$bin/pg_ctl" -D "$PGDATA_DIR" -m fast stop >/dev/null 2>&1 && log "PostgreSQL stopped" || true
    fi ;;
status)
    load_pg_env; psql -d postgres -Atc 'select version()' ;;
*) die "usage: $0 [start|stop|status]" ;;
esac
