from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestLedgerSingleWriter(PointsCommon):
    """A member's balance changes only through a ledger line: every other way to change it is
    turned into a ledger line or refused, whoever calls it (RPC as a salesperson, a manager, or
    code run as superuser)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._new_user("ledger_salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._new_user(
            "ledger_manager",
            "sales_team.group_sale_salesman,customer_loyalty.group_loyalty_manager",
        )

    def _gift(self, card, points):
        """Points given by a manager's adjustment (the ledger line moves the balance)."""
        card.with_user(self.manager)._loyalty_adjust_balance(card.points + points, "gift")

    # -- direct writes of a balance ---------------------------------------------------

    def test_salesperson_cannot_write_points_nor_ledger(self):
        with self.assertRaises(AccessError):
            self._as(self.salesman, self.alice_card).write({"points": 1000})
        with self.assertRaises(AccessError):
            self._as(self.salesman, self.env["loyalty.history"]).create(
                {"card_id": self.alice_card.id, "issued": 1000, "description": "forged"}
            )
        self.assertBalance(self.alice_card, 0)
        self.assertFalse(self._lines(self.alice_card))

    def test_salesperson_card_fields_are_an_allow_list(self):
        for vals in (
            {"tier_reviewed_date": "2030-01-01"},
            {"tier_downgrade_date": "2030-01-01"},
            {"active": False},
            {"expiration_date": "2030-01-01"},
            {"points_expiry_warned_until": "2030-01-01"},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._as(self.salesman, self.alice_card).write(vals)
        self.assertTrue(self.alice_card.active)
        self.assertFalse(self.alice_card.tier_reviewed_date)

    def test_direct_write_as_superuser_becomes_an_adjustment(self):
        self._earn(self.alice, 120)
        # e.g. another module's code, or Odoo's own: the balance is set to 500 by hand.
        self.alice_card.sudo().write({"points": 500})
        self.assertRecordValues(self._lines(self.alice_card), [
            {"entry_type": "order", "issued": 120, "used": 0, "balance_after": 120},
            {"entry_type": "adjustment", "issued": 380, "used": 0, "balance_after": 500},
        ])
        self.assertBalance(self.alice_card, 500)
        # The same figure again changes nothing and writes nothing.
        self.alice_card.sudo().write({"points": 500})
        self.assertEqual(len(self._lines(self.alice_card)), 2)

    def test_manager_write_becomes_an_adjustment_line(self):
        self._as(self.manager, self.alice_card).write({"points": 75})
        self.assertRecordValues(self._lines(self.alice_card), [
            {"entry_type": "adjustment", "issued": 75, "used": 0, "user_id": self.manager.id},
        ])
        self.assertBalance(self.alice_card, 75)

    def test_new_member_card_with_points_gets_an_opening_line(self):
        carol_card = self.env["loyalty.card"].create(
            {"program_id": self.program.id, "partner_id": self.carol.id, "points": 42}
        )
        self.assertRecordValues(self._lines(carol_card), [
            {"entry_type": "adjustment", "issued": 42, "used": 0, "balance_after": 42,
             "description": "Opening balance"},
        ])
        self.assertBalance(carol_card, 42)

    def test_ledger_lines_are_immutable(self):
        self._earn(self.alice, 120)
        line = self._lines(self.alice_card)
        for vals in ({"description": "edited"}, {"issued": 1}, {"user_id": self.salesman.id},
                     {"entry_type": "adjustment"}):
            with self.subTest(vals=vals), self.assertRaises(UserError):
                line.write(vals)
        with self.assertRaises(UserError):
            line.unlink()
        self.assertRecordValues(line, [{"issued": 120, "description": line.description}])

    def test_lines_move_the_balance_in_one_write_rounded_to_the_cent(self):
        """Several lines of one card written at once move its balance once, line by line in
        their balance after; the balance is rounded to the cent half to even, like Python's
        ``round`` (0.125 -> 0.12, 0.375 -> 0.38), whatever the database rounds."""
        card = self.alice_card
        lines = self.env["loyalty.history"].create([
            {"card_id": card.id, "entry_type": "adjustment", "issued": 10.125, "description": "a"},
            {"card_id": card.id, "entry_type": "adjustment", "used": 0.25, "description": "b"},
        ])
        self.assertEqual(lines.mapped("balance_after"), [10.12, 9.88])
        self.assertEqual(card.points, 9.88)  # 10.125 - 0.25 = 9.875: half to even
        card.invalidate_recordset(["points"])
        self.assertEqual(card.points, 9.88)  # what the database holds
        self.env["loyalty.history"].create(
            {"card_id": card.id, "entry_type": "adjustment", "issued": 0.5, "description": "c"}
        )
        card.invalidate_recordset(["points"])
        self.assertEqual(card.points, 10.38)

    def test_a_ledger_line_cannot_issue_a_negative_amount(self):
        with self.assertRaises(UserError):
            self.env["loyalty.history"].create(
                {"card_id": self.alice_card.id, "used": -50, "description": "negative cost"}
            )
        self.assertBalance(self.alice_card, 0)

    # -- reward lines outside the reward flow ------------------------------------------

    def test_negative_points_cost_never_issues_points(self):
        order = self._earn(self.alice, 150)
        with self.assertRaises(ValidationError):
            self._as(self.salesman, self.env["sale.order.line"]).create({
                "order_id": order.id, "product_id": self.product.id, "price_unit": 0,
                "name": "forged reward",
                "coupon_id": self.alice_card.id, "reward_id": self.reward_voucher.id,
                "is_reward_line": True, "points_cost": -1000,
            })
        self.assertBalance(self.alice_card, 150)

    def test_reward_of_another_program_on_a_member_card(self):
        promo = self.env["loyalty.program"].create({
            "name": "Other promo", "program_type": "promotion", "company_id": self.company.id,
            "reward_ids": [Command.create({"reward_type": "discount", "discount": 10})],
        })
        order = self._earn(self.alice, 150)
        with self.assertRaises(ValidationError):
            self.env["sale.order.line"].create({
                "order_id": order.id, "product_id": self.product.id, "price_unit": -10,
                "name": "other program's reward",
                "coupon_id": self.alice_card.id, "reward_id": promo.reward_ids.id,
                "is_reward_line": True, "points_cost": 0,
            })
        self.assertBalance(self.alice_card, 150)

    def test_another_members_card_cannot_pay(self):
        self._earn(self.alice, 150)
        bob_order = self._quotation(self.bob, 100)
        with self.assertRaises(ValidationError):
            self.env["sale.order.line"].create({
                "order_id": bob_order.id, "product_id": self.product.id, "price_unit": -10,
                "name": "Alice's voucher",
                "coupon_id": self.alice_card.id, "reward_id": self.reward_voucher.id,
                "is_reward_line": True, "points_cost": 100,
            })
        self.assertBalance(self.alice_card, 150)

    def test_points_cost_of_a_confirmed_reward_cannot_be_lowered(self):
        self._gift(self.alice_card, 200)
        # The voucher costs 100; the order earns on its 100 before the program's own discount.
        order = self._redeem(self.alice, 100, self.reward_voucher)
        line = order.order_line.filtered("reward_id")
        self.assertBalance(self.alice_card, 200 - 100 + 100)
        with self.assertRaises(UserError):
            self._as(self.salesman, line).write({"points_cost": 0})
        self.assertBalance(self.alice_card, 200)

    def test_resetting_a_confirmed_reward_gives_its_points_back(self):
        """Odoo's reset of a reward line (cost and price to zero, ``_reset_loyalty``) on a
        confirmed order returns its points through the ledger."""
        self._gift(self.alice_card, 200)
        order = self._redeem(self.alice, 100, self.reward_voucher)
        self.assertBalance(self.alice_card, 200)
        order.order_line.filtered("reward_id")._reset_loyalty()
        last = self._lines(self.alice_card)[-1]
        self.assertRecordValues(last, [
            {"entry_type": "order", "order_id": order.id, "issued": 100, "used": 0}])
        self.assertBalance(self.alice_card, 300)

    def test_recomputing_a_confirmed_order_does_not_move_member_points(self):
        order = self._earn(self.alice, 150)
        order.order_line[0].product_uom_qty = 3  # 450 now, after confirmation
        order.sudo()._update_programs_and_rewards()
        self.assertBalance(self.alice_card, 150)
        self.assertEqual(len(self._lines(self.alice_card)), 1)

    # -- refusals with figures ----------------------------------------------------------

    def test_refusal_says_which_reward_and_the_figures(self):
        self.program.points_pending_days = 14
        self._gift(self.alice_card, 160)
        first = self._quotation(self.alice, 100)
        self._claim(first, self.reward_voucher)
        # Meanwhile another order spends 100 of the 160 points and earns 100, pending.
        self._redeem(self.alice, 100, self.reward_voucher)
        self.assertBalance(self.alice_card, 160)
        # The quotation shows what the member can spend, next to the Reward button.
        first.invalidate_recordset()
        self.assertEqual(first.loyalty_points_spendable, 60)
        with self.assertRaises(UserError) as refusal:
            first.action_confirm()
        message = str(refusal.exception)
        self.assertIn("“$10 voucher”", message)
        self.assertIn("costs 100 Points", message)
        self.assertIn("can spend 60 Points now", message)
        self.assertIn("balance 160 Points", message)
        self.assertIn("of which 100 Points pending", message)
        self.assertEqual(first.state, "draft")
        self.assertBalance(self.alice_card, 160)

    def test_footer_counts_an_order_confirmed_again_once(self):
        order = self._earn(self.alice, 138)
        self._cancel(order)
        order.action_draft()
        self._confirm(order)
        self.assertEqual(len(self._lines(self.alice_card)), 3, "order, reversal, order")
        order.invalidate_recordset(["loyalty_data"])
        self.assertEqual(order.loyalty_data["issued"], 138)
        self.assertEqual(order.loyalty_data["cost"], 0)
        self.assertEqual(order.loyalty_points_preview, 138, "Points Earned")
        self.assertBalance(self.alice_card, 138)

    # -- settings ---------------------------------------------------------------------

    def test_existing_program_chosen_as_membership_keeps_its_balances(self):
        other = self.env["loyalty.program"].create({
            "name": "Old loyalty", "program_type": "loyalty", "company_id": self.company.id,
        })
        card = self.env["loyalty.card"].create(
            {"program_id": other.id, "partner_id": self.carol.id, "points": 70}
        )
        self.assertFalse(card.is_membership)
        self.assertFalse(self._lines(card))
        self.company.loyalty_program_id = other
        card.invalidate_recordset()
        self.assertTrue(card.is_membership)
        self.assertFalse(self.alice_card.is_membership, "the former program's cards are not")
        self.assertRecordValues(self._lines(card), [
            {"entry_type": "adjustment", "issued": 70, "used": 0, "balance_after": 70}])
        self.assertBalance(card, 70)

    def test_membership_program_without_company_is_refused(self):
        shared = self.env["loyalty.program"].create(
            {"name": "Shared", "program_type": "loyalty", "company_id": False,
             "currency_id": self.company.currency_id.id}
        )
        with self.assertRaises(ValidationError):
            self.company.loyalty_program_id = shared
        self.assertEqual(self.company.loyalty_program_id, self.program)

    def test_update_balance_wizard_writes_one_line(self):
        self._earn(self.alice, 120)
        wizard = self.env["loyalty.card.update.balance"].with_user(self.manager).create(
            {"card_id": self.alice_card.id, "new_balance": 100, "description": "Correction"}
        )
        wizard.action_update_card_point()
        self.assertRecordValues(self._lines(self.alice_card)[-1], [
            {"entry_type": "adjustment", "used": 20, "issued": 0, "description": "Correction",
             "user_id": self.manager.id}])
        self.assertBalance(self.alice_card, 100)
        with self.assertRaises(AccessError):
            self.env["loyalty.card.update.balance"].with_user(self.salesman).create(
                {"card_id": self.alice_card.id, "new_balance": 5000, "description": "x"}
            ).action_update_card_point()
        self.assertBalance(self.alice_card, 100)


@tagged("post_install", "-at_install")
class TestLedgerLanguage(PointsCommon):
    """Ledger lines are written in the member's language, whoever's action wrote them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        cls.env["ir.module.module"]._load_module_terms(["customer_loyalty"], ["vi_VN"])
        cls.alice.lang = "vi_VN"

    def test_descriptions_in_the_members_language(self):
        # The test user works in English (no language in its context).
        self.assertNotEqual(self.env.lang, "vi_VN")
        order = self._earn(self.alice, 120)
        self._cancel(order)
        reversal = self._lines(self.alice_card, entry_type="reversal")
        self.assertEqual(reversal.description, f"Hủy đơn hàng {order.display_name}")
        self.program.points_validity_months = 1
        self._earn(self.alice, 50, date="2024-01-01")
        with freeze_time("2024-02-02"):
            self.env["loyalty.card"]._cron_expire_points()
        self.assertEqual(self._lines(self.alice_card, entry_type="expiry").description,
                         "Điểm đã hết hạn")
        # A member in English gets English lines.
        self._cancel(self._earn(self.bob, 80))
        self.assertTrue(self._lines(self.bob_card, entry_type="reversal").description
                        .startswith("Cancellation of "))

    def test_new_company_gets_its_names_in_every_language(self):
        company = self.env["res.company"].create(
            {"name": "Second shop", "currency_id": self.env.ref("base.VND").id}
        )
        program = company.loyalty_program_id.with_context(lang="vi_VN")
        self.assertEqual(program.name, "Hội viên")
        self.assertEqual(program.portal_point_name, "Điểm")
        self.assertEqual(company.loyalty_program_id.with_context(lang="en_US").name, "Membership")
        tiers = company.loyalty_tier_ids.with_context(lang="vi_VN").sorted("sequence")
        self.assertEqual(tiers[1].name, "Bạc")
