#!/usr/bin/env bash
# `make test`: static checks, the Odoo suite of customer_loyalty on a freshly created database
# (pytest-odoo), the same suite through Odoo's own test runner on another fresh database, the
# pure-Python tests, then one closing line `N passed, N failed[, N skipped]`.
# Where Odoo cannot be had, the Odoo suite is reported as skipped (never as passed); with
# LOYALTY_REQUIRE_ODOO=1 (CI, when the shared Odoo tarball exists) that is a failure.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
mkdir -p "$CACHE/reports"
REPORTS="$CACHE/reports"
rm -f "$REPORTS"/*.xml "$REPORTS"/*.log
TEST_DB="${LOYALTY_TEST_DB:-loyalty_test}"
status=0
summary_args=()

# 1. The virtualenv (tools and pins) and static checks.
log "virtualenv and tools"
"$ROOT/scripts/setup.sh" --venv-only
log "static checks: ruff, pylint-odoo"
if "$VENV/bin/ruff" check --quiet "$ADDON" scripts tests tools \
    && "$VENV/bin/pylint" --rcfile="$ROOT/.pylintrc" --score=n "$ADDON"; then
    log "static checks passed"
else
    log "static checks FAILED"
    status=1
fi

# 2. The Odoo suite on a fresh database (browser tests need Chromium: installed when missing).
odoo_reason=""
if ! LOYALTY_WITH_BROWSER=1 "$ROOT/scripts/setup.sh" > "$CACHE/setup.log" 2>&1; then
    odoo_reason="Odoo could not be set up: $(grep -h 'ERROR' "$CACHE/setup.log" | tail -n 1)"
    cat "$CACHE/setup.log" >&2
fi
if [ -z "$odoo_reason" ]; then
    load_pg_env
    # The tests' own configuration: another HTTP port, so a running `make run` is no obstacle.
    TEST_CONF="$CACHE/odoo-test.conf"
    sed "s/^http_port = .*/http_port = $((HTTP_PORT + 20))/" "$ODOO_CONF" > "$TEST_CONF"
    log "Odoo suite: fresh database $TEST_DB with $ADDON and demo data"
    dropdb --if-exists "$TEST_DB" >/dev/null
    started=$(date +%s)
    install_log="$CACHE/install-$TEST_DB.log"
    if ! "$PY" "$ODOO_BIN" -c "$TEST_CONF" -d "$TEST_DB" -i "$ADDON" --stop-after-init \
            --log-level=warn > "$install_log" 2>&1 \
            || odoo_log_failed "$install_log"; then
        grep -E " (WARNING|ERROR|CRITICAL) " -A20 "$install_log" | head -n 80 >&2
        log "installing $ADDON FAILED (log: $install_log)"
        status=1
        summary_args+=("odoo-install=$REPORTS/missing-install.xml")
    else
        log "installed in $(( $(date +%s) - started )) s"
        grep -E " WARNING " "$install_log" | head -n 20 >&2 || true
        # 2b. The same suite through Odoo's own runner, as OCA's CI and Odoo's runbot run it: the
        # addon installed with --test-enable on another fresh database, at_install tests while the
        # registry loads, post_install ones after (under the registry lock: a test that needs an
        # answer from this server must be an HttpCase). --test-tags keeps it to the addon's tests
        # (not those of Sales, POS... installed with it). A timeout ends a test that would wait
        # forever; the summary then finds no result line and fails. It runs beside pytest-odoo
        # (another database, another HTTP port): one Python process each on a 2-core machine,
        # about 10 minutes sooner than one after the other. LOYALTY_SERIAL_TESTS=1 runs them in
        # turn.
        runner_db="${TEST_DB}_runner"
        runner_log="$REPORTS/odoo-runner.log"
        runner_port="$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
        run_runner() {
            local started
            started=$(date +%s)
            dropdb --if-exists "$runner_db" >/dev/null
            local rc=0
            timeout --kill-after=30 "${LOYALTY_RUNNER_TIMEOUT:-2700}" \
                "$PY" "$ODOO_BIN" -c "$TEST_CONF" -d "$runner_db" -i "$ADDON" --test-enable \
                --test-tags "/$ADDON" --stop-after-init --http-port "$runner_port" \
                --log-level=test > "$runner_log" 2>&1 || rc=1
            log "Odoo's runner finished in $(( $(date +%s) - started )) s (log: $runner_log)"
            return "$rc"
        }
        log "Odoo suite: Odoo's test runner on a fresh database $runner_db (port $runner_port)"
        runner_pid=""
        if [ "${LOYALTY_SERIAL_TESTS:-0}" = 1 ]; then
            run_runner || status=1
        else
            run_runner &
            runner_pid=$!
        fi
        log "Odoo suite: pytest-odoo $ADDON/tests"
        "$VENV/bin/pytest" -p no:cacheprovider -q -rfEs --disable-warnings --odoo-config="$TEST_CONF" \
            --odoo-database="$TEST_DB" --odoo-http --junitxml="$REPORTS/odoo.xml" \
            "$ADDON/tests" || status=1
        summary_args+=("odoo=$REPORTS/odoo.xml")

        if [ -n "$runner_pid" ]; then
            wait "$runner_pid" || status=1
        fi
        grep -E "(ERROR|CRITICAL) .*(FAIL|ERROR):|odoo\.tests\.result:" "$runner_log" >&2 || true
        summary_args+=(--odoo-log "odoo-runner=$runner_log")
    fi
fi
if [ -n "$odoo_reason" ]; then
    log "Odoo suite SKIPPED: $odoo_reason"
    summary_args+=(--skipped-suite "odoo:$odoo_reason" --skipped-suite "odoo-runner:$odoo_reason")
    [ "${LOYALTY_REQUIRE_ODOO:-0}" = 1 ] && { log "the Odoo suite is required here"; status=1; }
fi
# Where the Odoo suite is required (CI), a skipped Odoo test (e.g. a browser test without
# Chromium or websocket-client) is a failure, not a pass.
[ "${LOYALTY_REQUIRE_ODOO:-0}" = 1 ] && summary_args+=(--no-skips odoo --no-skips odoo-runner)

# 3. Pure-Python tests (tooling), without the pytest-odoo plugin.
log "pure-Python tests"
"$VENV/bin/pytest" -p no:cacheprovider -p no:odoo -q --disable-warnings --junitxml="$REPORTS/python.xml" tests \
    || status=1
summary_args+=("python=$REPORTS/python.xml")

echo
"$PY" "$ROOT/scripts/summarize.py" "${summary_args[@]}" || status=1
exit "$status"
