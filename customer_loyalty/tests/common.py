from contextlib import contextmanager

from freezegun import freeze_time

from odoo import Command
from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.tests import TransactionCase

# The programme of the points tests: one point per currency unit, a $10 voucher for 100 points.
MONEY_RULE = {
    "reward_point_mode": "money", "reward_point_amount": 1.0, "minimum_amount": 0, "minimum_qty": 0,
}
VOUCHER_REWARD = {
    "description": "$10 voucher", "reward_type": "discount", "discount_mode": "per_order",
    "discount": 10, "discount_applicability": "order", "required_points": 100,
}


class LedgerAssertions:
    """Helpers shared by the tests of member points, whatever their base class."""

    def _lines(self, card, **filters):
        """The card's ledger lines in the order they were written, filtered by field values."""
        self.env.flush_all()
        lines = self.env["loyalty.history"].search([("card_id", "=", card.id)]).sorted("id")
        return lines.filtered(lambda line: all(line[k] == v for k, v in filters.items()))

    def assertLedgerConsistent(self, card):
        """The card's balance is the sum of ``issued - used`` of its ledger, and each line's
        ``balance_after`` is the running sum of the lines written up to it (read from the
        database: the expiry cron updates balances in SQL). Returns the balance."""
        self.env.flush_all()
        self.env.invalidate_all()
        running = 0.0
        for line in self._lines(card):
            running += line.issued - line.used
            self.assertAlmostEqual(
                line.balance_after, running, places=2,
                msg=f"balance after line {line.id} ({line.entry_type}: {line.description})",
            )
        self.assertAlmostEqual(card.points, running, places=2, msg="card balance = ledger sum")
        return running

    def assertBalance(self, card, points):
        """The card holds ``points`` and its ledger agrees."""
        self.assertLedgerConsistent(card)
        self.assertAlmostEqual(card.points, points, places=2)

    @classmethod
    def _new_user(cls, login, groups, company=None):
        company = company or cls.company
        return mail_new_test_user(
            cls.env, login=login, groups=groups, company_id=company.id,
            company_ids=[Command.set(company.ids)], name=login.replace("_", " ").title(),
        )

    def _as(self, user, records):
        """``records`` seen by ``user``, with an empty cache so that every read is checked."""
        self.env.invalidate_all()
        return records.with_user(user)


class LoyaltyCommon(LedgerAssertions, TransactionCase):
    """A company of its own (USD, no taxes, no other loyalty program) with a known tier ladder:

    ========  ========  ==============  ======  =====
    Tier      sequence  spend threshold  window  grace
    ========  ========  ==============  ======  =====
    Member    10        0               12 m    30 d
    Silver    20        1,000           12 m    30 d
    Gold      30        5,000           12 m    15 d
    ========  ========  ==============  ======  =====

    The membership program gives 1 point per currency unit (the module's default rule).
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Promotions, coupons and gift cards of the demo data would change the order totals.
        cls.env["loyalty.program"].search([("is_membership_program", "=", False)]).write(
            {"active": False}
        )
        cls.usd = cls.env.ref("base.USD")
        # Creating the company gives it a membership program and the default tiers.
        cls.company = cls.env["res.company"].create(
            {
                "name": "Loyalty Test Shop",
                "currency_id": cls.usd.id,
                "email": "shop@loyalty-test.example.com",
            }
        )
        cls.env = cls.env(
            context=dict(cls.env.context, allowed_company_ids=[cls.company.id], tz="UTC")
        )
        cls.company = cls.company.with_env(cls.env)
        cls.program = cls.company.loyalty_program_id

        cls.company.loyalty_tier_ids.unlink()
        cls.tier_member, cls.tier_silver, cls.tier_gold = cls.env["loyalty.tier"].create(
            [
                {"name": "Member", "sequence": 10, "threshold": 0, "grace_days": 30,
                 "company_id": cls.company.id},
                {"name": "Silver", "sequence": 20, "threshold": 1000, "grace_days": 30,
                 "multiplier": 1.5, "color": 8, "company_id": cls.company.id},
                {"name": "Gold", "sequence": 30, "threshold": 5000, "grace_days": 15,
                 "multiplier": 2.0, "color": 3, "company_id": cls.company.id},
            ]
        )

        cls.product = cls.env["product.product"].create(
            {
                "name": "Loyalty Test Product",
                "type": "service",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "company_id": False,
            }
        )
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice Nguyen", "email": "alice@example.com"})
        cls.bob = Partner.create({"name": "Bob Tran", "email": "bob@example.com"})
        cls.carol = Partner.create({"name": "Carol Le", "email": "carol@example.com"})

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    @classmethod
    def _card(cls, partner, company=None):
        """The membership card of ``partner`` in ``company`` (empty if not a member)."""
        return (company or cls.company)._loyalty_member_cards(partner)

    @classmethod
    def _enrol(cls, partners, company=None):
        company = company or cls.company
        partners.with_company(company).action_loyalty_enroll()
        cards = company._loyalty_member_cards(partners)
        assert len(cards) == len(partners), "every partner should now hold a card"
        return cards

    @classmethod
    def _confirm_order(cls, partner, amount, date=None, company=None, pricelist=None):
        """Create and confirm an order of ``partner`` with one untaxed line of ``amount``.

        ``date`` (anything ``freeze_time`` accepts) confirms the order at that moment, so that
        ``date_order`` and the tier engine's "now" are both that date."""
        company = company or cls.company
        vals = {
            "partner_id": partner.id,
            "company_id": company.id,
            "order_line": [
                Command.create(
                    {
                        "product_id": cls.product.id,
                        "product_uom_qty": 1,
                        "price_unit": amount,
                        "tax_id": [Command.clear()],
                    }
                )
            ],
        }
        if pricelist:
            vals["pricelist_id"] = pricelist.id
        order = cls.env["sale.order"].with_company(company).create(vals)
        if date:
            with freeze_time(date):
                order.action_confirm()
        else:
            order.action_confirm()
        assert order.state == "sale"
        return order

    @classmethod
    def _history(cls, partner):
        """Tier history lines of ``partner``, in the order they were written."""
        History = cls.env["loyalty.tier.history"]
        return History.search([("partner_id", "=", partner.id)]).sorted("id")

    @contextmanager
    def _refused(self, exception, message):
        """Expect ``exception`` with a message matching ``message``; what the block did is rolled
        back (unittest's assertRaisesRegex, unlike Odoo's assertRaises, opens no savepoint)."""
        with self.assertRaisesRegex(exception, message), self.cr.savepoint():
            yield

    @classmethod
    def _run_cron(cls, date):
        with freeze_time(date):
            return cls.env["loyalty.card"]._cron_update_tiers()
