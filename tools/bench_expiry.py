#!/usr/bin/env python3
"""Benchmark: the points-expiry cron of customer_loyalty on a large ledger.

Generates, set-wise in SQL (INSERT … SELECT generate_series), ~10,000 member cards of the
company's membership program (points expire after 12 months) and 100,000 ledger lines
(loyalty.history) dated over the past two years: 80 % order lines that issue points (about half
of them past their expiry date) and 20 % consumption lines. Then times ``_cron_expire_points()``
(first run, the backlog) and a second run the same day, which must write nothing, and checks
that every card's balance equals the sum of its ledger (``points = SUM(issued - used)``) and that
the points expired are those FIFO predicts (oldest points consumed first). Finally, times the
per-card ledger reads every confirmation makes, now that the ledger is large.

Runs in one transaction, rolled back at the end: the database is left as it was. Prints figures;
asserts nothing about timings, but exits non-zero when a correctness check fails.

    .cache/venv/bin/python tools/bench_expiry.py -c .cache/odoo.conf -d bench_with \\
        [--lines 100000] [--cards 10000]
"""

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 20.0
VALIDITY_MONTHS = 12
CODE_PREFIX = "044bench"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("-d", "--database", default="bench_with")
    parser.add_argument("--lines", type=int, default=100_000, help="ledger lines to generate")
    parser.add_argument("--cards", type=int, default=10_000, help="member cards to generate")
    parser.add_argument("--seed", type=float, default=0.18, help="PostgreSQL setseed()")
    return parser.parse_args()


def start_odoo(config_path):
    import odoo  # noqa: PLC0415 (the venv's Odoo, importable once the script runs)
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_path, "--log-level=warn", "--no-http"], setup_logging=True)
    return odoo


def generate(env, program, n_cards, n_lines, seed):
    """Members, cards of ``program`` and their ledger lines, in four statements. Also used by
    bench_confirm.py, on databases with and without customer_loyalty (then only Odoo's columns
    are filled)."""
    cr = env.cr
    cr.execute("SELECT setseed(%s)", [seed])
    addon = "entry_type" in env["loyalty.history"]._fields
    card_columns = card_values = history_columns = history_values = ""
    tier = None
    if addon:
        tier = env["loyalty.tier"].search(
            [("company_id", "=", program.company_id.id)], limit=1
        ).id or None
        card_columns, card_values = ", tier_id, tier_since", ", %(tier)s, now() AT TIME ZONE 'UTC'"
        history_columns = ", partner_id, entry_type, expiry_date, balance_after, user_id"
        history_values = """, partner_id, 'order',
               CASE WHEN issued > 0
                    THEN (created + %(validity)s * interval '1 month')::date END,
               SUM(issued - used) OVER (PARTITION BY card_id ORDER BY created
                                        ROWS UNBOUNDED PRECEDING),
               1"""
    cr.execute(
        """
        WITH partner AS (
            INSERT INTO res_partner (id, name, complete_name, commercial_partner_id, email, active,
                                     type, is_company, autopost_bills, lang, create_uid,
                                     write_uid, create_date, write_date)
            SELECT n.id, 'Bench ledger member ' || n.i, 'Bench ledger member ' || n.i, n.id,
                   'bench.ledger' || n.i || '@example.com', TRUE, 'contact', FALSE, 'ask',
                   'en_US', 1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM (SELECT nextval('res_partner_id_seq') AS id, i
                      FROM generate_series(1, %(cards)s) AS i) AS n
            RETURNING id
        )
        INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                  create_uid, write_uid, create_date, write_date"""
        + card_columns
        + """)
        SELECT %(program)s, %(company)s, partner.id,
               %(prefix)s || lpad(to_hex(partner.id), 15, '0'), 0, TRUE,
               1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'"""
        + card_values
        + """
          FROM partner
        """,
        {
            "cards": n_cards, "program": program.id, "company": program.company_id.id,
            "prefix": CODE_PREFIX, "tier": tier,
        },
    )
    # 80 % of the lines issue 10-200 points (expiring 12 months later), 20 % consume 5-50; each
    # line is the one line of its own order (order_id: unused numbers, no sale.order behind
    # them); create dates spread uniformly over the past 730 days; balance_after as the ledger
    # has it.
    cr.execute(
        """
        WITH card AS (
            SELECT array_agg(id ORDER BY id) AS ids FROM loyalty_card WHERE code LIKE %(like)s
        ), gen AS (
            SELECT i, random() AS r_kind, random() AS r_amount,
                   now() AT TIME ZONE 'UTC' - random() * interval '730 days' AS created,
                   card.ids[1 + floor(random() * array_length(card.ids, 1))::int] AS card_id
              FROM generate_series(1, %(lines)s) AS i CROSS JOIN card
        ), line AS (
            SELECT gen.card_id, c.partner_id, gen.created, gen.i AS order_id,
                   CASE WHEN gen.r_kind < 0.8 THEN round(10 + gen.r_amount * 190) ELSE 0 END
                       AS issued,
                   CASE WHEN gen.r_kind < 0.8 THEN 0 ELSE round(5 + gen.r_amount * 45) END
                       AS used
              FROM gen JOIN loyalty_card c ON c.id = gen.card_id
        )
        INSERT INTO loyalty_history (card_id, description, order_model, order_id, issued, used,
                                     create_uid, write_uid, create_date, write_date"""
        + history_columns
        + """)
        SELECT card_id, 'Bench order', 'sale.order', order_id, issued, used, 1, 1, created,
               created"""
        + history_values
        + """
          FROM line
        """,
        {
            "like": CODE_PREFIX + "%", "lines": n_lines, "validity": VALIDITY_MONTHS,
        },
    )
    cr.execute(
        """
        UPDATE loyalty_card c SET points = s.balance
          FROM (SELECT card_id, SUM(issued - used) AS balance FROM loyalty_history
                 GROUP BY card_id) AS s
         WHERE c.id = s.card_id AND c.code LIKE %s
        """,
        [CODE_PREFIX + "%"],
    )
    # The planner needs statistics, as it has them on a live database (ANALYZE is
    # transactional: the rollback forgets them with the rows).
    cr.execute("ANALYZE loyalty_history")
    cr.execute("ANALYZE loyalty_card")
    cr.execute("ANALYZE res_partner")


def ledger_figures(cr, program_id, today):
    """Lines, cards, lines past expiry, expiry lines, and the points FIFO says must expire."""
    cr.execute(
        """
        SELECT count(*),
               count(DISTINCT h.card_id),
               count(*) FILTER (WHERE h.issued > 0 AND h.expiry_date <= %(today)s),
               count(*) FILTER (WHERE h.entry_type = 'expiry'),
               COALESCE(SUM(h.used) FILTER (WHERE h.entry_type = 'expiry'), 0)
          FROM loyalty_history h JOIN loyalty_card c ON c.id = h.card_id
         WHERE c.program_id = %(program)s
        """,
        {"today": today, "program": program_id},
    )
    lines, cards, past_due, expiry_lines, expired = cr.fetchone()
    # FIFO, computed independently of the addon: what must have expired by today per card is
    # what was issued on lines expiring by today, less everything consumed, if positive (each
    # generated order has one line, so the addon's batches of points are the lines).
    cr.execute(
        """
        SELECT COALESCE(SUM(GREATEST(due - consumed, 0)), 0),
               count(*) FILTER (WHERE due - consumed > 0.005)
          FROM (SELECT h.card_id,
                       SUM(CASE WHEN h.issued > 0 AND h.expiry_date <= %(today)s
                                THEN h.issued ELSE 0 END) AS due,
                       SUM(CASE WHEN h.entry_type <> 'expiry' THEN h.used ELSE 0 END)
                           AS consumed
                  FROM loyalty_history h JOIN loyalty_card c ON c.id = h.card_id
                 WHERE c.program_id = %(program)s
                 GROUP BY h.card_id) AS s
        """,
        {"today": today, "program": program_id},
    )
    fifo_points, fifo_cards = cr.fetchone()
    return {
        "lines": lines, "cards": cards, "past_due": past_due, "expiry_lines": expiry_lines,
        "expired": expired, "fifo_points": fifo_points, "fifo_cards": fifo_cards,
    }


def unbalanced_cards(cr, program_id):
    """Cards of the program whose balance differs from their ledger (one query)."""
    cr.execute(
        """
        SELECT count(*)
          FROM loyalty_card c
          LEFT JOIN (SELECT card_id, SUM(issued - used) AS total
                       FROM loyalty_history GROUP BY card_id) AS h ON h.card_id = c.id
         WHERE c.program_id = %s AND abs(COALESCE(c.points, 0) - COALESCE(h.total, 0)) > 0.005
        """,
        [program_id],
    )
    return cr.fetchone()[0]


def timed_cron(env):
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    env.invalidate_all()
    start = time.perf_counter()
    cards = env["loyalty.card"]._cron_expire_points()
    env.flush_all()
    return cards, time.perf_counter() - start, thread.query_count, thread.query_time


def per_card_reads(env, program, samples=30):
    """``(ms, scan, ms_indexed)``: mean ms of the ledger reads one confirmation makes for its
    member card on this ledger, how PostgreSQL finds a card's lines, and, when that is a
    sequential scan, the same reads with a temporary index on ``card_id`` (the transaction is
    rolled back: the index never outlives the run)."""
    cr = env.cr
    cr.execute(
        "SELECT id FROM loyalty_card WHERE program_id = %s ORDER BY random() LIMIT %s",
        [program.id, samples],
    )
    card_ids = [row[0] for row in cr.fetchall()]
    reads = {
        "ledger sums (each ledger write)": lambda card: card._loyalty_ledger_sums(),
        "pending points (balance check)": lambda card: card._loyalty_pending_points(),
        "expiring points (card form)": lambda card: card._loyalty_expiring_points(),
    }

    def measure():
        result = {}
        for name, read in reads.items():
            times = []
            for card_id in card_ids:
                env.invalidate_all()
                card = env["loyalty.card"].browse(card_id)
                card.program_id.points_validity_months  # noqa: B018 (prefetch, untimed)
                start = time.perf_counter()
                read(card)
                times.append(time.perf_counter() - start)
            result[name] = statistics.fmean(times) * 1e3
        return result

    plain = measure()
    cr.execute(
        "EXPLAIN SELECT card_id, SUM(issued - used) FROM loyalty_history WHERE card_id IN %s "
        "GROUP BY card_id",
        [(card_ids[0],)],
    )
    plan = " ".join(row[0] for row in cr.fetchall())
    if "Seq Scan" not in plan:
        return plain, "an index scan", None
    cr.execute("CREATE INDEX bench_expiry_tmp_card_id ON loyalty_history (card_id)")
    cr.execute("ANALYZE loyalty_history")
    indexed = measure()
    cr.execute("DROP INDEX bench_expiry_tmp_card_id")
    return plain, "a sequential scan (no index on card_id)", indexed


def main():
    args = parse_args()
    odoo = start_odoo(args.config)
    registry = odoo.modules.registry.Registry(args.database)
    if "customer_loyalty" not in registry._init_modules:
        sys.exit(f"{args.database}: customer_loyalty is not installed")
    failures = []
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})  # the scheduler runs as root
        program = env.company.loyalty_program_id
        program.write({"points_validity_months": VALIDITY_MONTHS})
        env.flush_all()
        today = odoo.fields.Date.context_today(env["loyalty.card"])

        start = time.perf_counter()
        generate(env, program, args.cards, args.lines, args.seed)
        generated = time.perf_counter() - start
        before = ledger_figures(cr, program.id, today)
        unbalanced_before = unbalanced_cards(cr, program.id)

        cards1, seconds1, queries1, sql1 = timed_cron(env)
        after1 = ledger_figures(cr, program.id, today)
        cards2, seconds2, queries2, sql2 = timed_cron(env)
        after2 = ledger_figures(cr, program.id, today)
        unbalanced = unbalanced_cards(cr, program.id)
        reads, scan, indexed = per_card_reads(env, program)

        written1 = after1["expiry_lines"] - before["expiry_lines"]
        written2 = after2["expiry_lines"] - after1["expiry_lines"]
        expired = after1["expired"] - before["expired"]
        if unbalanced_before:
            failures.append(f"{unbalanced_before} generated cards were unbalanced before the run")
        if unbalanced:
            failures.append(f"{unbalanced} card(s) with points != SUM(issued - used)")
        if written2 or cards2:
            failures.append(f"the second run wrote {written2} line(s) for {cards2} card(s)")
        if written1 != before["fifo_cards"] or abs(expired - before["fifo_points"]) > 0.01:
            failures.append(
                f"expired {expired:.0f} points on {written1} cards, FIFO expects "
                f"{before['fifo_points']:.0f} on {before['fifo_cards']}"
            )

        print(
            f"bench_expiry: {before['lines']:,} ledger lines on {before['cards']:,} member cards "
            f"(generated in {generated:.1f} s), points valid {VALIDITY_MONTHS} months, "
            f"today {today}"
        )
        print(f"  lines past their expiry date: {before['past_due']:,}; cards with points to "
              f"expire (FIFO): {before['fifo_cards']:,} for {before['fifo_points']:,.0f} points")
        print(f"  first run:  {seconds1:6.2f} s, {written1:,} expiry lines written "
              f"({cards1:,} cards), {expired:,.0f} points expired, {queries1} queries, "
              f"SQL {sql1:.2f} s  (target < {TARGET_SECONDS:.0f} s: "
              f"{'within' if seconds1 < TARGET_SECONDS else 'ABOVE'})")
        print(f"  second run: {seconds2:6.2f} s, {written2:,} lines written, {queries2} queries")
        print(f"  ledger check (points = SUM(issued - used)): "
              f"{'OK' if not unbalanced else f'{unbalanced} card(s) WRONG'} on "
              f"{after2['cards']:,} cards; FIFO check: "
              f"{'OK' if not failures else 'see below'}")
        print(f"  per-card ledger reads at {after2['lines']:,} lines (mean of 30 cards): "
              + ", ".join(f"{name} {ms:.1f} ms" for name, ms in reads.items()))
        print(f"    PostgreSQL finds a card's lines by {scan}")
        if indexed:
            print("    with a temporary index on loyalty_history(card_id): "
                  + ", ".join(f"{ms:.1f} ms" for ms in indexed.values()))
        for failure in failures:
            print(f"  CHECK FAILED: {failure}")
    finally:
        cr.rollback()
        cr.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
