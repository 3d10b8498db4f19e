from freezegun import freeze_time

from odoo import Command

from .common import MONEY_RULE, VOUCHER_REWARD, LoyaltyCommon


class PointsCommon(LoyaltyCommon):
    """The points ledger on top of :class:`LoyaltyCommon` (its own USD company, no taxes, tiers
    Member ×1, Silver ×1.5 from 1,000 spent, Gold ×2 from 5,000 spent).

    The membership program is set here explicitly:

    - one rule, 1 point per currency unit spent (tests of other rule kinds replace it);
    - rewards: a $10 voucher for 100 points (a fixed cost, which keeps balances easy to follow),
      a discount of 10 cents per point (by blocks of 100), a free gift for 50 points, and a $5
      "Gold lounge" voucher for 50 points reserved for Gold members;
    - points rounded down to whole points, no expiry, no pending period.

    Alice and Bob are members (tier Member, 0 points); Carol is not.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gift = cls.env["product.product"].create(
            {
                "name": "Loyalty Gift Mug",
                "type": "consu",
                "list_price": 20.0,
                "taxes_id": [Command.clear()],
            }
        )
        cls.program.write(
            {
                "points_rounding": 1.0,
                "points_validity_months": 0,
                "points_pending_days": 0,
                "points_expiry_warning_days": 14,
                "rule_ids": [
                    Command.clear(),
                    Command.create(MONEY_RULE),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create(VOUCHER_REWARD),
                    Command.create(
                        {"description": "10 cents per point", "reward_type": "discount",
                         "discount_mode": "per_point", "discount": 0.1,
                         "discount_applicability": "order", "required_points": 100}
                    ),
                    Command.create(
                        {"description": "Free mug", "reward_type": "product",
                         "reward_product_id": cls.gift.id, "reward_product_qty": 1,
                         "required_points": 50}
                    ),
                    Command.create(
                        {"description": "Gold lounge", "reward_type": "discount",
                         "discount_mode": "per_order", "discount": 5,
                         "discount_applicability": "order", "required_points": 50,
                         "tier_ids": [Command.set(cls.tier_gold.ids)]}
                    ),
                ],
            }
        )
        cls.rule = cls.program.rule_ids
        cls.reward_voucher, cls.reward_per_point, cls.reward_gift, cls.reward_gold = (
            cls.program.reward_ids.sorted("id")
        )
        cls.alice_card = cls._enrol(cls.alice)
        cls.bob_card = cls._enrol(cls.bob)

    # ------------------------------------------------------------------
    # Orders
    # ------------------------------------------------------------------

    @classmethod
    def _quotation(cls, partner, amount=None, lines=None):
        """A quotation of ``partner``: one line of ``amount`` (of ``cls.product``) or ``lines``,
        a list of ``(product, quantity, unit price)``; no taxes."""
        if lines is None:
            lines = [(cls.product, 1, amount)]
        order = cls.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "company_id": cls.company.id,
                "order_line": [
                    Command.create(
                        {"product_id": product.id, "product_uom_qty": qty,
                         "price_unit": price, "tax_id": [Command.clear()]}
                    )
                    for product, qty, price in lines
                ],
            }
        )
        order._update_programs_and_rewards()
        return order

    def _claim(self, order, reward, card=None):
        """Claim ``reward`` on ``order`` with the member's card, the way the reward button does
        (the reward must be claimable); returns the reward lines."""
        card = card or self._card(order.partner_id)
        order._update_programs_and_rewards()
        claimable = order._get_claimable_rewards()
        self.assertIn(reward, claimable.get(card, reward.browse()), "the reward is claimable")
        status = order._apply_program_reward(reward, card)
        self.assertFalse(status.get("error"), status.get("error"))
        order._update_programs_and_rewards()
        lines = order.order_line.filtered(lambda line: line.reward_id == reward)
        self.assertTrue(lines, "the reward is on the order")
        return lines

    def _confirm(self, order, date=None):
        if date:
            with freeze_time(date):
                order.action_confirm()
        else:
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _earn(self, partner, amount, date=None):
        """Confirm an order of ``amount`` for ``partner`` (at ``date``)."""
        return self._confirm(self._quotation(partner, amount), date=date)

    def _redeem(self, partner, amount, reward, date=None):
        """Confirm an order of ``amount`` paying with ``reward``."""
        order = self._quotation(partner, amount)
        self._claim(order, reward)
        return self._confirm(order, date=date)

    def _set_tier(self, card, tier):
        """Put the member in ``tier`` the way the tier engine does (history, chatter)."""
        card._loyalty_apply_tier_changes([(card, card.tier_id, tier)], reason="manual")
        self.assertEqual(card.tier_id, tier)

    def _cancel(self, order):
        order._action_cancel()
        self.assertEqual(order.state, "cancel")
        return order

    # ------------------------------------------------------------------
    # Invoices and credit notes
    # ------------------------------------------------------------------

    @classmethod
    def _setup_invoicing(cls):
        """Give the test company a chart of accounts (it has none: it was created empty)."""
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )

    def _invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertEqual(invoice.state, "posted")
        return invoice

    def _credit_note(self, invoice, quantity=None, post=True):
        """Reverse ``invoice`` with the "Credit Note" wizard; ``quantity`` (of its only line)
        makes it a partial credit note."""
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": "Returned", "journal_id": invoice.journal_id.id})
        action = wizard.refund_moves()
        refund = self.env["account.move"].browse(action["res_id"])
        self.assertEqual(refund.move_type, "out_refund")
        if quantity is not None:
            refund.invoice_line_ids.quantity = quantity
        if post:
            refund.action_post()
        return refund

    # ------------------------------------------------------------------
    # The ledger
    # ------------------------------------------------------------------
