#!/usr/bin/env bash
# Regenerates customer_loyalty/i18n/customer_loyalty.pot from a database where the addon is
# installed, and merges it into vi.po (msgmerge keeps existing translations).
#   tools/i18n_export.sh [DB]
. "$(dirname "$0")/../scripts/lib.sh"
DB="${1:-loyalty_test}"
load_pg_env
I18N="$ROOT/$ADDON/i18n"
mkdir -p "$I18N"
"$PY" "$ODOO_BIN" -c "$ODOO_CONF" -d "$DB" -u "$ADDON" --i18n-export="$I18N/$ADDON.pot" \
    --modules="$ADDON" --stop-after-init --log-level=warn --http-port "$((HTTP_PORT + 30))"
if [ -f "$I18N/vi.po" ]; then
    msgmerge --quiet --update --backup=none --no-fuzzy-matching "$I18N/vi.po" "$I18N/$ADDON.pot"
else
    msginit --no-translator --locale=vi --input="$I18N/$ADDON.pot" --output-file="$I18N/vi.po"
fi
log "updated $I18N/$ADDON.pot and vi.po"
