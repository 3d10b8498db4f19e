from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestWelcomeGift(LoyaltyCommon):
    """Welcome gifts of the tiers, given by the tier engine: once per tier and member, for every
    tier reached on the way up, never again after a downgrade. Tiers: Member (0), Silver (1,000
    spent, x1.5), Gold (5,000, x2); 1 point per unit spent, the multiplier of the tier held when
    the order is confirmed. Silver gives 200 points, Gold 500 points and a coupon."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.coupon_program = cls.env["loyalty.program"].create({
            "name": "Gold welcome 15%", "program_type": "coupons", "trigger": "with_code",
            "applies_on": "current", "company_id": cls.company.id,
            "rule_ids": [Command.create({"reward_point_amount": 1})],
            "reward_ids": [Command.create({"reward_type": "discount", "discount": 15,
                                           "required_points": 1})],
        })
        cls.welcome_silver, cls.welcome_gold = cls.env["loyalty.tier.gift"].create([
            {"tier_id": cls.tier_silver.id, "occasion": "welcome", "points": 200},
            {"tier_id": cls.tier_gold.id, "occasion": "welcome", "points": 500,
             "coupon_program_id": cls.coupon_program.id, "coupon_validity_days": 30},
        ])
        cls.alice_card, cls.bob_card = cls._enrol(cls.alice), cls._enrol(cls.bob)

    def _gifts(self, partner):
        return self.env["loyalty.member.gift"].search(
            [("partner_id", "=", partner.id), ("occasion", "=", "welcome")]
        ).sorted(lambda g: g.tier_id.sequence)

    def test_skipped_tiers_get_their_gift(self):
        order = self._confirm_order(self.alice, 6000)  # Member -> Gold, past Silver
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        gifts = self._gifts(self.alice)
        self.assertRecordValues(gifts, [
            {"tier_id": self.tier_silver.id, "gift_key": str(self.tier_silver.id), "points": 200},
            {"tier_id": self.tier_gold.id, "gift_key": str(self.tier_gold.id), "points": 500},
        ])
        self.assertEqual(gifts[1].coupon_id.program_id, self.coupon_program)
        self.assertEqual(gifts[1].coupon_id.partner_id, self.alice)
        self.assertEqual(gifts.history_id.mapped("entry_type"), ["gift", "gift"])
        # 6,000 earned at x1 (the order was confirmed as a Member), + 200 + 500.
        self.assertBalance(self.alice_card, 6700)
        # Staff see it: on the member and on the order that triggered it.
        for record in (self.alice, order):
            body = str(record.message_ids.mapped("body"))
            self.assertIn("Welcome gift for Alice Nguyen", body)
            self.assertIn(f"Gold: 500 Points, coupon {gifts[1].coupon_id.code}", body)
            self.assertIn("Silver: 200 Points", body)

    def test_step_by_step(self):
        self._confirm_order(self.bob, 1500)  # Member -> Silver
        self.assertEqual(self._gifts(self.bob).tier_id, self.tier_silver)
        self.assertBalance(self.bob_card, 1500 + 200)
        self._confirm_order(self.bob, 4000)  # 5,500 spent: Silver -> Gold
        self.assertEqual(self._gifts(self.bob).tier_id, self.tier_silver | self.tier_gold)
        self.assertBalance(self.bob_card, 1700 + 4000 * 1.5 + 500)

    def test_never_again_after_a_downgrade(self):
        self._confirm_order(self.alice, 6000)
        self.assertBalance(self.alice_card, 6700)
        self.alice_card._loyalty_apply_tier_changes(
            [(self.alice_card, self.tier_gold, self.tier_member)], reason="manual"
        )
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        # Back up through the engine: an order confirmed now upgrades her again.
        self._confirm_order(self.alice, 10)
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertEqual(len(self._gifts(self.alice)), 2)
        self.assertBalance(self.alice_card, 6710)
        # Even when the journal would let it (a gift rule created after she held the tier).
        self.env["loyalty.tier.gift"].create(
            {"tier_id": self.tier_member.id, "occasion": "welcome", "points": 50}
        )
        self.alice_card._loyalty_apply_tier_changes(
            [(self.alice_card, self.tier_gold, self.tier_silver)], reason="manual"
        )
        self.alice_card._loyalty_apply_tier_changes(
            [(self.alice_card, self.tier_silver, self.tier_gold)], reason="manual"
        )
        self.assertEqual(len(self._gifts(self.alice)), 2)
        self.assertBalance(self.alice_card, 6710)

    def test_first_tier_reached_before_the_rule_existed(self):
        self.welcome_silver.unlink()
        self._confirm_order(self.bob, 1500)  # Silver, no gift yet
        self.env["loyalty.tier.gift"].create(
            {"tier_id": self.tier_silver.id, "occasion": "welcome", "points": 200}
        )
        self.bob_card._loyalty_apply_tier_changes(
            [(self.bob_card, self.tier_silver, self.tier_member)], reason="manual"
        )
        self.bob_card._loyalty_apply_tier_changes(
            [(self.bob_card, self.tier_member, self.tier_silver)], reason="manual"
        )
        self.assertFalse(self._gifts(self.bob), "Bob had reached Silver already")
        self.assertBalance(self.bob_card, 1500)

    def test_no_rule_read_without_welcome_gifts_then_a_new_one_counts(self):
        """A company without welcome gifts has its upgrades look no gift rule up (which
        companies have one is cached); a rule switched on afterwards is honoured at once."""
        (self.welcome_silver | self.welcome_gold).active = False
        Gift = self.registry["loyalty.tier.gift"]
        with patch.object(Gift, "search", autospec=True, side_effect=Gift.search) as search:
            self._confirm_order(self.bob, 1500)  # Member -> Silver
            self.assertEqual(self.bob_card.tier_id, self.tier_silver)
            self.assertEqual(search.call_count, 0)
        self.assertFalse(self._gifts(self.bob))
        self.welcome_gold.active = True
        self._confirm_order(self.bob, 4000)  # 5,500 spent: Silver -> Gold
        self.assertEqual(self.bob_card.tier_id, self.tier_gold)
        self.assertEqual(self._gifts(self.bob).tier_id, self.tier_gold)
        self.assertBalance(self.bob_card, 1500 + 4000 * 1.5 + 500)

    def test_set_wise(self):
        """The engine's gifts for many members cost the same queries as for one (the rules, the
        past tiers, one insert of the gifts, one of their ledger lines, one of the coupons);
        only the chatter notes are per member."""
        carol_card = self._enrol(self.carol)
        Card = self.env["loyalty.card"]

        def give(changes):
            history = self.env["loyalty.tier.history"].sudo().create([
                {"card_id": card.id, "old_tier_id": old.id, "new_tier_id": new.id,
                 "reason": "cron"} for card, old, new in changes
            ])
            self.env.flush_all()
            with patch.object(type(Card), "_loyalty_notify_welcome_gifts"):
                before = self.cr.sql_log_count
                gifts = Card._loyalty_give_welcome_gifts(changes, history)
                self.env.flush_all()
                return gifts, self.cr.sql_log_count - before

        dave_card = self._enrol(self.env["res.partner"].create({"name": "Dave"}))
        give([(dave_card, self.tier_member, self.tier_gold)])  # warms the caches up
        one, queries_one = give([(self.alice_card, self.tier_member, self.tier_gold)])
        many, queries_many = give([
            (self.bob_card, self.tier_member, self.tier_gold),
            (carol_card, self.tier_member, self.tier_gold),
        ])
        self.assertEqual((len(one), len(many)), (2, 4))
        self.assertEqual(queries_many, queries_one)
        self.assertBalance(self.alice_card, 700)
        self.assertBalance(self.bob_card, 700)
        self.assertBalance(carol_card, 700)

    def test_salesperson_and_cashier_cannot_give_a_gift(self):
        salesman = self._new_user("gift_salesman", "sales_team.group_sale_salesman")
        cashier = self._new_user("gift_cashier", "base.group_user,point_of_sale.group_pos_user")
        request = self.welcome_gold._loyalty_gift_request(self.alice_card, self.tier_gold.id)
        for user in (salesman, cashier):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):  # an AccessError is a UserError
                    self._as(user, self.env["loyalty.member.gift"]).create(
                        {k: v for k, v in request.items() if k != "coupon_validity_days"}
                    )
                with self.assertRaises(AccessError):
                    self._as(user, self.env["loyalty.tier.gift"]).create(
                        {"tier_id": self.tier_member.id, "occasion": "welcome", "points": 9999}
                    )
                with self.assertRaises(AccessError):
                    self._as(user, self.welcome_gold).write({"points": 9999})
                with self.assertRaises(AccessError):
                    self._as(user, self.alice_card).action_loyalty_recompute_tier()
        self.assertFalse(self._gifts(self.alice))
        self.assertBalance(self.alice_card, 0)
