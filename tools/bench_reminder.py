#!/usr/bin/env python3
"""Benchmark: the repurchase-reminder cron over 1,000,000 order lines and 100,000 customers.

The data is ``tools/bench_data.py``'s (reused when the database holds it, see ``--persist``
there; else generated in this transaction): 100,000 customers, ~1,000,000 Sales and POS lines
over three years, 12 products with a repurchase cycle bought periodically by 60 % of the
customers, refunds, cancelled orders, two companies.

Two daily runs are timed, with ``_cron_send_repurchase_reminders()`` (the scheduler's method,
as root: prediction refresh, conversions, cancellations, new reminders, sending), each step
timed by wrapping the model's step methods (their behaviour is unchanged):

1. with ``--backlog``, **the first run ever** over the whole history: every customer due today
   and not at risk is reminded at once (the backlog of a shop that turns the feature on: about
   10,500 messages here, each a quotation, an activity and a rendered e-mail; it did not end
   within 34 minutes on the loaded machine, so it is not part of ``make bench``);
2. **a daily run**: the state the runs of the previous days leave is simulated: yesterday's
   predictions, and the reminders due before today marked sent on their reminder day (in SQL),
   so that the run rewrites what changed since yesterday and reminds only the customers falling
   due today, as on every later day;
3. a second run the same day, which must create and send nothing.

The predictions are checked against an independent count (a separate, simpler SQL: purchase
days with ``array_agg``, the median taken from the sorted array), and the reminders, messages,
e-mails, activities and quotations against what the predictions say.

Runs in one transaction, rolled back at the end. Prints figures; asserts nothing about timings,
but exits non-zero when a correctness check fails.

    .cache/venv/bin/python tools/bench_reminder.py -c .cache/odoo.conf -d bench_scale \\
        [--customers 100000] [--lines 1000000] [--backlog]
"""

import argparse
import functools
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_data

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 20.0
STEPS = [
    ("loyalty.repurchase.prediction", "_loyalty_refresh", "predictions refresh"),
    ("loyalty.repurchase.reminder", "_loyalty_link_conversions", "conversions"),
    ("loyalty.repurchase.reminder", "_loyalty_cancel_repurchased", "cancellations"),
    ("loyalty.repurchase.reminder", "_loyalty_create_due", "new reminders"),
    ("loyalty.repurchase.reminder", "_loyalty_send_pending", "sending"),
    ("loyalty.repurchase.reminder", "_loyalty_create_activities", "  of which activities"),
    ("loyalty.repurchase.reminder", "_loyalty_send_mails", "  of which quotations + e-mails"),
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("-d", "--database", default="bench_scale")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--backlog", action="store_true",
                        help="also time the first run ever (the backlog: about 10,500 messages, "
                        "more than half an hour)")
    return parser.parse_args()


def instrument(env, timings):
    """Wrap the cron's step methods on the registry's classes to time them."""
    originals = []
    for model, method, label in STEPS:
        cls = type(env[model])
        original = getattr(cls, method)

        def wrapper(self, *args, _original=original, _label=label, **kwargs):
            start = time.perf_counter()
            try:
                return _original(self, *args, **kwargs)
            finally:
                timings[_label] = timings.get(_label, 0.0) + time.perf_counter() - start

        functools.update_wrapper(wrapper, original)
        setattr(cls, method, wrapper)
        originals.append((cls, method, original))
    return originals


def expected_predictions(cr, today):
    """Predictions by status, computed independently of the addon's SQL: each customer's
    purchase days (net of POS refunds on the refunded order's day) as a sorted array, the
    median interval taken from the middle of the sorted intervals."""
    cr.execute(
        """
        WITH RECURSIVE cat AS (
            SELECT id, loyalty_repurchase_days AS days FROM product_category
             WHERE parent_id IS NULL
             UNION ALL
            SELECT c.id, CASE WHEN c.loyalty_repurchase_days > 0 THEN c.loyalty_repurchase_days
                              ELSE cat.days END
              FROM product_category c JOIN cat ON cat.id = c.parent_id
        ), cyc AS (
            SELECT pp.id, CASE WHEN pt.loyalty_repurchase_days > 0 THEN pt.loyalty_repurchase_days
                               ELSE cat.days END AS days
              FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
              JOIN cat ON cat.id = pt.categ_id
        ), qty_per_day AS (
            SELECT company_id, partner_id, product_id, day, SUM(qty) AS qty FROM (
                SELECT so.company_id, rp.commercial_partner_id AS partner_id, l.product_id,
                       so.date_order::date AS day, l.product_uom_qty AS qty
                  FROM sale_order so JOIN sale_order_line l ON l.order_id = so.id
                  JOIN res_partner rp ON rp.id = so.partner_id
                 WHERE so.state = 'sale' AND l.display_type IS NULL
                 UNION ALL
                SELECT po.company_id, rp.commercial_partner_id, l.product_id,
                       COALESCE(orig.date_order, po.date_order)::date, l.qty
                  FROM pos_order po JOIN pos_order_line l ON l.order_id = po.id
                  JOIN res_partner rp ON rp.id = po.partner_id
                  LEFT JOIN pos_order_line ol ON ol.id = l.refunded_orderline_id
                  LEFT JOIN pos_order orig ON orig.id = ol.order_id
                 WHERE po.state IN ('paid', 'done', 'invoiced')
            ) x GROUP BY 1, 2, 3, 4 HAVING SUM(qty) > 0
        ), per_product AS (
            SELECT q.company_id, q.partner_id, q.product_id, cyc.days AS cycle,
                   array_agg(q.day ORDER BY q.day) AS days,
                   (array_agg(q.qty ORDER BY q.day DESC))[1] AS last_qty
              FROM qty_per_day q JOIN cyc ON cyc.id = q.product_id AND cyc.days > 0
             GROUP BY 1, 2, 3, 4
        ), gaps AS (
            SELECT p.*, cardinality(days) AS n, days[cardinality(days)] AS last_day,
                   ARRAY(SELECT days[i + 1] - days[i]
                           FROM generate_series(1, cardinality(days) - 1) AS i
                          ORDER BY 1) AS sorted
              FROM per_product p
        ), interval_ AS (
            SELECT g.*, CASE WHEN n >= 3 THEN
                       GREATEST(ROUND(CASE WHEN (n - 1) %% 2 = 1 THEN sorted[n / 2]::numeric
                                           ELSE (sorted[(n - 1) / 2] + sorted[(n - 1) / 2 + 1])
                                                / 2.0 END), 1)
                       ELSE CEIL(cycle * last_qty) END::int AS days_
              FROM gaps g
        )
        SELECT CASE WHEN %(today)s::date - last_day > c.loyalty_reminder_risk_factor * days_
                    THEN 'at_risk'
                    WHEN %(today)s::date >= last_day + days_ - c.loyalty_reminder_lead_days
                    THEN 'due' ELSE 'upcoming' END AS status, count(*)
          FROM interval_ i JOIN res_company c ON c.id = i.company_id
         GROUP BY 1
        """,
        {"today": today},
    )
    return dict(cr.fetchall())


def simulate_previous_days(cr, today):
    """What the daily runs of the past days left: a reminder sent on its reminder day for each
    prediction that fell due before today (and is not at risk). Returns how many."""
    cr.execute(
        """
        INSERT INTO loyalty_repurchase_reminder (
            company_id, partner_id, product_id, quantity, last_purchase_date, due_date, state,
            sent_at, create_uid, write_uid, create_date, write_date)
        SELECT p.company_id, p.partner_id, p.product_id, p.last_qty, p.last_date, p.next_date,
               'sent', p.remind_date + time '01:30', 1, 1, p.remind_date + time '01:30',
               p.remind_date + time '01:30'
          FROM loyalty_repurchase_prediction p
         WHERE p.status = 'due' AND p.remind_date < %(today)s
        ON CONFLICT DO NOTHING
        """,
        {"today": today},
    )
    count = cr.rowcount
    cr.execute("UPDATE loyalty_repurchase_reminder SET lead_id = id "
               "WHERE state = 'sent' AND lead_id IS NULL")
    cr.execute("ANALYZE loyalty_repurchase_reminder")
    return count


def counts(cr):
    cr.execute("""
        SELECT (SELECT count(*) FROM loyalty_repurchase_reminder),
               (SELECT count(*) FROM loyalty_repurchase_reminder WHERE id = lead_id
                   AND state IN ('sent', 'converted')),
               (SELECT count(*) FROM mail_mail m JOIN loyalty_repurchase_reminder r
                   ON r.mail_id = m.id AND r.id = r.lead_id),
               (SELECT count(DISTINCT a.id) FROM mail_activity a
                   JOIN loyalty_repurchase_reminder r ON r.activity_id = a.id),
               (SELECT count(*) FROM sale_order so JOIN loyalty_repurchase_reminder r
                   ON r.order_id = so.id AND r.id = r.lead_id)
    """)
    return dict(zip(("reminders", "messages", "mails", "activities", "quotations"),
                    cr.fetchone(), strict=True))


def timed_run(env, label):
    timings = {}
    originals = instrument(env, timings)
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    env.invalidate_all()
    before = counts(env.cr)
    start = time.perf_counter()
    try:
        result = env["loyalty.repurchase.reminder"]._cron_send_repurchase_reminders()
        env.flush_all()
    finally:
        for cls, method, original in originals:
            setattr(cls, method, original)
    seconds = time.perf_counter() - start
    after = counts(env.cr)
    made = {key: after[key] - before[key] for key in after}
    return {"label": label, "seconds": seconds, "steps": timings, "result": result,
            "made": made, "queries": thread.query_count, "sql": thread.query_time}


def report(run, failures_before):
    made, result = run["made"], run["result"]
    within = "within" if run["seconds"] < TARGET_SECONDS else "ABOVE"
    print(f"  {run['label']}: {run['seconds']:6.2f} s (target < {TARGET_SECONDS:.0f} s: {within}), "
          f"{run['queries']} queries, SQL {run['sql']:.2f} s")
    print(f"    created {len(result['created']):,} reminders, sent {len(result['sent']):,} in "
          f"{made['messages']:,} messages ({made['mails']:,} e-mails, {made['activities']:,} "
          f"activities, {made['quotations']:,} quotations), cancelled "
          f"{len(result['cancelled']):,}, converted {len(result['converted']):,}")
    for __, __, label in STEPS:
        if label in run["steps"]:
            print(f"    {label:<32} {run['steps'][label]:6.2f} s")


def main():
    args = parse_args()
    odoo = bench_data.start_odoo(args.config)
    registry = odoo.modules.registry.Registry(args.database)
    if "customer_loyalty" not in registry._init_modules:
        sys.exit(f"{args.database}: customer_loyalty is not installed")
    failures = []
    cr = registry.cursor()
    try:
        env = odoo.api.Environment(cr, odoo.SUPERUSER_ID, {})
        start = time.perf_counter()
        stamp = bench_data.ensure(env, args.customers, args.lines, log=lambda *a: None)
        data_seconds = time.perf_counter() - start
        today = odoo.fields.Date.context_today(env["res.partner"])
        # The shop's own demo reminders, if any, are left out of the checks.
        cr.execute("DELETE FROM loyalty_repurchase_reminder")
        cr.execute("DELETE FROM loyalty_repurchase_prediction")
        env.invalidate_all()
        for company in env["res.company"].search([]):
            company.loyalty_reminder_channel = "both"
        env.flush_all()
        expected = expected_predictions(cr, today)
        print(f"bench_reminder: {stamp['customers']:,} customers, "
              f"{stamp['sale_lines'] + stamp['pos_lines']:,} order lines "
              f"({stamp['sale_lines']:,} Sales, {stamp['pos_lines']:,} POS with "
              f"{stamp['pos_refunds']:,} refunds), "
              + ("reused" if stamp["reused"] else f"generated in {data_seconds:.0f} s")
              + f", today {today}")
        print("  expected predictions (independent SQL): "
              + ", ".join(f"{k} {v:,}" for k, v in sorted(expected.items())))
        runs = []
        Prediction = env["loyalty.repurchase.prediction"]

        def check_predictions():
            got = dict(Prediction._read_group([], ["status"], ["__count"]))
            if got != expected:
                failures.append(f"predictions by status {got}, expected {expected}")

        def check_run(run, due_customers):
            made = run["made"]
            if made["reminders"] != len(run["result"]["created"]):
                failures.append(f"{run['label']}: {made['reminders']} reminder rows for "
                                f"{len(run['result']['created'])} created")
            if not (made["messages"] == made["mails"] == made["activities"]
                    == made["quotations"] == due_customers):
                failures.append(f"{run['label']}: {made}, expected one message (e-mail, "
                                f"activity, quotation) for each of {due_customers} customers")

        def due_customers(where="", params=()):
            cr.execute(f"""SELECT count(DISTINCT (p.company_id, p.partner_id)), count(*)
                             FROM loyalty_repurchase_prediction p
                            WHERE p.status = 'due' {where}""", params)
            return cr.fetchone()

        if args.backlog:
            cr.execute("SAVEPOINT backlog")
            run = timed_run(env, "first run ever (the backlog)")
            check_predictions()
            customers, due = due_customers()
            if len(run["result"]["created"]) != due:
                failures.append(f"first run: {len(run['result']['created'])} reminders for "
                                f"{due} due predictions")
            check_run(run, customers)
            runs.append(run)
            cr.execute("ROLLBACK TO SAVEPOINT backlog")
            env.invalidate_all()
        # The daily run: the past days' runs simulated (yesterday's predictions, the
        # reminders sent until yesterday), then today's run.
        Prediction._loyalty_refresh(env["res.company"].search([]),
                                    today - timedelta(days=1))
        simulated = simulate_previous_days(cr, today)
        env.invalidate_all()
        run = timed_run(env, "daily run")
        # Today's messages: the customers with a prediction falling due today and not
        # reminded within the cap period by the previous days' runs.
        customers, __ = due_customers(
            """AND p.remind_date = %s AND NOT EXISTS (
                   SELECT 1 FROM loyalty_repurchase_reminder r
                     JOIN res_company c ON c.id = r.company_id
                    WHERE r.company_id = p.company_id AND r.partner_id = p.partner_id
                      AND r.state IN ('sent', 'converted') AND r.sent_at::date < %s
                      AND r.sent_at::date > %s::date - c.loyalty_reminder_cap_days)""",
            [today, today, today])
        __, due_today = due_customers("AND p.remind_date = %s", [today])
        check_predictions()
        if len(run["result"]["created"]) != due_today:
            failures.append(f"daily run: {len(run['result']['created'])} reminders for "
                            f"{due_today} predictions due today")
        check_run(run, customers)
        runs.append(run)
        run = timed_run(env, "second run, same day")
        made = run["made"]
        if run["result"]["created"] or run["result"]["sent"] or any(made.values()):
            failures.append(f"the second run made {made}")
        runs.append(run)

        print(f"  daily run: {simulated:,} reminders of the previous days simulated (sent on "
              f"their day), {due_today:,} predictions due today")
        for run in runs:
            report(run, failures)
        print("  check (predictions = independent count; one reminder per due prediction; one "
              "message per customer; second run makes nothing): "
              + ("OK" if not failures else "see below"))
        for failure in failures:
            print(f"  CHECK FAILED: {failure}")
    finally:
        cr.rollback()
        cr.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
