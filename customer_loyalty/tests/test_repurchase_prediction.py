from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_repurchase import D, RepurchaseCommon


@tagged("post_install", "-at_install")
class TestRepurchasePrediction(RepurchaseCommon):
    """The next purchase: cycle x quantity with little history, the customer's median interval
    from 3 purchase days on; due from the next date minus the lead time; at risk after 3
    intervals."""

    def test_cycle_times_quantity(self):
        self._buy(self.alice, D(2026, 3, 1), (self.vitamin, 2))
        self._refresh(D(2026, 3, 10))
        prediction = self._prediction(self.alice, self.vitamin)
        # 30 days x 2 packs = 60 days after 1 March.
        self.assertEqual(prediction.interval_days, 60)
        self.assertEqual(prediction.next_date, D(2026, 4, 30))
        self.assertEqual(prediction.basis_kind, "cycle")
        self.assertEqual(prediction.basis, "cycle 30 days x 2")
        self.assertEqual(prediction.status, "upcoming")
        self.assertEqual(prediction.partner_id, self.alice)

    def test_two_purchases_still_use_the_cycle_of_the_last(self):
        self._buy(self.alice, D(2026, 1, 1), (self.vitamin, 3))
        self._buy(self.alice, D(2026, 2, 10), (self.vitamin, 1))
        self._refresh(D(2026, 2, 11))
        prediction = self._prediction(self.alice, self.vitamin)
        # 2 purchase days (< 3): the last one's quantity, 1 x 30 days after 10 February.
        self.assertEqual((prediction.purchase_count, prediction.last_qty), (2, 1))
        self.assertEqual(prediction.next_date, D(2026, 3, 12))

    def test_category_cycle(self):
        self._buy(self.alice, D(2026, 3, 1), (self.pet_food, 1))
        self._refresh(D(2026, 3, 2))
        # Dogs has no cycle; its parent Pet Care's 42 days apply.
        self.assertEqual(self._prediction(self.alice, self.pet_food).next_date, D(2026, 4, 12))
        # The product's own cycle wins over its category's.
        self.pet_food.loyalty_repurchase_days = 10
        self._refresh(D(2026, 3, 2))
        self.assertEqual(self._prediction(self.alice, self.pet_food).next_date, D(2026, 3, 11))

    def test_median_of_the_customer_intervals(self):
        # Purchase days 1 Jan, 29 Jan, 5 Mar, 1 Apr (two orders on 1 Apr are one day):
        # intervals 28, 35, 27 days, median 28.
        for day in (D(2026, 1, 1), D(2026, 1, 29), D(2026, 3, 5), D(2026, 4, 1), D(2026, 4, 1)):
            self._buy(self.alice, day, (self.vitamin, 5))
        self._refresh(D(2026, 4, 2))
        prediction = self._prediction(self.alice, self.vitamin)
        self.assertEqual(prediction.purchase_count, 4)
        self.assertEqual(prediction.last_qty, 10)
        self.assertEqual(prediction.interval_days, 28)
        self.assertEqual(prediction.next_date, D(2026, 4, 29))
        self.assertEqual(prediction.basis, "median of 3 intervals: 28 days")

    def test_median_of_an_even_count_is_rounded(self):
        # 1 Jan, 21 Jan (20), 20 Feb (30), 27 Mar (35), 18 Apr (22): median of 20, 22, 30, 35
        # is 26.
        for day in (D(2026, 1, 1), D(2026, 1, 21), D(2026, 2, 20), D(2026, 3, 27),
                    D(2026, 4, 18)):
            self._buy(self.alice, day, (self.vitamin, 1))
        self._refresh(D(2026, 4, 19))
        self.assertEqual(self._prediction(self.alice, self.vitamin).next_date, D(2026, 5, 14))

    def test_half_a_day_of_median_is_rounded_up(self):
        # 1 Jan, 29 Jan (28), 27 Feb (29): the median 28.5 is 29 days (as 29.5 is 30).
        for day in (D(2026, 1, 1), D(2026, 1, 29), D(2026, 2, 27)):
            self._buy(self.alice, day, (self.vitamin, 1))
        self._refresh(D(2026, 2, 28))
        prediction = self._prediction(self.alice, self.vitamin)
        self.assertEqual(prediction.interval_days, 29)
        self.assertEqual(prediction.next_date, D(2026, 3, 28))

    def test_contacts_of_a_company_share_its_predictions(self):
        company = self.env["res.partner"].create({"name": "Pho 24", "is_company": True})
        buyer = self.env["res.partner"].create({"name": "Buyer", "parent_id": company.id})
        self._buy(buyer, D(2026, 3, 1), (self.vitamin, 1))
        self._refresh(D(2026, 3, 2))
        self.assertEqual(self._prediction(company, self.vitamin).next_date, D(2026, 3, 31))
        self.assertFalse(self._prediction(buyer, self.vitamin))

    def test_due_from_the_lead_time(self):
        self._buy(self.alice, D(2026, 3, 1), (self.vitamin, 1))
        # Next purchase 31 March, lead time 3 days: due from 28 March.
        self._refresh(D(2026, 3, 27))
        prediction = self._prediction(self.alice, self.vitamin)
        self.assertEqual((prediction.remind_date, prediction.status), (D(2026, 3, 28), "upcoming"))
        self._refresh(D(2026, 3, 28))
        self.assertEqual(prediction.status, "due")
        self.company.loyalty_reminder_lead_days = 0
        self._refresh(D(2026, 3, 28))
        self.assertEqual(prediction.status, "upcoming")

    def test_at_risk_after_three_intervals(self):
        self._buy(self.alice, D(2026, 1, 1), (self.vitamin, 1))
        # 3 x 30 days = 90 days after 1 January is 1 April: still due that day...
        self._refresh(D(2026, 4, 1))
        prediction = self._prediction(self.alice, self.vitamin)
        self.assertEqual(prediction.status, "due")
        # ...at risk from the next day, 61 days after the predicted 31 January.
        self._refresh(D(2026, 4, 2))
        self.assertEqual((prediction.status, prediction.days_late), ("at_risk", 61))
        at_risk = self.env["loyalty.repurchase.prediction"].search(
            [("status", "=", "at_risk"), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(at_risk, prediction)
        # No reminder for a customer at risk.
        self.assertFalse(self._run(D(2026, 4, 2))["created"])

    def test_refunded_purchase_is_gone(self):
        order = self._buy(self.alice, D(2026, 3, 1), (self.vitamin, 1))
        self._refresh(D(2026, 3, 2))
        self.assertTrue(self._prediction(self.alice, self.vitamin))
        order._action_cancel()
        self._refresh(D(2026, 3, 3))
        self.assertFalse(self._prediction(self.alice, self.vitamin))

    def test_products_without_cycle_are_not_predicted(self):
        self._buy(self.alice, D(2026, 3, 1), (self.product, 1))
        self._refresh(D(2026, 3, 2))
        self.assertFalse(self.alice.loyalty_repurchase_prediction_ids)

    def test_negative_cycle_refused(self):
        with self.assertRaises(ValidationError):
            self.vitamin.loyalty_repurchase_days = -1
        with self.assertRaises(ValidationError):
            self.company.loyalty_reminder_risk_factor = 0.5
