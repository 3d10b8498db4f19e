#!/usr/bin/env python3
"""Benchmark: the Loyalty dashboard's queries and the RFM cron at two sizes.

For each size (default: 10,000 customers with 100,000 order lines, then 100,000 customers with
1,000,000 order lines: ten times the data), generates the scale data set of
``tools/bench_data.py`` (Sales and POS orders over three years, refunds, cancelled orders, two
companies, members over the tiers, their points ledger) in one transaction, then times:

- ``loyalty.retention.order._loyalty_refresh()``: the retention facts (materialized views);
- each query of the dashboard (``loyalty.dashboard._loyalty_dashboard_queries()``) over a year
  of both companies, and the headline query again with a product-category filter (the join on
  the order lines) on the two categories of most lines; each run 5 times, the best is printed
  (the machine is shared);
- the whole ``get_dashboard_data`` call (what the client waits for);
- the RFM cron (``res.partner._cron_loyalty_rfm``: the facts are fresh, so the scoring alone),
  before the dashboard's queries as every night (the segments read its scores).

Prints a table: step, time at the small size, time at the large size, the ratio, and the
targets at the large size (each dashboard query under 2 s, the RFM cron under 60 s, a ratio of
at most 10 for ten times the data: cost growing no faster than linearly). The transaction is
rolled back after each size, and the database vacuumed before each: it is left as it was.
Figures only; exits non-zero when a correctness check fails (the dashboard's active customers
against an independent count).

    .cache/venv/bin/python tools/bench_analytics.py -c .cache/odoo.conf -d bench_with \\
        [--small-customers 10000] [--small-lines 100000] [--customers 100000] \\
        [--lines 1000000] [--only small|large]
"""

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import bench_data  # noqa: E402 (tools/ is not a package)

QUERY_TARGET = 2.0
RFM_TARGET = 60.0
RATIO_TARGET = 10.0
REPEAT = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("-d", "--database", default="bench_with")
    parser.add_argument("--small-customers", type=int, default=10_000)
    parser.add_argument("--small-lines", type=int, default=100_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--only", choices=("small", "large"), help="one size only")
    return parser.parse_args()


def timed(func, repeat=1):
    """The best time of ``repeat`` calls of ``func`` (the machine is shared: the other runs
    measure the neighbours' load as much as the query), and its last result."""
    times, result = [], None
    for _i in range(repeat):
        start = time.perf_counter()
        result = func()
        times.append(time.perf_counter() - start)
    return min(times), result


def vacuum(registry):
    """VACUUM the database (outside a transaction): the rows a previous size (or run) inserted
    and rolled back stay in the tables as dead rows, which the next size's scans would read."""
    cr = registry.cursor()
    try:
        cr._cnx.autocommit = True
        cr._cnx.cursor().execute("VACUUM (INDEX_CLEANUP ON, ANALYZE)")
    finally:
        cr._cnx.autocommit = False
        cr.close()


def run_size(odoo, registry, customers, lines, failures):
    """Generate, time every step, roll back. Returns {step: seconds} and a description."""
    timings = {}
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.perf_counter()
        stamp = bench_data.ensure(env, customers, lines, log=lambda *_a: None)
        env.flush_all()
        generated = time.perf_counter() - start
        # The generator's two companies, its first one current (the segments are per company).
        bench_companies = bench_data._companies(env)
        companies = bench_companies | env["res.company"].search([])
        env = env(context={"allowed_company_ids": companies.ids})
        cr.execute("ANALYZE")
        Order = env["loyalty.retention.order"]
        timings["refresh facts"], _result = timed(lambda: (Order._loyalty_refresh(),
                                                            env.flush_all()))
        cr.execute("ANALYZE loyalty_retention_order")
        cr.execute("ANALYZE loyalty_retention_line")
        Dashboard = env["loyalty.dashboard"]
        filters = Dashboard._loyalty_dashboard_filters({"period": "year"})
        filters["company_ids"] = companies.ids  # the root user's companies: all of them
        # The daily order: the facts, the RFM cron, then the dashboard reads them.
        Partner = env["res.partner"]
        timings["RFM cron"], scored = timed(lambda: (Partner._cron_loyalty_rfm(),
                                                     env.flush_all())[0])
        for name, query in Dashboard._loyalty_dashboard_queries().items():
            timings[f"dashboard: {name}"], result = timed(lambda q=query: q(filters), REPEAT)
            if name == "headline":
                headline = result
        # The category filter on the two categories of most lines (the generator puts nearly all
        # products in "All", the root: every line, which the dashboard reads as no filter; the
        # next one has a few % of the lines).
        cr.execute(
            """SELECT categ_id, round(100.0 * count(*) / sum(count(*)) OVER ())
                 FROM loyalty_retention_line GROUP BY categ_id ORDER BY count(*) DESC LIMIT 2"""
        )
        for categ_id, share in cr.fetchall():
            label = f"{share:.0f} % of the lines"
            categ_filters = dict(filters, categ_ids=[categ_id])
            timings[f"dashboard: headline, category: {label}"], _result = timed(
                lambda f=categ_filters: Dashboard._loyalty_dashboard_headline(f), REPEAT
            )
        timings["dashboard: whole call"], _result = timed(
            lambda: Dashboard._loyalty_dashboard_data(filters), REPEAT
        )
        # An independent count of the year's active customers (counted orders, per company).
        cr.execute(
            """
            SELECT count(DISTINCT (o.company_id, o.partner_id))
              FROM loyalty_retention_order o
             WHERE o.is_counted AND o.day BETWEEN %s AND %s AND o.company_id = ANY(%s)
            """,
            [filters["date_from"], filters["date_to"], companies.ids],
        )
        expected = cr.fetchone()[0]
        got = headline["current"]["customers"]
        if got != expected:
            failures.append(f"{customers:,} customers: dashboard says {got} active customers, "
                            f"the facts {expected}")
        cr.execute("SELECT count(*) FROM loyalty_retention_line")
        fact_lines = cr.fetchone()[0]
        cr.execute(
            "SELECT count(*), count(*) FILTER (WHERE is_counted) FROM loyalty_retention_order"
        )
        fact_orders, counted = cr.fetchone()
        description = (
            f"{customers:,} customers, {lines:,} lines asked ({fact_lines:,} fact lines, "
            f"{fact_orders:,} fact orders of which {counted:,} counted; generated in "
            f"{generated:.0f} s{', reused' if stamp.get('reused') else ''}); this year: "
            f"{got:,} active customers; RFM cron scored {scored:,} contacts"
        )
        return timings, description
    finally:
        cr.rollback()
        cr.close()


def main():
    args = parse_args()
    odoo = bench_data.start_odoo(args.config)
    registry = odoo.modules.registry.Registry(args.database)
    if "customer_loyalty" not in registry._init_modules:
        sys.exit(f"{args.database}: customer_loyalty is not installed")
    failures = []
    sizes = []
    if args.only != "large":
        sizes.append(("small", args.small_customers, args.small_lines))
    if args.only != "small":
        sizes.append(("large", args.customers, args.lines))
    results = {}
    for label, customers, lines in sizes:
        vacuum(registry)
        results[label] = run_size(odoo, registry, customers, lines, failures)

    print("bench_analytics: the Loyalty dashboard's queries and the RFM cron")
    for label, (_timings, description) in results.items():
        print(f"  {label}: {description}")
    small = results.get("small", ({}, ""))[0]
    large = results.get("large", ({}, ""))[0]
    steps = list((large or small).keys())
    print(f"  {'step':44} {'small s':>9} {'large s':>9} {'ratio':>7}  target at the large size")
    for step in steps:
        s, big = small.get(step), large.get(step)
        ratio = f"{big / s:6.1f}x" if s and big else "      -"
        if step == "RFM cron":
            target = RFM_TARGET
        elif step.startswith("dashboard"):
            target = QUERY_TARGET
        else:
            target = None
        verdict = ""
        if target is not None and big is not None:
            verdict = f"< {target:.0f} s: {'ok' if big < target else 'MISSED'}"
        if s and big and target is not None:
            linear = "ok" if big / s <= RATIO_TARGET else "MISSED"
            verdict += f"; ratio <= {RATIO_TARGET:.0f}: {linear}"
        s_text = f"{s:9.3f}" if s is not None else "        -"
        l_text = f"{big:9.3f}" if big is not None else "        -"
        print(f"  {step:44} {s_text} {l_text} {ratio}  {verdict}")
    for failure in failures:
        print(f"  FAILED: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
