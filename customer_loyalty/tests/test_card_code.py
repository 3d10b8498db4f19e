import re
from itertools import pairwise

from psycopg2 import IntegrityError

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import LoyaltyCommon

# Odoo's "044" coupon barcode prefix, then 80 random bits as 20 hex digits.
CODE_PATTERN = re.compile(r"044[0-9a-f]{20}")


@tagged("post_install", "-at_install")
class TestCardCode(LoyaltyCommon):
    """Member card numbers: scannable, unique and impossible to guess."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cards = cls._enrol(cls.alice | cls.bob | cls.carol)

    def test_code_format(self):
        for card in self.cards:
            self.assertRegex(card.code, CODE_PATTERN)
            self.assertGreaterEqual(len(card.code) - 3, 20, "at least 80 bits of randomness")
        self.assertEqual(self.alice.loyalty_card_code, self._card(self.alice).code)

    def test_codes_differ_and_are_not_sequential(self):
        codes = self.cards.mapped("code")
        self.assertEqual(len(set(codes)), 3)
        generated = {self.env["loyalty.card"]._generate_membership_code() for _i in range(200)}
        self.assertEqual(len(generated), 200)
        # Random, not a counter: the random parts are far apart, not neighbours.
        numbers = sorted(int(code[3:], 16) for code in generated)
        self.assertGreater(min(b - a for a, b in pairwise(numbers)), 1000)

    def test_duplicate_code_refused(self):
        alice_code = self._card(self.alice).code
        dave = self.env["res.partner"].create({"name": "Dave Pham"})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["loyalty.card"].create(
                {"program_id": self.program.id, "partner_id": dave.id, "code": alice_code}
            )
        bob_card = self._card(self.bob)
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            bob_card.code = alice_code
            bob_card.flush_recordset()
        self.assertFalse(self._card(dave))
        self.assertEqual(
            self.env["loyalty.card"].search_count([("code", "=", alice_code)]), 1
        )

    def test_given_code_is_kept(self):
        dave = self.env["res.partner"].create({"name": "Dave Pham"})
        card = self.env["loyalty.card"].create(
            {"program_id": self.program.id, "partner_id": dave.id, "code": "044PRINTED0001"}
        )
        self.assertEqual(card.code, "044PRINTED0001")
        self.assertEqual(card.tier_id, self.tier_member)
