#!/usr/bin/env python3
"""Benchmark: the cost of customer_loyalty on sales-order confirmation.

Confirms the same N quotations (2-3 lines each, for 20 loyalty members, by default) in a database
with
customer_loyalty and in one without it (the same modules otherwise: the addon's dependencies and
sale_crm; the script refuses databases that differ by more), where an equivalent plain Odoo
loyalty program (type ``loyalty``, 1 point per currency unit, same reward) gives the points, so
that sale_loyalty does its usual point work on both sides. With customer_loyalty, the members
start on the four tiers in turn, and the ones whose spend crosses a threshold are upgraded on
the way.

Only ``action_confirm()`` (and the flush that ends the request) is timed, order by order, as the
admin user (not superuser), with a fresh ORM cache per order like a new request. Both databases
stay open in one transaction each, which is rolled back at the end: the run leaves no data. The
sides take turns order by order (the same order on one side, then on the other; who goes first
alternates), so that the drift of this shared machine's speed weighs on both alike: in rounds of
20 orders per side, a change of speed inside a round made the ratio of two runs in a row of the
same code differ by 0.09 (1.02x and 1.11x); ``--rounds N`` still runs such rounds. Prints figures;
asserts nothing about timings.

    .cache/venv/bin/python tools/bench_confirm.py -c .cache/odoo.conf \\
        --with-db bench_with --without-db bench_without [--orders 200] [--customers 20]
        [--order-lines 3] [--main-company] [--profile FILE]

``--main-company`` runs both sides in Odoo's main company (on databases with demo data, the
addon's demo makes another company the administrator's). ``--profile FILE`` writes the cProfile
statistics of the timed confirmations of each side to ``FILE.with`` and ``FILE.without`` (read
them with ``python -m pstats``) and prints the queries of the "with" side that the "without" side
does not run, per calling function of the addon.
"""

import argparse
import collections
import cProfile
import gc
import random
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 1.10  # issue 8: at most 1.10x with demo data
PRODUCTS = 12
TIER_NAMES = ("Member", "Silver", "Gold", "VIP")  # the addon's default tiers, lowest first


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("--with-db", default="bench_with", help="database with customer_loyalty")
    parser.add_argument("--without-db", default="bench_without", help="database without it")
    parser.add_argument("--orders", type=int, default=200, help="timed confirmations per side")
    parser.add_argument("--warmup", type=int, default=5, help="untimed confirmations first")
    parser.add_argument(
        "--rounds", type=int, default=0,
        help="interleaved rounds of several orders per side (default 0: in pairs, each "
        "order on one side then the other)",
    )
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--customers", type=int, default=20, help="members placing the orders")
    parser.add_argument(
        "--order-lines", type=int, default=0,
        help="lines per order (default: 2 or 3, drawn at random)",
    )
    parser.add_argument(
        "--main-company", action="store_true",
        help="run both sides in base.main_company rather than the administrator's company",
    )
    parser.add_argument("--profile", metavar="FILE", help="cProfile the timed confirmations")
    parser.add_argument(
        "--ledger-lines", type=int, default=0,
        help="first give the program this many ledger lines on other members (10 per card), "
        "generated as bench_expiry.py does, on both sides",
    )
    return parser.parse_args()


def vacuum(odoo, dbname):
    """Compact the database first: each run's orders are rolled back, and the dead rows they
    leave (thousands after a few runs, until autovacuum passes) slow the next run's queries on
    one side more than on the other. Two copies of one database measured against each other
    differed by 4 % before this, 0.2 % after."""
    import psycopg2  # noqa: PLC0415

    _uri, info = odoo.sql_db.connection_info_for(dbname)
    connection = psycopg2.connect(**info)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM FULL ANALYZE")
    finally:
        connection.close()


def start_odoo(config_path):
    import odoo  # noqa: PLC0415 (the venv's Odoo, importable once the script runs)
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_path, "--log-level=warn", "--no-http"], setup_logging=True)
    return odoo


class Side:
    """One database, one open transaction, and what was prepared in it."""

    def __init__(self, odoo, label, dbname, with_addon, main_company=False, profile=False):
        self.label, self.dbname, self.with_addon = label, dbname, with_addon
        registry = odoo.modules.registry.Registry(dbname)
        installed = "customer_loyalty" in registry._init_modules
        if installed != with_addon:
            sys.exit(
                f"{dbname}: customer_loyalty is {'' if installed else 'not '}installed, "
                f"expected {'it' if with_addon else 'a database without it'}"
            )
        self.modules = registry._init_modules
        self.cr = registry.cursor()
        env = odoo.api.Environment(self.cr, odoo.SUPERUSER_ID, {})
        admin = env.ref("base.user_admin")
        context = dict(admin.context_get())
        if main_company:
            context["allowed_company_ids"] = env.ref("base.main_company").ids
        self.env = odoo.api.Environment(self.cr, admin.id, context)
        self.profiler = cProfile.Profile() if profile else None
        self.sql_by_caller = collections.Counter() if profile else None
        self.sql_durations = collections.Counter() if profile else None
        self.Command = odoo.Command
        self.times, self.queries, self.sql_times = [], [], []
        self.upgraded = []  # with customer_loyalty: whether the confirmation changed a tier

    # -- preparation (untimed) --------------------------------------------------------------

    def prepare(self, plan, ledger_lines=0):
        """Products, members with cards and tiers, and the quotations of ``plan``; with
        ``ledger_lines``, a ledger of that size on other cards of the program first."""
        env = self.env(su=True)
        company = env.company
        if self.with_addon:
            program = company.loyalty_program_id
            # A typical configuration: points expire after a year, 14-day return window.
            program.write({"points_validity_months": 12, "points_pending_days": 14})
        else:
            defaults = env["loyalty.program"]._program_type_default_values()["loyalty"]
            # The same rule and reward as customer_loyalty's membership program.
            defaults["rule_ids"] = [
                self.Command.clear(),
                self.Command.create({"reward_point_mode": "money", "reward_point_amount": 1.0}),
            ]
            defaults["reward_ids"] = [
                self.Command.clear(),
                self.Command.create({
                    "reward_type": "discount", "discount_mode": "per_point", "discount": 0.05,
                    "discount_applicability": "order", "required_points": 100,
                }),
            ]
            program = env["loyalty.program"].create({
                **defaults, "name": "Membership", "program_type": "loyalty",
                "company_id": company.id, "portal_point_name": "Points",
            })
        if ledger_lines:
            from bench_expiry import generate  # noqa: PLC0415 (its neighbour in tools/)

            generate(env, program, max(ledger_lines // 10, 1), ledger_lines, 0.18)
        products = env["product.product"].create([
            {"name": f"Bench product {i}", "type": "consu", "list_price": price}
            for i, price in enumerate(plan["prices"])
        ])
        partners = env["res.partner"].create([
            {"name": f"Bench member {i:02d}", "email": f"bench.member{i:02d}@example.com"}
            for i in range(plan["customers"])
        ])
        cards = env["loyalty.card"].create([
            {"program_id": program.id, "partner_id": partner.id, "points": 0}
            for partner in partners
        ])
        if self.with_addon:
            # Members start on every tier (round robin): some will be upgraded on the way.
            tiers = env["loyalty.tier"].search([("company_id", "=", company.id)])
            ladder = tiers.sorted(lambda t: t._rank_key())
            changes = [
                (card, card.tier_id, ladder[i % len(ladder)])
                for i, card in enumerate(cards)
                if ladder[i % len(ladder)] != card.tier_id
            ]
            cards._loyalty_apply_tier_changes(changes, reason="manual")
            self.tier_names = ", ".join(f"{t.name} x{t.multiplier:g}" for t in ladder)
        orders = env["sale.order"].with_user(self.env.uid).create([
            {
                "partner_id": partners[customer].id,
                "order_line": [
                    self.Command.create({"product_id": products[p].id, "product_uom_qty": qty})
                    for p, qty in lines
                ],
            }
            for customer, lines in plan["orders"]
        ])
        for order in orders:
            order._update_programs_and_rewards()  # as the quotation form does before confirming
        self.env.flush_all()
        self.order_ids = orders.ids
        self.program = program
        self.cards = cards

    # -- timed part -------------------------------------------------------------------------

    def confirm(self, index, timed=True):
        env = self.env
        env.invalidate_all()  # a fresh ORM cache, like a new request
        order = env["sale.order"].browse(self.order_ids[index])
        tier_lines = self._tier_history_count() if self.with_addon else 0
        thread = threading.current_thread()
        thread.query_count, thread.query_time = 0, 0.0
        queries = self.cr.sql_log_count
        profiler = self.profiler if timed else None
        if profiler:
            profiler.enable()
            _SQL_RECORDER.counter = self.sql_by_caller
            _SQL_RECORDER.durations = self.sql_durations
        start = time.perf_counter()
        try:
            order.action_confirm()
            env.flush_all()
        finally:
            elapsed = time.perf_counter() - start
            if profiler:
                profiler.disable()
                _SQL_RECORDER.counter = None
        if not timed:
            return
        self.times.append(elapsed)
        self.queries.append(self.cr.sql_log_count - queries)
        self.sql_times.append(thread.query_time)
        self.upgraded.append(self.with_addon and self._tier_history_count() > tier_lines)

    def _tier_history_count(self):
        self.cr.execute("SELECT count(*) FROM loyalty_tier_history")
        return self.cr.fetchone()[0]

    def check(self):
        """``(problems, points given)``: every order must be confirmed, the members credited,
        and, with customer_loyalty, each balance equal to its ledger."""
        env = self.env
        env.invalidate_all()
        problems = []
        orders = env["sale.order"].browse(self.order_ids)
        if set(orders.mapped("state")) != {"sale"}:
            problems.append("orders left unconfirmed")
        points = sum(self.cards.mapped("points"))
        if points <= 0:
            problems.append("no points given")
        if self.with_addon:
            sums = self.cards._loyalty_ledger_sums()
            wrong = [c for c in self.cards if abs(c.points - sums.get(c.id, 0.0)) > 0.005]
            if wrong:
                problems.append(f"{len(wrong)} card(s) with points != SUM(issued - used)")
        return problems, points

    def close(self):
        self.cr.rollback()
        self.cr.close()


class _SqlRecorder(threading.local):
    """While ``counter`` is set, counts the queries run by the cursors per (caller, statement):
    the caller is the innermost frame of customer_loyalty but its action_confirm (else ``odoo``),
    the statement its first words, table names kept, values dropped."""

    counter = None
    durations = None  # seconds per (caller, statement), beside the counts

    @classmethod
    def install(cls, odoo):
        original = odoo.sql_db.Cursor.execute

        def execute(cursor, query, params=None, log_exceptions=True):
            counter = _SQL_RECORDER.counter
            if counter is None:
                return original(cursor, query, params, log_exceptions)
            key = (_addon_caller(), _statement(query))
            counter[key] += 1
            start = time.perf_counter()
            try:
                return original(cursor, query, params, log_exceptions)
            finally:
                _SQL_RECORDER.durations[key] += time.perf_counter() - start

        odoo.sql_db.Cursor.execute = execute


_SQL_RECORDER = _SqlRecorder()


def _addon_caller():
    frame = sys._getframe(2)
    while frame:
        code = frame.f_code
        # action_confirm wraps Odoo's whole confirmation: what it runs through super() is Odoo's.
        if "/customer_loyalty/" in code.co_filename and code.co_name != "action_confirm":
            return f"{Path(code.co_filename).name}:{code.co_name}"
        frame = frame.f_back
    return "odoo"


def _statement(query):
    text = " ".join(str(getattr(query, "code", query)).split())
    match = re.match(r"(?i)(WITH\b.*?\)\s*)?(SELECT|INSERT INTO|UPDATE|DELETE FROM)\s+(.*)", text)
    if not match:
        return text[:60]
    verb, rest = match.group(2).upper(), match.group(3)
    if verb == "SELECT":
        tables = re.search(r'(?i)\bFROM\s+"?(\w+)"?', rest)
        return f"SELECT {tables.group(1) if tables else rest[:40]}"
    return f"{verb} {rest.split()[0].strip(chr(34))}"


def report_profile(args, sides):
    """cProfile files, and the queries the addon's code runs per confirmation."""
    for side in sides:
        side.profiler.dump_stats(f"{args.profile}.{side.label}")
    print(f"  profiles: {args.profile}.with, {args.profile}.without (python -m pstats)")
    with_side, without_side = sides
    print("  queries per confirmation by caller (with side; 'odoo' = not called from the addon):")
    by_caller = collections.Counter()
    odoo_with, odoo_without = collections.Counter(), collections.Counter()
    for (caller, statement), count in with_side.sql_by_caller.items():
        by_caller[caller] += count
        if caller == "odoo":
            odoo_with[statement] += count
    for (_caller, statement), count in without_side.sql_by_caller.items():
        odoo_without[statement] += count
    ms_by_caller = collections.Counter()
    for (caller, _statement), seconds in with_side.sql_durations.items():
        ms_by_caller[caller] += seconds * 1000
    for caller, count in by_caller.most_common(15):
        ms = ms_by_caller[caller] / args.orders
        print(f"    {count / args.orders:6.2f}  {ms:6.2f} ms  {caller}")
        statements = collections.Counter({
            statement: n for (c, statement), n in with_side.sql_by_caller.items() if c == caller
        })
        for statement, n in statements.most_common(6 if caller != "odoo" else 0):
            ms = with_side.sql_durations[caller, statement] * 1000
            print(f"            {n / args.orders:6.2f}  {ms / args.orders:6.2f} ms  {statement}")
    print("  statements not called from the addon, with minus without, per confirmation:")
    diff = collections.Counter(odoo_with)
    diff.subtract(odoo_without)
    for statement, n in sorted(diff.items(), key=lambda item: -abs(item[1]))[:15]:
        if abs(n) >= args.orders / 10:
            print(f"    {n / args.orders:+6.2f}  {statement}")
    # Whoever calls them: the statements whose time differs most between the sides.
    print("  every statement, with minus without, per confirmation (count, ms):")
    counts, times = collections.Counter(), collections.Counter()
    for side, sign in ((with_side, 1), (without_side, -1)):
        for (_caller, statement), n in side.sql_by_caller.items():
            counts[statement] += sign * n
            times[statement] += sign * side.sql_durations[_caller, statement] * 1000
    for statement, ms in sorted(times.items(), key=lambda item: -abs(item[1]))[:15]:
        count = counts[statement] / args.orders
        print(f"    {count:+6.2f}  {ms / args.orders:+6.2f} ms  {statement}")


def make_plan(args):
    rng = random.Random(args.seed)
    prices = [rng.choice((5, 9.5, 12, 19.9, 25, 39, 49, 59.9)) for _ in range(PRODUCTS)]
    orders = []
    for i in range(args.warmup + args.orders):
        count = args.order_lines or rng.choice((2, 2, 3))
        lines = [(p, rng.randint(1, 3)) for p in rng.sample(range(PRODUCTS), count)]
        orders.append((i % args.customers, lines))
    return {"prices": prices, "orders": orders, "customers": args.customers}


def summary(values):
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
    return statistics.fmean(values), statistics.median(values), p90


def main():
    args = parse_args()
    odoo = start_odoo(args.config)
    if args.profile:
        _SqlRecorder.install(odoo)
    plan = make_plan(args)
    for dbname in (args.with_db, args.without_db):
        vacuum(odoo, dbname)
    sides = [
        Side(odoo, label, dbname, with_addon=label == "with", main_company=args.main_company,
             profile=bool(args.profile))
        for label, dbname in (("with", args.with_db), ("without", args.without_db))
    ]
    # A fair comparison needs the same modules on both sides but customer_loyalty (whose
    # dependencies, e.g. point_of_sale and stock, weigh on confirmation by themselves).
    with_modules, without_modules = (set(side.modules) for side in sides)
    if with_modules - without_modules != {"customer_loyalty"} or without_modules - with_modules:
        for side in sides:
            side.close()
        sys.exit(
            "the databases differ by more than customer_loyalty: only with it: "
            f"{sorted(with_modules - without_modules)}, only without it: "
            f"{sorted(without_modules - with_modules)}"
        )
    try:
        for side in sides:
            started = time.perf_counter()
            side.prepare(plan, args.ledger_lines)
            print(
                f"[{side.label}] prepared {len(side.order_ids)} quotations in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        for i in range(args.warmup):
            for side in sides:
                side.confirm(i, timed=False)
        todo = list(range(args.warmup, args.warmup + args.orders))
        per_round = -(-len(todo) // args.rounds) if args.rounds else 1
        for r, start in enumerate(range(0, len(todo), per_round)):
            block = todo[start : start + per_round]
            for side in sides if r % 2 == 0 else reversed(sides):
                gc.collect()
                for i in block:
                    side.confirm(i)
        checks = {side.label: side.check() for side in sides}
        report(args, plan, sides, checks)
        if args.profile:
            report_profile(args, sides)
    finally:
        for side in sides:
            side.close()
    failed = False
    for label, (problems, _points) in checks.items():
        for problem in problems:
            print(f"  CHECK FAILED ({label}): {problem}")
            failed = True
    return 1 if failed else 0


def report(args, plan, sides, checks):
    lines_total = sum(len(lines) for _c, lines in plan["orders"])
    with_side, without_side = sides
    print(
        f"bench_confirm: {args.orders} confirmations per side (+{args.warmup} warm-up), "
        f"{plan['customers']} members, {lines_total / len(plan['orders']):.1f} lines/order, "
        + (f"{args.rounds} interleaved rounds" if args.rounds else
           "in pairs (each order on both sides in turn)")
    )
    if args.ledger_lines:
        print(f"  both sides: a ledger of {args.ledger_lines:,} lines on "
              f"{max(args.ledger_lines // 10, 1):,} other cards of the program beforehand")
    print(f"  with:    {with_side.dbname}, membership tiers {with_side.tier_names}, "
          "points expire after 12 months, 14-day pending period")
    print(f"  without: {without_side.dbname}, plain loyalty program (1 point per unit)")
    print(f"  {'side':<8} {'mean ms':>8} {'median':>8} {'p90':>8} {'queries':>8} {'SQL ms':>8}"
          f" {'points':>9}")
    for side in sides:
        mean, median, p90 = summary(side.times)
        print(
            f"  {side.label:<8} {mean * 1e3:8.1f} {median * 1e3:8.1f} {p90 * 1e3:8.1f}"
            f" {statistics.fmean(side.queries):8.1f} {statistics.fmean(side.sql_times) * 1e3:8.1f}"
            f" {checks[side.label][1]:9.0f}"
        )
    upgrades = [t for t, up in zip(with_side.times, with_side.upgraded, strict=True) if up]
    others = [t for t, up in zip(with_side.times, with_side.upgraded, strict=True) if not up]
    if upgrades and others:
        print(
            f"  with, the {len(upgrades)} confirmations that upgraded a tier: mean "
            f"{statistics.fmean(upgrades) * 1e3:.1f} ms; the {len(others)} others: mean "
            f"{statistics.fmean(others) * 1e3:.1f} ms"
        )
    w_mean, w_median, _ = summary(with_side.times)
    o_mean, o_median, _ = summary(without_side.times)
    ratio = w_mean / o_mean
    verdict = "within" if ratio <= TARGET_RATIO else "ABOVE"
    # The same order's two confirmations, one just after the other: the machine's drift
    # weighs on both alike.
    paired = statistics.median(
        w / o for w, o in zip(with_side.times, without_side.times, strict=True)
    )
    print(
        f"  ratio with/without: {ratio:.2f}x on the mean, {w_median / o_median:.2f}x on the "
        f"median, {paired:.2f}x median of the pairs; queries "
        f"{statistics.fmean(with_side.queries):.0f} vs "
        f"{statistics.fmean(without_side.queries):.0f} per order "
        f"(target <= {TARGET_RATIO:.2f}x: {verdict})"
    )


if __name__ == "__main__":
    sys.exit(main())
