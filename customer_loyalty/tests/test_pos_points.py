from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestPosPoints(PosPointsCommon):
    """Membership points on Point of Sale orders, written by the server at sync (set-up in
    common_pos.PosPointsCommon)."""

    # ------------------------------------------------------------------
    # 1. Earning once, at sync
    # ------------------------------------------------------------------

    def test_paid_order_earns_points_at_sync(self):
        order = self._sell(self.alice, [(self.lamp, 1), (self.pen, 3)])
        self.assertAlmostEqual(order.amount_total, 130.75)
        self.assertRecordValues(self._lines(self.alice_card), [{
            "entry_type": "order", "order_model": "pos.order", "order_id": order.id,
            "issued": 130.0,  # 130.75 rounded down to whole points
            "used": 0.0, "balance_after": 130.0, "description": f"Onsite {order.display_name}",
        }])
        self.assertBalance(self.alice_card, 130)
        self.assertEqual(self.alice.with_company(self.company).loyalty_points, 130)
        self.assertBalance(self.bob_card, 0)

    def test_invoiced_order_earns_once(self):
        order = self._sync(self._data([(self.lamp, 1), (self.pen, 1)], customer=self.alice,
                                      is_invoiced=True))
        self.assertEqual(order.state, "invoiced")
        self.assertTrue(order.account_move)
        self.assertRecordValues(self._lines(self.alice_card), [{
            "entry_type": "order", "order_model": "pos.order", "order_id": order.id,
            "issued": 110.0,
        }])
        self.assertBalance(self.alice_card, 110)

    def test_taxes_included_and_rounding(self):
        order = self._sell(self.alice, [(self.tea, 3)])
        self.assertAlmostEqual(order.amount_total, 32.97)
        self.assertAlmostEqual(order.amount_tax, 3.0, places=2)
        # Points on the amount taxes included (32.97), rounded down.
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [32.0])
        self.assertBalance(self.alice_card, 32)

    def test_without_rounding_keeps_two_decimals(self):
        self.program.points_rounding = 0.0
        self._sell(self.alice, [(self.pen, 3)])
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [30.75])
        self.assertBalance(self.alice_card, 30.75)

    def test_minimum_amount_and_other_rule_kinds(self):
        self.program.rule_ids = [
            Command.clear(),
            Command.create({"reward_point_mode": "money", "reward_point_amount": 1.0,
                            "minimum_amount": 50, "minimum_qty": 0}),
            Command.create({"reward_point_mode": "unit", "reward_point_amount": 2.0,
                            "product_ids": [Command.set(self.pen.ids)],
                            "minimum_amount": 0, "minimum_qty": 0}),
            Command.create({"reward_point_mode": "order", "reward_point_amount": 5.0,
                            "minimum_amount": 0, "minimum_qty": 0}),
        ]
        # 30.75 < 50: no money points; 3 pens x 2; 5 for the order.
        self._sell(self.alice, [(self.pen, 3)])
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [11.0])
        # 130.75 ≥ 50: 130.75 + 3 pens x 2 + 5 = 141.75, rounded down.
        self._sell(self.alice, [(self.lamp, 1), (self.pen, 3)])
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [11.0, 141.0])
        self.assertBalance(self.alice_card, 152)

    def test_points_spent_on_a_reward(self):
        self._sell(self.alice, [(self.lamp, 1), (self.pen, 2)])  # 120.5
        self.assertBalance(self.alice_card, 120)
        data = self._add_reward_line(
            self._data([(self.lamp, 1)], customer=self.alice),
            self.alice_card, self.reward_voucher, amount=10.0, points_cost=100,
        )
        order = self._sync(data)
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 90.0)
        # One line: the order's own products earn (the program's discount doesn't reduce them,
        # as in the POS), the voucher's cost is spent.
        self.assertRecordValues(self._lines(self.alice_card, order_id=order.id), [{
            "entry_type": "order", "order_model": "pos.order", "issued": 100.0, "used": 100.0,
        }])
        self.assertBalance(self.alice_card, 120)

    def test_combo_earns_on_its_items(self):
        """In the POS a combo line has no price: its items carry it (and the browser counts
        them). The server counts them the same way."""
        drink, food = self.env["product.combo"].create(
            [
                {"name": "Drink", "combo_item_ids": [Command.create({"product_id": self.pen.id})]},
                {"name": "Food", "combo_item_ids": [Command.create({"product_id": self.lamp.id})]},
            ]
        )
        menu = self.env["product.product"].create(
            {"name": "Loyalty Menu", "type": "combo", "available_in_pos": True,
             "list_price": 80.0, "taxes_id": [Command.clear()],
             "combo_ids": [Command.set([drink.id, food.id])]}
        )
        data = self._data([(self.pen, 1)], customer=self.alice)  # 10.25

        def line(client_id, product, price, **vals):
            return (0, 0, {
                "id": client_id, "uuid": f"combo-{client_id}", "product_id": product.id,
                "qty": 1, "price_unit": price, "price_subtotal": price,
                "price_subtotal_incl": price, "discount": 0, "tax_ids": [Command.clear()],
                "pack_lot_ids": [], **vals,
            })

        data["lines"] += [
            line(901, menu, 0.0, combo_line_ids=[902, 903]),
            line(902, self.pen, 10.5, combo_parent_id=901,
                 combo_item_id=drink.combo_item_ids.id),
            line(903, self.lamp, 69.5, combo_parent_id=901,
                 combo_item_id=food.combo_item_ids.id),
        ]
        for key in ("amount_total", "amount_paid"):
            data[key] += 80.0
        data["payment_ids"][0][2]["amount"] += 80.0
        order = self._sync(data)
        self.assertEqual(order.state, "paid")
        self.assertAlmostEqual(order.amount_total, 90.25)
        self.assertEqual(len(order.lines.filtered("combo_parent_id")), 2, "combo items linked")
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [90.0])
        self.assertBalance(self.alice_card, 90)

    # ------------------------------------------------------------------
    # 2. Tier multiplier
    # ------------------------------------------------------------------

    def test_gold_member_earns_tier_multiplier(self):
        self._set_tier(self.bob_card, self.tier_gold)
        lines = [(self.pen, 3)]  # 30.75
        alice_order = self._sell(self.alice, lines)
        bob_order = self._sell(self.bob, lines)
        self.assertEqual(alice_order.amount_total, bob_order.amount_total)
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [30.0])  # x 1
        self.assertEqual(self._lines(self.bob_card).mapped("issued"), [46.0])  # 46.125 down
        self.assertBalance(self.alice_card, 30)
        self.assertBalance(self.bob_card, 46)
        # Taxes included, x 1.5: 32.97 x 1.5 = 49.455 → 49.
        self._sell(self.bob, [(self.tea, 3)])
        self.assertEqual(self._lines(self.bob_card).mapped("issued"), [46.0, 49.0])
        self.assertBalance(self.bob_card, 95)
        self.assertEqual(self.bob_card.tier_id, self.tier_gold, "no downgrade at sync")

    # ------------------------------------------------------------------
    # 3. Duplicate syncs and the client round trip
    # ------------------------------------------------------------------

    def test_same_order_synced_twice_earns_once(self):
        data = self._data([(self.lamp, 2)], customer=self.alice)
        order = self._sync(dict(data))
        self.assertBalance(self.alice_card, 200)
        again = self._sync(self._data([(self.lamp, 2)], customer=self.alice, uuid=data["uuid"]))
        self.assertEqual(again, order, "the same order (uuid)")
        self.assertEqual(self.env["pos.order"].search_count([("uuid", "=", data["uuid"])]), 1)
        # The accrual itself is idempotent too (e.g. a retried hook).
        order._loyalty_process_membership()
        order.with_user(self.cashier)._loyalty_process_membership()
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 200)

    def test_draft_then_paid_earns_once(self):
        """An order saved as draft (e.g. kept open, or an offline POS syncing later) earns
        nothing until it is paid, then earns once."""
        uuid = self.create_random_uid()
        draft_data = self._data([(self.lamp, 1), (self.pen, 2)], customer=self.alice, uuid=uuid)
        draft_data.update(state="draft", payment_ids=[], amount_paid=0)
        order = self._sync(draft_data)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._lines(self.alice_card), "a draft order earns nothing")
        self.assertBalance(self.alice_card, 0)

        # Saved again as draft: still nothing.
        self._sync(dict(draft_data, lines=[], access_token=order.access_token))
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._lines(self.alice_card))

        # Then paid: the client sends its lines as updates of the saved ones.
        paid_data = self._data([(self.lamp, 1), (self.pen, 2)], customer=self.alice, uuid=uuid)
        saved_lines = order.lines.sorted("id")
        paid_data["lines"] = [
            (1, line.id, {k: v for k, v in vals.items() if k != "id"})
            for line, (_cmd, _id, vals) in zip(saved_lines, paid_data["lines"], strict=True)
        ]
        paid_data["access_token"] = order.access_token
        self.assertEqual(self._sync(paid_data), order)
        self.assertEqual(order.state, "paid")
        self.assertEqual(len(order.lines), 2)
        self.assertAlmostEqual(order.amount_total, 120.5)
        self.assertRecordValues(self._lines(self.alice_card), [{
            "entry_type": "order", "order_model": "pos.order", "order_id": order.id,
            "issued": 120.0,
        }])
        # A late duplicate of the paid order changes nothing.
        self._sync(dict(paid_data, access_token=order.access_token))
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 120)

    def test_client_round_trip_does_not_add_points(self):
        data = self._add_reward_line(
            self._data([(self.lamp, 2)], customer=self.alice),
            self.alice_card, self.reward_voucher, amount=10.0, points_cost=100,
        )
        self._sell(self.alice, [(self.lamp, 1)])  # 100 points to spend
        order = self._sync(data)
        self.assertEqual(order.state, "paid")
        self.assertBalance(self.alice_card, 200)  # 100 + 200 earned - 100 spent
        ledger_count = len(self._lines(self.alice_card))

        # What pos_loyalty's client sends after the sync: its own figure of the member's
        # points (won - spent), and the line of the reward to link to the card.
        coupon_data = {
            str(self.alice_card.id): {
                "points": 100, "program_id": self.program.id, "coupon_id": self.alice_card.id,
                "partner_id": self.alice.id, "barcode": "", "line_codes": ["voucher-1"],
            },
        }
        result = order.with_user(self.cashier).confirm_coupon_programs(coupon_data)
        self.assertBalance(self.alice_card, 200)
        update = [u for u in result["coupon_updates"] if u["id"] == self.alice_card.id]
        self.assertEqual(len(update), 1)
        self.assertAlmostEqual(update[0]["points"], 200, msg="the POS gets the server's balance")
        reward_line = order.lines.filtered("is_reward_line")
        self.assertEqual(reward_line.coupon_id, self.alice_card, "reward line still linked")

        order.with_user(self.cashier).add_loyalty_history_lines(
            [{"card_id": str(self.alice_card.id), "won": 200, "spent": 100}], [],
        )
        self.assertEqual(len(self._lines(self.alice_card)), ledger_count, "no second line")
        self.assertEqual(
            len(self._lines(self.alice_card, order_id=order.id, order_model="pos.order")), 1
        )
        self.assertBalance(self.alice_card, 200)

    def test_client_round_trip_with_a_new_card_entry_of_a_member(self):
        """A POS that didn't know the member's card sends a "new card" entry (negative id): it
        neither creates a second card nor adds points, and its history entry is skipped."""
        order = self._sell(self.alice, [(self.lamp, 1)])
        self.assertBalance(self.alice_card, 100)
        result = order.with_user(self.cashier).confirm_coupon_programs(
            {"-7": {"points": 100, "program_id": self.program.id, "coupon_id": -7,
                    "partner_id": self.alice.id, "barcode": "", "line_codes": []}}
        )
        self.assertEqual(self._card(self.alice), self.alice_card, "still one member card")
        self.assertEqual(
            self.env["loyalty.card"].search_count([("program_id", "=", self.program.id),
                                                  ("partner_id", "=", self.alice.id)]), 1
        )
        self.assertBalance(self.alice_card, 100)
        self.assertIn(self.alice_card.id, [u["id"] for u in result["coupon_updates"]])
        order.with_user(self.cashier).add_loyalty_history_lines(
            [{"card_id": "-7", "won": 100, "spent": 0}],
            [{"old_id": -7, "id": self.alice_card.id}],
        )
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 100)

    def test_client_round_trip_keeps_other_programs(self):
        """Cards of programs other than the membership program still get their history."""
        other = self.env["loyalty.program"].create(
            {"name": "Stamp card", "program_type": "loyalty", "pos_ok": True,
             "company_id": self.company.id,
             "rule_ids": [Command.create({"reward_point_mode": "order",
                                          "reward_point_amount": 1})]}
        )
        stamp_card = self.env["loyalty.card"].create(
            {"program_id": other.id, "partner_id": self.alice.id, "points": 0}
        )
        order = self._sell(self.alice, [(self.lamp, 1)])
        order.with_user(self.cashier).confirm_coupon_programs(
            {str(stamp_card.id): {"points": 1, "program_id": other.id,
                                  "coupon_id": stamp_card.id, "partner_id": self.alice.id,
                                  "barcode": "", "line_codes": []},
             str(self.alice_card.id): {"points": 100, "program_id": self.program.id,
                                       "coupon_id": self.alice_card.id,
                                       "partner_id": self.alice.id, "barcode": "",
                                       "line_codes": []}}
        )
        order.with_user(self.cashier).add_loyalty_history_lines(
            [{"card_id": str(stamp_card.id), "won": 1, "spent": 0},
             {"card_id": str(self.alice_card.id), "won": 100, "spent": 0}], [],
        )
        self.assertEqual(stamp_card.points, 1)
        self.assertEqual(stamp_card.history_ids.mapped("issued"), [1.0])
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 100)

    # ------------------------------------------------------------------
    # 4. Refunds
    # ------------------------------------------------------------------

    def test_refund_takes_back_points_in_proportion(self):
        order = self._sell(self.alice, [(self.lamp, 2), (self.pen, 4)])  # 241
        self.assertBalance(self.alice_card, 241)
        lamp_line = order.lines.filtered(lambda line: line.product_id == self.lamp)
        pen_line = order.lines.filtered(lambda line: line.product_id == self.pen)

        # Half of every line back: half the points.
        first_data = self._refund_data(order, {lamp_line: 1, pen_line: 2}, customer=self.alice)
        first = self._sync(first_data)
        self.assertEqual(first.state, "paid")
        self.assertAlmostEqual(first.amount_total, -120.5)
        self.assertEqual(first.refunded_order_id, order)
        self.assertRecordValues(self._lines(self.alice_card)[1:], [{
            "entry_type": "refund", "order_model": "pos.order", "order_id": order.id,
            "used": 120.0, "issued": 0.0,  # 241 x 50 %, rounded down
        }])
        self.assertFalse(
            self._lines(self.alice_card, order_id=first.id), "nothing on the refund order"
        )
        self.assertBalance(self.alice_card, 121)

        # The rest back: all the points are taken back.
        second = self._sync(
            self._refund_data(order, {lamp_line: 1, pen_line: 2}, customer=self.alice)
        )
        self.assertEqual(second.state, "paid")
        self.assertRecordValues(self._lines(self.alice_card)[2:], [{
            "entry_type": "refund", "order_id": order.id, "used": 121.0, "issued": 0.0,
        }])
        self.assertBalance(self.alice_card, 0)

        # Re-syncing a refund or re-running the refund sync changes nothing.
        self._sync(dict(first_data))
        order._loyalty_sync_pos_refunds()
        (first | second)._loyalty_process_membership()
        self.assertEqual(len(self._lines(self.alice_card)), 3)
        self.assertBalance(self.alice_card, 0)

    def test_refund_of_a_gold_order(self):
        self._set_tier(self.bob_card, self.tier_gold)
        order = self._sell(self.bob, [(self.lamp, 2)])  # 200 x 1.5
        self.assertBalance(self.bob_card, 300)
        self._sync(self._refund_data(order, {order.lines: 1}, customer=self.bob))
        self.assertEqual(self._lines(self.bob_card, entry_type="refund").mapped("used"), [150.0])
        self.assertBalance(self.bob_card, 150)

    def test_refund_without_customer_still_takes_back_points(self):
        """The points belong to the original order's member: a refund rung up without
        selecting the customer again takes them back all the same."""
        order = self._sell(self.alice, [(self.lamp, 4)])
        self.assertBalance(self.alice_card, 400)
        refund = self._sync(self._refund_data(order, {order.lines: 1}))
        self.assertFalse(refund.partner_id)
        self.assertEqual(refund.state, "paid")
        self.assertEqual(
            self._lines(self.alice_card, entry_type="refund").mapped("used"), [100.0]
        )
        self.assertBalance(self.alice_card, 300)

    def test_refund_of_an_order_that_earned_nothing(self):
        order = self._sell(self.carol, [(self.lamp, 1)])
        self._sync(self._refund_data(order, {order.lines: 1}, customer=self.carol))
        self.assertFalse(self._card(self.carol))
        self.assertFalse(
            self.env["loyalty.history"].search(
                [("order_model", "=", "pos.order"), ("order_id", "=", order.id)]
            )
        )

    # ------------------------------------------------------------------
    # 5. POS orders count toward tiers
    # ------------------------------------------------------------------

    def test_pos_spend_upgrades_tier_at_sync(self):
        first = self._sell(self.alice, [(self.lamp, 6)])
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        second = self._sell(self.alice, [(self.lamp, 5)])  # 1,100 spent in all
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        self.assertEqual(self.alice.with_company(self.company).loyalty_tier_id, self.tier_gold)
        history = self.env["loyalty.tier.history"].search(
            [("card_id", "=", self.alice_card.id)]
        ).sorted("id")
        self.assertRecordValues(history, [
            {"old_tier_id": False, "new_tier_id": self.tier_member.id, "direction": "enrol",
             "reason": "manual", "pos_order_id": False, "sale_order_id": False},
            {"old_tier_id": self.tier_member.id, "new_tier_id": self.tier_gold.id,
             "direction": "up", "reason": "order", "pos_order_id": second.id,
             "sale_order_id": False},
        ])
        self.assertNotEqual(history[-1].pos_order_id, first)
        # The order that reached Gold earned at the tier held before it; the next one earns x 1.5.
        self.assertEqual(self._lines(self.alice_card).mapped("issued"), [600.0, 500.0])
        self._sell(self.alice, [(self.pen, 3)])
        self.assertEqual(self._lines(self.alice_card).mapped("issued")[-1], 46.0)
        self.assertBalance(self.alice_card, 1146)

    def test_pos_orders_in_tier_metrics(self):
        card = self.alice_card
        order = self._sell(self.alice, [(self.lamp, 3)])
        self._sell(self.alice, [(self.pen, 2)])
        draft = self._data([(self.lamp, 10)], customer=self.alice)
        draft.update(state="draft", payment_ids=[], amount_paid=0)
        self._sync(draft)
        self._sync(self._refund_data(order, {order.lines: 1}, customer=self.alice))
        since = fields.Datetime.subtract(fields.Datetime.now(), years=1)
        # Paid orders count, drafts don't; a refund lowers the spend but is not an order.
        self.assertAlmostEqual(
            card._loyalty_metric_values("spend", since)[card.id], 300 + 20.5 - 100
        )
        self.assertEqual(card._loyalty_metric_values("orders", since)[card.id], 2)

    # ------------------------------------------------------------------
    # 6. Customers who are not members
    # ------------------------------------------------------------------

    def test_non_member_earns_nothing(self):
        self.assertFalse(self.company.loyalty_auto_enroll)
        order = self._sell(self.carol, [(self.lamp, 2)])
        self.assertFalse(self._card(self.carol), "no card for a customer who is not a member")
        self.assertFalse(
            self.env["loyalty.history"].search(
                [("order_model", "=", "pos.order"), ("order_id", "=", order.id)]
            )
        )
        # The client's round trip cannot create a member card either.
        order.with_user(self.cashier).confirm_coupon_programs(
            {"-1": {"points": 200, "program_id": self.program.id, "coupon_id": -1,
                    "partner_id": self.carol.id, "barcode": "", "line_codes": []}}
        )
        self.assertFalse(self._card(self.carol))
        self.assertFalse(
            self.env["loyalty.card"].search(
                [("program_id", "=", self.program.id), ("partner_id", "=", self.carol.id)]
            )
        )
        # An order without a customer earns nothing either.
        anonymous = self._sell(False, [(self.lamp, 1)])
        self.assertFalse(
            self.env["loyalty.history"].search(
                [("order_model", "=", "pos.order"), ("order_id", "=", anonymous.id)]
            )
        )

    def test_auto_enrol_at_sync(self):
        self.company.loyalty_auto_enroll = True
        order = self._sell(self.carol, [(self.lamp, 1), (self.pen, 1)])  # 110.25
        card = self._card(self.carol)
        self.assertEqual(len(card), 1, "the customer got a member card at sync")
        self.assertEqual(card.program_id, self.program)
        self.assertEqual(card.tier_id, self.tier_member)
        self.assertTrue(card.code)
        self.assertRecordValues(self._lines(card), [{
            "entry_type": "order", "order_model": "pos.order", "order_id": order.id,
            "issued": 110.0,
        }])
        self.assertBalance(card, 110)
        history = self.env["loyalty.tier.history"].search([("card_id", "=", card.id)])
        self.assertRecordValues(history, [{"direction": "enrol", "reason": "order",
                                           "new_tier_id": self.tier_member.id}])
        # The client's "new card" entry doesn't create a second card nor add points.
        order.with_user(self.cashier).confirm_coupon_programs(
            {"-1": {"points": 110, "program_id": self.program.id, "coupon_id": -1,
                    "partner_id": self.carol.id, "barcode": "", "line_codes": []}}
        )
        self.assertEqual(self._card(self.carol), card)
        self.assertBalance(card, 110)
        # A second order uses the same card.
        self._sell(self.carol, [(self.lamp, 1)])
        self.assertEqual(self._card(self.carol), card)
        self.assertBalance(card, 210)

    # ------------------------------------------------------------------
    # 7. Cashiers' rights, the member scanner
    # ------------------------------------------------------------------

    def test_cashier_cannot_change_points_or_tier(self):
        self.assertTrue(self.cashier.has_group("point_of_sale.group_pos_user"))
        self.assertFalse(self.cashier.has_group("customer_loyalty.group_loyalty_manager"))
        self._sell(self.alice, [(self.lamp, 1)])
        self.assertBalance(self.alice_card, 100)
        card = self.alice_card.with_user(self.cashier)
        with self.assertRaises(AccessError):
            card.write({"points": 5000})
        with self.assertRaises(AccessError):
            card.write({"tier_id": self.tier_gold.id})
        with self.assertRaises(AccessError):
            card.write({"partner_id": self.bob.id})
        self.env.invalidate_all()
        self.assertEqual(self.alice_card.tier_id, self.tier_member)
        self.assertEqual(self.alice_card.partner_id, self.alice)
        self.assertBalance(self.alice_card, 100)

    def test_cashier_enrols_a_customer(self):
        carol = self.carol.with_user(self.cashier).with_company(self.company)
        action = carol.action_loyalty_enroll()
        self.assertEqual(action["params"]["type"], "success")
        card = self._card(self.carol)
        self.assertEqual(len(card), 1)
        self.assertEqual(card.tier_id, self.tier_member)
        self.assertBalance(card, 0)
        # Enrolling again does nothing.
        action = carol.action_loyalty_enroll()
        self.assertEqual(action["params"]["type"], "info")
        self.assertEqual(self._card(self.carol), card)
        # The next POS order earns.
        self._sell(self.carol, [(self.lamp, 1)])
        self.assertBalance(card, 100)

    def test_find_member(self):
        config = self.config.with_user(self.cashier)
        code = self.alice_card.code
        self.assertEqual(
            config.loyalty_find_member(code),
            {"member": True, "found": True, "partner_id": self.alice.id,
             "card_id": self.alice_card.id},
        )
        self.assertEqual(config.loyalty_find_member(f"  {code}  ")["partner_id"], self.alice.id)
        # Typed in upper case: the same code.
        self.assertEqual(config.loyalty_find_member(code.upper())["partner_id"], self.alice.id)
        # What is not a member code is not answered: the POS hands it to pos_loyalty (gift
        # cards, eWallets and coupons have codes starting with 044 too).
        self.assertEqual(config.loyalty_find_member("044000000000000000000"), {"member": False})
        self.assertEqual(config.loyalty_find_member(""), {"member": False})
        other = self.env["loyalty.program"].create(
            {"name": "Coupons", "program_type": "coupons", "company_id": self.company.id}
        )
        coupon = self.env["loyalty.card"].create({"program_id": other.id, "points": 1})
        self.assertTrue(coupon.code.startswith("044"))
        self.assertEqual(config.loyalty_find_member(coupon.code), {"member": False})
        # A revoked member code is answered, with the reason, and opens no card.
        self.alice_card._loyalty_replace_card(reason="lost")
        self.assertNotEqual(self.alice_card.code, code)
        revoked = config.loyalty_find_member(code)
        self.assertEqual(revoked["member"], True)
        self.assertFalse(revoked["found"])
        self.assertNotIn("partner_id", revoked)
        self.assertIn("replaced", revoked["message"])
        self.assertTrue(config.loyalty_find_member(self.alice_card.code)["found"])
        # An archived member card is a member code that opens nothing.
        self.bob_card.active = False
        archived = config.loyalty_find_member(self.bob_card.code)
        self.assertEqual((archived["member"], archived["found"]), (True, False))
        self.assertIn("No member card", archived["message"])

    # ------------------------------------------------------------------
    # 8. Partners in the POS
    # ------------------------------------------------------------------

    def test_partner_search_by_card_code(self):
        Partner = self.env["res.partner"].with_company(self.company)
        code = self.alice_card.code
        self.assertEqual(Partner.search([("loyalty_card_code", "=", code)]), self.alice)
        self.assertEqual(Partner.search([("loyalty_card_code", "ilike", code[3:15])]), self.alice)
        self.assertFalse(Partner.search([("loyalty_card_code", "=", "044nothing")]))
        as_cashier = Partner.with_user(self.cashier)
        self.assertEqual(as_cashier.search([("loyalty_card_code", "=", code)]), self.alice)
        self.assertEqual(
            as_cashier.search([("loyalty_card_code", "=", self.bob_card.code)]), self.bob
        )

    def test_pos_loads_loyalty_fields(self):
        self._set_tier(self.bob_card, self.tier_gold)
        self._sell(self.bob, [(self.lamp, 1)])
        pos_fields = self.env["res.partner"]._load_pos_data_fields(self.config.id)
        for name in ("loyalty_card_code", "loyalty_is_member", "loyalty_tier_name",
                     "loyalty_tier_multiplier", "loyalty_points"):
            self.assertIn(name, pos_fields)
        # The cashier's POS reads them.
        self.env.invalidate_all()
        partners = (self.bob | self.carol).with_user(self.cashier).with_company(self.company)
        values = {vals["id"]: vals for vals in partners.read(pos_fields, load=False)}
        self.assertEqual(values[self.bob.id]["loyalty_card_code"], self.bob_card.code)
        self.assertTrue(values[self.bob.id]["loyalty_is_member"])
        self.assertEqual(values[self.bob.id]["loyalty_tier_name"], "Gold")
        self.assertEqual(values[self.bob.id]["loyalty_tier_multiplier"], 1.5)
        self.assertEqual(values[self.bob.id]["loyalty_points"], 150)
        # Gold is colour 3 (yellow): dark text, as on the printed card.
        self.tier_gold.color = 3
        self.env.invalidate_all()
        values = {vals["id"]: vals for vals in partners.read(pos_fields, load=False)}
        self.assertEqual(values[self.bob.id]["loyalty_tier_color_hex"], "#e8bb1d")
        self.assertEqual(values[self.bob.id]["loyalty_tier_text_hex"], "#212529")
        self.assertFalse(values[self.carol.id]["loyalty_is_member"])
        self.assertFalse(values[self.carol.id]["loyalty_card_code"])
