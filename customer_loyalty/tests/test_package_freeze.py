from datetime import date

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageFreeze(PackageCommon):
    """The freeze wizard ("bảo lưu") of a Loyalty Manager: limits, extension, unfreezing.

    The gym year is first used on 2026-01-15: it is valid until 2027-01-14; it may be frozen
    30 days in all, at most twice."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = cls._new_user(
            "pkg_manager", "customer_loyalty.group_loyalty_manager,sales_team.group_sale_salesman"
        )
        cls.salesperson = cls._new_user("pkg_freeze_salesperson", "sales_team.group_sale_salesman")
        cls.cashier = cls._new_user("pkg_freeze_cashier", "point_of_sale.group_pos_user")

    def setUp(self):
        super().setUp()
        self.package = self._sell(self.alice, self.pack_gym, 3650.0, "2026-01-10")
        self._use(self.package, self.alice, self.gym_visit, "2026-01-15")
        self.assertEqual(self.package.date_expiry, date(2027, 1, 14))

    def _freeze(self, date_from, days=None, date_to=None, user=None, today=None):
        """Freeze through the wizard as ``user`` (the manager) on ``today`` (``date_from``)."""
        with freeze_time(today or date_from):
            package = self._as(user or self.manager, self.package)
            action = package.action_loyalty_freeze()
            wizard = self.env[action["res_model"]].with_user(user or self.manager).with_context(
                **action["context"]
            ).create({"date_from": date_from, "reason": "Travelling",
                      **({"days": days} if days else {}),
                      **({"date_to": date_to} if date_to else {})})
            wizard.action_freeze()
            return wizard

    def test_freeze_extends_the_validity_by_the_frozen_days(self):
        wizard = self._freeze("2026-03-01", days=10)
        self.assertEqual(wizard.date_to, date(2026, 3, 10), "10 days from 1 March, both included")
        self.package.invalidate_recordset()
        self.assertEqual(self.package.frozen_days, 10)
        # 2027-01-14 + 10 days.
        self.assertEqual(self.package.date_expiry, date(2027, 1, 24))
        with self._refused(UserError, "is frozen until 2026-03-10"):
            self._use(self.package, self.alice, self.gym_visit, "2026-03-05")
        self._use(self.package, self.alice, self.gym_visit, "2026-03-11")
        freeze = self.package.freeze_ids
        self.assertEqual((freeze.reason, freeze.user_id), ("Travelling", self.manager))
        message = self.package.message_ids.filtered(lambda m: "Frozen from 2026-03-01" in m.body)
        self.assertTrue(message, "the chatter logs the freeze")
        self.assertIn("Valid until 2027-01-24", message.body)
        self.assertEqual(message.author_id, self.manager.partner_id)

    def test_freeze_to_a_date(self):
        self._freeze("2026-03-01", date_to="2026-03-05")
        self.assertEqual(self.package.freeze_ids.days, 5)
        self.assertEqual(self.package.date_expiry, date(2027, 1, 19))

    def test_limits_of_days_count_and_overlap(self):
        self._freeze("2026-03-01", days=20)
        with self._refused(UserError, "may be frozen 10 more days \\(of 30\\), not 11"):
            self._freeze("2026-05-01", days=11)
        with self._refused(UserError, "already frozen from 2026-03-01 to 2026-03-20"):
            self._freeze("2026-03-15", days=2, today="2026-03-01")
        self._freeze("2026-05-01", days=2)
        with self._refused(UserError, "already frozen 2 times, its limit"):
            self._freeze("2026-06-01", days=1)
        self.assertEqual(self.package.frozen_days, 22)
        self.assertEqual(self.package.date_expiry, date(2027, 2, 5))

    def test_refusals_for_the_package(self):
        haircuts = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-10")
        with freeze_time("2026-03-01"), self._refused(UserError, "cannot be frozen"):
            haircuts.with_user(self.manager)._loyalty_package_freeze(
                date(2026, 3, 1), date(2026, 3, 5), "Trip"
            )
        not_started = self._sell(self.bob, self.pack_gym, 3650.0, "2026-01-10")
        with freeze_time("2026-03-01"), self._refused(UserError, "has not started yet"):
            not_started.with_user(self.manager)._loyalty_package_freeze(
                date(2026, 3, 1), date(2026, 3, 5), "Trip"
            )
        with self._refused(UserError, "not in the past"):
            self._freeze("2026-02-20", days=3, today="2026-03-01")
        self.assertFalse(self.package.freeze_ids)

    def test_unfreeze_early_counts_the_real_frozen_time(self):
        self._freeze("2026-03-01", days=20)
        self.assertEqual(self.package.date_expiry, date(2027, 2, 3))
        with freeze_time("2026-03-04"):
            self._as(self.manager, self.package).action_loyalty_unfreeze()
            self.package.invalidate_recordset()
            self.assertFalse(self.package.is_frozen)
        # Frozen 1-3 March: 3 days; usable again on the 4th.
        self.assertEqual(self.package.freeze_ids.date_to, date(2026, 3, 3))
        self.assertEqual(self.package.frozen_days, 3)
        self.assertEqual(self.package.date_expiry, date(2027, 1, 17))
        self._use(self.package, self.alice, self.gym_visit, "2026-03-04")
        self.assertTrue(self.package.message_ids.filtered(
            lambda m: "Unfrozen on 2026-03-04 (3 days frozen in all)" in m.body
        ))
        # 27 days are left of the allowance.
        self.assertEqual(self.package._loyalty_freeze_left(), (27, 1))
        with freeze_time("2026-03-04"), self._refused(UserError, "is not frozen"):
            self._as(self.manager, self.package).action_loyalty_unfreeze()

    def test_unfreeze_on_its_first_day_counts_no_day_and_no_freeze(self):
        self._freeze("2026-03-01", days=5)
        with freeze_time("2026-03-01"):
            self._as(self.manager, self.package).action_loyalty_unfreeze()
        self.assertEqual(self.package.freeze_ids.days, 0)
        self.assertEqual(self.package.date_expiry, date(2027, 1, 14))
        self._use(self.package, self.alice, self.gym_visit, "2026-03-01")
        self.assertEqual(self.package._loyalty_freeze_left(), (30, 2))

    def test_salesperson_and_cashier_may_not_freeze(self):
        for user in (self.salesperson, self.cashier):
            with freeze_time("2026-03-01"):
                with self.assertRaisesRegex(AccessError, "Only a Loyalty Manager"):
                    self._as(user, self.package).action_loyalty_freeze()
                with self.assertRaisesRegex(AccessError, "Only a Loyalty Manager"):
                    self._as(user, self.package).action_loyalty_unfreeze()
                with self.assertRaisesRegex(AccessError, "Only a Loyalty Manager"):
                    self._as(user, self.package)._loyalty_package_freeze(
                        date(2026, 3, 1), date(2026, 3, 5), "Trip"
                    )
        with freeze_time("2026-03-01"):
            wizard = self.env["loyalty.package.freeze.wizard"].with_user(self.salesperson).create({
                "package_id": self.package.id, "date_from": "2026-03-01", "days": 5,
                "reason": "Trip",
            })
            with self.assertRaisesRegex(AccessError, "Only a Loyalty Manager"):
                wizard.action_freeze()
        self.assertFalse(self.package.freeze_ids)
        self.assertEqual(self.package.date_expiry, date(2027, 1, 14))
