#!/usr/bin/env bash
# Prepares everything the addon needs, reusing what is already there:
#   1. system packages (Debian/Ubuntu, as root) or a list of what is missing;
#   2. Odoo 18.0 source: $ODOO_SRC (a directory or a .tar.xz), else upstream's 18.0 branch;
#   3. a virtualenv with the pinned requirements (requirements/*.txt);
#   4. a PostgreSQL server (scripts/postgres.sh) and .cache/odoo.conf.
. "$(dirname "$0")/lib.sh"
mkdir -p "$CACHE"

install_packages() {  # apt-get install "$@", as root or with sudo; fails when it cannot
    command -v apt-get >/dev/null 2>&1 || return 1
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || return 1
        sudo=(sudo)
    fi
    log "installing system packages: $*"
    "${sudo[@]}" apt-get update -qq >/dev/null
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

system_packages() {
    local missing=() optional=()
    command -v psql >/dev/null 2>&1 || missing+=(postgresql-client)
    pg_bin_dir >/dev/null 2>&1 || missing+=(postgresql)
    command -v pg_config >/dev/null 2>&1 || missing+=(libpq-dev)
    command -v gcc >/dev/null 2>&1 || missing+=(build-essential)
    command -v git >/dev/null 2>&1 || missing+=(git)
    command -v xz >/dev/null 2>&1 || missing+=(xz-utils)
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
    if [ "${LOYALTY_WITH_BROWSER:-0}" = 1 ]; then
        # The test suite's browser tours (headless Chromium) and PDF reports (wkhtmltopdf).
        command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
            || command -v google-chrome >/dev/null 2>&1 || optional+=(chromium)
        command -v wkhtmltopdf >/dev/null 2>&1 || optional+=(wkhtmltopdf)
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        install_packages "${missing[@]}" \
            || die "missing system packages: ${missing[*]} (install them, then run this again)"
    fi
    if [ ${#optional[@]} -gt 0 ]; then
        install_packages "${optional[@]}" \
            || log "WARNING: ${optional[*]} missing: browser/PDF tests will be skipped"
    fi
    return 0
}

odoo_source() {
    if [ -f "$ODOO_BIN" ] && [ -d "$ODOO_DIR/odoo/addons/sale_loyalty" ]; then
        return 0
    fi
    rm -rf "$ODOO_DIR"
    if [ -n "${ODOO_SRC:-}" ]; then
        if [ -d "$ODOO_SRC" ]; then
            log "Odoo source: linking $ODOO_SRC"
            ln -s "$(cd "$ODOO_SRC" && pwd)" "$ODOO_DIR"
        elif [ -f "$ODOO_SRC" ]; then
            log "Odoo source: extracting $ODOO_SRC"
            local tmp; tmp="$(mktemp -d "$CACHE/extract.XXXX")"
            tar -xJf "$ODOO_SRC" -C "$tmp"
            mv "$tmp"/odoo-18.0* "$ODOO_DIR" 2>/dev/null || mv "$tmp"/* "$ODOO_DIR"
            rm -rf "$tmp"
        else
            die "ODOO_SRC=$ODOO_SRC is neither a directory nor a file"
        fi
    else
        log "Odoo source: shallow clone of upstream 18.0 (set ODOO_SRC to use a local copy)"
        git clone --depth 1 --branch 18.0 https://github.com/odoo/odoo.git "$ODOO_DIR"
    fi
    [ -f "$ODOO_BIN" ] || die "no odoo-bin in $ODOO_DIR"
}

virtualenv() {
    local stamp="$VENV/.requirements.sha"
    local want; want="$(cat "$ROOT"/requirements/*.txt | sha1sum | cut -c1-40)"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "virtualenv: installing requirements/dev.txt"
        "$PY" -m pip install -q --disable-pip-version-check --upgrade pip wheel setuptools
        "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/requirements/dev.txt"
        echo "$want" > "$stamp"
    fi
    # Odoo 18 has no setup.py: put the source tree on the virtualenv's path.
    local site; site="$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    echo "$ODOO_DIR" > "$site/odoo-src.pth"
}

# OCA addons we depend on (requirements/oca.txt, 18.0 releases pinned). Their wheels declare a
# dependency on an `odoo` distribution that is on no registry, so they go in with --no-deps into
# a folder of their own, which odoo_conf puts on the addons path.
oca_addons() {
    local stamp="$OCA_DIR/.requirements.sha"
    local want; want="$(sha1sum < "$ROOT/requirements/oca.txt" | cut -c1-40)"
    if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        log "OCA addons: installing requirements/oca.txt into $OCA_DIR"
        rm -rf "$OCA_DIR"
        "$PY" -m pip install -q --disable-pip-version-check --no-deps --target "$OCA_DIR" \
            -r "$ROOT/requirements/oca.txt"
        echo "$want" > "$stamp"
    fi
}

odoo_conf() {
    load_pg_env
    cat > "$ODOO_CONF" <<CONF
[options]
addons_path = $ODOO_DIR/odoo/addons,$OCA_DIR/odoo/addons,$ROOT
data_dir = $CACHE/filestore
db_host = $PGHOST
db_port = $PGPORT
db_user = $PGUSER
db_password = $PGPASSWORD
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $HTTP_PORT
without_demo = False
max_cron_threads = 1
log_level = info
CONF
}

system_packages
virtualenv
oca_addons
[ "${1:-}" = --venv-only ] && exit 0
odoo_source
"$ROOT/scripts/postgres.sh" start
odoo_conf
log "ready: $ODOO_BIN -c $ODOO_CONF"
