from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestMemberGift(LoyaltyCommon):
    """The journal of gifts: points through the ledger, coupons from Odoo's coupon engine, one
    gift per member, occasion and key."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.card = cls._enrol(cls.alice)
        cls.coupon_program = cls.env["loyalty.program"].create(
            {
                "name": "Birthday 20% off",
                "program_type": "coupons",
                "company_id": cls.company.id,
                "trigger": "with_code",
                "applies_on": "current",
                "rule_ids": [Command.create({"reward_point_amount": 1})],
                "reward_ids": [
                    Command.create(
                        {"reward_type": "discount", "discount": 20, "required_points": 1}
                    )
                ],
            }
        )
        cls.rule_points, cls.rule_coupon = cls.env["loyalty.tier.gift"].create(
            [
                {"tier_id": cls.tier_member.id, "occasion": "birthday", "points": 250},
                {
                    "tier_id": cls.tier_member.id,
                    "occasion": "anniversary",
                    "coupon_program_id": cls.coupon_program.id,
                    "coupon_validity_days": 30,
                },
            ]
        )

    def _give(self, rule, key, card=None):
        request = rule._loyalty_gift_request(card or self.card, key)
        return self.env["loyalty.member.gift"]._loyalty_give([request])

    def test_points_gift_is_a_ledger_line_once(self):
        before = self.card.points
        gift = self._give(self.rule_points, 2026)
        self.assertEqual(len(gift), 1)
        self.assertEqual(gift.history_id.entry_type, "gift")
        self.assertEqual(gift.history_id.issued, 250)
        self.assertEqual(gift.history_id.description, "Birthday gift 2026")
        self.assertBalance(self.card, before + 250)
        # The same member, occasion and year: nothing more, however often it is asked.
        self.assertFalse(self._give(self.rule_points, 2026))
        self.assertFalse(self._give(self.rule_points, "2026"))
        self.assertBalance(self.card, before + 250)
        # Next year is another gift.
        self.assertEqual(len(self._give(self.rule_points, 2027)), 1)
        self.assertBalance(self.card, before + 500)
        self.assertLedgerConsistent(self.card)

    def test_one_request_batch_with_duplicates_gives_once(self):
        request = self.rule_points._loyalty_gift_request(self.card, 2026)
        gifts = self.env["loyalty.member.gift"]._loyalty_give([request, dict(request)])
        self.assertEqual(len(gifts), 1)
        self.assertEqual(self.card.points, 250)

    @freeze_time("2026-03-10")
    def test_coupon_gift_from_odoo_coupon_engine(self):
        gift = self._give(self.rule_coupon, 2026)
        coupon = gift.coupon_id
        self.assertEqual(coupon.program_id, self.coupon_program)
        self.assertEqual(coupon.partner_id, self.alice)
        self.assertEqual(coupon.points, 1)
        self.assertEqual(coupon.expiration_date, date(2026, 4, 9))
        self.assertTrue(coupon.code)
        self.assertEqual(gift.coupon_code, coupon.code)
        self.assertEqual(gift.state, "issued")
        self.assertFalse(gift.history_id, "a coupon gift moves no member points")
        self.assertEqual(self.card.points, 0)
        State = self.env["loyalty.member.gift"]
        self.assertEqual(State.search([("state", "=", "issued"), ("id", "=", gift.id)]), gift)
        with freeze_time("2026-04-10"):
            gift.invalidate_recordset(["state"])
            self.assertEqual(gift.state, "expired")
            self.assertEqual(State.search([("state", "=", "expired"), ("id", "=", gift.id)]), gift)
            self.assertFalse(State.search([("state", "!=", "expired"), ("id", "=", gift.id)]))

    def test_coupon_used_in_a_sales_order(self):
        gift = self._give(self.rule_coupon, 2026)
        order = self.env["sale.order"].create(
            {
                "partner_id": self.alice.id,
                "company_id": self.company.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "product_uom_qty": 1, "price_unit": 100,
                         "tax_id": [Command.clear()]}
                    )
                ],
            }
        )
        claimable = order._try_apply_code(gift.coupon_code)
        self.assertNotIn("error", claimable)
        rewards = claimable.get(gift.coupon_id)
        self.assertTrue(rewards, "the birthday coupon can be used on the member's order")
        order._apply_program_reward(rewards[0], gift.coupon_id)
        self.assertAlmostEqual(order.amount_untaxed, 80.0)
        order.action_confirm()
        gift.invalidate_recordset(["state"])
        self.assertEqual(gift.coupon_id.points, 0)
        self.assertEqual(gift.state, "used")

    def test_gifts_are_append_only(self):
        gift = self._give(self.rule_points, 2026)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            gift.write({"points": 1000})
        with self.assertRaisesRegex(UserError, "cannot be deleted"):
            gift.unlink()
        with self.assertRaisesRegex(UserError, "issued by the gift rules"):
            self.env["loyalty.member.gift"].create(
                {"partner_id": self.bob.id, "card_id": self.card.id, "company_id": self.company.id,
                 "occasion": "birthday", "gift_key": "2026"}
            )

    def test_rule_gives_something_and_one_per_occasion(self):
        with self._refused(Exception, "gives nothing"):
            self.env["loyalty.tier.gift"].create(
                {"tier_id": self.tier_silver.id, "occasion": "birthday"}
            )
        with self._refused(Exception, "tier_occasion_unique"):
            self.env["loyalty.tier.gift"].create(
                {"tier_id": self.tier_member.id, "occasion": "birthday", "points": 1}
            )

    def test_staff_cannot_give_or_set_gifts(self):
        salesman = self._new_user("gift_salesman", "sales_team.group_sale_salesman")
        with self.assertRaisesRegex(AccessError, "Membership Tier Gift"):
            self.env["loyalty.tier.gift"].with_user(salesman).create(
                {"tier_id": self.tier_silver.id, "occasion": "welcome", "points": 10000}
            )
        self.assertFalse(
            self.env["loyalty.tier.gift"].search([("tier_id", "=", self.tier_silver.id)])
        )
