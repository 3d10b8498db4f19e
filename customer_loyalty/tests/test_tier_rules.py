from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestTierRules(LoyaltyCommon):
    """What makes a valid tier and a valid ladder of tiers."""

    def _new_tier(self, **vals):
        return self.env["loyalty.tier"].create(
            {"name": "Platinum", "sequence": 40, "threshold": 10000, "company_id": self.company.id,
             **vals}
        )

    def test_ladder_ranks_tiers_by_sequence(self):
        ladder = self.env["loyalty.tier"].search([("company_id", "=", self.company.id)])
        self.assertEqual(ladder.mapped("name"), ["Member", "Silver", "Gold"])
        self.assertLess(self.tier_member._rank_key(), self.tier_silver._rank_key())
        self.assertLess(self.tier_silver._rank_key(), self.tier_gold._rank_key())
        # No tier ranks below every tier, so enrolment is always a move up.
        self.assertLess(self.env["loyalty.tier"]._rank_key(), self.tier_member._rank_key())

    def test_new_tier_defaults(self):
        tier = self.env["loyalty.tier"].create({"name": "Bronze", "sequence": 15, "threshold": 500})
        self.assertEqual(tier.company_id, self.company)
        self.assertEqual(tier.currency_id, self.usd)
        self.assertEqual(
            (tier.metric, tier.window_months, tier.grace_days, tier.multiplier),
            ("spend", 12, 30, 1.0),
        )

    # ------------------------------------------------------------------
    # Values of one tier
    # ------------------------------------------------------------------

    def test_negative_threshold_refused(self):
        # On the lowest tier, where the ladder rule has nothing to say.
        with self._refused(ValidationError, "threshold of tier “Member” cannot be negative"):
            self.tier_member.threshold = -1
        self.assertEqual(self.tier_member.threshold, 0)
        # Higher up, a negative threshold also breaks the ladder: it is still reported as
        # negative, whatever its order.
        for tier in (self.tier_silver, self.tier_gold):
            with self.subTest(tier=tier.name), self._refused(
                ValidationError, f"^The threshold of tier “{tier.name}” cannot be negative.$"
            ):
                tier.threshold = -1
        self.assertEqual((self.tier_silver.threshold, self.tier_gold.threshold), (1000, 5000))
        with self._refused(ValidationError, "^The threshold of tier “Platinum” cannot be negative"):
            self._new_tier(threshold=-5)

    def test_window_of_zero_months_refused(self):
        message = "rolling window of tier “Silver” must be at least one month"
        with self._refused(ValidationError, message):
            self.tier_silver.window_months = 0
        with self._refused(ValidationError, message):
            self.tier_silver.window_months = -3
        self.assertEqual(self.tier_silver.window_months, 12)

    def test_negative_grace_period_refused(self):
        with self._refused(ValidationError, "grace period of tier “Gold” cannot be negative"):
            self.tier_gold.grace_days = -1
        self.tier_gold.grace_days = 0  # no grace at all is allowed
        self.assertEqual(self.tier_gold.grace_days, 0)

    def test_multiplier_must_be_positive(self):
        for value in (0.0, -1.5):
            with self.subTest(multiplier=value), self._refused(
                ValidationError, "points multiplier of tier “Gold” must be greater than zero"
            ):
                self.tier_gold.multiplier = value
        self.assertEqual(self.tier_gold.multiplier, 2.0)

    def test_invalid_values_refused_at_creation(self):
        cases = [
            ({"threshold": -5, "sequence": 5}, "threshold of tier “Platinum” cannot be negative"),
            ({"window_months": 0}, "rolling window of tier “Platinum”"),
            ({"grace_days": -1}, "grace period of tier “Platinum” cannot be negative"),
            ({"multiplier": 0}, "points multiplier of tier “Platinum” must be greater than zero"),
        ]
        for vals, message in cases:
            with self.subTest(**vals), self._refused(ValidationError, message):
                self._new_tier(**vals)
        self.assertFalse(self.env["loyalty.tier"].search([("name", "=", "Platinum")]))

    # ------------------------------------------------------------------
    # The ladder
    # ------------------------------------------------------------------

    def test_threshold_must_increase_with_sequence(self):
        # The message names the tier being edited first, with amounts in the company currency.
        message = (
            "Tier “Platinum” (order 40, threshold $\xa03,000.00) and tier “Gold” (order 30, "
            "threshold $\xa05,000.00) are out of order: a tier that comes later in the order "
            "needs a higher threshold. Change the order or the threshold of “Platinum”."
        )
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            self._new_tier(threshold=3000)
        self.assertEqual(str(caught.exception), message)
        with self._refused(ValidationError, r"Tier “Gold” \(order 30, threshold \$\xa0900\.00\) "
                           r"and tier “Silver” \(order 20, threshold \$\xa01,000\.00\)"):
            self.tier_gold.threshold = 900  # below Silver's 1,000
        with self._refused(ValidationError, r"Tier “Silver” \(order 35, .* tier “Gold” "
                           r"\(order 30, .* the threshold of “Silver”"):
            self.tier_silver.sequence = 35  # above Gold, with a lower threshold
        self.assertEqual(
            self.env["loyalty.tier"].search([("company_id", "=", self.company.id)]),
            self.tier_member | self.tier_silver | self.tier_gold,
        )

    def test_same_threshold_refused(self):
        with self._refused(ValidationError, "Tier “Platinum” has the same threshold as tier "
                           "“Silver” \\(\\$\xa01,000.00\\)"):
            self._new_tier(sequence=25, threshold=1000)
        with self._refused(ValidationError, "Tier “Gold” has the same threshold as tier “Silver”"):
            self.tier_gold.threshold = 1000
        self.assertEqual(self.tier_gold.threshold, 5000)

    def _dong_company(self):
        """A shop in đồng with the default tiers: Member 0, Silver 5M, Gold 20M, VIP 50M ₫."""
        self.env.ref("base.VND").active = True
        company = self.env["res.company"].create(
            {"name": "Cửa hàng Đồng", "currency_id": self.env.ref("base.VND").id}
        )
        return company

    def test_new_top_tier_with_default_order(self):
        company = self._dong_company()
        Tier = self.env["loyalty.tier"].with_company(company)
        self.assertEqual(
            Tier.search([("company_id", "=", company.id)]).mapped("sequence"), [10, 20, 30, 40]
        )
        # As the form creates it: the order left at its default.
        self.assertEqual(Tier.default_get(["sequence"])["sequence"], 50)
        platinum = Tier.create(
            {"name": "Platinum", "threshold": 90_000_000, "company_id": company.id}
        )
        self.assertEqual(platinum.sequence, 50)
        ladder = Tier.search([("company_id", "=", company.id)])
        self.assertEqual(ladder.mapped("name"), ["Member", "Silver", "Gold", "VIP", "Platinum"])
        self.assertEqual(max(ladder, key=lambda t: t._rank_key()), platinum)
        # Created from another company, or two at once: still each after the last one.
        diamond, crown = self.env["loyalty.tier"].create([
            {"name": "Diamond", "threshold": 100_000_000, "company_id": company.id},
            {"name": "Crown", "threshold": 200_000_000, "company_id": company.id},
        ])
        self.assertEqual((diamond.sequence, crown.sequence), (60, 70))

    def test_ladder_message_in_company_currency_format(self):
        company = self._dong_company()
        self.env["res.lang"]._activate_lang("vi_VN")
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            self.env["loyalty.tier"].with_context(lang="vi_VN").with_company(company).create(
                {"name": "Platinum", "sequence": 15, "threshold": 90_000_000,
                 "company_id": company.id}
            )
        # The amounts and the names do not depend on the translation of the sentence; the
        # default tiers have their names in Vietnamese when Vietnamese is installed (the
        # demo's is: “Bạc”), in English otherwise.
        silver = company.loyalty_tier_ids.filtered(lambda t: t.sequence == 20)
        silver_vi = silver.with_context(lang="vi_VN").name
        self.assertIn(silver_vi, ("Silver", "Bạc"))
        for part in ("“Platinum”", f"“{silver_vi}”", "15", "20", "90.000.000\xa0₫",
                     "5.000.000\xa0₫"):
            self.assertIn(part, str(caught.exception))
        with self.assertRaises(ValidationError) as caught, self.cr.savepoint():
            self.env["loyalty.tier"].with_context(lang="en_US").with_company(company).create(
                {"name": "Platinum", "sequence": 15, "threshold": 90_000_000,
                 "company_id": company.id}
            )
        self.assertIn(
            "Tier “Platinum” (order 15, threshold 90,000,000\xa0₫) and tier “Silver” (order 20, "
            "threshold 5,000,000\xa0₫) are out of order",
            str(caught.exception),
        )

    def test_valid_ladder_changes_accepted(self):
        platinum = self._new_tier()
        self.tier_gold.threshold = 6000
        self.assertEqual(
            self.env["loyalty.tier"].search([("company_id", "=", self.company.id)]).mapped("name"),
            ["Member", "Silver", "Gold", "Platinum"],
        )
        # Each metric has its own ladder: 1,000 orders does not clash with 1,000 spent.
        frequent = self._new_tier(name="Frequent", sequence=50, metric="orders", threshold=1000)
        self.assertEqual(frequent.threshold, self.tier_silver.threshold)
        self.assertTrue(platinum.active)

    def test_archived_tier_leaves_the_ladder(self):
        self.tier_gold.active = False
        # Gold is out of the ladder: a new tier may take its threshold...
        gold2 = self._new_tier(name="Gold 2", sequence=35, threshold=5000)
        self.assertEqual(gold2.threshold, 5000)
        # ... but Gold cannot come back while it clashes.
        with self._refused(ValidationError, "Tier “Gold” has the same threshold as tier “Gold 2”"):
            self.tier_gold.active = True
        self.assertFalse(self.tier_gold.active)

    def test_member_count(self):
        self._enrol(self.alice | self.bob)
        self._confirm_order(self.bob, 1500)
        self.assertEqual(self.tier_member.member_count, 1)
        self.assertEqual(self.tier_silver.member_count, 1)
        self.assertEqual(self.tier_gold.member_count, 0)
        action = self.tier_silver.action_view_members()
        self.assertEqual(
            self.env["loyalty.card"].search(action["domain"]).partner_id, self.bob
        )
