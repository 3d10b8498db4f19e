import re

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestPortalMembership(LoyaltyCommon, HttpCase):
    """"My Membership" in the customer portal: a member sees their own card, tier, points and
    ledger, and nobody else's."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Points pending for 14 days, valid one month, announced 60 days ahead.
        cls.program.write(
            {
                "points_pending_days": 14,
                "points_validity_months": 1,
                "points_expiry_warning_days": 60,
            }
        )

        def portal_user(login, partner):
            return mail_new_test_user(
                cls.env, login=login, password=f"{login}-pass", groups="base.group_portal",
                partner_id=partner.id, name=partner.name, email=partner.email,
                company_id=cls.company.id,
                company_ids=[Command.set(cls.company.ids)],
            )

        cls.portal_alice = portal_user("portal_alice", cls.alice)
        cls.portal_bob = portal_user("portal_bob", cls.bob)
        cls.portal_carol = portal_user("portal_carol", cls.carol)
        cls.alice_card, cls.carol_card = cls._enrol(cls.alice | cls.carol)
        cls._confirm_order(cls.alice, 1200)
        cls._confirm_order(cls.carol, 300)
        assert cls.alice_card.tier_id == cls.tier_silver
        assert cls.carol_card.tier_id == cls.tier_member

    def _get(self, url, user=None, **kwargs):
        if user:
            self.authenticate(user.login, f"{user.login}-pass")
        return self.url_open(url, **kwargs)

    def test_member_sees_their_membership(self):
        response = self._get("/my/membership", self.portal_alice)
        self.assertEqual(response.status_code, 200)
        html = response.text
        card = self.alice_card
        self.assertIn(card.code, html)
        self.assertIn("Silver", html)
        self.assertIn("background-color: #304be0", html, "the tier on its colour")
        self.assertIn(f"data:image/png;base64,{card.qr_code.decode()}", html, "the QR code")
        self.assertIn(card.points_display, html)
        # Progress to Gold: 5,000 over 12 months, 1,200 spent.
        self.assertIn("to reach", html)
        self.assertIn("Gold", html)
        self.assertIn("3,800.00", html)
        self.assertIn("within the next", html)
        # Pending and expiring points.
        self.assertTrue(card.points_pending)
        self.assertIn("pending", html)
        self.assertTrue(card.points_expiring)
        self.assertIn("expire on", html)
        # The ledger, with the balance after each line.
        self.assertIn("Points History", html)
        self.assertEqual(html.count("o_portal_membership_line"), len(card.history_ids))

    def test_member_at_the_top(self):
        self._confirm_order(self.alice, 5000)
        self.assertEqual(self.alice_card.tier_id, self.tier_gold)
        html = self._get("/my/membership", self.portal_alice).text
        self.assertIn("highest tier", html)

    def test_other_members_cards_are_never_shown(self):
        html = self._get("/my/membership", self.portal_carol).text
        self.assertIn(self.carol_card.code, html)
        self.assertNotIn(self.alice_card.code, html)
        self.assertNotIn("Alice Nguyen", html)
        # Nothing in the URL selects a card: extra parameters are ignored.
        for url in (
            f"/my/membership?card_id={self.alice_card.id}",
            f"/my/membership?code={self.alice_card.code}",
        ):
            html = self._get(url).text
            self.assertIn(self.carol_card.code, html)
            # With a second language active (the demo activates Vietnamese), the portal's
            # language selector links to the same URL, query string included: the code typed
            # in the URL comes back in those links, and only there.
            shown = re.sub(r'href="[^"]*"', "", html)
            self.assertNotIn(self.alice_card.code, shown)
            self.assertNotIn("Alice Nguyen", shown)
        response = self._get(f"/my/membership/{self.alice_card.id}")
        self.assertEqual(response.status_code, 404)

    def test_not_a_member(self):
        response = self._get("/my/membership", self.portal_bob)
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are not a member yet", response.text)
        self.assertNotIn(self.alice_card.code, response.text)
        self.assertNotIn(self.carol_card.code, response.text)

    def test_public_user_is_sent_to_login(self):
        response = self.url_open("/my/membership", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))
        self.assertIn("/web/login", response.headers["Location"])

    def test_home_entry(self):
        self.authenticate("portal_alice", "portal_alice-pass")
        html = self.url_open("/my/home").text
        self.assertIn('href="/my/membership"', html)
        self.assertIn("My Membership", html)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["membership_count"]})
        self.assertEqual(counters["membership_count"], 1, "shown to members")
        self.authenticate("portal_bob", "portal_bob-pass")
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["membership_count"]})
        self.assertEqual(counters["membership_count"], 0, "hidden from non-members")

    def test_portal_users_cannot_read_cards(self):
        """The portal page reads the card in sudo; a portal user has no access to cards, codes,
        ledgers or revoked codes through RPC."""
        self.env.invalidate_all()
        for model, record in (
            ("loyalty.card", self.alice_card),
            ("loyalty.history", self.alice_card.history_ids[:1]),
            ("loyalty.card.revoked", self.env["loyalty.card.revoked"]),
        ):
            with self.subTest(model=model), self.assertRaises(AccessError):
                self.env[model].with_user(self.portal_carol).search_read([], ["id"])
            if record:
                with self.subTest(model=model), self.assertRaises(AccessError):
                    record.with_user(self.portal_carol).read(["id"])
