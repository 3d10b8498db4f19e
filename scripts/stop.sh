#!/usr/bin/env bash
# `make stop`: stop what the project started (a detached Odoo server, the local PostgreSQL).
. "$(dirname "$0")/lib.sh"
if [ -f "$CACHE/server.pid" ]; then
    kill "$(cat "$CACHE/server.pid")" 2>/dev/null && log "Odoo server stopped" || true
    rm -f "$CACHE/server.pid"
fi
"$ROOT/scripts/postgres.sh" stop
