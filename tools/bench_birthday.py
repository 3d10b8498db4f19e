#!/usr/bin/env python3
"""Benchmark: the birthday and anniversary gift cron of customer_loyalty over 100,000 members.

Generates, set-wise in SQL (INSERT … SELECT generate_series), 100,000 contacts with member cards
of the company's membership program: birth dates spread over every day of the year (about 275
birthdays a day; 5 % without one), enrolment dates spread over the past three years (about 180
anniversaries a day), members in UTC and Asia/Ho_Chi_Minh. The lowest tier gets a birthday gift
(100 points and a 20 % coupon of a coupon program) and an anniversary gift (50 points). Then times
``loyalty.member.gift._cron_issue_occasion_gifts()`` (the run that issues today's gifts: ledger
lines, coupons, e-mails queued) and a second run, which must issue nothing, and checks the gifts
against a count made independently from the generated dates.

Runs in one transaction, rolled back at the end: the database is left as it was. Prints figures;
asserts nothing about timings, but exits non-zero when a correctness check fails.

    .cache/venv/bin/python tools/bench_birthday.py -c .cache/odoo.conf -d bench_with \\
        [--members 100000]
"""

import argparse
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 10.0
CODE_PREFIX = "044bday"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-c", "--config", default=str(ROOT / ".cache" / "odoo.conf"))
    parser.add_argument("-d", "--database", default="bench_with")
    parser.add_argument("--members", type=int, default=100_000, help="members to generate")
    parser.add_argument("--seed", type=float, default=0.42, help="PostgreSQL setseed()")
    return parser.parse_args()


def start_odoo(config_path):
    import odoo  # noqa: PLC0415 (the venv's Odoo, importable once the script runs)
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(["-c", config_path, "--log-level=warn", "--no-http"], setup_logging=True)
    return odoo


def generate(env, program, tier, n_members, seed):
    """Members and their cards, in one statement; the tier's gift rules."""
    cr = env.cr
    cr.execute("SELECT setseed(%s)", [seed])
    cr.execute(
        """
        WITH partner AS (
            INSERT INTO res_partner (id, name, complete_name, commercial_partner_id, email,
                                     email_normalized, active, type, is_company, autopost_bills,
                                     lang, tz, birthdate_date, create_uid, write_uid,
                                     create_date, write_date)
            SELECT n.id, 'Bench birthday member ' || n.i, 'Bench birthday member ' || n.i, n.id,
                   'bench.bday' || n.i || '@example.com', 'bench.bday' || n.i || '@example.com',
                   TRUE, 'contact', FALSE, 'ask', 'en_US',
                   CASE WHEN n.i %% 2 = 0 THEN 'Asia/Ho_Chi_Minh' ELSE 'UTC' END,
                   CASE WHEN random() < 0.95
                        THEN DATE '1950-01-01' + floor(random() * 365 * 55)::int END,
                   1, 1, now() AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC'
              FROM (SELECT nextval('res_partner_id_seq') AS id, i
                      FROM generate_series(1, %(members)s) AS i) AS n
            RETURNING id
        )
        INSERT INTO loyalty_card (program_id, company_id, partner_id, code, points, active,
                                  is_membership, tier_id, tier_since,
                                  create_uid, write_uid, create_date, write_date)
        SELECT %(program)s, %(company)s, partner.id,
               %(prefix)s || lpad(to_hex(partner.id), 15, '0'), 0, TRUE, TRUE, %(tier)s,
               now() AT TIME ZONE 'UTC', 1, 1,
               now() AT TIME ZONE 'UTC' - interval '40 days' - random() * interval '1095 days',
               now() AT TIME ZONE 'UTC'
          FROM partner
        """,
        {"members": n_members, "program": program.id, "company": program.company_id.id,
         "prefix": CODE_PREFIX, "tier": tier.id},
    )
    coupon_program = env["loyalty.program"].create({
        "name": "Bench birthday 20%",
        "program_type": "coupons",
        "company_id": program.company_id.id,
        "trigger": "with_code",
        "applies_on": "current",
        "rule_ids": [(0, 0, {"reward_point_amount": 1})],
        "reward_ids": [(0, 0, {"reward_type": "discount", "discount": 20,
                               "required_points": 1})],
    })
    Rule = env["loyalty.tier.gift"]
    Rule.search([("tier_id", "=", tier.id)]).unlink()
    Rule.create([
        {"tier_id": tier.id, "occasion": "birthday", "points": 100,
         "coupon_program_id": coupon_program.id, "coupon_validity_days": 30},
        {"tier_id": tier.id, "occasion": "anniversary", "points": 50},
    ])
    env.flush_all()
    cr.execute("ANALYZE res_partner")
    cr.execute("ANALYZE loyalty_card")


def expected(cr, now):
    """Birthdays and anniversaries of the generated members due at ``now`` (UTC), counted from
    their dates alone (lead 0 days, catch-up 0 days; 29 February on 28 February; joined more
    than 30 days ago by construction)."""
    cr.execute(
        """
        WITH m AS (
            SELECT p.birthdate_date AS born,
                   (c.create_date AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::date AS joined,
                   (%(now)s::timestamp AT TIME ZONE 'UTC' AT TIME ZONE p.tz)::date AS today
              FROM loyalty_card c JOIN res_partner p ON p.id = c.partner_id
             WHERE c.code LIKE %(like)s
        )
        SELECT count(*) FILTER (WHERE to_char(born, 'MM-DD') = to_char(today, 'MM-DD')
                                   OR (to_char(born, 'MM-DD') = '02-29'
                                       AND to_char(today, 'MM-DD') = '02-28'
                                       AND NOT (extract(year FROM today)::int %% 4 = 0)))
                                  AS birthdays,
               count(*) FILTER (WHERE to_char(joined, 'MM-DD') = to_char(today, 'MM-DD')
                                  AND joined < today - 300) AS anniversaries,
               count(*) FILTER (WHERE born IS NULL) AS no_birthdate
          FROM m
        """,
        {"now": now, "like": CODE_PREFIX + "%"},
    )
    return cr.fetchone()


def timed_run(env):
    thread = threading.current_thread()
    thread.query_count, thread.query_time = 0, 0.0
    env.invalidate_all()
    start = time.perf_counter()
    result = env["loyalty.member.gift"]._cron_issue_occasion_gifts()
    env.flush_all()
    return result, time.perf_counter() - start, thread.query_count, thread.query_time


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
        company = env.company
        company.write({"loyalty_gift_lead_days": 0, "loyalty_gift_catchup_days": 0,
                       "loyalty_gift_feb29": "feb28"})
        program = company.loyalty_program_id
        tier = env["loyalty.tier"].search([("company_id", "=", company.id)], limit=1)
        start = time.perf_counter()
        generate(env, program, tier, args.members, args.seed)
        generated = time.perf_counter() - start
        others_no_birthdate = env["loyalty.member.gift"]._loyalty_count_no_birthdate(
            env["loyalty.card"].search([("code", "not like", CODE_PREFIX + "%")])
        )
        now = odoo.fields.Datetime.now()
        birthdays, anniversaries, no_birthdate = expected(cr, now)

        result1, seconds1, queries1, sql1 = timed_run(env)
        gifts = result1["gifts"]
        result2, seconds2, queries2, _sql2 = timed_run(env)
        start = time.perf_counter()
        sent = env["loyalty.member.gift"]._cron_send_gift_mails()
        env.flush_all()
        mail_seconds = time.perf_counter() - start
        mails = env["mail.mail"].search_count(
            [("model", "=", "loyalty.member.gift"), ("res_id", "in", gifts.ids)]
        )
        by_occasion = {
            occasion: len(gifts.filtered(lambda g, o=occasion: g.occasion == o))
            for occasion in ("birthday", "anniversary")
        }
        coupons = len(gifts.coupon_id)
        ledger = len(gifts.history_id)
        if by_occasion != {"birthday": birthdays, "anniversary": anniversaries}:
            failures.append(
                f"gave {by_occasion}, the generated dates say {birthdays} birthdays and "
                f"{anniversaries} anniversaries"
            )
        if result2["gifts"]:
            failures.append(f"the second run gave {len(result2['gifts'])} gift(s)")
        if coupons != birthdays or ledger != len(gifts) or mails != len(gifts) != sent:
            failures.append(
                f"{coupons} coupons, {ledger} ledger lines, {mails} e-mails for {len(gifts)} gifts"
            )
        if result1["no_birthdate"] - others_no_birthdate != no_birthdate:
            failures.append(f"{result1['no_birthdate']} without birth date, {no_birthdate} made "
                            f"(and {others_no_birthdate} before)")

        print(
            f"bench_birthday: {args.members:,} members (generated in {generated:.1f} s), "
            f"half in UTC, half in Asia/Ho_Chi_Minh, now {now:%Y-%m-%d %H:%M} UTC"
        )
        print(f"  due today (counted from the dates): {birthdays} birthdays, {anniversaries} "
              f"anniversaries; {no_birthdate:,} members without a birth date")
        print(f"  run that issues: {seconds1:6.2f} s, {len(gifts)} gifts ({coupons} coupons, "
              f"{ledger} ledger lines), {queries1} queries, SQL "
              f"{sql1:.2f} s  (target < {TARGET_SECONDS:.0f} s: "
              f"{'within' if seconds1 < TARGET_SECONDS else 'ABOVE'})")
        print(f"  second run:      {seconds2:6.2f} s, {len(result2['gifts'])} gifts, "
              f"{queries2} queries")
        print(f"  e-mails' cron (its own run, triggered by the first): {mail_seconds:6.2f} s, "
              f"{sent} e-mails queued ({mail_seconds / max(sent, 1) * 1000:.0f} ms each)")
        print(f"  check (gifts = birthdays and anniversaries of the generated dates, once): "
              f"{'OK' if not failures else 'see below'}")
        for failure in failures:
            print(f"  CHECK FAILED: {failure}")
    finally:
        cr.rollback()
        cr.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
