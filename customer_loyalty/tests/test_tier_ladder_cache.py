from .common import LoyaltyCommon


class TestTierLadderCache(LoyaltyCommon):
    """The company's tier ladder is cached (loyalty.tier._loyalty_ladder_rows): a change of a
    tier that the engine reads (threshold, multiplier, order, archiving, a new tier) is seen by
    the next confirmation, in the same transaction."""

    def _confirm(self, partner, amount):
        order = self._confirm_order(partner, amount)
        self._next_request()
        return order

    def _next_request(self):
        """Written to the database, and a fresh ORM cache: only the ladder cache remains."""
        self.env.flush_all()
        self.env.invalidate_all()

    def test_threshold_and_multiplier_changes_are_seen(self):
        card = self._enrol(self.alice)
        self._confirm(self.alice, 600.0)
        self.assertEqual(card.tier_id, self.tier_member)
        # Silver from 1,000 to 500: the member's 600 qualify at the next confirmation.
        self.tier_silver.threshold = 500
        self._next_request()
        self._confirm(self.alice, 10.0)
        self.assertEqual(card.tier_id, self.tier_silver)
        # Silver's multiplier from 1.5 to 3: an order of 100 gives 300 points.
        self.tier_silver.multiplier = 3.0
        self._next_request()
        points = card.points
        self._confirm(self.alice, 100.0)
        self.assertAlmostEqual(card.points - points, 300.0, places=2)

    def test_archived_and_new_tiers_are_seen(self):
        card = self._enrol(self.bob)
        self._confirm(self.bob, 1200.0)
        self.assertEqual(card.tier_id, self.tier_silver)
        # Gold archived: 5,000 of spend reach no higher tier than Silver.
        self.tier_gold.active = False
        self._next_request()
        self._confirm(self.bob, 4000.0)
        self.assertEqual(card.tier_id, self.tier_silver)
        # A new top tier at 5,000 (the spend is 5,200): the next order reaches it.
        platinum = self.env["loyalty.tier"].create(
            {"name": "Platinum", "sequence": 40, "threshold": 5000, "company_id": self.company.id}
        )
        self._next_request()
        self._confirm(self.bob, 10.0)
        self.assertEqual(card.tier_id, platinum)

    def test_unflushed_change_is_not_overwritten(self):
        """A tier changed in the transaction keeps its new value in the ORM cache, whatever
        the ladder cache holds."""
        Card = self.env["loyalty.card"]
        Card._loyalty_company_tiers(self.company)  # fills the ladder cache
        self.tier_gold.multiplier = 4.0  # in the ORM cache, not flushed yet
        tiers = Card._loyalty_company_tiers(self.company)
        self.assertEqual(tiers, self.tier_member | self.tier_silver | self.tier_gold)
        self.assertEqual(tiers.filtered(lambda t: t == self.tier_gold).multiplier, 4.0)
