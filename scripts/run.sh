#!/usr/bin/env bash
# `make run`: set everything up, create the database loyalty_demo (customer_loyalty with its
# demo data) unless it exists, then serve the web client on 127.0.0.1:$HTTP_PORT (admin/admin).
# LOYALTY_DETACH=1 starts the server in the background (stop it with `make stop`).
. "$(dirname "$0")/lib.sh"
DB="${LOYALTY_DEMO_DB:-loyalty_demo}"
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
URL="http://127.0.0.1:$HTTP_PORT/odoo?db=$DB"
args=(-c "$ODOO_CONF" -d "$DB" --db-filter="^$DB\$" --http-port "$HTTP_PORT")
if [ "${LOYALTY_DETACH:-0}" = 1 ]; then
    "$PY" "$ODOO_BIN" "${args[@]}" --logfile "$CACHE/server.log" &
    echo $! > "$CACHE/server.pid"
    for _ in $(seq 1 60); do
        curl -fsS -o /dev/null "http://127.0.0.1:$HTTP_PORT/web/login" 2>/dev/null && break
        sleep 1
    done
    log "Odoo is serving $URL (login admin / password admin); 'make stop' stops it"
else
    log "Odoo will serve $URL (login admin / password admin); Ctrl-C stops it"
    exec "$PY" "$ODOO_BIN" "${args[@]}"
fi
