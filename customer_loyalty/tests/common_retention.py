from datetime import date

from odoo import Command
from odoo.tests import freeze_time

from .common_pos import PosPointsCommon


class RetentionCommon(PosPointsCommon):
    """A small known data set for the retention figures, Sales and POS mixed, untaxed amounts:

    ====  ==========  =======  ==========  =====================================  ====  =====
    ref   date        company  customer    what                                   net   counted
    ====  ==========  =======  ==========  =====================================  ====  =====
    S0    2025-03-01  A        Erin        Sales, 4 pens (her only order)           40  yes
    S1    2025-06-10  A        Alice       Sales, 2 lamps                          200  yes
    P1    2025-09-05  A        Bob         POS, 1 lamp                             100  yes
    P2    2026-01-05  A        Alice       POS, 1 lamp + 2 pens                    120  yes
    SB1   2026-01-15  B        Alice       Sales, 5 lamps                          500  yes
    S2    2026-01-20  A        Alice       Sales, 3 lamps, 1 credited 2026-02-03   200  yes
    P3    2026-01-25  A        Bob         POS, 5 pens                              50  yes
    P4    2026-02-10  A        Bob         POS, 2 lamps, refunded 2026-02-12         0  no
    S3    2026-02-15  A        Carol       Sales, 1 lamp + 5 pens                  150  yes
    SB2   2026-02-15  B        Alice       Sales, 7 pens                            70  yes
    S4    2026-02-20  A        Carol       Sales, 5 lamps, cancelled                 -  no
    P5    2026-02-25  A        (nobody)    POS, 1 lamp, anonymous                  100  no
    P6    2026-03-03  A        Alice       POS, 3 pens, 1 refunded 2026-03-05       20  yes
    S5    2026-03-10  A        Dave        Sales, 4 lamps (his only order)         400  yes
    S6    2026-03-20  A        Carol       Sales, 2 pens                            20  yes
    ====  ==========  =======  ==========  =====================================  ====  =====

    A lamp is 100 (category Lights), a pen 10 (category Office), no taxes. Company A is the POS
    test company (POS orders in its shop by the cashier, sales orders by the salesperson Sam),
    company B another one with the same currency. Alice and Bob are members of A (tier Member
    since 2025-01-01), nobody is a member of B; Carol, Dave and Erin are not members."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["loyalty.program"].search([("is_membership_program", "=", False)]).write(
            {"active": False}
        )
        cls.company_a = cls.company
        cls.company_a.loyalty_auto_enroll = False
        cls.company_b = cls.env["res.company"].create(
            {"name": "Retention Shop B", "currency_id": cls.company_a.currency_id.id}
        )
        cls.company_b.loyalty_auto_enroll = False
        cls.env.user.company_ids |= cls.company_b
        cls.env.cr.execute(
            "UPDATE loyalty_tier_history SET date = '2025-01-01 08:00:00' WHERE card_id IN %s",
            [tuple((cls.alice_card | cls.bob_card).ids)],
        )
        cls.env.invalidate_all()
        Category = cls.env["product.category"]
        cls.categ_lights = Category.create({"name": "Retention Lights"})
        cls.categ_office = Category.create({"name": "Retention Office"})

        def product(name, price, categ):
            return cls.env["product.product"].create({
                "name": name, "type": "consu", "available_in_pos": True, "list_price": price,
                "categ_id": categ.id, "invoice_policy": "order", "company_id": False,
                "taxes_id": [Command.clear()],
            })

        cls.r_lamp = product("Retention Lamp", 100.0, cls.categ_lights)
        cls.r_pen = product("Retention Pen", 10.0, cls.categ_office)
        Partner = cls.env["res.partner"]
        cls.dave = Partner.create({"name": "Dave Retention"})
        cls.erin = Partner.create({"name": "Erin Retention"})
        cls.sam = cls._new_user(
            "retention_sam", "base.group_user,sales_team.group_sale_salesman",
            company=cls.company_a,
        )
        cls.sam.company_ids |= cls.company_b

    def _so(self, when, partner, lines, company=None):
        """A sales order of ``partner`` confirmed at ``when``; ``lines`` are (product, qty)."""
        company = company or self.company_a
        order = self.env["sale.order"].with_company(company).create({
            "partner_id": partner.id, "company_id": company.id, "user_id": self.sam.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": qty,
                                "price_unit": product.list_price, "tax_id": [Command.clear()]})
                for product, qty in lines
            ],
        })
        with freeze_time(when):
            order.with_company(company).action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _credit(self, when, order, quantities):
        """Invoice ``order`` and post a credit note of ``quantities`` ({product: qty}) at
        ``when``."""
        with freeze_time(when):
            invoice = order._create_invoices()
            invoice.action_post()
            wizard = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"reason": "Returned", "journal_id": invoice.journal_id.id})
            refund = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
            for line in refund.invoice_line_ids:
                line.quantity = quantities.get(line.product_id, 0)
            refund.invoice_line_ids.filtered(lambda line: not line.quantity).unlink()
            refund.action_post()
        return refund

    def _pos(self, when, customer, lines):
        data = self._data(lines, customer=customer)
        data["date_order"] = when
        with freeze_time(when):
            order = self._sync(data)
        self.assertEqual(order.state, "paid")
        return order

    def _pos_refund(self, when, order, quantities):
        data = self._refund_data(order, quantities, customer=order.partner_id)
        data["date_order"] = when
        with freeze_time(when):
            refund = self._sync(data)
        self.assertEqual(refund.state, "paid")
        return refund

    def _sell_data_set(self):
        lamp, pen = self.r_lamp, self.r_pen
        orders = {}
        orders["S0"] = self._so("2025-03-01 09:00:00", self.erin, [(pen, 4)])
        orders["S1"] = self._so("2025-06-10 09:00:00", self.alice, [(lamp, 2)])
        orders["P1"] = self._pos("2025-09-05 09:00:00", self.bob, [(lamp, 1)])
        orders["P2"] = self._pos("2026-01-05 09:00:00", self.alice, [(lamp, 1), (pen, 2)])
        orders["SB1"] = self._so("2026-01-15 09:00:00", self.alice, [(lamp, 5)],
                                 company=self.company_b)
        orders["S2"] = self._so("2026-01-20 09:00:00", self.alice, [(lamp, 3)])
        self._credit("2026-02-03 09:00:00", orders["S2"], {lamp: 1})
        orders["P3"] = self._pos("2026-01-25 09:00:00", self.bob, [(pen, 5)])
        orders["P4"] = self._pos("2026-02-10 09:00:00", self.bob, [(lamp, 2)])
        self._pos_refund("2026-02-12 09:00:00", orders["P4"], {orders["P4"].lines: 2})
        orders["S3"] = self._so("2026-02-15 09:00:00", self.carol, [(lamp, 1), (pen, 5)])
        orders["SB2"] = self._so("2026-02-15 10:00:00", self.alice, [(pen, 7)],
                                 company=self.company_b)
        orders["S4"] = self._so("2026-02-20 09:00:00", self.carol, [(lamp, 5)])
        orders["S4"]._action_cancel()
        self.assertEqual(orders["S4"].state, "cancel")
        orders["P5"] = self._pos("2026-02-25 09:00:00", False, [(lamp, 1)])
        orders["P6"] = self._pos("2026-03-03 09:00:00", self.alice, [(pen, 3)])
        self._pos_refund("2026-03-05 09:00:00", orders["P6"], {orders["P6"].lines: 1})
        orders["S5"] = self._so("2026-03-10 09:00:00", self.dave, [(lamp, 4)])
        orders["S6"] = self._so("2026-03-20 09:00:00", self.carol, [(pen, 2)])
        self.env.flush_all()
        self.env["loyalty.retention.order"]._loyalty_refresh()
        return orders

    def _figures(self, granularity="month", **filters):
        """The API's figures by period start: {date: dict}."""
        rows = self.env["loyalty.retention.figures"].with_context(
            allowed_company_ids=(self.company_a | self.company_b).ids
        )._loyalty_repurchase_figures(filters, granularity)
        return {row["period"]: row for row in rows}

    def assertFigures(self, row, **expected):
        for key, value in expected.items():
            if isinstance(value, float):
                self.assertAlmostEqual(row[key], value, places=2, msg=f"{row['period']} {key}")
            else:
                self.assertEqual(row[key], value, f"{row['period']} {key}")

    JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
