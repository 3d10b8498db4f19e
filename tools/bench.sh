#!/usr/bin/env bash
# `make bench`: the performance benchmarks of customer_loyalty, on databases of their own.
#   1. tools/bench_confirm.py: sales-order confirmation with customer_loyalty ("with") versus
#      plain Odoo loyalty ("without": the addon's dependencies and sale_crm, nothing else):
#      a. demo: on databases like a user's (Odoo's demo data, and the addon's on the "with"
#         side): 50 members, 3 lines per order, in the main company on both sides;
#      b. empty: on databases without demo data (20 members, 2-3 lines per order), then again
#         (fewer orders) once the ledger holds 100,000 lines;
#   2. tools/bench_expiry.py: the points-expiry cron on a generated 100,000-line ledger;
#   3. tools/bench_birthday.py: the birthday and anniversary gift cron over 100,000 generated
#      members (a run that issues, a second run that issues nothing, the e-mails' cron);
#   4. tools/bench_analytics.py: the Loyalty dashboard's queries and the RFM cron on the scale
#      data of tools/bench_data.py, at 10,000 customers (100,000 lines) and 100,000 customers
#      (1,000,000 lines), with the ratio between the two sizes.
# The databases are created from nothing the first time and reused afterwards; the "with" ones
# are updated (-u customer_loyalty) when the addon's source changed since the last run. Names:
# LOYALTY_BENCH_DB_WITH, LOYALTY_BENCH_DB_WITHOUT (empty), LOYALTY_BENCH_DB_DEMO_WITH,
# LOYALTY_BENCH_DB_DEMO_WITHOUT (demo data). Logs and outputs: .cache/bench/.
# The scripts work inside one transaction per database and roll it back: a run leaves no data.
#   tools/bench.sh [--fresh] [--only demo|empty|confirm|expiry|birthday|analytics] [--orders N]
#                  [--lines N] [--cards N] [--members N]
#                  (confirm = demo and empty; --orders: both confirm benches)
# Figures only: timings are printed, never asserted. The exit status is non-zero when a
# database cannot be built or a correctness check of a script fails.
. "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DB_WITH="${LOYALTY_BENCH_DB_WITH:-bench_with}"
DB_WITHOUT="${LOYALTY_BENCH_DB_WITHOUT:-bench_without}"
DB_DEMO_WITH="${LOYALTY_BENCH_DB_DEMO_WITH:-bench_demo_with}"
DB_DEMO_WITHOUT="${LOYALTY_BENCH_DB_DEMO_WITHOUT:-bench_demo_without}"
OUT="$CACHE/bench"
fresh=0
only=""
confirm_args=()
expiry_args=()
birthday_args=()

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1 ;;
        --only) only="${2:?--only needs demo, empty, confirm, expiry, birthday or analytics}"; shift ;;
        --orders) confirm_args+=(--orders "${2:?}"); shift ;;
        --lines) expiry_args+=(--lines "${2:?}"); shift ;;
        --cards) expiry_args+=(--cards "${2:?}"); shift ;;
        --members) birthday_args+=(--members "${2:?}"); shift ;;
        -h|--help) usage ;;
        *) log "unknown argument: $1"; usage 2 ;;
    esac
    shift
done
case "$only" in
    ""|demo|empty|confirm|expiry|birthday|analytics) ;;
    *) die "--only takes demo, empty, confirm, expiry, birthday or analytics, not '$only'" ;;
esac
# Which parts run.
want() {  # part: demo, empty, expiry or birthday
    case "$only" in
        "") return 0 ;;
        confirm) [ "$1" = demo ] || [ "$1" = empty ] ;;
        *) [ "$1" = "$only" ] ;;
    esac
}

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

# Whether the database was installed with demo data (base's demo partner is there).
has_demo() {  # db
    [ "$(psql -d "$1" -Atqc "SELECT count(*) FROM ir_model_data
        WHERE module = 'base' AND name = 'res_partner_1'" 2>/dev/null)" = 1 ]
}

ensure_db() {  # db modules demo(0|1)
    local db="$1" modules="$2" demo="$3" stamp="$OUT/$1.source" started demo_args
    if [ "$fresh" = 1 ] || ! modules_installed "$db" "$modules" \
            || [ "$(has_demo "$db" && echo 1 || echo 0)" != "$demo" ]; then
        if [ "$demo" = 1 ]; then
            log "database $db: creating from nothing with $modules and demo data"
            demo_args=(--without-demo=)
        else
            log "database $db: creating from nothing with $modules, no demo data"
            demo_args=(--without-demo=all)
        fi
        PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"
        createdb "$db"
        rm -f "$stamp"
        started=$(date +%s)
        odoo_run "$db" "$OUT/install-$db.log" -i "$modules" "${demo_args[@]}"
        log "database $db: installed in $(( $(date +%s) - started )) s"
    else
        log "database $db: reusing it (--fresh to recreate)"
    fi
    if [[ ",$modules," == *",$ADDON,"* ]]; then
        local want; want="$(addon_fingerprint)"
        # No stamp (a database made elsewhere) or another source: update it.
        if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
            log "database $db: $ADDON may have changed since the last run, updating it"
            odoo_run "$db" "$OUT/update-$db.log" -u "$ADDON"
        fi
        echo "$want" > "$stamp"
    fi
}

if want demo; then
    ensure_db "$DB_DEMO_WITHOUT" "$BASE_MODULES" 1
    ensure_db "$DB_DEMO_WITH" "$BASE_MODULES,$ADDON" 1
fi
want empty && ensure_db "$DB_WITHOUT" "$BASE_MODULES" 0
{ want empty || want expiry || want birthday || want analytics; } && ensure_db "$DB_WITH" "$BASE_MODULES,$ADDON" 0

# The scripts roll back what they insert: the dead rows (100,000s of ledger lines) would stay in
# the tables, and the sequential scans of the next run would read them. INDEX_CLEANUP ON lets
# VACUUM give the emptied pages back (a plain VACUUM may skip that and keep the bloat).
vacuum_dbs() {
    local db
    for db in "$@"; do
        psql -d "$db" -qc "VACUUM (INDEX_CLEANUP ON, ANALYZE)" 2>/dev/null || true
    done
}

status=0
run_bench() {  # output-name script args...
    local name="$1" script="$2"; shift 2
    if [ "$name" = bench_confirm_demo ]; then
        vacuum_dbs "$DB_DEMO_WITH" "$DB_DEMO_WITHOUT"
    else
        vacuum_dbs "$DB_WITH" "$DB_WITHOUT"
    fi
    log "running $script $* (output: $OUT/$name.txt)"
    rm -f "$OUT/$name.txt"
    if ! "$PY" "$ROOT/tools/$script.py" -c "$ODOO_CONF" "$@" > "$OUT/$name.txt"; then
        log "$name FAILED"
        status=1
    fi
}
if want demo; then
    # As a user's database: 50 members, orders of 3 lines, in the main company (YourCompany:
    # the addon's demo makes another company the administrator's, which the other side lacks).
    run_bench bench_confirm_demo bench_confirm --with-db "$DB_DEMO_WITH" \
        --without-db "$DB_DEMO_WITHOUT" --customers 50 --order-lines 3 --main-company \
        ${confirm_args[@]+"${confirm_args[@]}"}
fi
if want empty; then
    run_bench bench_confirm bench_confirm --with-db "$DB_WITH" --without-db "$DB_WITHOUT" \
        ${confirm_args[@]+"${confirm_args[@]}"}
    run_bench bench_confirm_ledger bench_confirm --with-db "$DB_WITH" --without-db "$DB_WITHOUT" \
        --orders 60 --rounds 6 --ledger-lines 100000
fi
want expiry && run_bench bench_expiry bench_expiry -d "$DB_WITH" \
    ${expiry_args[@]+"${expiry_args[@]}"}
want birthday && run_bench bench_birthday bench_birthday -d "$DB_WITH" \
    ${birthday_args[@]+"${birthday_args[@]}"}
want analytics && run_bench bench_analytics bench_analytics -d "$DB_WITH"

echo
revision="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "$(git status --porcelain -- "$ADDON" 2>/dev/null)" ] && revision+=" + uncommitted changes"
echo "customer_loyalty benchmarks — $(date '+%Y-%m-%d %H:%M'), $revision, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in bench_confirm_demo bench_confirm bench_confirm_ledger bench_expiry bench_birthday \
        bench_analytics; do
    case "$name" in
        bench_confirm_demo) want demo || continue ;;
        bench_confirm|bench_confirm_ledger) want empty || continue ;;
        bench_expiry) want expiry || continue ;;
        bench_birthday) want birthday || continue ;;
        bench_analytics) want analytics || continue ;;
    esac
    [ -s "$OUT/$name.txt" ] || continue
    echo
    cat "$OUT/$name.txt"
done
exit "$status"
