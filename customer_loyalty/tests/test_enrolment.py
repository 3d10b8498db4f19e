from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestEnrolment(LoyaltyCommon):
    """Who becomes a member, how, and with how many cards."""

    def _cards_of(self, partner):
        """Every card of ``partner`` in the membership program, archived ones included."""
        return self.env["loyalty.card"].with_context(active_test=False).search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def test_enrol_one_contact(self):
        self.assertFalse(self.alice.loyalty_is_member)
        action = self.alice.action_loyalty_enroll()
        self.assertEqual(
            action["params"]["message"], "1 contact(s) enrolled, 0 already member(s)."
        )

        card = self._cards_of(self.alice)
        self.assertEqual(len(card), 1)
        self.assertRecordValues(card, [{
            "program_id": self.program.id, "company_id": self.company.id,
            "tier_id": self.tier_member.id, "points": 0.0, "is_membership": True,
        }])
        self.assertTrue(card.tier_since)
        self.invalidate_partners()
        self.assertTrue(self.alice.loyalty_is_member)
        self.assertEqual(self.alice.loyalty_member_card_id, card)
        self.assertEqual(self.alice.loyalty_card_code, card.code)
        self.assertEqual(self.alice.loyalty_tier_id, self.tier_member)
        self.assertRecordValues(self._history(self.alice), [{
            "old_tier_id": False, "new_tier_id": self.tier_member.id, "direction": "enrol",
            "reason": "manual", "note": "Enrolment", "sale_order_id": False,
        }])
        self.assertIn(
            "Membership tier set to Member (Manual).", self.alice.message_ids.mapped("preview")
        )
        members = self.env["res.partner"].search(
            [("loyalty_is_member", "=", True), ("id", "in", (self.alice | self.bob).ids)]
        )
        self.assertEqual(members, self.alice)

    def invalidate_partners(self):
        (self.alice | self.bob | self.carol).invalidate_recordset()

    def test_enrol_several_contacts_skips_members(self):
        alice_card = self._enrol(self.alice)
        action = (self.alice | self.bob | self.carol).action_loyalty_enroll()
        self.assertEqual(
            action["params"]["message"], "2 contact(s) enrolled, 1 already member(s)."
        )
        for partner in self.alice | self.bob | self.carol:
            self.assertEqual(len(self._cards_of(partner)), 1, partner.name)
        self.assertEqual(self._cards_of(self.alice), alice_card)
        self.assertEqual(len(self._history(self.alice)), 1, "Alice was not enrolled twice")
        self.assertEqual(self._card(self.bob).tier_id, self.tier_member)
        self.assertEqual(self._card(self.carol).tier_id, self.tier_member)

        # Everybody is a member already: nothing to do.
        action = (self.alice | self.bob).action_loyalty_enroll()
        self.assertEqual(
            action["params"]["message"], "0 contact(s) enrolled, 2 already member(s)."
        )
        self.assertEqual(action["params"]["type"], "info")

    def test_enrol_an_address_refused(self):
        delivery = self.env["res.partner"].create(
            {"name": "Alice's flat", "parent_id": self.alice.id, "type": "delivery"}
        )
        with self._refused(UserError, "not one of their addresses"):
            delivery.action_loyalty_enroll()
        self.assertFalse(self._cards_of(delivery))

    def test_enrol_without_program_refused(self):
        self.company.loyalty_program_id = False
        with self._refused(UserError, "Choose a membership program"):
            self.alice.action_loyalty_enroll()

    def test_auto_enrol_on_first_confirmed_order(self):
        self.company.loyalty_auto_enroll = True
        order = self._confirm_order(self.carol, 1500)

        card = self._cards_of(self.carol)
        self.assertEqual(len(card), 1)
        self.assertEqual(card.tier_id, self.tier_silver)
        self.assertEqual(card.points, 1500, "the first order already earns points")
        self.assertRecordValues(self._history(self.carol), [
            {"old_tier_id": False, "new_tier_id": self.tier_member.id, "direction": "enrol",
             "reason": "order", "sale_order_id": False},
            {"old_tier_id": self.tier_member.id, "new_tier_id": self.tier_silver.id,
             "direction": "up", "reason": "order", "sale_order_id": order.id},
        ])
        self.assertEqual(self.carol.loyalty_tier_id, self.tier_silver)

        # The second order finds the card: still one card.
        self._confirm_order(self.carol, 100)
        self.assertEqual(self._cards_of(self.carol), card)
        self.assertGreater(card.points, 1500)

    def test_no_auto_enrol_when_disabled(self):
        self.assertFalse(self.company.loyalty_auto_enroll)
        member = self._enrol(self.alice)
        order = self._confirm_order(self.carol, 1500)
        self._confirm_order(self.alice, 1500)

        self.assertFalse(self._cards_of(self.carol), "no card for a non-member")
        self.assertFalse(
            self.env["loyalty.card"].search([("partner_id", "=", self.carol.id)]),
            "no card of any program either",
        )
        self.assertFalse(order.coupon_point_ids, "no points for a non-member")
        self.assertFalse(self.carol.loyalty_is_member)
        self.assertFalse(self.carol.loyalty_tier_id)
        self.assertFalse(order.loyalty_tier_id)
        self.assertFalse(self._history(self.carol))
        # The same order makes a member earn points and move up.
        self.assertEqual(member.points, 1500)
        self.assertEqual(member.tier_id, self.tier_silver)

    def test_one_membership_card_per_partner(self):
        card = self._enrol(self.alice)
        with self._refused(ValidationError, "already holds a card"):
            self.env["loyalty.card"].create(
                {"program_id": self.program.id, "partner_id": self.alice.id}
            )
        bob_card = self._enrol(self.bob)
        with self._refused(ValidationError, "already holds a card"):
            bob_card.partner_id = self.alice
        self.assertEqual(self._cards_of(self.alice), card)
        self.assertEqual(self._cards_of(self.bob), bob_card)

    def test_cards_of_other_programs_are_not_memberships(self):
        self._enrol(self.alice)
        other = self.env["loyalty.program"].create(
            {"name": "Coffee stamps", "program_type": "loyalty", "company_id": self.company.id}
        )
        stamps = self.env["loyalty.card"].create(
            {"program_id": other.id, "partner_id": self.alice.id}
        )
        self.assertFalse(stamps.is_membership)
        self.assertFalse(stamps.tier_id)
        self.assertEqual(self._cards_of(self.alice).program_id, self.program)
        self.assertEqual(len(self._history(self.alice)), 1)
