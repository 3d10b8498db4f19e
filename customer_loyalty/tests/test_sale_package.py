from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import is_html_empty

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestSalePackage(PackageCommon):
    """Prepaid packages on sales orders: sold at confirmation, used by service lines priced at
    zero, given back on cancellation, cancelled by cancellations and credit notes.

    Figures: "10 Haircuts" sold for 800 is 80 a use; it lasts 6 months from the sale."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["account.chart.template"].try_loading(
            "generic_coa", company=cls.company, install_demo=False
        )
        cls.salesman = cls._new_user("package_salesman", "sales_team.group_sale_salesman")

    def _order(self, partner, lines, when, confirm=True):
        """An order of ``partner`` created (and confirmed) at ``when``; ``lines``: tuples
        (product, quantity[, vals])."""
        with freeze_time(when):
            order = self.env["sale.order"].create({
                "partner_id": partner.id,
                "order_line": [
                    Command.create({
                        "product_id": product.id, "product_uom_qty": quantity,
                        "tax_id": [Command.clear()], **(extra[0] if extra else {}),
                    })
                    for product, quantity, *extra in lines
                ],
            })
            if confirm:
                order.action_confirm()
                self.assertEqual(order.state, "sale")
        return order

    def _sold(self, partner, when, quantity=1, price=None):
        vals = [{"price_unit": price}] if price is not None else []
        order = self._order(partner, [(self.pack_haircut, quantity, *vals)], when)
        return order, order.order_line.loyalty_package_sold_ids.sorted("id")

    def _invoice(self, order):
        invoice = order._create_invoices()
        invoice.action_post()
        return invoice

    def _credit_note(self, invoice):
        wizard = self.env["account.move.reversal"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({"reason": "Returned", "journal_id": invoice.journal_id.id})
        return self.env["account.move"].browse(wizard.refund_moves()["res_id"])

    # ------------------------------------------------------------------
    # Selling
    # ------------------------------------------------------------------
    def test_confirming_sells_one_package_per_unit_at_the_net_price(self):
        with freeze_time("2026-03-15 20:00:00"):
            order = self.env["sale.order"].create({
                "partner_id": self.alice.id,
                "order_line": [Command.create({
                    "product_id": self.pack_haircut.id, "product_uom_qty": 2,
                    "discount": 10.0, "tax_id": [Command.clear()],
                })],
            })
            # 20:00 UTC is 03:00 the next day in Ho Chi Minh City: the sale's date.
            order.with_context(tz="Asia/Ho_Chi_Minh").action_confirm()
        line = order.order_line
        packages = line.loyalty_package_sold_ids.sorted("id")
        self.assertEqual(len(packages), 2)
        self.assertEqual(
            packages.mapped("origin_key"),
            [f"sale.order.line,{line.id},0", f"sale.order.line,{line.id},1"],
        )
        for package in packages:
            # 800 less 10% = 720 a package, 72 a use.
            self.assertEqual(package.amount, 720.0)
            self.assertEqual(package.price_per_use, 72.0)
            self.assertEqual(package.partner_id, self.alice)
            self.assertEqual(package.company_id, self.company)
            self.assertEqual(package.currency_id, self.usd)
            self.assertEqual(package.date_sale, date(2026, 3, 16))
            self.assertEqual(package.date_expiry, date(2026, 9, 15))
            self.assertEqual(package.origin, order.name)
            self.assertUsesLeft(package, 10)
        self.assertEqual(order.loyalty_package_count, 2)
        # Selling again sells nothing more.
        self.assertFalse(order._loyalty_package_sell())
        # Cancelled unused, they are cancelled; confirmed again, the order sells two new ones.
        order._action_cancel()
        self.assertEqual(packages.mapped("state"), ["cancelled", "cancelled"])
        self.assertEqual(packages.line_ids.filtered(
            lambda entry: entry.entry_type == "cancelled").mapped("value"), [-720.0, -720.0])
        order.action_draft()
        with freeze_time("2026-03-20 09:00:00"):
            order.action_confirm()
        again = line.loyalty_package_sold_ids - packages
        self.assertEqual(len(again), 2)
        self.assertEqual(again.mapped("state"), ["active", "active"])
        self.assertEqual(
            sorted(again.mapped("origin_key")),
            [f"sale.order.line,{line.id},2", f"sale.order.line,{line.id},3"],
        )
        self.assertFalse(order._loyalty_package_sell())

    def test_a_package_is_sold_whole(self):
        with self._refused(UserError, "Packages are sold whole: 1.5"):
            self._order(self.alice, [(self.pack_haircut, 1.5)], "2026-03-15")

    # ------------------------------------------------------------------
    # Using
    # ------------------------------------------------------------------
    def test_a_service_line_is_paid_by_the_package_and_shows_what_is_left(self):
        _order, package = self._sold(self.alice, "2026-03-15")
        order = self._order(
            self.alice, [(self.haircut, 1), (self.haircut, 2), (self.massage, 1)], "2026-04-01",
            confirm=False,
        )
        first, second, massage = order.order_line
        self.assertEqual(first.loyalty_package_id, package)
        self.assertEqual(second.loyalty_package_id, package)
        self.assertFalse(massage.loyalty_package_id)
        self.assertEqual((first.price_unit, second.price_unit, massage.price_unit), (0, 0, 300))
        self.assertEqual(order.amount_untaxed, 300.0)
        self.assertEqual(
            first.loyalty_package_label, f"Package {package.name}: 9 of 10 left, until 2026-09-14"
        )
        self.assertEqual(
            second.loyalty_package_label, f"Package {package.name}: 7 of 10 left, until 2026-09-14"
        )
        with freeze_time("2026-04-01 10:00:00"):
            order.action_confirm()
        self.assertUsesLeft(package, 7)
        used = package.line_ids.filtered(lambda entry: entry.entry_type == "used").sorted("id")
        self.assertEqual(used.mapped("quantity"), [-1, -2])
        self.assertEqual(used.mapped("value"), [-80.0, -160.0])
        self.assertEqual(used.mapped("sale_line_id"), first | second)
        # Once used, the lines say what was left right after each use, from the ledger.
        order.order_line.invalidate_recordset(["loyalty_package_label"])
        self.assertIn("9 of 10 left", first.loyalty_package_label)
        self.assertIn("7 of 10 left", second.loyalty_package_label)
        # Confirming does not take the uses twice.
        order._loyalty_package_consume_uses()
        self.assertUsesLeft(package, 7)

    def test_the_order_document_and_portal_say_what_is_left(self):
        _o, package = self._sold(self.alice, "2026-03-15")
        order = self._order(self.alice, [(self.haircut, 3)], "2026-04-01")
        label = f"Package {package.name}: 7 of 10 left, until 2026-09-14"
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "sale.report_saleorder", order.ids
        )
        self.assertIn(label, html.decode())
        portal = self.env["ir.qweb"]._render(
            "sale.sale_order_portal_content",
            {"sale_order": order.sudo(), "report_type": "html", "is_html_empty": is_html_empty},
        )
        self.assertIn(label, str(portal))

    def test_the_package_that_expires_first_pays_and_clearing_it_charges(self):
        _o, later = self._sold(self.alice, "2026-05-01")
        _o, sooner = self._sold(self.alice, "2026-02-01")
        order = self._order(self.alice, [(self.haircut, 1)], "2026-06-01", confirm=False)
        self.assertEqual(order.order_line.loyalty_package_id, sooner)
        self.assertEqual(order.order_line.loyalty_package_usable_ids.ids, [sooner.id, later.id])
        # Sooner's last day is 31 July: on 1 August only the later one pays.
        order = self._order(self.alice, [(self.haircut, 1)], "2026-08-01", confirm=False)
        self.assertEqual(order.order_line.loyalty_package_id, later)
        with Form(order) as form, form.order_line.edit(0) as line:
            line.loyalty_package_id = self.Package
            self.assertEqual(line.price_unit, 100.0)
        self.assertFalse(order.order_line.loyalty_package_id)
        self.assertEqual(order.amount_untaxed, 100.0)
        with Form(order) as form, form.order_line.edit(0) as line:
            line.loyalty_package_id = later
            self.assertEqual(line.price_unit, 0.0)
        self.assertEqual(order.amount_untaxed, 0.0)

    def test_family_members_use_the_holders_package(self):
        sale = self._order(self.alice, [(self.pack_gym, 1)], "2026-01-10")
        package = sale.order_line.loyalty_package_sold_ids
        package.member_ids = self.carol
        order = self._order(self.carol, [(self.yoga, 1)], "2026-02-01", confirm=False)
        self.assertEqual(order.order_line.loyalty_package_id, package)
        # Its 12 months start with this first use.
        self.assertEqual(
            order.order_line.loyalty_package_label,
            f"Package {package.name}: unlimited uses, until 2027-01-31",
        )
        with freeze_time("2026-02-01 10:00:00"):
            order.action_confirm()
        used = package.line_ids.filtered(lambda entry: entry.entry_type == "used")
        self.assertEqual(used.partner_id, self.carol)
        self.assertEqual(package.date_start, date(2026, 2, 1))
        self.assertEqual(package.date_expiry, date(2027, 1, 31))
        # Bob is no family member: nothing is proposed to him.
        order = self._order(self.bob, [(self.yoga, 1)], "2026-02-01", confirm=False)
        self.assertFalse(order.order_line.loyalty_package_id)
        self.assertEqual(order.order_line.price_unit, 80.0)

    def test_each_refusal_blocks_the_confirmation_and_says_why(self):
        _o, package = self._sold(self.alice, "2026-03-15")
        # Used up by another order after this quotation was made.
        quotation = self._order(self.alice, [(self.haircut, 1)], "2026-04-01", confirm=False)
        self._order(self.alice, [(self.haircut, 10)], "2026-04-02")
        self.assertUsesLeft(package, 0)
        with self._refused(UserError, r"is used up \(0 of 10 left\)"), \
                freeze_time("2026-04-03"):
            quotation.action_confirm()
        self.assertEqual(quotation.state, "draft")

        _o, package = self._sold(self.alice, "2026-03-15")
        too_many = self._order(self.alice, [(self.haircut, 11)], "2026-04-01", confirm=False)
        with self._refused(UserError, "has 10 uses left, not 11"), freeze_time("2026-04-03"):
            too_many.action_confirm()
        # Expired between the quotation and its confirmation (the order's date is then).
        late = self._order(self.alice, [(self.haircut, 1)], "2026-09-10", confirm=False)
        self.assertEqual(late.order_line.loyalty_package_id, package)
        with self._refused(UserError, "expired on 2026-09-14"), freeze_time("2026-09-20"):
            late.action_confirm()
        # Frozen between the quotation and its confirmation.
        frozen = self._order(self.alice, [(self.haircut, 1)], "2026-05-01", confirm=False)
        self.env["loyalty.package.freeze"].sudo().create({
            "package_id": package.id, "date_from": "2026-05-01", "date_to": "2026-05-10",
        })
        with self._refused(UserError, "is frozen until 2026-05-10"), \
                freeze_time("2026-05-02"):
            frozen.action_confirm()
        # Another customer's package, a service it does not cover: refused when written.
        bobs = self._order(self.bob, [(self.haircut, 1)], "2026-05-20", confirm=False)
        self.assertFalse(bobs.order_line.loyalty_package_id)
        with self._refused(
            ValidationError, "belongs to another customer: Bob Tran may not use it"
        ):
            bobs.order_line.write({"loyalty_package_id": package.id, "price_unit": 0.0})
        massage = self._order(self.alice, [(self.massage, 1)], "2026-05-20", confirm=False)
        with self._refused(ValidationError, "does not cover Massage"):
            massage.order_line.write({"loyalty_package_id": package.id, "price_unit": 0.0})
        self.assertUsesLeft(package, 10)

    def test_a_salesperson_cannot_charge_nor_borrow_a_package_over_rpc(self):
        _o, package = self._sold(self.alice, "2026-03-15")
        alices = self._order(self.alice, [(self.haircut, 1)], "2026-04-01", confirm=False)
        bobs = self._order(self.bob, [(self.haircut, 1)], "2026-04-01", confirm=False)
        (alices | bobs).user_id = self.salesman
        line = self._as(self.salesman, alices.order_line)
        self.assertEqual(line.loyalty_package_id, package)
        with self._refused(ValidationError, "is paid with the package .*: it costs nothing"):
            line.write({"price_unit": 50.0})
        with self._refused(ValidationError, "belongs to another customer"):
            self._as(self.salesman, bobs.order_line).write(
                {"loyalty_package_id": package.id}
            )
        with self._refused(ValidationError, "belongs to another customer"):
            self._as(self.salesman, bobs).write({"order_line": [Command.create({
                "product_id": self.haircut.id, "loyalty_package_id": package.id,
                "price_unit": 0.0, "tax_id": [Command.clear()],
            })]})
        with self._refused(ValidationError, "it costs nothing"):
            self._as(self.salesman, alices).write({"order_line": [Command.create({
                "product_id": self.haircut.id, "loyalty_package_id": package.id,
                "price_unit": 100.0, "tax_id": [Command.clear()],
            })]})
        # The salesperson confirms the quotation: one use, nothing charged.
        with freeze_time("2026-04-01 10:00:00"):
            self._as(self.salesman, alices).action_confirm()
        self.assertEqual(alices.amount_total, 0.0)
        self.assertUsesLeft(package, 9)
        # On the confirmed order, a package is neither added (no use would be taken) nor
        # swapped, nor removed.
        with self._refused(UserError, "on a confirmed order it cannot be set or changed"):
            self._as(self.salesman, alices).write({"order_line": [Command.create({
                "product_id": self.haircut.id, "loyalty_package_id": package.id,
                "price_unit": 0.0, "tax_id": [Command.clear()],
            })]})
        with self._refused(UserError, "on a confirmed order it cannot be set or changed"):
            self._as(self.salesman, alices.order_line).write({"loyalty_package_id": False})
        self.assertUsesLeft(package, 9)
        self.assertEqual(self._as(self.salesman, alices).loyalty_package_count, 1)

    # ------------------------------------------------------------------
    # Points
    # ------------------------------------------------------------------
    def test_the_sale_earns_points_and_spend_the_uses_earn_nothing(self):
        card = self._enrol(self.alice)
        # Two packages at 600 = 1,200 spent: 1,200 points and the Silver tier (1,000).
        self._sold(self.alice, "2026-03-15", quantity=2, price=600.0)
        self.assertBalance(card, 1200.0)
        self.assertEqual(card.tier_id, self.tier_silver)
        # Two haircuts paid by a package and a massage of 300: 300 × 1.5 (Silver) = 450.
        self._order(self.alice, [(self.haircut, 2), (self.massage, 1)], "2026-04-01")
        self.assertBalance(card, 1650.0)
        # Per unit, the package's haircuts count for nothing either: the massage's one unit × 1.5
        # (Silver) = 1.5, rounded down to 1 (all three units would give 4.5, so 4).
        self.program.rule_ids.write({"reward_point_mode": "unit", "reward_point_amount": 1})
        order = self._order(
            self.alice, [(self.haircut, 2), (self.massage, 1)], "2026-04-02", confirm=False
        )
        self.assertTrue(order.order_line[0].loyalty_package_id)
        self.assertEqual(order.loyalty_points_preview, 1.0)

    # ------------------------------------------------------------------
    # Cancelling and refunding
    # ------------------------------------------------------------------
    def test_cancelling_an_order_that_used_a_package_gives_the_uses_back_once(self):
        _o, package = self._sold(self.alice, "2026-03-15")
        order = self._order(self.alice, [(self.haircut, 2)], "2026-04-01")
        self.assertUsesLeft(package, 8)
        order._action_cancel()
        self.assertUsesLeft(package, 10)
        returned = package.line_ids.filtered(lambda entry: entry.entry_type == "returned")
        self.assertEqual((returned.quantity, returned.value), (2, 160.0))
        self.assertEqual(returned.description, f"Cancellation of {order.name}")
        self.env["loyalty.package"]._loyalty_package_give_back(order.order_line, "again")
        self.assertUsesLeft(package, 10)
        # Confirmed again, the old line cannot take the use a second time: a new line can.
        order.action_draft()
        with self._refused(UserError, "already used the package .* Delete the line"):
            order.action_confirm()
        order.order_line.unlink()
        order.write({"order_line": [Command.create({
            "product_id": self.haircut.id, "product_uom_qty": 2, "tax_id": [Command.clear()],
        })]})
        with freeze_time("2026-04-05 10:00:00"):
            order.action_confirm()
        self.assertUsesLeft(package, 8)

    def test_an_order_whose_package_was_used_is_refunded_not_cancelled(self):
        sale, package = self._sold(self.alice, "2026-03-15")
        self._order(self.alice, [(self.haircut, 3)], "2026-04-01")
        # 800 × 7 / 10 = 560.
        with self._refused(UserError, r"already used 3 times.*\$\s?560\.00"):
            sale._action_cancel()
        self.assertEqual(sale.state, "sale")
        self.assertEqual(package.state, "active")

    def test_a_credit_note_refunds_the_unused_uses(self):
        sale, package = self._sold(self.alice, "2026-03-15")
        invoice = self._invoice(sale)
        self._order(self.alice, [(self.haircut, 3)], "2026-04-01")
        refund = self._credit_note(invoice)
        # The reversal proposes what is left: 800 × 7 / 10 = 560.
        self.assertEqual(refund.invoice_line_ids.price_unit, 560.0)
        refund.invoice_line_ids.price_unit = 600.0
        with self._refused(UserError, r"refunds \$\s?600\.00 .* worth \$\s?560\.00"):
            refund.action_post()
        refund.invoice_line_ids.price_unit = 560.0
        refund.action_post()
        self.assertEqual(package.state, "cancelled")
        self.assertUsesLeft(package, 0)
        cancelled = package.line_ids.filtered(lambda entry: entry.entry_type == "cancelled")
        self.assertEqual((cancelled.quantity, cancelled.value), (-7, -560.0))
        self.assertEqual(cancelled.origin, refund.name)
        # Reset and posted again, the credit note cancels nothing more.
        refund.button_draft()
        refund.action_post()
        self.assertEqual(len(package.line_ids.filtered(
            lambda entry: entry.entry_type == "cancelled")), 1)

    def test_the_proposed_refund_of_a_price_with_tax_included_is_untaxed_at_the_rule(self):
        vat = self.env["account.tax"].create({
            "name": "VAT 8% included", "amount": 8.0, "type_tax_use": "sale",
            "price_include_override": "tax_included", "company_id": self.company.id,
        })
        # 864 with 8% included: 800 untaxed, 80 a use.
        order = self._order(
            self.alice, [(self.pack_haircut, 1, {"price_unit": 864.0, "tax_id": vat.ids})],
            "2026-03-15",
        )
        package = order.order_line.loyalty_package_sold_ids
        self.assertEqual(package.amount, 800.0)
        invoice = self._invoice(order)
        self._order(self.alice, [(self.haircut, 3)], "2026-04-01")
        refund = self._credit_note(invoice)
        # 560 untaxed left: 560 × 1.08 = 604.80 with the tax included.
        self.assertEqual(refund.invoice_line_ids.price_unit, 604.8)
        self.assertEqual(refund.invoice_line_ids.price_subtotal, 560.0)
        refund.action_post()
        self.assertEqual(package.state, "cancelled")

    def test_a_partial_credit_note_cancels_the_package_with_most_uses_left(self):
        sale, packages = self._sold(self.alice, "2026-03-15", quantity=2)
        invoice = self._invoice(sale)
        used, unused = packages
        self.Package._loyalty_package_consume([{
            "package": used, "partner": self.alice, "product": self.haircut, "quantity": 4,
            "company": self.company, "date": date(2026, 4, 1), "origin": "test",
            "sale_line": self._order(self.alice, [(self.massage, 1)], "2026-04-01",
                                     confirm=False).order_line,
        }])
        refund = self._credit_note(invoice)
        # Both: (800 + 800 × 6 / 10) / 2 = (800 + 480) / 2 = 640 a unit.
        self.assertEqual(refund.invoice_line_ids.price_unit, 640.0)
        refund.invoice_line_ids.write({"quantity": 1, "price_unit": 800.0})
        refund.action_post()
        self.assertEqual(unused.state, "cancelled")
        self.assertEqual(used.state, "active")
        # The second unit is worth 480 now: a second credit note of one unit at 800 is refused.
        second = self._credit_note(invoice)
        # One package is left to refund: one unit at 480 is proposed.
        self.assertEqual(second.invoice_line_ids.quantity, 1.0)
        self.assertEqual(second.invoice_line_ids.price_unit, 480.0)
        second.invoice_line_ids.write({"price_unit": 800.0})
        with self._refused(UserError, r"worth \$\s?480\.00"):
            second.action_post()
        second.invoice_line_ids.write({"quantity": 2, "price_unit": 240.0})
        with self._refused(UserError, "1 can still be refunded"):
            second.action_post()
        second.invoice_line_ids.write({"quantity": 1, "price_unit": 480.0})
        second.action_post()
        self.assertEqual(used.state, "cancelled")

    # ------------------------------------------------------------------
    # Odoo's own flow beside it
    # ------------------------------------------------------------------
    def test_plain_orders_and_promotions_are_untouched(self):
        order = self._order(self.alice, [(self.product, 2)], "2026-04-01")
        self.assertFalse(order.order_line.loyalty_package_id)
        self.assertFalse(order.order_line.loyalty_package_sold_ids)
        self.assertEqual(order.amount_untaxed, 200.0)
        program = self.env["loyalty.program"].create({
            "name": "10% off", "program_type": "promotion", "trigger": "auto",
            "applies_on": "current", "company_id": self.company.id,
            "rule_ids": [Command.create({"minimum_amount": 0, "minimum_qty": 0})],
            "reward_ids": [Command.create({
                "reward_type": "discount", "discount": 10, "discount_mode": "percent",
                "discount_applicability": "order",
            })],
        })
        _o, package = self._sold(self.alice, "2026-03-15")
        order = self._order(
            self.alice, [(self.product, 2), (self.haircut, 1)], "2026-04-02", confirm=False
        )
        order._update_programs_and_rewards()
        rewards = order._get_claimable_rewards()
        coupon = next(c for c in rewards if c.program_id == program)
        order._apply_program_reward(rewards[coupon], coupon)
        # 10% of the 200 paid; the haircut, paid by the package, costs nothing.
        self.assertEqual(order.amount_untaxed, 180.0)
        with freeze_time("2026-04-02 10:00:00"):
            order.action_confirm()
        self.assertEqual(order.amount_untaxed, 180.0)
        self.assertUsesLeft(package, 9)
