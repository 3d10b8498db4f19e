#!/usr/bin/env bash
# Takes docs/pos_member.png, the README's picture of the POS with a scanned member, by running
# the POS tour test in headless Chromium on a copy of the test database.
#   tools/pos_screenshot.sh [DB]   (default: loyalty_test, as left by `make test`)
. "$(dirname "$0")/../scripts/lib.sh"
load_pg_env
DB="${1:-loyalty_test}"
COPY="${DB}_screenshot"
dropdb --if-exists "$COPY" && createdb -T "$DB" "$COPY"
LOYALTY_POS_SCREENSHOT="$ROOT/docs/pos_member.png" "$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$COPY" \
    --test-tags /customer_loyalty:TestPosMemberScanTour.test_scan_member_sell_and_earn \
    --http-port "$((HTTP_PORT + 40))" --stop-after-init --log-level=test \
    2>&1 | grep -E "odoo.tests.result|FAIL|ERROR" || true
dropdb --if-exists "$COPY"
ls -l "$ROOT/docs/pos_member.png"
