#!/usr/bin/env bash
# `make run`: set everything up, create the database loyalty_demo (customer_loyalty with its
# demo data) unless it exists, then serve the web client on 127.0.0.1:$HTTP_PORT (admin/admin).
# LOYALTY_DETACH=1 (`make start`) starts the server in the background, detached from the terminal
# (its own session, output in $CACHE/server.log), and returns once it answers: `make start | cat`
# and scripts get their prompt back. `make stop` stops it.
# Other settings (README, "Settings of the scripts"): LOYALTY_HTTP_PORT, LOYALTY_DEMO_DB,
# LOYALTY_UPDATE, LOYALTY_CACHE, LOYALTY_DB_ROLE / LOYALTY_DB_PASSWORD, LOYALTY_PG_PORT.
. "$(dirname "$0")/lib.sh"
DB="${LOYALTY_DEMO_DB:-loyalty_demo}"
URL="http://127.0.0.1:$HTTP_PORT/odoo?db=$DB"
if server_running; then
    # Before the set-up: a second `make start` (or `make run`) neither reinstalls nor re-serves.
    log "Odoo is already running (pid $(cat "$CACHE/server.pid")); 'make stop' stops it"
    exit 0
fi
"$ROOT/scripts/setup.sh"
load_pg_env
if ! psql -d postgres -Atqc "select 1 from pg_database where datname = '$DB'" | grep -q 1; then
    log "creating database $DB with $ADDON and demo data (about two minutes the first time)"
    "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$DB" -i "$ADDON" --stop-after-init \
        --log-level=warn > "$CACHE/install-$DB.log" 2>&1 && ! odoo_log_failed "$CACHE/install-$DB.log" \
        || { tail -n 40 "$CACHE/install-$DB.log" >&2; dropdb --if-exists "$DB"; die "install failed"; }
elif [ "${LOYALTY_UPDATE:-0}" = 1 ]; then
    log "updating $ADDON in $DB"
    "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$DB" -u "$ADDON" --stop-after-init --log-level=warn
fi
args=(-c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" --http-port "$HTTP_PORT")
if [ "${LOYALTY_DETACH:-0}" = 1 ]; then
    # setsid: a session of its own, so that closing the terminal or Ctrl-C does not stop it; no
    # file descriptor of the terminal (or of a pipe such as `make start | cat`) stays open in it.
    rm -f "$CACHE/server.pid"
    setsid "$BASH" -c 'echo $$ > "$0"; exec "$@"' "$CACHE/server.pid" \
        "$PY" "$ODOO_BIN" "${args[@]}" < /dev/null > "$CACHE/server.log" 2>&1 &
    for _ in $(seq 1 90); do
        curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" 2>/dev/null && break
        server_running || { sleep 1; server_running; } || {
            tail -n 30 "$CACHE/server.log" >&2; die "Odoo stopped at start (log: $CACHE/server.log)"; }
        sleep 1
    done
    curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" 2>/dev/null \
        || die "Odoo does not answer on port $HTTP_PORT after 90 s (log: $CACHE/server.log)"
    log "Odoo is serving $URL (login admin / password admin); log in $CACHE/server.log;" \
        "'make stop' stops it"
else
    log "Odoo will serve $URL (login admin / password admin); Ctrl-C stops it"
    exec "$PY" "$ODOO_BIN" "${args[@]}"
fi
