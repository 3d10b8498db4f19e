from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.tools import SQL
from odoo.tools.safe_eval import safe_eval

from .common import LoyaltyCommon


class TestUpcomingBirthdays(LoyaltyCommon):
    """Upcoming birthdays, searched in SQL on month and day: the next 7 and 30 days, across the
    year end, 29 February (on 28 February in other years), in the user's time zone."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One contact per birth date; the names say the month and day.
        cls.born = {}
        birthdates = [
            date(1990, 12, 27), date(1991, 12, 28), date(1992, 12, 31), date(1993, 1, 3),
            date(1994, 1, 4), date(1995, 1, 26), date(1996, 1, 27), date(1988, 2, 29),
            date(1997, 2, 28), date(1998, 3, 1), date(1999, 2, 25),
        ]
        partners = cls.env["res.partner"].create(
            [{"name": f"Born {d:%m-%d}", "birthdate_date": d} for d in birthdates]
        )
        cls.born = dict(zip([f"{d:%m-%d}" for d in birthdates], partners, strict=True))
        cls.all_born = partners

    def _found(self, domain, env=None):
        env = env or self.env
        found = env["res.partner"].search([("id", "in", self.all_born.ids), *domain])
        return sorted(found.mapped("name"))

    def _days(self, env=None):
        env = env or self.env
        env.invalidate_all()  # the figures depend on today
        return {p.name: p.loyalty_birthday_in_days for p in self.all_born.with_env(env)}

    @freeze_time("2026-12-28 10:00:00")
    def test_across_the_year_end(self):
        days = self._days()
        self.assertEqual(days["Born 12-28"], 0)
        self.assertEqual(days["Born 12-31"], 3)
        self.assertEqual(days["Born 01-03"], 6)
        self.assertEqual(days["Born 01-04"], 7)
        self.assertEqual(days["Born 12-27"], 364, "yesterday's birthday is next year's")
        self.assertEqual(self.born["01-03"].loyalty_birthday_next_date, date(2027, 1, 3))
        self.assertEqual(
            self._found([("loyalty_birthday_in_days", "<", 7)]),
            ["Born 01-03", "Born 12-28", "Born 12-31"],
        )
        # 30 days: up to 26 January (29 days away); 27 January is 30 days away.
        self.assertEqual(
            self._found([("loyalty_birthday_in_days", "<", 30)]),
            ["Born 01-03", "Born 01-04", "Born 01-26", "Born 12-28", "Born 12-31"],
        )
        self.assertEqual(self._found([("loyalty_birthday_in_days", "=", 30)]), ["Born 01-27"])
        self.assertEqual(self._found([("loyalty_birthday_in_days", ">", 300)]), ["Born 12-27"])

    @freeze_time("2027-02-25 10:00:00")
    def test_29_february_in_a_year_without_it(self):
        days = self._days()
        self.assertEqual(days["Born 02-29"], 3, "celebrated on 28 February 2027")
        self.assertEqual(days["Born 02-28"], 3)
        self.assertEqual(days["Born 03-01"], 4)
        self.assertEqual(self.born["02-29"].loyalty_birthday_next_date, date(2027, 2, 28))
        self.assertEqual(
            self._found([("loyalty_birthday_in_days", "=", 3)]), ["Born 02-28", "Born 02-29"]
        )
        self.assertEqual(
            self._found([("loyalty_birthday_in_days", "<", 4)]),
            ["Born 02-25", "Born 02-28", "Born 02-29"],
        )

    def test_29_february_on_and_after_28_february(self):
        with freeze_time("2027-02-28 10:00:00"):
            self.assertEqual(self._days()["Born 02-29"], 0)
            self.assertIn("Born 02-29", self._found([("loyalty_birthday_in_days", "=", 0)]))
        with freeze_time("2027-03-01 10:00:00"):
            # Next one: 29 February 2028, a leap year.
            self.assertEqual(self._days()["Born 02-29"], 365)
            self.assertEqual(self.born["02-29"].loyalty_birthday_next_date, date(2028, 2, 29))
            self.assertEqual(self._found([("loyalty_birthday_in_days", "=", 365)]), ["Born 02-29"])

    @freeze_time("2028-02-25 10:00:00")
    def test_29_february_in_a_leap_year(self):
        days = self._days()
        self.assertEqual(days["Born 02-28"], 3)
        self.assertEqual(days["Born 02-29"], 4, "on its own day in 2028")
        self.assertEqual(days["Born 03-01"], 5)
        self.assertEqual(self._found([("loyalty_birthday_in_days", "=", 4)]), ["Born 02-29"])
        with freeze_time("2028-02-29 10:00:00"):
            self.assertEqual(self._days()["Born 02-28"], 365, "28 February 2029")
            self.assertEqual(self._found([("loyalty_birthday_in_days", "=", 0)]), ["Born 02-29"])

    @freeze_time("2026-12-27 18:00:00")
    def test_today_in_the_users_time_zone(self):
        # 18:00 UTC on 27 December is 01:00 on 28 December in Hồ Chí Minh City.
        hcm = self.env(context=dict(self.env.context, tz="Asia/Ho_Chi_Minh"))
        self.assertEqual(self._days()["Born 12-28"], 1)
        self.assertEqual(self._days(hcm)["Born 12-28"], 0)
        self.assertEqual(self._found([("loyalty_birthday_in_days", "=", 0)]), ["Born 12-27"])
        self.assertEqual(
            self._found([("loyalty_birthday_in_days", "=", 0)], env=hcm), ["Born 12-28"]
        )

    def test_search_and_sort_agree_with_the_figures(self):
        """Every day of a leap year as a birthday, seen from a few days: the SQL search and the
        SQL sort give what the per-contact figure gives."""
        Partner = self.env["res.partner"]
        everyone = Partner.create([
            {"name": f"Day {n}", "birthdate_date": date(2000, 1, 1) + timedelta(days=n)}
            for n in range(366)
        ])
        for today in ("2026-01-01", "2026-12-31", "2027-02-28", "2027-03-01", "2028-02-28",
                      "2028-12-31"):
            with self.subTest(today=today), freeze_time(f"{today} 10:00:00"):
                self.env.invalidate_all()
                days = {p.id: p.loyalty_birthday_in_days for p in everyone}
                for limit in (7, 30):
                    found = Partner.search(
                        [("id", "in", everyone.ids), ("loyalty_birthday_in_days", "<", limit)]
                    )
                    expected = {pid for pid, d in days.items() if d < limit}
                    self.assertEqual(set(found.ids), expected)
                    self.assertGreaterEqual(len(expected), limit, "at least one per day")
                ordered = Partner.search(
                    [("id", "in", everyone.ids)], order="loyalty_birthday_in_days, id"
                )
                self.assertEqual(ordered.ids, sorted(everyone.ids, key=lambda i: (days[i], i)))
                rows = self.env.execute_query(SQL(
                    "SELECT id, %s FROM res_partner WHERE id IN %s",
                    Partner._field_to_sql("res_partner", "loyalty_birthday_in_days"),
                    tuple(everyone.ids),
                ))
                self.assertEqual(dict(rows), days)

    def test_search_is_one_query(self):
        self.env.flush_all()
        with self.assertQueryCount(1):
            self.env["res.partner"].search_count([("loyalty_birthday_in_days", "<", 7)])


class TestUpcomingMemberLists(LoyaltyCommon):
    """Loyalty › Upcoming Birthdays / Upcoming Anniversaries: members only, soonest first."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice_card, cls.bob_card = cls._enrol(cls.alice | cls.bob)
        cls.alice.birthdate_date = date(1990, 12, 30)
        cls.bob.birthdate_date = date(1985, 1, 2)
        cls.carol.birthdate_date = date(1980, 12, 29)  # not a member

    def _action_records(self, xmlid, extra_domain, order):
        """The cards the menu's action lists, with ``extra_domain`` (a filter) applied."""
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        domain = [*safe_eval(action["domain"]), ("company_id", "=", self.company.id), *extra_domain]
        return self.env["loyalty.card"].search(domain, order=order)

    @freeze_time("2026-12-28 10:00:00")
    def test_upcoming_birthdays_members_only(self):
        cards = self._action_records(
            "customer_loyalty.action_loyalty_upcoming_birthdays",
            [("birthday_in_days", "<", 7)], "birthday_in_days, id",
        )
        self.assertEqual(cards.partner_id.mapped("name"), ["Alice Nguyen", "Bob Tran"],
                         "soonest first (30 Dec, then 2 Jan), Carol is not a member")
        self.assertEqual(cards.mapped("birthday_in_days"), [2, 5])
        self.assertEqual(cards.mapped("birthday_next_date"), [date(2026, 12, 30), date(2027, 1, 2)])
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_upcoming_birthdays"
        )
        self.assertIn("search_default_birthday_next_30", action["context"])

    def _enrolled_on(self, card, moment):
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_card SET create_date = %s WHERE id = %s", (moment, card.id)
        )
        card.invalidate_recordset(["create_date"])

    def test_upcoming_anniversaries(self):
        self._enrolled_on(self.alice_card, datetime(2024, 12, 30, 9, 0))
        self._enrolled_on(self.bob_card, datetime(2026, 12, 28, 9, 0))  # enrolled today
        with freeze_time("2026-12-28 10:00:00"):
            cards = self._action_records(
                "customer_loyalty.action_loyalty_upcoming_anniversaries",
                [("anniversary_in_days", "<", 7)], "anniversary_in_days, id",
            )
            self.assertEqual(cards, self.alice_card, "enrolling today is no anniversary")
            self.assertEqual(self.alice_card.anniversary_in_days, 2)
            self.assertEqual(self.alice_card.anniversary_years, 2)
            self.assertEqual(self.alice_card.anniversary_next_date, date(2026, 12, 30))
            self.assertEqual(self.bob_card.anniversary_in_days, 365)
            self.assertEqual(self.bob_card.anniversary_next_date, date(2027, 12, 28))
            both = self.env["loyalty.card"].search(
                [("id", "in", (self.alice_card | self.bob_card).ids)],
                order="anniversary_in_days desc",
            )
            self.assertEqual(both, self.bob_card | self.alice_card)
            self.assertEqual(
                self.env["loyalty.card"].search(
                    [("id", "in", both.ids), ("anniversary_in_days", "=", 365)]
                ),
                self.bob_card,
            )

    def test_anniversary_29_february_and_time_zone(self):
        # Enrolled at 18:00 UTC on 28 February 2024: 29 February in Hồ Chí Minh City.
        self._enrolled_on(self.alice_card, datetime(2024, 2, 28, 18, 0))
        hcm = self.env(context=dict(self.env.context, tz="Asia/Ho_Chi_Minh"))
        card = self.alice_card.with_env(hcm)
        with freeze_time("2027-02-25 10:00:00"):
            self.assertEqual(card.enrolment_date, date(2024, 2, 29))
            self.assertEqual(card.anniversary_next_date, date(2027, 2, 28))
            self.assertEqual(card.anniversary_in_days, 3)
            self.assertEqual(card.anniversary_years, 3)
            self.assertEqual(self.alice_card.anniversary_in_days, 3, "28 February in UTC")
            self.assertEqual(
                hcm["loyalty.card"].search(
                    [("id", "=", card.id), ("anniversary_in_days", "=", 3)]
                ),
                card,
            )
        with freeze_time("2027-02-28 10:00:00"):
            self.env.invalidate_all()
            self.assertEqual(
                hcm["loyalty.card"].search(
                    [("id", "=", card.id), ("anniversary_in_days", "=", 0)]
                ),
                card,
            )
            # In UTC it was enrolled on 28 February: today as well (2027 has no 29th).
            self.assertEqual(self.alice_card.anniversary_in_days, 0)
        with freeze_time("2028-02-28 10:00:00"):
            self.env.invalidate_all()
            self.assertEqual(card.anniversary_in_days, 1, "29 February 2028 in Hồ Chí Minh City")
            self.assertEqual(self.alice_card.anniversary_in_days, 0, "28 February in UTC")
