from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestPosPackage(PosPointsCommon):
    """Prepaid packages in the POS, written by the server at sync (``sync_from_ui``) as the
    plain cashier of PosPointsCommon: the sale, the uses, the refusals, refunds, duplicate
    syncs, and what the POS asks the server (pos_config_package.py).

    10 Haircuts: 800 for 10 uses (80 a use), valid 6 months from the sale, covers Haircut.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]

        def service(name, price, **vals):
            return Product.create({
                "name": name, "type": "service", "list_price": price, "available_in_pos": True,
                "taxes_id": [Command.clear()], **vals,
            })

        cls.haircut = service("Haircut", 100.0)
        cls.massage = service("Massage", 300.0)
        cls.pack_haircut = service(
            "10 Haircuts", 800.0, loyalty_package_ok=True, loyalty_package_uses=10,
            loyalty_package_validity=6, loyalty_package_validity_unit="month",
            loyalty_package_validity_start="sale",
            loyalty_package_product_ids=[Command.set(cls.haircut.ids)],
        )
        cls.Package = cls.env["loyalty.package"]
        cls.today = fields.Date.context_today(cls.env["pos.order"])

    # -- helpers -------------------------------------------------------------------------

    def _packages(self, partner):
        return self.Package.search([("partner_id", "=", partner.id)], order="id")

    def _buy_haircuts(self, partner=None, qty=1):
        order = self._sell(partner or self.alice, [(self.pack_haircut, qty)])
        return order, self._packages(partner or self.alice)

    def _use_data(self, package, customer, product=None, qty=1, price=0.0):
        """Order data of ``customer`` with one line of ``product`` (a haircut) paid with
        ``package``, as the POS sends it."""
        data = self._data([(product or self.haircut, qty)], customer=customer)
        line = data["lines"][0][2]
        line.update({
            "loyalty_package_id": package.id, "price_unit": price,
            "price_subtotal": price * qty, "price_subtotal_incl": price * qty,
        })
        total = price * qty
        data.update({"amount_total": total, "amount_paid": total, "amount_tax": 0.0})
        data["payment_ids"][0][2]["amount"] = total
        return data

    def assertUsesLeft(self, package, left):
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(quantity), 0) FROM loyalty_package_line WHERE package_id = %s",
            [package.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], left, "ledger sum")
        package.invalidate_recordset()
        self.assertEqual(package.uses_left, left)

    # -- 1. selling ------------------------------------------------------------------------

    def test_paid_order_sells_one_package_per_unit(self):
        order, packages = self._buy_haircuts(qty=2)
        line = order.lines
        self.assertEqual(len(packages), 2, "2 units, 2 packages")
        expiry = self.today + relativedelta(months=6) - relativedelta(days=1)
        self.assertRecordValues(packages, [
            {"partner_id": self.alice.id, "company_id": self.company.id, "pos_line_id": line.id,
             "sale_line_id": False, "origin": order.name, "amount": 800.0,
             "price_per_use": 80.0, "uses_total": 10, "uses_left": 10, "state": "active",
             "date_sale": self.today, "date_start": self.today, "date_expiry": expiry},
        ] * 2)
        self.assertEqual(
            packages.line_ids.mapped("entry_type"), ["issued", "issued"], "one sale line each"
        )
        self.assertEqual(packages.mapped("summary"), [f"10 of 10 left, until {expiry}"] * 2)

    def test_draft_order_sells_nothing_and_two_syncs_sell_once(self):
        data = self._data([(self.pack_haircut, 1)], customer=self.alice)
        draft = dict(data, state="draft", payment_ids=[])
        order = self._sync(draft)
        self.assertEqual(order.state, "draft")
        self.assertFalse(self._packages(self.alice), "an unpaid order sells no package")
        # The POS sends the paid order again, its lines already saved.
        paid = self._sync(dict(data, lines=[], access_token=order.access_token))
        self.assertEqual(paid, order)
        self.assertEqual(len(paid.lines), 1)
        self.assertEqual(paid.state, "paid")
        again = self._sync(dict(data, access_token=order.access_token))
        self.assertEqual(again, order, "the second sync is ignored")
        self.assertEqual(len(self._packages(self.alice)), 1, "synced twice, sold once")

    def test_package_sale_needs_a_customer(self):
        with self.assertRaisesRegex(
            UserError, "Choose the customer who buys the package 10 Haircuts before paying."
        ):
            self._sync(self._data([(self.pack_haircut, 1)]))
        self.assertFalse(self.Package.search([("product_id", "=", self.pack_haircut.id)]))

    # -- 2. using ----------------------------------------------------------------------------

    def test_use_at_zero_consumes_once(self):
        __, package = self._buy_haircuts()
        data = self._use_data(package, self.alice)
        order = self._sync(data)
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.amount_total, 0.0)
        self.assertEqual(order.lines.loyalty_package_id, package)
        self.assertUsesLeft(package, 9)
        used = package.line_ids.filtered(lambda ln: ln.entry_type == "used")
        self.assertRecordValues(used, [{
            "quantity": -1, "value": -80.0, "partner_id": self.alice.id,
            "pos_line_id": order.lines.id, "product_id": self.haircut.id, "origin": order.name,
        }])
        self._sync(dict(data))
        self.assertUsesLeft(package, 9)  # synced twice, used once
        # Two haircuts on one line take two uses.
        self._sync(self._use_data(package, self.alice, qty=2))
        self.assertUsesLeft(package, 7)
        self.assertTrue(package.summary.startswith("7 of 10 left, until "))

    def test_refusals_at_sync(self):
        """Never trusting the POS: each refusal raises the server's reason and writes nothing."""
        __, package = self._buy_haircuts()
        name = package.name
        cases = [
            (self._use_data(package, self.bob),
             f"The package {name} belongs to another customer: Bob POS may not use it."),
            (self._use_data(package, self.alice, product=self.massage),
             f"The package {name} does not cover Massage."),
            (self._use_data(package, self.alice, price=100.0),
             f"The line Haircut is paid with the package {name}: its price must be zero."),
            (self._use_data(package, self.alice, qty=11),
             f"The package {name} has 10 uses left, not 11."),
            (self._use_data(package, False),
             f"Choose the customer before using the package {name}."),
        ]
        for data, message in cases:
            with self.subTest(message=message), self.assertRaises(UserError) as caught:
                self._sync(data)
            self.assertEqual(str(caught.exception.args[0]), message)
        self.assertUsesLeft(package, 10)
        self.assertFalse(
            self.env["pos.order"].search([("lines.loyalty_package_id", "=", package.id)])
        )

    def test_refusals_used_up_expired_frozen(self):
        __, package = self._buy_haircuts()
        name = package.name
        self._sync(self._use_data(package, self.alice, qty=10))
        self.assertEqual(package.state, "used_up")
        with self.assertRaisesRegex(
            UserError, rf"^The package {name} is used up \(0 of 10 left\)\.$"
        ):
            self._sync(self._use_data(package, self.alice))

        old = self.Package._loyalty_package_issue([{
            "partner": self.alice, "product": self.pack_haircut, "company": self.company,
            "currency": self.company.currency_id, "amount": 800.0,
            "date": self.today - relativedelta(months=7), "origin": "old",
            "pos_line": self.env["pos.order"].search([], limit=1).lines[:1], "rank": 5,
        }])
        expiry = self.today - relativedelta(months=1) - relativedelta(days=1)
        self.assertEqual(old.date_expiry, expiry)
        with self.assertRaises(UserError) as caught:
            self._sync(self._use_data(old, self.alice))
        self.assertEqual(caught.exception.args[0], f"The package {old.name} expired on {expiry}.")

        __, packages = self._buy_haircuts(self.bob)
        frozen = packages[-1]
        self.env["loyalty.package.freeze"].sudo().create({
            "package_id": frozen.id, "date_from": self.today,
            "date_to": self.today + relativedelta(days=9), "reason": "travel",
        })
        with self.assertRaises(UserError) as caught:
            self._sync(self._use_data(frozen, self.bob))
        self.assertEqual(
            caught.exception.args[0],
            f"The package {frozen.name} is frozen until {self.today + relativedelta(days=9)}.",
        )
        self.assertUsesLeft(old, 10)
        self.assertUsesLeft(frozen, 10)

    # -- 3. what the POS asks ----------------------------------------------------------

    def test_member_packages_and_refusal_for_the_cashier(self):
        __, mine = self._buy_haircuts()
        __, bobs = self._buy_haircuts(self.bob)
        config = self.config.with_user(self.cashier)
        result = config.loyalty_member_packages(self.alice.id)["loyalty.package"]
        self.assertEqual([vals["id"] for vals in result], mine.ids, "only Alice's packages")
        self.assertEqual(result[0]["uses_left"], 10)
        self.assertFalse(result[0]["is_frozen"])
        self.assertEqual(result[0]["service_product_ids"], self.haircut.ids)
        self.assertNotIn("amount", result[0], "the cashier sees no amounts")
        self.assertEqual(
            config.loyalty_package_refusal(bobs.id, self.alice.id, self.haircut.id),
            f"The package {bobs.name} belongs to another customer: Alice POS may not use it.",
        )
        self.assertEqual(
            config.loyalty_package_refusal(mine.id, self.alice.id, self.massage.id),
            f"The package {mine.name} does not cover Massage.",
        )
        self.assertEqual(
            config.loyalty_package_refusal(mine.id, self.alice.id, self.haircut.id), ""
        )
        self.assertEqual(
            config.loyalty_package_refusal(mine.id, self.alice.id, self.haircut.id, 11),
            f"The package {mine.name} has 10 uses left, not 11.",
        )
        # A package of Alice in another company is neither listed nor usable here.
        other = self.env["res.company"].create({"name": "Other Shop Company"})
        elsewhere = self.Package._loyalty_package_issue([{
            "partner": self.alice, "product": self.pack_haircut, "company": other,
            "currency": other.currency_id, "amount": 800.0, "date": self.today,
            "origin": "elsewhere", "pos_line": mine.pos_line_id, "rank": 9,
        }])
        self.assertTrue(elsewhere)
        result = config.loyalty_member_packages(self.alice.id)["loyalty.package"]
        self.assertEqual([vals["id"] for vals in result], mine.ids, "this company's only")
        self.assertEqual(
            config.loyalty_package_refusal(elsewhere.id, self.alice.id, self.haircut.id),
            f"The package {elsewhere.name} belongs to another company.",
        )
        # Not a POS user: no answer at all.
        self.cashier.groups_id = [Command.unlink(self.env.ref("point_of_sale.group_pos_user").id)]
        with self.assertRaises(AccessError):
            config.loyalty_member_packages(self.alice.id)
        with self.assertRaises(AccessError):
            config.loyalty_package_refusal(mine.id, self.alice.id, self.haircut.id)

    # -- 4. refunds ----------------------------------------------------------------------

    def test_refund_of_a_use_gives_it_back_once(self):
        __, package = self._buy_haircuts()
        order = self._sync(self._use_data(package, self.alice))
        self.assertUsesLeft(package, 9)
        data = self._refund_data(order, {order.lines: 1}, customer=self.alice)
        for line in data["lines"]:
            line[2].update(price_unit=0.0, price_subtotal=0.0, price_subtotal_incl=0.0)
        data.update(amount_total=0.0, amount_paid=0.0)
        data["payment_ids"][0][2]["amount"] = 0.0
        refund = self._sync(data)
        self.assertEqual(refund.state, "paid")
        self.assertUsesLeft(package, 10)
        self._sync(dict(data))
        self.assertUsesLeft(package, 10)  # synced twice, given back once
        self.assertEqual(
            package.line_ids.sorted("id").mapped("entry_type"), ["issued", "used", "returned"]
        )

    def test_refund_of_a_package_sale_follows_the_rule(self):
        """Sold 800 for 10 uses (80 a use), 3 used: the 7 unused are worth 7 × 80 = 560, the
        most a refund may pay back; the package is cancelled, its 7 uses with it."""
        sale, package = self._buy_haircuts()
        self._sync(self._use_data(package, self.alice, qty=3))
        self.assertUsesLeft(package, 7)
        config = self.config.with_user(self.cashier)
        self.assertEqual(
            config.loyalty_package_refund_values(sale.lines.ids), {sale.lines.id: 560.0}
        )

        def refund_data(price):
            data = self._refund_data(sale, {sale.lines: 1}, customer=self.alice)
            data["lines"][0][2].update(
                price_unit=price, price_subtotal=-price, price_subtotal_incl=-price
            )
            data.update(amount_total=-price, amount_paid=-price)
            data["payment_ids"][0][2]["amount"] = -price
            return data

        with self.assertRaises(UserError) as caught:
            self._sync(refund_data(800.0))  # Odoo's default: the price paid
        self.assertEqual(
            caught.exception.args[0],
            "10 Haircuts can be refunded %s at most (what its unused uses are worth), not %s."
            % (self.currency.format(560.0), self.currency.format(800.0)),
        )
        self.assertUsesLeft(package, 7)
        data = refund_data(560.0)
        refund = self._sync(data)
        self.assertEqual(refund.amount_total, -560.0)
        package.invalidate_recordset()
        self.assertEqual(package.state, "cancelled")
        self.assertUsesLeft(package, 0)
        cancelled = package.line_ids.filtered(lambda ln: ln.entry_type == "cancelled")
        self.assertRecordValues(
            cancelled, [{"quantity": -7, "value": -560.0, "origin": refund.name}]
        )
        self._sync(dict(data))
        self.assertEqual(len(package.line_ids.filtered(lambda ln: ln.entry_type == "cancelled")), 1)
        self.assertEqual(config.loyalty_package_refund_values(sale.lines.ids), {sale.lines.id: 0.0})
