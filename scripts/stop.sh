#!/usr/bin/env bash
# `make stop`: stop what the project started: the Odoo server of `make start`, then the local
# PostgreSQL. Odoo first, and waited for: a server (or one of its crons) still at work when its
# database goes away logs a traceback.
. "$(dirname "$0")/lib.sh"
if server_running; then
    pid="$(cat "$CACHE/server.pid")"
    kill "$pid"
    # Odoo finishes its requests and crons on SIGTERM; give it 30 s, then SIGKILL.
    for _ in $(seq 1 60); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "Odoo (pid $pid) did not stop in 30 s: killing it"
        kill -9 "$pid" 2>/dev/null || true
    fi
    log "Odoo server stopped"
fi
rm -f "$CACHE/server.pid"
"$ROOT/scripts/postgres.sh" stop
