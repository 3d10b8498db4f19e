from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, ValidationError

from .common import LoyaltyCommon


class TestBirthdateChanged(LoyaltyCommon):
    """``birthdate_changed_date`` records the day (in the user's time zone) the birth date was
    last set or changed, whoever changed it; nobody can write it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # base.group_partner_manager (Contact Creation): what new internal users get.
        cls.salesman = cls._new_user(
            "bd_salesman",
            "base.group_user,base.group_partner_manager,sales_team.group_sale_salesman",
        )
        cls.cashier = cls._new_user(
            "bd_cashier",
            "base.group_user,base.group_partner_manager,point_of_sale.group_pos_user",
        )
        cls.portal = cls._new_user("bd_portal", "base.group_portal")
        cls.hcm_env = cls.env(context=dict(cls.env.context, tz="Asia/Ho_Chi_Minh"))

    def test_create_sets_the_day(self):
        with freeze_time("2026-03-10 10:00:00"):
            with_date, without = self.env["res.partner"].create(
                [{"name": "Born", "birthdate_date": "1990-05-31"}, {"name": "Unknown"}]
            )
        self.assertEqual(with_date.birthdate_changed_date, date(2026, 3, 10))
        self.assertFalse(without.birthdate_changed_date, "no birth date, no date of change")

    def test_day_in_the_users_time_zone(self):
        # 20:00 UTC on 10 March is 03:00 on 11 March in Hồ Chí Minh City.
        with freeze_time("2026-03-10 20:00:00"):
            utc = self.env["res.partner"].create({"name": "UTC", "birthdate_date": "1990-05-31"})
            hcm = self.hcm_env["res.partner"].create(
                {"name": "HCM", "birthdate_date": "1990-05-31"}
            )
        self.assertEqual(utc.birthdate_changed_date, date(2026, 3, 10))
        self.assertEqual(hcm.birthdate_changed_date, date(2026, 3, 11))

    def test_write_changes_it_only_on_a_change(self):
        with freeze_time("2026-03-10 10:00:00"):
            partner = self.alice
            partner.birthdate_date = date(1990, 5, 31)
        with freeze_time("2026-04-01 10:00:00"):
            partner.write({"birthdate_date": "1990-05-31", "phone": "0903 124 501"})
            self.assertEqual(partner.birthdate_changed_date, date(2026, 3, 10),
                             "the same birth date again is no change")
        with freeze_time("2026-04-02 10:00:00"):
            # A batch write: only the contact whose birth date changes gets the new date.
            (self.alice | self.bob).write({"birthdate_date": "1990-05-31"})
            self.assertEqual(self.alice.birthdate_changed_date, date(2026, 3, 10))
            self.assertEqual(self.bob.birthdate_changed_date, date(2026, 4, 2))
        with freeze_time("2026-04-03 10:00:00"):
            partner.birthdate_date = date(1991, 5, 31)
            self.assertEqual(partner.birthdate_changed_date, date(2026, 4, 3))
        with freeze_time("2026-04-04 10:00:00"):
            partner.birthdate_date = False
            self.assertEqual(partner.birthdate_changed_date, date(2026, 4, 4),
                             "removing it is a change too")

    def test_nobody_writes_it(self):
        with freeze_time("2026-03-10 10:00:00"):
            self.alice.birthdate_date = date(1990, 5, 31)
            # Back-dating it would pass the gift's waiting period: ignored, even for the admin,
            # in create, write and copy.
            self.alice.write({"birthdate_changed_date": "2020-01-01"})
            self._as(self.salesman, self.alice).write({"birthdate_changed_date": "2020-01-01"})
            created = self.env["res.partner"].create(
                {"name": "X", "birthdate_date": "1990-01-01",
                 "birthdate_changed_date": "2020-01-01"}
            )
        self.assertEqual(self.alice.birthdate_changed_date, date(2026, 3, 10))
        self.assertEqual(created.birthdate_changed_date, date(2026, 3, 10))
        with freeze_time("2026-05-01 10:00:00"):
            copy = self.alice.copy()
        self.assertEqual(copy.birthdate_date, date(1990, 5, 31))
        self.assertEqual(copy.birthdate_changed_date, date(2026, 5, 1),
                         "a copy's birth date is new for the copy")

    def test_salesman_and_cashier_edit_it(self):
        with freeze_time("2026-03-10 10:00:00"):
            self._as(self.salesman, self.alice).write({"birthdate_date": "1990-05-31"})
            self._as(self.cashier, self.bob).write({"birthdate_date": "1985-01-02"})
        self.assertEqual(self.alice.birthdate_date, date(1990, 5, 31))
        self.assertEqual(self.alice.birthdate_changed_date, date(2026, 3, 10))
        self.assertEqual(self.bob.birthdate_date, date(1985, 1, 2))
        self.assertEqual(self.bob.birthdate_changed_date, date(2026, 3, 10))

    def test_portal_user_cannot_write_contacts(self):
        # The portal user changes their own birth date only through the portal form (which
        # writes their own contact, tests/test_portal_birthdate.py); no contact directly.
        for partner in (self.alice, self.portal.partner_id):
            with self.assertRaises(AccessError):
                self._as(self.portal, partner).write({"birthdate_date": "1990-05-31"})
        self.assertFalse(self.alice.birthdate_date)


class TestBirthdateConstraint(LoyaltyCommon):
    """A birth date in the future or more than 120 years ago is refused."""

    @freeze_time("2026-03-10 10:00:00")
    def test_future_refused(self):
        with self._refused(ValidationError, r"The birth date 03/11/2026 is in the future"):
            self.alice.birthdate_date = date(2026, 3, 11)
        with self._refused(ValidationError, "in the future"):
            self.env["res.partner"].create({"name": "X", "birthdate_date": "2030-01-01"})
        self.alice.birthdate_date = date(2026, 3, 10)  # born today
        self.assertEqual(self.alice.birthdate_date, date(2026, 3, 10))

    @freeze_time("2026-03-10 10:00:00")
    def test_absurd_age_refused(self):
        with self._refused(ValidationError, "is more than 120 years ago: check the year"):
            self.alice.birthdate_date = date(1906, 3, 9)
        self.alice.birthdate_date = date(1906, 3, 10)  # exactly 120 years
        self.assertEqual(self.alice.birthdate_date, date(1906, 3, 10))

    @freeze_time("2026-03-10 20:00:00")
    def test_future_in_the_users_time_zone(self):
        # 11 March has begun in Hồ Chí Minh City, not in UTC.
        hcm_alice = self.alice.with_context(tz="Asia/Ho_Chi_Minh")
        hcm_alice.birthdate_date = date(2000, 3, 11)
        self.assertEqual(self.alice.birthdate_date, date(2000, 3, 11))
        with self._refused(ValidationError, "in the future"):
            self.bob.birthdate_date = date(2026, 3, 11)
        hcm_alice.birthdate_date = date(2026, 3, 11)
        self.assertEqual(self.alice.birthdate_date, date(2026, 3, 11))
