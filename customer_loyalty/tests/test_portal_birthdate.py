import re
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import HttpCase, tagged

from ..models.occasion_dates import local_today, local_tz_name
from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestPortalBirthdate(LoyaltyCommon, HttpCase):
    """The member enters their birth date in My Account (/my/account); a bad one is refused
    with a message, and only their own contact changes."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.write({
            "phone": "0903 124 501", "street": "25 Lê Thánh Tôn", "city": "Hồ Chí Minh",
            "country_id": cls.env.ref("base.vn").id,
        })
        cls.portal_alice = mail_new_test_user(
            cls.env, login="bd_portal_alice", password="bd_portal_alice-pass",
            groups="base.group_portal", partner_id=cls.alice.id, name=cls.alice.name,
            email=cls.alice.email, company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        # No time zone of their own (mail_new_test_user gives one): "today" is the shop's,
        # whose contact the portal user cannot read.
        cls.portal_alice.tz = False
        cls.alice.tz = False
        cls.company.partner_id.write({"tz": "Asia/Ho_Chi_Minh", "company_id": cls.company.id})
        cls._enrol(cls.alice)

    def _form(self):
        return {
            "name": self.alice.name, "email": self.alice.email, "phone": self.alice.phone,
            "street": self.alice.street, "city": self.alice.city,
            "country_id": str(self.alice.country_id.id),
        }

    def _post(self, **values):
        self.authenticate("bd_portal_alice", "bd_portal_alice-pass")
        page = self.url_open("/my/account")
        self.assertEqual(page.status_code, 200)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        return self.url_open(
            "/my/account", data={**self._form(), "csrf_token": token, **values},
            allow_redirects=False,
        )

    def test_form_shows_the_birth_date(self):
        self.alice.birthdate_date = date(1990, 5, 31)
        self.authenticate("bd_portal_alice", "bd_portal_alice-pass")
        html = self.url_open("/my/account").text
        self.assertRegex(html, r'<input type="date" name="birthdate_date"[^>]*value="1990-05-31"')

    def test_member_saves_their_birth_date(self):
        response = self._post(birthdate_date="1990-05-31")
        self.assertEqual(response.status_code, 303, "saved, back to /my/home")
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.birthdate_date, date(1990, 5, 31))
        # Today in the shop's time zone (the member has none).
        member_env = self.env(user=self.portal_alice, context={})
        self.assertEqual(local_tz_name(member_env), "Asia/Ho_Chi_Minh")
        self.assertEqual(self.alice.birthdate_changed_date, local_today(member_env))
        # Only their own contact: another contact's id in the form is an unknown field.
        response = self._post(birthdate_date="1991-01-01", partner_id=str(self.bob.id))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Unknown field", response.text)
        self.bob.invalidate_recordset()
        self.assertFalse(self.bob.birthdate_date)
        self.alice.invalidate_recordset()
        self.assertEqual(self.alice.birthdate_date, date(1990, 5, 31))

    @freeze_time("2026-03-10 10:00:00")
    def test_bad_birth_dates_refused(self):
        self.alice.birthdate_date = date(1990, 5, 31)
        for value, message in [
            ("2026-03-11", "The birth date 03/11/2026 is in the future"),
            ("1900-01-01", "is more than 120 years ago: check the year"),
            ("31/05/1990", "Enter your birth date as a date, for example 1990-05-31."),
        ]:
            with self.subTest(value=value):
                response = self._post(birthdate_date=value)
                self.assertEqual(response.status_code, 200, "the form again, with the error")
                self.assertIn(message, response.text)
                self.assertRegex(response.text, r'name="birthdate_date"[^>]*is-invalid')
                self.alice.invalidate_recordset()
                self.assertEqual(self.alice.birthdate_date, date(1990, 5, 31), "unchanged")
