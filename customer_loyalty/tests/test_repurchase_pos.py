from datetime import date

from odoo.tests import freeze_time, tagged

from .common_pos import PosPointsCommon


@tagged("post_install", "-at_install")
class TestRepurchasePos(PosPointsCommon):
    """Paid POS orders are purchases (refunds netted on the refunded order's day) and convert
    a reminder like a sales order. The lamp lasts 30 days."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lamp.loyalty_repurchase_days = 30
        cls.company.write({"loyalty_reminder_lead_days": 3, "loyalty_reminder_cap_days": 7,
                           "loyalty_reminder_conversion_days": 14,
                           "loyalty_reminder_channel": "both"})

    def _sell_on(self, day, customer, lines):
        with freeze_time(f"{day} 09:00:00"):
            return self._sell(customer, lines)

    def _run(self, day):
        with freeze_time(f"{day} 01:30:00"):
            result = self.env["loyalty.repurchase.reminder"]._loyalty_run(self.company)
        self.env.invalidate_all()
        return result

    def _prediction(self):
        return self.env["loyalty.repurchase.prediction"].search(
            [("partner_id", "=", self.alice.id), ("product_id", "=", self.lamp.id)]
        )

    def test_refund_is_netted_on_the_purchase_day(self):
        order = self._sell_on("2026-03-01", self.alice, [(self.lamp, 2)])
        self._run("2026-03-02")
        # 2 lamps x 30 days: 30 April.
        self.assertEqual(self._prediction().next_date, date(2026, 4, 30))
        with freeze_time("2026-03-05 09:00:00"):
            refund = self._sync(self._refund_data(order, {order.lines: 1}, customer=self.alice))
        self.assertEqual(refund.state, "paid")
        self._run("2026-03-06")
        # 1 lamp left from 1 March: 31 March (the refund day, 5 March, is no purchase).
        prediction = self._prediction()
        self.assertEqual((prediction.last_date, prediction.last_qty, prediction.purchase_count),
                         (date(2026, 3, 1), 1.0, 1))
        self.assertEqual(prediction.next_date, date(2026, 3, 31))

    def test_pos_order_converts_the_reminder(self):
        self._sell_on("2026-03-01", self.alice, [(self.lamp, 1)])
        sent = self._run("2026-03-28")["sent"]
        self.assertEqual(sent.product_id, self.lamp)
        order = self._sell_on("2026-04-02", self.alice, [(self.pen, 1)])
        result = self._run("2026-04-03")
        self.assertEqual(result["converted"], sent)
        self.assertEqual(sent.state, "converted")
        self.assertEqual(sent.converted_pos_order_id, order)
        self.assertFalse(sent.converted_order_id)
