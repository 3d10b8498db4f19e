from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.point_of_sale.tests.common import TestPoSCommon

from .common import MONEY_RULE, VOUCHER_REWARD, LedgerAssertions


class PosPointsCommon(LedgerAssertions, TestPoSCommon):
    """Membership points on Point of Sale orders, written by the server at sync.

    The test company (TestPoSCommon's) has its membership program set to 1 point per currency
    unit spent (taxes included), points rounded down to whole points, no expiry and no pending
    period, available in the test POS; two tiers: Member (x1, from 0) and Gold (x1.5, from 1,000
    spent in 12 months). The orders are synced by a cashier (``point_of_sale.group_pos_user``
    only), the way the POS does.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.config = cls.basic_config
        cls.program = cls.company.loyalty_program_id
        assert cls.program, "creating the company gave it a membership program"
        cls.program.write(
            {
                "points_rounding": 1.0,
                "points_validity_months": 0,
                "points_pending_days": 0,
                "pos_ok": True,
                "pos_config_ids": [Command.set(cls.config.ids)],
                "rule_ids": [
                    Command.clear(),
                    Command.create(MONEY_RULE),
                ],
                "reward_ids": [
                    Command.clear(),
                    Command.create(VOUCHER_REWARD),
                ],
            }
        )
        cls.reward_voucher = cls.program.reward_ids
        cls.company.loyalty_tier_ids.unlink()
        cls.tier_member, cls.tier_gold = cls.env["loyalty.tier"].create(
            [
                {"name": "Member", "sequence": 10, "threshold": 0, "multiplier": 1.0,
                 "company_id": cls.company.id},
                {"name": "Gold", "sequence": 30, "threshold": 1000, "multiplier": 1.5,
                 "company_id": cls.company.id},
            ]
        )

        def product(name, price, taxes=()):
            return cls.env["product.product"].create(
                {"name": name, "type": "consu", "available_in_pos": True, "list_price": price,
                 "taxes_id": [Command.set([tax.id for tax in taxes])]}
            )

        cls.lamp = product("Loyalty Lamp", 100.0)
        cls.pen = product("Loyalty Pen", 10.25)
        # 10% tax included in the price: 3 x 10.99 = 32.97 taxes included.
        cls.tea = product("Loyalty Tea", 10.99, [cls.taxes["tax10"]])

        cls.cashier = mail_new_test_user(
            cls.env, login="loyalty_pos_cashier", name="Loyalty Cashier",
            groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)],
        )
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice POS", "email": "alice.pos@example.com"})
        cls.bob = Partner.create({"name": "Bob POS", "email": "bob.pos@example.com"})
        cls.carol = Partner.create({"name": "Carol POS (not a member)"})
        (cls.alice | cls.bob).with_company(cls.company).action_loyalty_enroll()
        cls.alice_card = cls.company._loyalty_member_cards(cls.alice)
        cls.bob_card = cls.company._loyalty_member_cards(cls.bob)
        assert cls.alice_card and cls.bob_card

    def setUp(self):
        super().setUp()
        self.open_new_session()

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _card(self, partner):
        return self.company._loyalty_member_cards(partner)

    def _data(self, lines, customer=None, **kwargs):
        """Order data as the POS sends it: ``lines`` are ``(product, qty)`` pairs or dicts."""
        return self.create_ui_order_data(lines, customer=customer, **kwargs)

    def _sync(self, *orders_data, user=None):
        """Sync ``orders_data`` through ``sync_from_ui`` as ``user`` (the cashier by default);
        returns the orders (as the test's superuser)."""
        PosOrder = self.env["pos.order"].with_user(user or self.cashier)
        result = PosOrder.sync_from_ui(list(orders_data))
        orders = self.env["pos.order"].browse([vals["id"] for vals in result["pos.order"]])
        self.env.invalidate_all()
        return orders

    def _sell(self, customer, lines, **kwargs):
        order = self._sync(self._data(lines, customer=customer, **kwargs))
        self.assertEqual(order.state, "paid", "the POS order is paid")
        return order

    def _refund_data(self, order, quantities, customer=None):
        """Refund data of ``order``: ``quantities`` maps its lines to the quantity returned."""
        return self._data(
            [
                {"product": line.product_id, "quantity": -qty, "refunded_orderline_id": line.id}
                for line, qty in quantities.items()
            ],
            customer=customer,
        )

    def _add_reward_line(self, data, card, reward, amount, points_cost):
        """Add to POS order ``data`` the line of ``reward`` claimed with ``card``."""
        product = reward.discount_line_product_id
        data["lines"].append(
            (0, 0, {
                "product_id": product.id, "qty": 1, "price_unit": -amount,
                "price_subtotal": -amount, "price_subtotal_incl": -amount,
                "discount": 0, "tax_ids": [Command.clear()], "pack_lot_ids": [],
                "is_reward_line": True, "reward_id": reward.id, "coupon_id": card.id,
                "points_cost": points_cost, "reward_identifier_code": "voucher-1",
            })
        )
        for key in ("amount_total", "amount_paid"):
            data[key] -= amount
        data["payment_ids"][0][2]["amount"] -= amount
        return data

    def _set_tier(self, card, tier):
        card._loyalty_apply_tier_changes([(card, card.tier_id, tier)], reason="manual")
        self.assertEqual(card.tier_id, tier)

