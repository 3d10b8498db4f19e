from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestFeedbackDemo(TransactionCase):
    """The demo shop's feedback: Cường a promoter, Đức a detractor called back once."""

    def _requests(self, xmlid):
        order = self.env.ref(f"customer_loyalty.{xmlid}", raise_if_not_found=False)
        if not order:
            self.skipTest("installed without demo data")
        return self.env["loyalty.feedback.request"].search(
            [("sale_order_id", "=", order.id), ("scale", "in", ("csat", "nps"))]
        ).sorted("scale")

    def test_demo_feedback(self):
        cuong = self._requests("demo_sale_order_feedback_cuong")
        self.assertRecordValues(cuong, [
            {"scale": "csat", "state": "answered", "score": 5, "is_low_score": False},
            {"scale": "nps", "state": "answered", "score": 10, "is_low_score": False},
        ])
        duc = self._requests("demo_sale_order_feedback_duc")
        self.assertRecordValues(duc, [
            {"scale": "csat", "state": "answered", "score": 2, "is_low_score": True},
            {"scale": "nps", "state": "answered", "score": 4, "is_low_score": True},
        ])
        callbacks = self.env["mail.activity"].search([
            ("res_model", "=", "loyalty.feedback.request"), ("res_id", "in", (cuong | duc).ids),
        ])
        self.assertEqual(len(callbacks), 1, "one call back for Đức's visit, none for Cường")
        self.assertEqual(callbacks.user_id, self.env.ref("base.user_admin"), "the team's leader")
        self.assertIn("Phải chờ gần một tiếng", str(callbacks.note))
        # In the report: Hoa Mai's NPS over these two answers is (1 - 1) / 2 = 0.
        company = self.env.ref("customer_loyalty.demo_company_hoa_mai")
        (row,) = self.env["loyalty.feedback.report"]._read_group(
            [("company_id", "=", company.id), ("request_id", "in", (cuong | duc).ids)],
            [], ["answered_count:sum", "nps:avg", "csat:avg"],
        )
        self.assertEqual(row, (4, 0.0, 3.5))
