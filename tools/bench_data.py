#!/usr/bin/env python3
"""Scale data for the benchmarks: customers, Sales and POS orders over three years, members.

Generates, set-wise in SQL (``INSERT … SELECT generate_series``, no ORM loop, no per-row
Python), in two companies (the first two with a membership program, a Vietnamese-đồng one
first; a second company "Bench Shop B" in VND is made when there is only one):

- ``customers`` contacts (``res.partner``, shared between the companies, 70 % buying in the first
  company, 30 % in the second; 30 % have a salesperson of their own);
- about ``lines`` order lines over the past 3 years (1,095 days up to today): ~60 % Sales
  (``sale.order`` confirmed, 1-5 lines per order, salespeople and sales teams, 3 % of the orders
  cancelled), ~40 % POS (``pos.order`` paid/done, 1-4 lines, two shops per company, one session
  per shop and month), amounts in VND (products at 25,000 to 1,500,000 ₫);
- repeat purchases as shops see them: 45 % one-time buyers, the others with a heavy-tailed
  number of orders (Pareto) spread evenly over their active period (a customer buys
  periodically), 30 % of the repeat buyers stop at some point (they come out "at risk");
  60 % of the customers have one or two favourite products with a **repurchase cycle**
  (vitamins, pet food, a haircut, coffee...), bought in most of their orders;
- POS refunds (3 % of the POS orders, one line refunded with ``refunded_orderline_id``, a few
  days later);
- member cards (40 % of the buyers) of their company's membership program, spread over its
  tiers (60 / 25 / 10 / 5 %), with the tier history (enrolment, upgrades, some downgrades) so that
  "the tier at the time of an order" can be read, and the points ledger (``loyalty.history``):
  points issued per order (1 per 1,000 ₫), 15 % of them half redeemed 10 days later, half of
  the unredeemed ones that passed their 12-month validity expired; the card's balance is the
  sum of its ledger.

The records are recognisable: contacts ``Bench customer N`` with ``ref`` ``BENCH-SCALE``,
orders ``BSO…`` / ``BPOS…``, cards ``bsc…``. The few configuration records (products, users,
sales teams, shops) are made with the ORM, once.

Importable (``generate(env, customers, lines)``, ``ensure(env, customers, lines)``,
``shift_dates(env)``) or a command line:

    .cache/venv/bin/python tools/bench_data.py -c .cache/odoo.conf -d bench_scale \\
        [--customers 100000] [--lines 1000000] [--persist]

Without ``--persist`` the data is generated in one transaction, counted and rolled back (a dry
run; the benchmarks call ``ensure()`` in their own transaction instead). With ``--persist`` it is
committed and the database is stamped (``ir.config_parameter``
``customer_loyalty.bench_data``: generator version, sizes, seed, the day it was generated), so
that a benchmark reuses it: ``ensure()`` finds the stamp, shifts every date by the days elapsed
since (one ``UPDATE`` per table, committed, so the data always ends "today") and generates
nothing. ``tools/bench.sh`` keeps such a database (``bench_scale``) for the scale benchmarks.
"""

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Bump when what is generated changes: a persisted database with another version is rebuilt.
VERSION = "1"
STAMP_KEY = "customer_loyalty.bench_data"
PARTNER_REF = "BENCH-SCALE"
DAYS = 1095
# (name, price in VND, cycle in days or 0) of the products; the cycle ones come first.
CYCLE_PRODUCTS = [
    ("Vitamin C, 30-day pack", 180_000, 30), ("Fish oil, 60 capsules", 320_000, 60),
    ("Dog food 3 kg", 450_000, 21), ("Cat food 1.5 kg", 260_000, 0),  # the category's cycle
    ("Haircut", 120_000, 42), ("Ground coffee 500 g", 150_000, 14),
    ("Shampoo 650 ml", 210_000, 45), ("Face cream 50 ml", 540_000, 60),
    ("Baby formula 900 g", 690_000, 12), ("Contact lenses, monthly", 390_000, 30),
    ("Green tea 200 g", 95_000, 20), ("Printer ink", 480_000, 90),
]
OTHER_PRODUCTS = [
    (f"Bench item {i:02d}", price, 0)
    for i, price in enumerate([
        25_000, 35_000, 45_000, 55_000, 65_000, 79_000, 89_000, 99_000, 120_000, 135_000,
        150_000, 175_000, 199_000, 225_000, 249_000, 290_000, 350_000, 420_000, 499_000,
        590_000, 690_000, 790_000, 890_000, 990_000, 1_150_000, 1_290_000, 1_390_000, 1_500_000,
    ], start=1)
]
CATEGORY_CYCLE = 25  # "Bench: pet food" (the cat food has no cycle of its own)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("-d", "--database", default="bench_scale")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000, help="order lines (about)")
    parser.add_argument("--seed", type=float, default=0.12, help="PostgreSQL setseed()")
    parser.add_argument("--persist", action="store_true",
                        help="commit and stamp the database (else roll back)")
    return parser.parse_args()


def start_odoo(config_path):
    import odoo  # noqa: PLC0415 (the venv's Odoo, importable once the script runs)
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_path, "--log-level=warn", "--no-http"], setup_logging=True)
    return odoo


# ----------------------------------------------------------------------
# Stamp and reuse
# ----------------------------------------------------------------------

def read_stamp(cr):
    """The stamp of a persisted data set (a dict), or None."""
    cr.execute("SELECT value FROM ir_config_parameter WHERE key = %s", [STAMP_KEY])
    row = cr.fetchone()
    return json.loads(row[0]) if row else None


def write_stamp(env, stamp):
    env["ir.config_parameter"].sudo().set_param(STAMP_KEY, json.dumps(stamp))


def ensure(env, customers, lines, seed=0.12, log=print):
    """The data set of this size: reused when the database holds it (stamped, same version and
    sizes; its dates are shifted to end today and that is committed), else generated in the
    current transaction (not committed). Returns the stamp (with ``reused``)."""
    stamp = read_stamp(env.cr)
    wanted = {"version": VERSION, "customers": customers, "lines": lines, "seed": seed}
    if stamp and all(stamp.get(key) == value for key, value in wanted.items()):
        shift_dates(env, stamp, log=log)
        return dict(stamp, reused=True)
    if stamp:
        log(f"bench_data: the database holds another data set ({stamp}); generating anew "
            "in this transaction")
    return dict(generate(env, customers, lines, seed, log=log), reused=False)


def shift_dates(env, stamp, log=print):
    """Move every generated date by the days since the data set was generated (committed, with
    the new stamp), so that its history always ends today."""
    today = date.today()
    days = (today - date.fromisoformat(stamp["today"])).days
    if days <= 0:
        return
    start = time.perf_counter()
    cr = env.cr
    shift = {"days": days, "ref": PARTNER_REF}
    bench_partners = "SELECT id FROM res_partner WHERE ref = %(ref)s"
    cr.execute(f"""
        UPDATE sale_order SET date_order = date_order + make_interval(days => %(days)s),
               create_date = create_date + make_interval(days => %(days)s)
         WHERE partner_id IN ({bench_partners});
        UPDATE pos_order SET date_order = date_order + make_interval(days => %(days)s),
               create_date = create_date + make_interval(days => %(days)s)
         WHERE partner_id IN ({bench_partners});
        UPDATE pos_session SET start_at = start_at + make_interval(days => %(days)s),
               stop_at = stop_at + make_interval(days => %(days)s)
         WHERE name LIKE 'BENCH/%%';
        UPDATE loyalty_history SET create_date = create_date + make_interval(days => %(days)s),
               expiry_date = expiry_date + %(days)s
         WHERE partner_id IN ({bench_partners});
        UPDATE loyalty_tier_history SET date = date + make_interval(days => %(days)s),
               create_date = create_date + make_interval(days => %(days)s)
         WHERE partner_id IN ({bench_partners});
        UPDATE loyalty_card SET create_date = create_date + make_interval(days => %(days)s),
               tier_since = tier_since + make_interval(days => %(days)s)
         WHERE code LIKE 'bsc%%';
        UPDATE res_partner SET create_date = create_date + make_interval(days => %(days)s)
         WHERE ref = %(ref)s;
    """, shift)
    write_stamp(env, dict(stamp, today=today.isoformat()))
    env.invalidate_all()
    cr.commit()
    log(f"bench_data: dates moved {days} day(s) forward in {time.perf_counter() - start:.1f} s")


# ----------------------------------------------------------------------
# Configuration records (a few, with the ORM)
# ----------------------------------------------------------------------

def _companies(env):
    Company = env["res.company"].sudo()
    vnd = env.ref("base.VND")
    companies = Company.search([("loyalty_program_id", "!=", False)]).sorted(
        lambda c: (c.currency_id != vnd, c.id)
    )
    if len(companies) < 2:
        vnd.active = True
        Company.create({"name": "Bench Shop B", "currency_id": vnd.id})
        return _companies(env)
    return companies[:2]


def _setup(env, companies):
    """Products, salespeople, sales teams, shops and their sessions (found again if present)."""
    Product = env["product.product"].sudo()
    category = env["product.category"].sudo().search([("name", "=", "Bench: pet food")], limit=1)
    if not category:
        category = category.create({"name": "Bench: pet food",
                                    "loyalty_repurchase_days": CATEGORY_CYCLE})
    products = []
    for name, price, cycle in CYCLE_PRODUCTS + OTHER_PRODUCTS:
        product = Product.search([("default_code", "=", f"BENCH-{name}")], limit=1)
        if not product:
            vals = {"name": name, "default_code": f"BENCH-{name}", "list_price": price,
                    "type": "consu", "available_in_pos": True, "sale_ok": True,
                    "loyalty_repurchase_days": cycle, "taxes_id": [(5, 0, 0)]}
            if "Cat food" in name or "Dog food" in name:
                vals["categ_id"] = category.id
            product = Product.create(vals)
        products.append((product.id, price, bool(cycle) or "Cat food" in name))
    Users = env["res.users"].sudo().with_context(no_reset_password=True)
    salesman = env.ref("sales_team.group_sale_salesman")
    users = Users.browse()
    for i in range(1, 7):
        user = Users.search([("login", "=", f"bench.sales{i}")], limit=1)
        if not user:
            user = Users.create({
                "name": f"Bench salesperson {i}", "login": f"bench.sales{i}",
                "company_id": companies[0].id, "company_ids": [(6, 0, companies.ids)],
                "groups_id": [(4, salesman.id)],
            })
        users |= user
    Team = env["crm.team"].sudo()
    teams = {}
    for company in companies:
        teams[company.id] = []
        for j in (1, 2):
            name = f"Bench team {company.id}-{j}"
            team = Team.search([("name", "=", name)], limit=1) or Team.create({
"name": name, "company_id": company.id})
            teams[company.id].append(team.id)
    cr = env.cr
    env.flush_all()
    configs = {}
    for company in companies:
        configs[company.id] = []
        for j in (1, 2):
            name = f"Bench shop {company.id}-{j}"
            cr.execute("SELECT id FROM pos_config WHERE name = %s", [name])
            row = cr.fetchone()
            if not row:
                cr.execute("""
                    INSERT INTO pos_config (name, company_id, picking_type_id, iface_tax_included,
                                            picking_policy, active, create_uid, write_uid,
                                            create_date, write_date)
                    SELECT %(name)s, %(company)s,
                           (SELECT id FROM stock_picking_type
                             ORDER BY company_id = %(company)s DESC, code = 'outgoing' DESC, id
                             LIMIT 1),
                           'subtotal', 'direct', TRUE, 1, 1, now() AT TIME ZONE 'UTC',
                           now() AT TIME ZONE 'UTC'
                    RETURNING id
                """, {"name": name, "company": company.id})
                row = cr.fetchone()
            configs[company.id].append(row[0])
    return products, users.ids, teams, configs


# ----------------------------------------------------------------------
# The data
# ----------------------------------------------------------------------

def generate(env, customers=100_000, lines=1_000_000, seed=0.12, log=print):
    """Generate the data set in the current transaction; returns its stamp (counts, timings)."""
    start = time.perf_counter()
    cr = env.cr
    companies = _companies(env)
    products, users, teams, configs = _setup(env, companies)
    env.flush_all()
    c1, c2 = companies.ids
    cycle = [p for p in products if p[2]]
    other = [p for p in products if not p[2]]
    cr.execute("SELECT setseed(%s)", [seed])
    tiers = {}
    for company in companies:
        tiers[company.id] = env["loyalty.tier"].sudo().search(
            [("company_id", "=", company.id)], order="sequence, id").ids
    params = {
        "n": customers, "lines": lines, "days": DAYS, "c1": c1, "c2": c2,
        "cycle_ids": [p[0] for p in cycle], "cycle_prices": [p[1] for p in cycle],
        "other_ids": [p[0] for p in other], "other_prices": [p[1] for p in other],
        "users": users, "teams1": teams[c1], "teams2": teams[c2],
        "configs1": configs[c1], "configs2": configs[c2],
        "tiers1": tiers[c1], "tiers2": tiers[c2],
        "prog1": companies[0].loyalty_program_id.id, "prog2": companies[1].loyalty_program_id.id,
        "ref": PARTNER_REF,
        # Sales orders have 3 lines on average, POS orders 2.5: 55.6 % of the orders in Sales
        # make 60 % of the lines.
        "orders": int(lines / 2.78 * 1.03),
        "vi": bool(env["res.lang"].search_count([("code", "=", "vi_VN")])),
    }
    timings = {}
    # The rows are consistent by construction: the foreign-key triggers (one check per row and
    # key, 17 keys on a sales order line) would take most of the time. A superuser (as the
    # project's PostgreSQL role) can switch them off for this transaction; others pay the checks.
    cr.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    fast = cr.fetchone()[0]
    if fast:
        cr.execute("SET LOCAL session_replication_role = replica")

    def step(name, sql):
        t0 = time.perf_counter()
        cr.execute(sql, params)
        timings[name] = round(time.perf_counter() - t0, 2)

    # Customers: their company, buying pattern, favourite cycle products, membership.
    step("customers", """
        CREATE TEMP TABLE bench_c ON COMMIT DROP AS
        SELECT i, nextval('res_partner_id_seq')::int AS pid,
               CASE WHEN random() < 0.7 THEN %(c1)s ELSE %(c2)s END AS company_id,
               random() < 0.45 AS one_time,
               LEAST(power(GREATEST(random(), 1e-9), -0.5) - 1, 60) AS w,
               random() AS r_first, random() < 0.3 AS churns, random() AS r_end,
               CASE WHEN random() < 0.6 THEN 1 + floor(random() * %(cycle_n)s)::int END AS fav1,
               CASE WHEN random() < 0.35 THEN 1 + floor(random() * %(cycle_n)s)::int END AS fav2,
               random() AS r_member, random() AS r_tier,
               CASE WHEN random() < 0.3 THEN (%(users)s::int[])[1 + floor(random() * %(users_n)s)::int]
                    END AS user_id,
               CASE WHEN random() < 0.95
                    THEN DATE '1955-01-01' + floor(random() * 365 * 50)::int END AS born
          FROM generate_series(1, %(n)s) AS i;
        ANALYZE bench_c;
    """.replace("%(cycle_n)s", str(len(cycle))).replace("%(users_n)s", str(len(users))))
    # Orders per customer: one-time buyers 1, the others 2 + a share of what is left in
    # proportion to their (heavy-tailed) weight.
    cr.execute("SELECT count(*) FILTER (WHERE one_time), sum(w) FILTER (WHERE NOT one_time) "
               "FROM bench_c")
    one_time, weight = cr.fetchone()
    params["k"] = max(params["orders"] - one_time - 2 * (customers - one_time), 0) / (weight or 1)
    step("partners", """
        INSERT INTO res_partner (id, name, complete_name, commercial_partner_id, ref, email,
                                 email_normalized, active, type, is_company, autopost_bills,
                                 lang, tz, birthdate_date, user_id, customer_rank, partner_share,
                                 create_uid, write_uid, create_date, write_date)
        SELECT pid, 'Bench customer ' || i, 'Bench customer ' || i, pid, %(ref)s,
               'bench.customer' || i || '@example.com', 'bench.customer' || i || '@example.com',
               TRUE, 'contact', FALSE, 'ask',
               CASE WHEN %(vi)s AND i %% 3 > 0 THEN 'vi_VN' ELSE 'en_US' END,
               'Asia/Ho_Chi_Minh', born, user_id, 1, TRUE, 1, 1,
               now() AT TIME ZONE 'UTC' - make_interval(days => %(days)s),
               now() AT TIME ZONE 'UTC'
          FROM bench_c;
    """)
    # Orders: spread evenly (+/- 30 % of the customer's interval) over the active period.
    step("orders plan", """
        CREATE TEMP TABLE bench_o ON COMMIT DROP AS
        WITH c AS (
            SELECT c.*,
                   CASE WHEN one_time THEN 1 ELSE 2 + floor(w * %(k)s + random())::int END AS n,
                   floor(r_first * %(days)s * CASE WHEN one_time THEN 1 ELSE 0.7 END)::int
                       AS first_day
              FROM bench_c c
        ), c2 AS (
            SELECT c.*, CASE WHEN churns AND NOT one_time
                             THEN first_day + (%(days)s - first_day) * (0.2 + 0.6 * r_end)
                             ELSE %(days)s END AS last_day
              FROM c
        ), o AS (
            SELECT c2.i, c2.pid, c2.company_id, c2.user_id, c2.fav1, c2.fav2, k, n,
                   CASE WHEN n = 1 THEN first_day
                        ELSE first_day + (last_day - first_day)
                             * LEAST(GREATEST((k - 0.5 + (random() - 0.5) * 0.6) / n, 0), 1)
                   END AS day_offset,
                   random() < 0.556 AS is_sale, random() AS r
              FROM c2, generate_series(1, c2.n) AS k
        )
        SELECT o.*,
               date_trunc('day', now() AT TIME ZONE 'UTC')
                   - make_interval(days => %(days)s)
                   + make_interval(days => floor(day_offset)::int)
                   + make_interval(secs => (1 + floor(random() * 12)) * 3600
                                           + floor(random() * 3600)) AS date_order,
               CASE WHEN is_sale THEN 1 + floor(random() * 5)::int
                    ELSE 1 + floor(random() * 4)::int END AS n_lines
          FROM o;
        -- Keep the first orders of each customer up to the lines wanted.
        CREATE TEMP TABLE bench_o2 ON COMMIT DROP AS
        SELECT * FROM (
            SELECT o.*, SUM(n_lines) OVER (ORDER BY k, r ROWS UNBOUNDED PRECEDING) AS cum
              FROM bench_o o
        ) o WHERE cum - n_lines < %(lines)s AND date_order < now() AT TIME ZONE 'UTC';
        DROP TABLE bench_o;
        ALTER TABLE bench_o2 ADD COLUMN oid int;
        UPDATE bench_o2 SET n_lines = n_lines - (cum - %(lines)s)::int WHERE cum > %(lines)s;
        UPDATE bench_o2 SET oid = CASE WHEN is_sale THEN nextval('sale_order_id_seq')
                                       ELSE nextval('pos_order_id_seq') END;
        ANALYZE bench_o2;
    """)
    # Lines: the first line is a favourite cycle product most of the time; other products with
    # a skewed popularity.
    step("lines plan", """
        CREATE TEMP TABLE bench_l ON COMMIT DROP AS
        WITH l AS (
            SELECT o.oid, o.is_sale, o.company_id, o.pid, o.user_id, j,
                   CASE WHEN j = 1 AND o.fav1 IS NOT NULL AND random() < 0.85
                             THEN CASE WHEN o.fav2 IS NOT NULL AND o.k %% 2 = 0 THEN o.fav2
                                       ELSE o.fav1 END
                        WHEN j = 2 AND o.fav2 IS NOT NULL AND random() < 0.5 THEN o.fav2
                   END AS cycle_idx,
                   1 + floor(power(random(), 2) * array_length(%(other_ids)s::int[], 1))::int
                       AS other_idx,
                   random() AS r
              FROM bench_o2 o, generate_series(1, o.n_lines) AS j
        )
        SELECT oid, is_sale, company_id, pid, user_id, j,
               CASE WHEN is_sale THEN nextval('sale_order_line_id_seq')
                    ELSE nextval('pos_order_line_id_seq') END::int AS lid,
               COALESCE((%(cycle_ids)s::int[])[cycle_idx], (%(other_ids)s::int[])[other_idx])
                   AS product_id,
               COALESCE((%(cycle_prices)s::int[])[cycle_idx],
                        (%(other_prices)s::int[])[other_idx])::numeric AS price,
               CASE WHEN cycle_idx IS NOT NULL THEN CASE WHEN r < 0.8 THEN 1 ELSE 2 END
                    ELSE 1 + floor(power(r, 3) * 3) END::numeric AS qty
          FROM l;
        CREATE INDEX ON bench_l (oid) WHERE is_sale;
        ANALYZE bench_l;
        CREATE TEMP TABLE bench_t ON COMMIT DROP AS
        SELECT oid, is_sale, SUM(price * qty) AS amount FROM bench_l GROUP BY oid, is_sale;
        CREATE UNIQUE INDEX ON bench_t (oid, is_sale);
        ANALYZE bench_t;
    """)
    step("sale orders", """
        INSERT INTO sale_order (id, name, company_id, partner_id, partner_invoice_id,
                                partner_shipping_id, date_order, state, user_id, team_id,
                                currency_id, currency_rate, amount_untaxed, amount_tax,
                                amount_total, picking_policy, invoice_status, locked,
                                require_signature, require_payment, prepayment_percent,
                                create_uid, write_uid, create_date, write_date)
        SELECT o.oid, 'BSO' || lpad(o.oid::text, 8, '0'), o.company_id, o.pid, o.pid, o.pid,
               o.date_order, CASE WHEN o.r < 0.03 THEN 'cancel' ELSE 'sale' END, s.uid,
               CASE WHEN o.company_id = %(c1)s THEN (%(teams1)s::int[])[1 + s.uid %% 2]
                    ELSE (%(teams2)s::int[])[1 + s.uid %% 2] END,
               comp.currency_id, 1, t.amount, 0, t.amount, 'direct', 'no', FALSE, FALSE, FALSE,
               1, 1, 1, o.date_order, o.date_order
          FROM bench_o2 o
          JOIN bench_t t ON t.oid = o.oid AND t.is_sale
          JOIN res_company comp ON comp.id = o.company_id
          CROSS JOIN LATERAL (
              SELECT COALESCE(o.user_id, (%(users)s::int[])[1 + (o.oid %% array_length(%(users)s::int[],
                                                                            1))]) AS uid
          ) s
         WHERE o.is_sale;
        INSERT INTO sale_order_line (id, order_id, sequence, company_id, currency_id,
                                     order_partner_id, salesman_id, product_id, product_uom,
                                     state, name, product_uom_qty, price_unit, technical_price_unit,
                                     discount, price_subtotal, price_total, price_tax,
                                     price_reduce_taxexcl, price_reduce_taxinc, qty_delivered,
                                     qty_invoiced, qty_to_invoice, untaxed_amount_invoiced,
                                     untaxed_amount_to_invoice, customer_lead, invoice_status,
                                     qty_delivered_method, is_downpayment, is_expense,
                                     create_uid, write_uid, create_date, write_date)
        SELECT l.lid, l.oid, 10 * l.j, so.company_id, so.currency_id, so.partner_id, so.user_id,
               l.product_id, 1, so.state, 'Bench line', l.qty, l.price, l.price, 0,
               l.price * l.qty, l.price * l.qty, 0, l.price, l.price, 0, 0, 0, 0, 0, 0, 'no',
               'manual', FALSE, FALSE, 1, 1, so.date_order, so.date_order
          FROM bench_l l JOIN sale_order so ON so.id = l.oid
         WHERE l.is_sale;
    """)
    # POS: a session per shop and month; refunds of one line, some days later.
    step("pos orders", """
        CREATE TEMP TABLE bench_s ON COMMIT DROP AS
        SELECT nextval('pos_session_id_seq')::int AS id, cfg.id AS config_id, m.month
          FROM pos_config cfg,
               generate_series(date_trunc('month', now() AT TIME ZONE 'UTC'
                                          - make_interval(days => %(days)s + 31)),
                               date_trunc('month', now() AT TIME ZONE 'UTC')
                                   + interval '1 month',
                               interval '1 month') AS m(month)
         WHERE cfg.id = ANY(%(configs1)s || %(configs2)s);
        INSERT INTO pos_session (id, config_id, user_id, name, state, sequence_number,
                                 login_number, start_at, stop_at, create_uid, write_uid,
                                 create_date, write_date)
        SELECT s.id, s.config_id, 2, 'BENCH/' || s.config_id || '/' || to_char(s.month, 'YYYY-MM'),
               'closed', 1, 1, s.month, s.month + interval '1 month' - interval '1 second',
               1, 1, s.month, s.month
          FROM bench_s s;
        CREATE TEMP TABLE bench_p ON COMMIT DROP AS
        SELECT o.oid, o.company_id, o.pid, o.date_order, o.r, t.amount,
               CASE WHEN o.company_id = %(c1)s THEN (%(configs1)s::int[])[1 + o.oid %% 2]
                    ELSE (%(configs2)s::int[])[1 + o.oid %% 2] END AS config_id
          FROM bench_o2 o JOIN bench_t t ON t.oid = o.oid AND NOT t.is_sale
         WHERE NOT o.is_sale;
        INSERT INTO pos_order (id, name, company_id, partner_id, session_id, config_id,
                               user_id, date_order, state, amount_tax, amount_total,
                               amount_paid, amount_return, currency_rate, sequence_number,
                               pos_reference, uuid, to_invoice, is_tipped, crm_team_id,
                               create_uid, write_uid, create_date, write_date)
        SELECT p.oid, 'BPOS/' || lpad(p.oid::text, 8, '0'), p.company_id, p.pid, s.id,
               p.config_id, 2, p.date_order, CASE WHEN p.r < 0.2 THEN 'paid' ELSE 'done' END,
               0, p.amount, p.amount, 0, 1, p.oid, 'Order ' || p.oid, gen_random_uuid()::text,
               FALSE, FALSE, NULL, 1, 1, p.date_order, p.date_order
          FROM bench_p p
          JOIN bench_s s ON s.config_id = p.config_id
                        AND s.month = date_trunc('month', p.date_order);
        INSERT INTO pos_order_line (id, order_id, company_id, product_id, name,
                                    full_product_name, qty, price_unit, price_subtotal,
                                    price_subtotal_incl, discount, uuid, price_type,
                                    create_uid, write_uid, create_date, write_date)
        SELECT l.lid, l.oid, l.company_id, l.product_id, 'Bench line', 'Bench line', l.qty,
               l.price, l.price * l.qty, l.price * l.qty, 0, gen_random_uuid()::text, 'original',
               1, 1, p.date_order, p.date_order
          FROM bench_l l JOIN bench_p p ON p.oid = l.oid
         WHERE NOT l.is_sale;
        CREATE TEMP TABLE bench_r ON COMMIT DROP AS
        SELECT nextval('pos_order_id_seq')::int AS oid, nextval('pos_order_line_id_seq')::int AS lid,
               p.oid AS orig_oid, p.company_id, p.pid, p.config_id, l.lid AS orig_lid,
               l.product_id, l.price,
               CASE WHEN l.qty > 1 AND random() < 0.5 THEN 1 ELSE l.qty END AS qty,
               p.date_order + make_interval(days => 1 + floor(random() * 7)::int) AS date_order
          FROM bench_p p JOIN bench_l l ON l.oid = p.oid AND NOT l.is_sale AND l.j = 1
         WHERE p.r > 0.97;
        DELETE FROM bench_r WHERE date_order >= now() AT TIME ZONE 'UTC';
        INSERT INTO pos_order (id, name, company_id, partner_id, session_id, config_id,
                               user_id, date_order, state, amount_tax, amount_total,
                               amount_paid, amount_return, currency_rate, sequence_number,
                               pos_reference, uuid, to_invoice, is_tipped,
                               create_uid, write_uid, create_date, write_date)
        SELECT r.oid, 'BPOS/' || lpad(r.oid::text, 8, '0') || ' REFUND', r.company_id, r.pid,
               s.id, r.config_id, 2, r.date_order, 'done', 0, -r.price * r.qty,
               -r.price * r.qty, 0, 1, r.oid, 'Order ' || r.oid, gen_random_uuid()::text,
               FALSE, FALSE, 1, 1, r.date_order, r.date_order
          FROM bench_r r
          JOIN bench_s s ON s.config_id = r.config_id
                        AND s.month = date_trunc('month', r.date_order);
        INSERT INTO pos_order_line (id, order_id, company_id, product_id, name,
                                    full_product_name, qty, price_unit, price_subtotal,
                                    price_subtotal_incl, discount, uuid, price_type,
                                    refunded_orderline_id, create_uid, write_uid, create_date,
                                    write_date)
        SELECT r.lid, r.oid, r.company_id, r.product_id, 'Bench refund', 'Bench refund', -r.qty,
               r.price, -r.price * r.qty, -r.price * r.qty, 0, gen_random_uuid()::text,
               'original', r.orig_lid, 1, 1, r.date_order, r.date_order
          FROM bench_r r;
    """)
    # Members: a card of the company's program from the first order on, a tier over the ladder
    # with its history (enrolment, upgrades, 5 % of the lowest tier up then down again).
    step("members", """
        CREATE TEMP TABLE bench_m ON COMMIT DROP AS
        SELECT nextval('loyalty_card_id_seq')::int AS card_id, c.pid, c.company_id,
               CASE WHEN c.company_id = %(c1)s THEN %(prog1)s ELSE %(prog2)s END AS program_id,
               CASE WHEN c.company_id = %(c1)s THEN %(tiers1)s::int[] ELSE %(tiers2)s::int[]
                    END AS ladder,
               CASE WHEN c.r_tier < 0.6 THEN 1 WHEN c.r_tier < 0.85 THEN 2
                    WHEN c.r_tier < 0.95 THEN 3 ELSE 4 END AS rank,
               c.r_tier, f.joined
          FROM bench_c c
          JOIN (SELECT pid, MIN(date_order) AS joined FROM bench_o2 GROUP BY pid) f
            ON f.pid = c.pid
         WHERE c.r_member < 0.4;
        ANALYZE bench_m;
        CREATE TEMP TABLE bench_th ON COMMIT DROP AS
        SELECT m.card_id, m.pid, m.company_id,
               CASE WHEN step > 1 THEN m.ladder[step - 1] END AS old_tier,
               m.ladder[step] AS new_tier,
               CASE WHEN step = 1 THEN 'enrol' ELSE 'up' END AS direction,
               m.joined + (now() AT TIME ZONE 'UTC' - m.joined) * (step - 1) / m.rank AS date
          FROM bench_m m, generate_series(1, m.rank) AS step
         UNION ALL
        SELECT m.card_id, m.pid, m.company_id, m.ladder[1 + up.s], m.ladder[2 - up.s],
               CASE WHEN up.s = 0 THEN 'up' ELSE 'down' END,
               m.joined + (now() AT TIME ZONE 'UTC' - m.joined) * (1 + up.s) / 3
          FROM bench_m m, (VALUES (0), (1)) AS up(s)
         WHERE m.rank = 1 AND m.r_tier < 0.03;
        INSERT INTO loyalty_card (id, program_id, company_id, partner_id, code, points, active,
                                  is_membership, tier_id, tier_since, create_uid, write_uid,
                                  create_date, write_date)
        SELECT m.card_id, m.program_id, m.company_id, m.pid,
               'bsc' || lpad(to_hex(m.card_id), 13, '0'), 0, TRUE, TRUE, m.ladder[m.rank],
               th.since, 1, 1, m.joined, m.joined
          FROM bench_m m
          JOIN (SELECT card_id, MAX(date) AS since FROM bench_th GROUP BY card_id) th
            ON th.card_id = m.card_id;
        INSERT INTO loyalty_tier_history (card_id, partner_id, company_id, old_tier_id,
                                          new_tier_id, direction, reason, date, user_id,
                                          upgrade_mail_pending, create_uid, write_uid,
                                          create_date, write_date)
        SELECT card_id, pid, company_id, old_tier, new_tier, direction,
               CASE WHEN direction = 'down' THEN 'cron' ELSE 'order' END, date, 1, FALSE, 1, 1,
               date, date
          FROM bench_th;
        UPDATE res_partner p
           SET loyalty_tier_id = jsonb_build_object(m.company_id::text, m.ladder[m.rank])
          FROM bench_m m WHERE p.id = m.pid;
    """)
    # The ledger: 1 point per 1,000 VND per order (cancelled sales orders and refunds aside),
    # 15 % half redeemed 10 days later, half of the others expired after 12 months.
    step("ledger", """
        CREATE TEMP TABLE bench_h ON COMMIT DROP AS
        WITH issued AS (
            SELECT m.card_id, m.pid, 'sale.order' AS model, so.id AS order_id, so.date_order AS t,
                   floor(so.amount_total / 1000) AS points, so.name
              FROM bench_m m JOIN sale_order so ON so.partner_id = m.pid
               AND so.company_id = m.company_id AND so.state = 'sale'
             UNION ALL
            SELECT m.card_id, m.pid, 'pos.order', po.id, po.date_order,
                   floor(po.amount_total / 1000), po.name
              FROM bench_m m JOIN pos_order po ON po.partner_id = m.pid
               AND po.company_id = m.company_id AND po.amount_total > 0
        ), marked AS (SELECT issued.*, random() AS r FROM issued)
        SELECT card_id, pid, model, order_id, t, 'order' AS entry_type, points AS issued,
               0::numeric AS used, (t + interval '365 days')::date AS expiry_date,
               'Points for ' || name AS description, 0 AS seq
          FROM marked
         UNION ALL
        SELECT card_id, pid, model, order_id, t + interval '10 days', 'order', 0,
               floor(points / 2), NULL, 'Points redeemed on ' || name, 1
          FROM marked WHERE r < 0.15 AND t + interval '10 days' < now() AT TIME ZONE 'UTC'
         UNION ALL
        SELECT card_id, pid, NULL, NULL, t + interval '365 days', 'expiry', 0, points, NULL,
               'Points expired', 2
          FROM marked
         WHERE r > 0.575 AND t + interval '365 days' < now() AT TIME ZONE 'UTC';
        INSERT INTO loyalty_history (card_id, partner_id, order_model, order_id, entry_type,
                                     issued, used, expiry_date, description, balance_after,
                                     user_id, create_uid, write_uid, create_date, write_date)
        SELECT card_id, pid, model, order_id, entry_type, issued, used, expiry_date,
               description,
               SUM(issued - used) OVER (PARTITION BY card_id ORDER BY t, seq
                                        ROWS UNBOUNDED PRECEDING),
               1, 1, 1, t, t
          FROM bench_h;
        UPDATE loyalty_card c SET points = h.balance
          FROM (SELECT card_id, SUM(issued - used) AS balance FROM bench_h GROUP BY card_id) h
         WHERE c.id = h.card_id;
    """)
    step("analyze", """
        ANALYZE res_partner; ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE pos_order;
        ANALYZE pos_order_line; ANALYZE pos_session; ANALYZE loyalty_card;
        ANALYZE loyalty_history; ANALYZE loyalty_tier_history;
    """)
    if fast:
        cr.execute("SET LOCAL session_replication_role = DEFAULT")
    env.invalidate_all()
    env.registry.clear_cache()
    cr.execute("""
        SELECT (SELECT count(*) FROM bench_c),
               (SELECT count(*) FROM bench_l WHERE is_sale),
               (SELECT count(*) FROM bench_l WHERE NOT is_sale) + (SELECT count(*) FROM bench_r),
               (SELECT count(*) FROM bench_o2 WHERE is_sale),
               (SELECT count(*) FROM bench_o2 WHERE NOT is_sale),
               (SELECT count(*) FROM bench_r),
               (SELECT count(*) FROM bench_m),
               (SELECT count(*) FROM bench_h)
    """)
    names = ("customers", "sale_lines", "pos_lines", "sale_orders", "pos_orders",
             "pos_refunds", "members", "ledger_lines")
    counts = dict(zip(names, cr.fetchone(), strict=True))
    stamp = {
        "version": VERSION, "customers": customers, "lines": lines, "seed": seed,
        "today": date.today().isoformat(), "companies": [c1, c2],
        "seconds": round(time.perf_counter() - start, 1), "steps": timings, **counts,
    }
    log(f"bench_data: {counts['customers']:,} customers, "
        f"{counts['sale_lines'] + counts['pos_lines']:,} order lines "
        f"({counts['sale_lines']:,} Sales in {counts['sale_orders']:,} orders, "
        f"{counts['pos_lines']:,} POS in {counts['pos_orders']:,} orders and "
        f"{counts['pos_refunds']:,} refunds), {counts['members']:,} members, "
        f"{counts['ledger_lines']:,} ledger lines, companies {c1} and {c2}: "
        f"{stamp['seconds']:.1f} s ({', '.join(f'{k} {v}' for k, v in timings.items())})")
    return stamp


def main():
    args = parse_args()
    odoo = start_odoo(args.config)
    registry = odoo.modules.registry.Registry(args.database)
    if "customer_loyalty" not in registry._init_modules:
        sys.exit(f"{args.database}: customer_loyalty is not installed")
    with registry.cursor() as cr:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        stamp = read_stamp(cr)
        if args.persist and stamp:
            sys.exit(f"{args.database} already holds a data set ({stamp}): use another "
                     "database (createdb -T a clean one)")
        stamp = generate(env, args.customers, args.lines, args.seed)
        if args.persist:
            write_stamp(env, stamp)
            env.flush_all()
            cr.commit()
            print(f"bench_data: committed and stamped ({STAMP_KEY})")
        else:
            cr.rollback()
            print("bench_data: rolled back (--persist keeps the data)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
