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
#   4. tools/bench_reminder.py: the repurchase-reminder cron over the scale data set of
#      tools/bench_data.py (100,000 customers, 1,000,000 Sales and POS order lines).
#   5. tools/bench_analytics.py: the Loyalty dashboard's queries and the RFM cron on the scale
#      data of tools/bench_data.py, at 10,000 customers (100,000 lines) and 100,000 customers
#      (1,000,000 lines), with the ratio between the two sizes.
# The databases are created from nothing the first time and reused afterwards; the "with" ones
# are updated (-u customer_loyalty) when the addon's source changed since the last run. Names:
# LOYALTY_BENCH_DB_WITH, LOYALTY_BENCH_DB_WITHOUT (empty), LOYALTY_BENCH_DB_DEMO_WITH,
# LOYALTY_BENCH_DB_DEMO_WITHOUT (demo data), LOYALTY_BENCH_DB_SCALE (the scale data set: a copy
# of the "with" one where tools/bench_data.py --persist generated it once, in about 2 minutes;
# made again when the generator's version or the sizes change). Logs and outputs: .cache/bench/.
# The scripts work inside one transaction per database and roll it back: a run leaves no data.
#   tools/bench.sh [--fresh] [--only demo|empty|confirm|expiry|birthday|reminder|analytics]
#                  [--orders N] [--lines N] [--cards N] [--members N] [--scale-customers N]
#                  [--scale-lines N]
#                  (confirm = demo and empty; --orders: both confirm benches)
# Figures only: timings are printed, never asserted. The exit status is non-zero when a
# database cannot be built or a correctness check of a script fails.
. "$(dirname "$0")/../scripts/lib.sh"
cd "$ROOT"

DB_WITH="${LOYALTY_BENCH_DB_WITH:-bench_with}"
DB_WITHOUT="${LOYALTY_BENCH_DB_WITHOUT:-bench_without}"
DB_DEMO_WITH="${LOYALTY_BENCH_DB_DEMO_WITH:-bench_demo_with}"
DB_DEMO_WITHOUT="${LOYALTY_BENCH_DB_DEMO_WITHOUT:-bench_demo_without}"
DB_SCALE="${LOYALTY_BENCH_DB_SCALE:-bench_scale}"
SCALE_CUSTOMERS=100000
SCALE_LINES=1000000
OUT="$CACHE/bench"
fresh=0
only=""
confirm_args=()
expiry_args=()
birthday_args=()

usage() { sed -n '2,28s/^# \{0,1\}//p' "$0"; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --fresh) fresh=1 ;;
        --only) only="${2:?--only needs demo, empty, confirm, expiry, birthday, reminder or analytics}"; shift ;;
        --orders) confirm_args+=(--orders "${2:?}"); shift ;;
        --lines) expiry_args+=(--lines "${2:?}"); shift ;;
        --cards) expiry_args+=(--cards "${2:?}"); shift ;;
        --members) birthday_args+=(--members "${2:?}"); shift ;;
        --scale-customers) SCALE_CUSTOMERS="${2:?}"; shift ;;
        --scale-lines) SCALE_LINES="${2:?}"; shift ;;
        -h|--help) usage ;;
        *) log "unknown argument: $1"; usage 2 ;;
    esac
    shift
done
case "$only" in
    ""|demo|empty|confirm|expiry|birthday|reminder|analytics) ;;
    *) die "--only takes demo, empty, confirm, expiry, birthday, reminder or analytics, not '$only'" ;;
esac
# Which parts run.
want() {  # part: demo, empty, expiry, birthday, reminder or analytics
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
{ want empty || want expiry || want birthday || want reminder || want analytics; } \
    && ensure_db "$DB_WITH" "$BASE_MODULES,$ADDON" 0

# The scale data set is generated once (about 2 minutes for a million lines) into a copy of the
# "with" database, stamped by the generator; it is made again when the generator's version or
# the sizes change, or with --fresh. The benchmarks roll back what they do on it.
ensure_scale_db() {
    local db="$DB_SCALE" stamp="$OUT/$DB_SCALE.source" want have started
    want="$("$PY" -c 'import sys; sys.path.insert(0, sys.argv[1]); import bench_data
print(bench_data.VERSION)' "$ROOT/tools"):$SCALE_CUSTOMERS:$SCALE_LINES"
    have="$(psql -d "$db" -Atqc "SELECT concat_ws(':', value::json->>'version',
        value::json->>'customers', value::json->>'lines') FROM ir_config_parameter
        WHERE key = 'customer_loyalty.bench_data'" 2>/dev/null)" || have=""
    if [ "$fresh" = 1 ] || [ "$have" != "$want" ]; then
        log "database $db: generating the scale data set ($SCALE_CUSTOMERS customers," \
            "$SCALE_LINES order lines; log: $OUT/bench_data.log)"
        PGOPTIONS="-c client_min_messages=warning" dropdb --if-exists "$db"
        createdb -T "$DB_WITH" "$db"
        cp "$OUT/$DB_WITH.source" "$stamp"
        started=$(date +%s)
        "$PY" "$ROOT/tools/bench_data.py" -c "$ODOO_CONF" -d "$db" --persist \
            --customers "$SCALE_CUSTOMERS" --lines "$SCALE_LINES" > "$OUT/bench_data.log" 2>&1 \
            || { tail -n 30 "$OUT/bench_data.log" >&2; die "bench_data.py failed on $db"; }
        log "database $db: generated in $(( $(date +%s) - started )) s"
        psql -d "$db" -qc "VACUUM (ANALYZE)" 2>/dev/null || true
    else
        log "database $db: reusing its data set ($have; --fresh to make it again)"
    fi
    want="$(addon_fingerprint)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "database $db: $ADDON may have changed since the last run, updating it"
        odoo_run "$db" "$OUT/update-$db.log" -u "$ADDON"
    fi
    echo "$want" > "$stamp"
}
want reminder && ensure_scale_db

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
    elif [ "$name" = bench_reminder ]; then
        vacuum_dbs "$DB_SCALE"
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
want reminder && run_bench bench_reminder bench_reminder -d "$DB_SCALE" \
    --customers "$SCALE_CUSTOMERS" --lines "$SCALE_LINES"
want analytics && run_bench bench_analytics bench_analytics -d "$DB_WITH"

echo
revision="$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
[ -n "$(git status --porcelain -- "$ADDON" 2>/dev/null)" ] && revision+=" + uncommitted changes"
echo "customer_loyalty benchmarks — $(date '+%Y-%m-%d %H:%M'), $revision, $(nproc) cores," \
    "load $(cut -d' ' -f1-3 /proc/loadavg)"
for name in bench_confirm_demo bench_confirm bench_confirm_ledger bench_expiry bench_birthday \
        bench_reminder bench_analytics; do
    case "$name" in
        bench_confirm_demo) want demo || continue ;;
        bench_confirm|bench_confirm_ledger) want empty || continue ;;
        bench_expiry) want expiry || continue ;;
        bench_birthday) want birthday || continue ;;
        bench_reminder) want reminder || continue ;;
        bench_analytics) want analytics || continue ;;
    esac
    [ -s "$OUT/$name.txt" ] || continue
    echo
    cat "$OUT/$name.txt"
done
exit "$status"
