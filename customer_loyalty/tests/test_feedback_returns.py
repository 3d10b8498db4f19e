from odoo import Command
from odoo.tests import freeze_time, tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestFeedbackReturns(PosPointsCommon):
    """Paid POS orders are asked CSAT and NPS like sales orders, with their shop and the tier of
    the customer (members since the set-up, the orders in 2027); a POS refund
    or a posted credit note is asked CES (effort) and nothing else, 2 days after."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.company"].search([("id", "!=", cls.company.id)]).write(
            {"loyalty_feedback_enabled": False}
        )

    def _run(self, when):
        with freeze_time(when):
            self.env["loyalty.feedback.request"]._cron_send_feedback_requests()
        self.env.invalidate_all()

    def _requests(self, **domain):
        return self.env["loyalty.feedback.request"].search(
            [(key, "=", value.id) for key, value in domain.items()]
        ).sorted("scale")

    def test_pos_order_and_its_refund(self):
        with freeze_time("2027-03-01 09:00:00"):
            order = self._sell(self.alice, [(self.lamp, 2)])
        with freeze_time("2027-03-02 09:00:00"):
            refund = self._sync(self._refund_data(order, {order.lines: 1}, customer=self.alice))
        self._run("2027-03-03 10:00:00")
        self.assertRecordValues(self._requests(pos_order_id=order), [
            {"scale": "csat", "trigger": "sale", "pos_config_id": self.config.id,
             "partner_id": self.alice.id, "tier_id": self.tier_member.id, "state": "sent"},
            {"scale": "nps", "trigger": "sale", "pos_config_id": self.config.id,
             "partner_id": self.alice.id, "tier_id": self.tier_member.id, "state": "sent"},
        ])
        self.assertFalse(self._requests(pos_order_id=refund), "the refund is 1 day old")
        self._run("2027-03-04 10:00:00")
        self.assertRecordValues(self._requests(pos_order_id=refund), [
            {"scale": "ces", "trigger": "return", "pos_config_id": self.config.id,
             "partner_id": self.alice.id, "state": "sent"},
        ])
        # A POS order without a customer has nobody to ask.
        with freeze_time("2027-03-01 10:00:00"):
            anonymous = self._sell(False, [(self.pen, 1)])
        self._run("2027-03-05 10:00:00")
        self.assertFalse(self._requests(pos_order_id=anonymous))
        self.assertEqual(len(self._requests(pos_order_id=order)), 2)

    def test_credit_note_is_asked_effort(self):
        self.company.loyalty_feedback_ces_returns = True
        with freeze_time("2027-03-01 09:00:00"):
            order = self.env["sale.order"].create({
                "partner_id": self.bob.id, "company_id": self.company.id,
                "order_line": [Command.create({"product_id": self.pen.id,
                                               "product_uom_qty": 2})],
            })
            order.action_confirm()
            order.order_line.qty_delivered = 2
            invoice = order._create_invoices()
            invoice.action_post()
        with freeze_time("2027-03-05 09:00:00"):
            wizard = self.env["account.move.reversal"].with_context(
                active_model="account.move", active_ids=invoice.ids
            ).create({"reason": "Broken pen", "journal_id": invoice.journal_id.id})
            credit_note = self.env["account.move"].browse(wizard.refund_moves()["res_id"])
            credit_note.action_post()
        self._run("2027-03-07 10:00:00")
        self.assertRecordValues(self._requests(move_id=credit_note), [
            {"scale": "ces", "trigger": "return", "partner_id": self.bob.id, "state": "sent",
             "res_model": "account.move", "res_id": credit_note.id},
        ])
        self.assertEqual(self._requests(sale_order_id=order).mapped("scale"), ["csat", "nps"])
        # Without CES after returns, credit notes are not asked.
        self.company.loyalty_feedback_ces_returns = False
        with freeze_time("2027-03-06 09:00:00"):
            second = invoice._reverse_moves()
            second.action_post()
        self._run("2027-03-08 10:00:00")
        self.assertFalse(self._requests(move_id=second))
