from odoo import Command, fields
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestOccasionGiftPos(PosPointsCommon):
    """A birthday coupon at the counter: the member's contact, as the POS loads it, shows the
    coupon; the POS accepts its code (``use_coupon_code``); an order synced with the coupon's
    reward spends it, and the gift is then used."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coupon_program = cls.env["loyalty.program"].create({
            "name": "POS birthday 20%",
            "program_type": "coupons",
            "company_id": cls.company.id,
            "trigger": "with_code",
            "applies_on": "current",
            "pos_ok": True,
            "pos_config_ids": [Command.set(cls.config.ids)],
            "rule_ids": [Command.create({"reward_point_amount": 1})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount": 20, "discount_mode": "percent",
                "discount_applicability": "order", "required_points": 1,
            })],
        })
        cls.env["loyalty.tier.gift"].create({
            "tier_id": cls.alice_card.tier_id.id, "occasion": "birthday",
            "coupon_program_id": cls.coupon_program.id, "coupon_validity_days": 30,
        })
        cls.company.write({"loyalty_gift_lead_days": 0, "loyalty_gift_catchup_days": 0})
        cls.company.partner_id.tz = False
        today = fields.Date.context_today(cls.alice.with_context(tz="UTC"))
        # Born on this day in 1992 (a leap year: today may be 29 February).
        cls.alice.write({"birthdate_date": today.replace(year=1992), "tz": "UTC"})
        cls.env.flush_all()
        cls.env.cr.execute("UPDATE loyalty_card SET create_date = '2020-01-01' WHERE id = %s",
                           [cls.alice_card.id])
        # A birth date known for long (the field follows the birth date, set today here).
        cls.env.cr.execute(
            "UPDATE res_partner SET birthdate_changed_date = NULL WHERE id = %s", [cls.alice.id]
        )
        cls.alice.invalidate_recordset(["birthdate_changed_date"])
        cls.alice_card.invalidate_recordset()

    def _give(self):
        gifts = self.env["loyalty.member.gift"]._loyalty_issue_occasion_gifts(
            cards=self.alice_card
        )["gifts"]
        self.assertEqual(len(gifts), 1)
        self.assertTrue(gifts.coupon_id)
        return gifts

    def test_coupon_shown_accepted_and_spent_in_the_pos(self):
        gift = self._give()
        coupon = gift.coupon_id
        # What the POS loads for the member (as the cashier).
        fields_loaded = self.env["res.partner"]._load_pos_data_fields(self.config.id)
        self.assertIn("loyalty_gift_coupon_code", fields_loaded)
        [data] = self.alice.with_user(self.cashier).read(
            ["loyalty_gift_coupon_code", "loyalty_gift_coupon_reward", "loyalty_gift_name"]
        )
        self.assertEqual(data["loyalty_gift_coupon_code"], coupon.code)
        self.assertEqual(data["loyalty_gift_coupon_reward"], "20% on your order")
        self.assertEqual(data["loyalty_gift_name"], f"Birthday {gift.gift_key}")
        # The code typed or scanned at the counter.
        result = self.config.with_user(self.cashier).use_coupon_code(
            coupon.code, fields.Datetime.to_string(fields.Datetime.now()), self.alice.id, False
        )
        self.assertTrue(result["successful"], result)
        self.assertEqual(result["payload"]["coupon_id"], coupon.id)
        # An order of 100 with the coupon's 20 % off, synced.
        data = self._data([(self.lamp, 1)], customer=self.alice)
        self._add_reward_line(data, coupon, self.coupon_program.reward_ids, 20.0, 1)
        order = self._sync(data)
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 80.0)
        # What the POS sends after the sync (pos_loyalty's payment screen): the coupon's points
        # spent by the reward line.
        order.with_user(self.cashier).confirm_coupon_programs({
            coupon.id: {"points": -1, "program_id": self.coupon_program.id,
                        "coupon_id": coupon.id, "barcode": False, "line_codes": ["voucher-1"]},
        })
        self.assertEqual(order.lines.filtered("is_reward_line").coupon_id, coupon)
        coupon.invalidate_recordset()
        self.assertEqual(coupon.points, 0)
        gift.invalidate_recordset(["state"])
        self.assertEqual(gift.state, "used")
        self.alice.invalidate_recordset()
        self.assertFalse(self.alice.loyalty_gift_coupon_code)
