from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageCore(PackageCommon):
    """The package engine: selling, using, giving back, cancelling, expiring; the usage ledger."""

    def test_sale_copies_the_terms_and_issues_the_uses_once(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        self.assertEqual(len(package), 1)
        self.assertEqual(package.partner_id, self.alice)
        self.assertEqual(package.uses_total, 10)
        self.assertEqual(package.service_product_ids, self.haircut)
        self.assertEqual(package.price_per_use, 80.0)
        self.assertEqual(package.date_start, date(2026, 3, 15))
        # 6 months from 15 March: the last day is 14 September.
        self.assertEqual(package.date_expiry, date(2026, 9, 14))
        self.assertEqual(package.state, "active")
        self.assertUsesLeft(package, 10)
        self.assertEqual(package.line_ids.entry_type, "issued")
        self.assertTrue(package.name.startswith("PKG/"))
        # The same order line sells nothing the second time; a second rank is another package.
        line = package.sale_line_id
        self.assertFalse(self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15", line=line))
        second = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15", line=line, rank=1)
        self.assertEqual(len(second), 1)
        self.assertNotEqual(second, package)
        # Changing the product later changes only the packages sold afterwards.
        self.pack_haircut.loyalty_package_uses = 5
        self.assertEqual(package.uses_total, 10)

    def test_use_picks_the_package_that_expires_first(self):
        later = self._sell(self.alice, self.pack_haircut, 800.0, "2026-05-01")
        sooner = self._sell(self.alice, self.pack_haircut, 800.0, "2026-02-01")
        usable = self.Package._loyalty_package_usable(
            self.alice, self.haircut, self.company, date(2026, 6, 1)
        )
        self.assertEqual(usable.ids, [sooner.id, later.id])
        self._use(usable[0], self.alice, self.haircut, "2026-06-01", quantity=2)
        self.assertUsesLeft(sooner, 8)
        self.assertUsesLeft(later, 10)
        sooner.invalidate_recordset()
        self.assertEqual(sooner.summary, "8 of 10 left, until 2026-07-31")
        self.assertEqual(sooner.uses_used, 2)
        # After July, the sooner one has expired: the later one is the only choice.
        usable = self.Package._loyalty_package_usable(
            self.alice, self.haircut, self.company, date(2026, 8, 1)
        )
        self.assertEqual(usable, later)

    def test_refusals_say_why(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        with self._refused(UserError, "belongs to another customer: Bob Tran may not use it"):
            self._use(package, self.bob, self.haircut, "2026-04-01")
        with self._refused(UserError, "does not cover Massage"):
            self._use(package, self.alice, self.massage, "2026-04-01")
        with self._refused(UserError, "has 10 uses left, not 11"):
            self._use(package, self.alice, self.haircut, "2026-04-01", quantity=11)
        with self._refused(UserError, "expired on 2026-09-14"):
            self._use(package, self.alice, self.haircut, "2026-09-15")
        with self._refused(UserError, "whole uses"):
            self._use(package, self.alice, self.haircut, "2026-04-01", quantity=0)
        self._use(package, self.alice, self.haircut, "2026-04-01", quantity=10)
        self.assertEqual(package.state, "used_up")
        with self._refused(UserError, r"is used up \(0 of 10 left\)"):
            self._use(package, self.alice, self.haircut, "2026-04-02")
        self.assertUsesLeft(package, 0)
        other = self.env["res.company"].create({"name": "Other Shop"})
        elsewhere = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15", company=other)
        with self._refused(UserError, "belongs to another company"):
            self._use(elsewhere, self.alice, self.haircut, "2026-04-01")

    def test_frozen_package_cannot_be_used_and_lasts_longer(self):
        package = self._sell(self.alice, self.pack_gym, 3650.0, "2026-01-10")
        self.assertFalse(package.date_expiry, "the validity starts at the first use")
        self._use(package, self.alice, self.gym_visit, "2026-02-01")
        self.assertEqual(package.date_start, date(2026, 2, 1))
        self.assertEqual(package.date_expiry, date(2027, 1, 31))
        self.env["loyalty.package.freeze"].sudo().create({
            "package_id": package.id, "date_from": "2026-06-01", "date_to": "2026-06-10",
        })
        # 10 frozen days: 10 more days of validity.
        self.assertEqual(package.frozen_days, 10)
        self.assertEqual(package.date_expiry, date(2027, 2, 10))
        with self._refused(UserError, "is frozen until 2026-06-10"):
            self._use(package, self.alice, self.gym_visit, "2026-06-05")
        with freeze_time("2026-06-05"):
            package.invalidate_recordset(["is_frozen"])
            self.assertTrue(package.is_frozen)
            self.assertIn(package, self.Package.search([("is_frozen", "=", True)]))
        self._use(package, self.alice, self.yoga, "2026-06-11")
        self.assertEqual(package.uses_used, 2, "unlimited uses are still counted")

    def test_family_members_named_by_the_holder_may_use_it(self):
        package = self._sell(self.alice, self.pack_gym, 3650.0, "2026-01-10")
        with self._refused(UserError, "Bob Tran may not use it"):
            self._use(package, self.bob, self.gym_visit, "2026-02-01")
        package.member_ids = self.bob
        self._use(package, self.bob, self.gym_visit, "2026-02-01")
        used = package.line_ids.filtered(lambda line: line.entry_type == "used")
        self.assertEqual(used.partner_id, self.bob)
        self.assertIn(package, self.Package._loyalty_package_usable(
            self.bob, self.gym_visit, self.company, date(2026, 2, 2)))
        personal = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-10")
        with self.assertRaisesRegex(UserError, "is personal"):
            personal.member_ids = self.bob

    def test_one_use_per_order_line_and_giving_back_once(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        used = self._use(package, self.alice, self.haircut, "2026-04-01", quantity=2)
        line = used.sale_line_id
        # The same order line again (an order synced twice): nothing more.
        self.assertFalse(self._use(package, self.alice, self.haircut, "2026-04-01", 2, line=line))
        self.assertUsesLeft(package, 8)
        self.Package._loyalty_package_give_back(line, "Order cancelled")
        self.assertUsesLeft(package, 10)
        self.assertFalse(self.Package._loyalty_package_give_back(line, "Order cancelled"))
        self.assertUsesLeft(package, 10)
        self.assertEqual(
            package.line_ids.sorted("id").mapped("entry_type"), ["issued", "used", "returned"]
        )

    def test_giving_back_to_an_expired_package_keeps_it_closed(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        used = self._use(package, self.alice, self.haircut, "2026-04-01")
        self.Package._loyalty_package_expire(date(2026, 9, 15))
        self.assertEqual(package.state, "expired")
        self.assertUsesLeft(package, 0)
        self.Package._loyalty_package_give_back(used.sale_line_id, "Order cancelled")
        self.assertUsesLeft(package, 0)
        self.assertEqual(package.state, "expired")

    def test_cancel_takes_what_is_left_and_values_it(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        self._use(package, self.alice, self.haircut, "2026-04-01", quantity=3)
        # 7 uses left of 10 sold for 800: 560 to refund.
        self.assertEqual(package._loyalty_refund_value()[package.id], 560.0)
        lines = package._loyalty_package_cancel("Refunded")
        self.assertEqual(lines.quantity, -7)
        self.assertEqual(lines.value, -560.0)
        self.assertEqual(package.state, "cancelled")
        self.assertUsesLeft(package, 0)
        self.assertFalse(package._loyalty_package_cancel("Refunded"))
        with self._refused(UserError, "was cancelled"):
            self._use(package, self.alice, self.haircut, "2026-04-02")

    def test_cancel_of_a_time_package_values_the_days_left(self):
        package = self._sell(self.alice, self.pack_gym, 3650.0, "2026-01-01")
        self.assertEqual(package._loyalty_refund_value()[package.id], 3650.0, "never used")
        self._use(package, self.alice, self.gym_visit, "2026-01-01")
        # Valid 2026-01-01 .. 2026-12-31 (365 days); on 2026-10-03, 90 days are left.
        with freeze_time("2026-10-03"):
            self.assertEqual(package._loyalty_refund_value()[package.id], 900.0)

    def test_expiry_is_one_statement_and_idempotent(self):
        sooner = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        later = self._sell(self.bob, self.pack_haircut, 800.0, "2026-03-01")
        self._use(sooner, self.alice, self.haircut, "2026-02-01", quantity=4)
        never_used_gym = self._sell(self.carol, self.pack_gym, 3650.0, "2025-01-01")
        # Sooner's last day is 2026-06-30; later's 2026-08-31.
        expired = self.Package._loyalty_package_expire(date(2026, 7, 1))
        self.assertEqual(expired, sooner)
        self.assertEqual(sooner.state, "expired")
        closing = sooner.line_ids.filtered(lambda line: line.entry_type == "expired")
        self.assertEqual(closing.quantity, -6)
        self.assertUsesLeft(sooner, 0)
        self.assertEqual(later.state, "active")
        self.assertEqual(never_used_gym.state, "active", "not used yet: its year has not begun")
        self.assertFalse(self.Package._loyalty_package_expire(date(2026, 7, 1)))
        self.assertEqual(len(sooner.line_ids), 3)

    def test_usage_ledger_is_append_only(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-03-15")
        line = package.line_ids
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            line.quantity = 100
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            line.unlink()
        with self.assertRaisesRegex(UserError, "never deleted"):
            package.unlink()
        self.assertUsesLeft(package, 10)

    def test_salesperson_and_cashier_cannot_change_uses(self):
        package = self._sell(self.alice, self.pack_gym, 3650.0, "2026-03-15")
        salesperson = self._new_user("pkg_salesperson", "sales_team.group_sale_salesman")
        cashier = self._new_user("pkg_cashier", "point_of_sale.group_pos_user")
        for user in (salesperson, cashier):
            seen = self._as(user, package)
            self.assertEqual(seen.uses_total, 0)
            with self.assertRaises(UserError):
                seen.write({"uses_total": 99})
            with self.assertRaises(UserError):
                self.env["loyalty.package.line"].with_user(user).create({
                    "package_id": package.id, "entry_type": "adjusted", "quantity": 5,
                })
            with self.assertRaises(UserError):
                self.env["loyalty.package"].with_user(user).create({
                    "partner_id": user.partner_id.id, "product_id": self.pack_gym.id,
                })
        # The salesperson names the family members the holder asks for; the cashier may not.
        self._as(salesperson, package).member_ids = self.bob
        self.assertEqual(package.member_ids, self.bob)
        with self.assertRaises(AccessError):
            self._as(cashier, package).member_ids = [Command.clear()]
        self.assertEqual(package.member_ids, self.bob)
