#!/usr/bin/env bash
# `make bench`: the performance benchmarks of customer_loyalty, on databases of their own.
#   1. tools/bench_confirm.py: sales-order confirmation with customer_loyalty (bench_with) versus
#      plain Odoo loyalty (bench_without: the addon's dependencies and sale_crm, nothing else),
#      on an empty ledger, then again (fewer orders) once the ledger holds 100,000 lines;
#   2. tools/bench_expiry.py: the points-expiry cron on a generated 100,000-line ledger.
# The databases are created from nothing (no demo data) the first time and reused afterwards;
# bench_with is updated (-u customer_loyalty) when the addon's source changed since the last run.
# Other names: LOYALTY_BENCH_DB_WITH, LOYALTY_BENCH_DB_WITHOUT. Logs and outputs: .cache/bench/.
# The scripts work inside one transaction per database and roll it back: a run leaves no data.
#   tools/bench.sh [--fresh] [--only confirm|expiry] [--orders N] [--lines N] [--cards N]
# Figures only: timings are printed, never asserted. The exit status is non-zero when a
# database cannot be built or a correctness check of a script fails.
. "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DB_WITH="${LOYALTY_BENCH_DB_WITH:-bench_with}"
DB_WITHOUT="${LOYALTY_BENCH_DB_WITHOUT:-bench_without}"
OUT="$CACHE/bench"
fresh=0
only=""
confirm_args=()
expiry_args=()

usage() { sed -n '2,13s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1 ;;
        --only) only="${2:?--only needs confirm or expiry}"; shift ;;
        --orders) confirm_args+=(--orders "${2:?}"); shift ;;
        --lines) expiry_args+=(--lines "${2:?}"); shift ;;
        --cards) expiry_args+=(--cards "${2:?}"); shift ;;
        -h|--help) usage ;;
        *) log "unknown argument: $1"; usage 2 ;;
    esac
    shift
done
case "$only" in ""|confirm|expiry) ;; *) die "--only takes confirm or expiry, not '$only'" ;; esac

log "setup: Odoo, virtualenv, PostgreSQL (log: $CACHE/setup.log)"
"$ROOT/scripts/setup.sh" > "$CACHE/setup.log" 2>&1 || { cat "$CACHE/setup.log" >&2; die "setup failed"; }
load_pg_env
mkdir -p "$OUT"

# The "without" database has what customer_loyalty depends on (read from its manifest, so that it
# follows the addon) plus sale_crm; the "with" database has the same and customer_loyalty.
BASE_MODULES="$("$PY" -c 'import ast, sys
print(",".join(ast.literal_eval(open(sys.argv[1]).read())["depends"] + ["sale_crm"]))' \
    "$ROOT/$ADDON/__manifest__.py")" || die "cannot read $ADDON/__manifest__.py"

# A fingerprint of the addon's source: a reused database is updated when it changes.
addon_fingerprint() {
    find "$ROOT/$ADDON" -type f ! -path '*/__pycache__/*' ! -path '*/tests/*' -print0 | sort -z \
        | xargs -0 sha1sum | sed "s#$ROOT/##" | sha1sum | cut -c1-40
}

# Whether every module of the comma-separated list is installed in the database.
modules_installed() {  # db modules
    local want; want="$(tr ',' '\n' <<< "$2" | grep -c .)"
    local got
    got="$(psql -d "$1" -Atqc "SELECT count(*) FROM ir_module_module WHERE state = 'installed'
        AND name = ANY(string_to_array('$2', ','))" 2>/dev/null)" || return 1
    [ "$got" = "$want" ]
}

odoo_run() {  # db log odoo-args...
    local db="$1" logfile="$2"; shift 2
    if ! "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$db" --no-http --stop-after-init --log-level=warn \
            "$@" > "$logfile" 2>&1 || odoo_log_failed "$logfile"; then
        grep -E " (ERROR|CRITICAL) " -A20 "$logfile" | head -n 60 >&2
        die "Odoo failed on $db (log: $logfile)"
    fi
}

ensure_db() {  # db modules
    local db="$1" modules="$2" stamp="$OUT/$1.source" started
    if [ "$fresh" = 1 ] || ! modules_installed "$db" "$modules"; then
        log "database $db: creating from nothing with $modules, no demo data"
        PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"
        createdb "$db"
        rm -f "$stamp"
        started=$(date +%s)
        odoo_run "$db" "$OUT/install-$db.log" -i "$modules" --without-demo=all
        log "database $db: installed in $(( $(date +%s) - started )) s"
    else
        log "database $db: reusing it (--fresh to recreate)"
    fi
    if [[ ",$modules," == *",$ADDON,"* ]]; then
        local want; want="$(addon_fingerprint)"
        if [ -f "$stamp" ] && [ "$(cat "$stamp")" != "$want" ]; then
            log "database $db: $ADDON changed since the last run, updating it"
            odoo_run "$db" "$OUT/update-$db.log" -u "$ADDON"
        fi
        echo "$want" > "$stamp"
    fi
}

[ "$only" != expiry ] && ensure_db "$DB_WITHOUT" "$BASE_MODULES"
ensure_db "$DB_WITH" "$BASE_MODULES,$ADDON"

# The scripts roll back what they insert: the dead rows (100,000s of ledger lines) would stay in
# the tables, and the sequential scans of the next run would read them. INDEX_CLEANUP ON lets
# VACUUM give the emptied pages back (a plain VACUUM may skip that and keep the bloat).
vacuum_dbs() {
    local db
    for db in "$DB_WITH" "$DB_WITHOUT"; do
        psql -d "$db" -qc "VACUUM (INDEX_CLEANUP ON, ANALYZE)" 2>/dev/null || true
    done
}

status=0
run_bench() {  # output-name script args...
    local name="$1" script="$2"; shift 2
    vacuum_dbs
    log "running $script $* (output: $OUT/$name.txt)"
    rm -f "$OUT/$name.txt"
    if ! "$PY" "$ROOT/tools/$script.py" -c "$ODOO_CONF" "$@" > "$OUT/$name.txt"; then
        log "$name FAILED"
        status=1
    fi
}
if [ "$only" != expiry ]; then
    run_bench bench_confirm bench_confirm --with-db "$DB_WITH" --without-db "$DB_WITHOUT" \
        ${confirm_args[@]+"${confirm_args[@]}"}
    run_bench bench_confirm_ledger bench_confirm --with-db "$DB_WITH" --without-db "$DB_WITHOUT" \
        --orders 60 --rounds 6 --ledger-lines 100000
fi
[ "$only" != confirm ] && run_bench bench_expiry bench_expiry -d "$DB_WITH" \
    ${expiry_args[@]+"${expiry_args[@]}"}

echo
revision="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "$(git status --porcelain -- "$ADDON" 2>/dev/null)" ] && revision+=" + uncommitted changes"
echo "customer_loyalty benchmarks — $(date '+%Y-%m-%d %H:%M'), $revision, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in bench_confirm bench_confirm_ledger bench_expiry; do
    case "$name:$only" in bench_confirm*:expiry|bench_expiry:confirm) continue ;; esac
    [ -s "$OUT/$name.txt" ] || continue
    echo
    cat "$OUT/$name.txt"
done
exit "$status"
