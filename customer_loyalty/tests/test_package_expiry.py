from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageExpiry(PackageCommon):
    """The daily cron closes the packages whose last day has passed, set-wise and once."""

    def _cron(self, day):
        with freeze_time(day):
            self.env.ref("customer_loyalty.ir_cron_loyalty_expire_packages").sudo().method_direct_trigger()
        self.env.invalidate_all()

    def test_cron_expires_after_the_last_day_once(self):
        # Valid until 2026-06-30 (6 months from 1 January), 6 uses left.
        haircuts = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        self._use(haircuts, self.alice, self.haircut, "2026-02-01", quantity=4)
        # The gym year from 2026-01-15 to 2027-01-14, frozen 10 days: until 2027-01-24.
        gym = self._sell(self.bob, self.pack_gym, 3650.0, "2026-01-10")
        self._use(gym, self.bob, self.gym_visit, "2026-01-15")
        self.env["loyalty.package.freeze"].sudo().create({
            "package_id": gym.id, "date_from": "2026-03-01", "date_to": "2026-03-10",
        })
        self._cron("2026-06-30 10:00:00")
        self.assertEqual(haircuts.state, "active", "its last day")
        self._cron("2026-07-01 00:30:00")
        self.assertEqual(haircuts.state, "expired")
        closing = haircuts.line_ids.filtered(lambda line: line.entry_type == "expired")
        self.assertEqual((closing.quantity, closing.value), (-6, -480.0))
        self.assertUsesLeft(haircuts, 0)
        self._cron("2026-07-01 00:30:00")
        self._cron("2026-07-02 00:30:00")
        self.assertEqual(len(haircuts.line_ids), 3, "issued, used, expired: once")
        # The frozen days carry the gym year past its 12 months.
        self._cron("2027-01-20 00:30:00")
        self.assertEqual(gym.state, "active")
        self._cron("2027-01-25 00:30:00")
        self.assertEqual(gym.state, "expired")
        self.assertEqual(
            gym.line_ids.filtered(lambda line: line.entry_type == "expired").quantity, 0
        )
        self._cron("2027-01-26 00:30:00")
        self.assertEqual(len(gym.line_ids.filtered(lambda line: line.entry_type == "expired")), 1)

    def test_expired_package_gets_no_notice_and_cannot_be_used(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        self._cron("2026-07-01 00:30:00")
        with freeze_time("2026-07-01"):
            done = self.Package._loyalty_package_send_notices(date(2026, 7, 1))
        self.assertNotIn(package, done["days"] | done["uses"])
        with self._refused(Exception, "expired on 2026-06-30"):
            self._use(package, self.alice, self.haircut, "2026-07-01")
