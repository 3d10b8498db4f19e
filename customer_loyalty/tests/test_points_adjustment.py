from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_points import PointsCommon


@tagged("post_install", "-at_install")
class TestPointsAdjustment(PointsCommon):
    """Manual adjustments ("Update Balance" on the card): Loyalty Managers only, with a reason
    that becomes the ledger line's description and is posted on the card's and the member's
    chatter."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()


        cls.loyalty_user = cls._new_user(
            "points_loyalty_user", "customer_loyalty.group_loyalty_user"
        )
        cls.salesman = cls._new_user("points_salesman", "sales_team.group_sale_salesman")
        cls.loyalty_manager = cls._new_user(
            "points_loyalty_manager", "customer_loyalty.group_loyalty_manager"
        )
        cls.sales_manager = cls._new_user("points_sales_manager", "sales_team.group_sale_manager")

    def setUp(self):
        super().setUp()
        self._earn(self.alice, 100)

    def _adjust(self, user, new_balance, reason):
        self.env.invalidate_all()
        wizard = self.env["loyalty.card.update.balance"].with_user(user).create(
            {"card_id": self.alice_card.id, "new_balance": new_balance, "description": reason}
        )
        return wizard.action_update_card_point()

    def _notes(self, record):
        return record.message_ids.filtered(lambda m: "Points adjusted" in (m.body or ""))

    def test_refused_to_loyalty_users_and_salespeople(self):
        for user in (self.loyalty_user, self.salesman):
            with self.subTest(user=user.login), self._refused(AccessError, ""):
                self._adjust(user, 1000, "I am generous")
        with self._refused(AccessError, "Only Loyalty Managers can adjust the points"):
            self._adjust(self.salesman, 1000, "I am generous")
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 100)
        self.assertFalse(self._notes(self.alice_card))
        self.assertFalse(self._notes(self.alice))

    def test_manager_adjusts(self):
        for user, new_balance, issued, used in (
            (self.loyalty_manager, 150, 50, 0),
            (self.sales_manager, 30, 0, 120),
        ):
            with self.subTest(user=user.login):
                reason = f"Goodwill from {user.name}"
                self._adjust(user, new_balance, reason)
                self.assertBalance(self.alice_card, new_balance)
                line = self._lines(self.alice_card)[-1]
                self.assertRecordValues(line, [{
                    "entry_type": "adjustment", "issued": issued, "used": used,
                    "description": reason, "user_id": user.id, "balance_after": new_balance,
                    "order_model": False, "order_id": 0, "available_date": False,
                }])
        body = "Points adjusted from 150 Points to 30 Points by Points Sales Manager: " \
               "Goodwill from Points Sales Manager"
        for record in (self.alice_card, self.alice):
            notes = self._notes(record).sorted("id")
            self.assertEqual(len(notes), 2, record)
            self.assertIn(
                "Points adjusted from 100 Points to 150 Points by Points Loyalty Manager: "
                "Goodwill from Points Loyalty Manager", notes[0].body
            )
            self.assertIn(body, notes[1].body)
        self.assertEqual(len(self._lines(self.alice_card)), 3)

    def test_reason_required_and_balance_checked(self):
        with mute_logger("odoo.sql_db"), self._refused(IntegrityError, "description"):
            self._adjust(self.loyalty_manager, 150, False)
        with self._refused(ValidationError, "New Balance should be positive"):
            self._adjust(self.loyalty_manager, -10, "Below zero")
        with self._refused(ValidationError, "New Balance should be positive"):
            self._adjust(self.loyalty_manager, 100, "No change")
        self.assertEqual(len(self._lines(self.alice_card)), 1)
        self.assertBalance(self.alice_card, 100)
