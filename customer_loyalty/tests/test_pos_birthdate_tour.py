import os
from datetime import date, timedelta

from odoo import Command
from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon
from odoo.tests import tagged

from ..models.occasion_dates import local_today
from .test_pos_tour import capture_screenshot_on_signal


@tagged("post_install", "-at_install")
class TestPosBirthdateTour(TestPointOfSaleHttpCommon):
    """The cashier enters a member's birth date at the counter (Odoo 18's POS edits customers
    in the contact form), and the member panel tells about a birthday in the next 7 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.env.company
        company._loyalty_install_membership()
        program = company.loyalty_program_id
        program.write({"pos_ok": True, "pos_config_ids": [Command.link(cls.main_pos_config.id)]})
        # Cashiers edit customers with Contact Creation, as Odoo gives new internal users.
        cls.pos_user.groups_id = [Command.link(cls.env.ref("base.group_partner_manager").id)]
        Partner = cls.env["res.partner"]
        # The browser's "today": the machine's (the till is in the shop's time zone).
        today = date.today()
        cls.member = Partner.create({"name": "Zyx Birthday Member"})
        # Born in 1992, a leap year: any day exists.
        cls.today_member = Partner.create(
            {"name": "Zyx Birthday Today", "birthdate_date": today.replace(year=1992)}
        )
        cls.later_member = Partner.create({
            "name": "Zyx Birthday Later",
            "birthdate_date": (today + timedelta(days=7)).replace(year=1992),
        })
        (cls.member | cls.today_member | cls.later_member).action_loyalty_enroll()

    def test_cashier_sets_the_birth_date(self):
        with capture_screenshot_on_signal(os.environ.get("LOYALTY_POS_SCREENSHOT")):
            self.start_pos_tour("CustomerLoyaltyBirthdateTour")
        self.member.invalidate_recordset()
        self.assertEqual(
            self.member.birthdate_date, (date.today() + timedelta(days=2)).replace(year=1992)
        )
        self.assertEqual(
            self.member.birthdate_changed_date,
            local_today(self.env(user=self.pos_user)),
            "the day the cashier set it, in the cashier's time zone",
        )

    def test_birthday_today_and_not_this_week(self):
        self.start_pos_tour("CustomerLoyaltyBirthdayTodayTour")
