from collections import defaultdict

import psycopg2

from odoo import SUPERUSER_ID, Command, api
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tests import TransactionCase, tagged

from ..models.loyalty_card_points import loyalty_points_flow

COMPANY_NAME = "Loyalty Lock Test Shop"


@tagged("post_install", "-at_install")
class TestPointsConcurrency(TransactionCase):
    """Two cashiers confirm, at the same moment, two orders paying with the same 100 points of a
    card that holds 100: the card is locked by the first confirmation, the second one waits,
    gives up with a clear error, and once the first is committed it is refused for want of
    points.

    The test needs two real transactions: its data is committed through separate cursors (the
    test's own transaction is not visible to them) in a company of its own, and deleted at the
    end (the company itself is archived and reused when other modules keep it from being
    deleted)."""

    def setUp(self):
        super().setUp()
        self.ids = {}
        self.addCleanup(self._delete_committed_data)
        ids = {}
        with self.registry.cursor() as cr:  # committed at the end of the block
            env = api.Environment(cr, SUPERUSER_ID, {})
            # The company's creation makes a pricelist that does not name it: remember where
            # the pricelists stand, to delete the new one at the end.
            pricelists = env["product.pricelist"].with_context(active_test=False).search(
                [], order="id desc", limit=1
            )
            ids["pricelists"] = pricelists.id or 0
            # A company left archived by an earlier run (see _delete_committed_data) is reused.
            company = env["res.company"].with_context(active_test=False).search(
                [("name", "=", COMPANY_NAME)], limit=1
            )
            if company:
                company.active = True
                company._loyalty_install_membership()
            else:
                company = env["res.company"].create(
                    {"name": COMPANY_NAME, "currency_id": env.ref("base.USD").id}
                )
            ids["company"] = company.id
            env = env(context={"allowed_company_ids": company.ids, "tz": "UTC"})
            program = company.with_env(env).loyalty_program_id
            ids["program"] = program.id
            product = env["product.product"].create(
                {"name": "Lock Test Product", "type": "service", "list_price": 10.0,
                 "taxes_id": [Command.clear()], "company_id": company.id}
            )
            # The rewards' discount products (the default reward's as well) go at the end.
            products = product | program.reward_ids.discount_line_product_id
            program.write({
                "rule_ids": [Command.clear(), Command.create(
                    {"reward_point_mode": "money", "reward_point_amount": 1, "minimum_amount": 0}
                )],
                "reward_ids": [Command.clear(), Command.create(
                    {"description": "$10 voucher", "reward_type": "discount",
                     "discount_mode": "per_order", "discount": 10,
                     "discount_applicability": "order", "required_points": 100}
                )],
            })
            products |= program.reward_ids.discount_line_product_id
            ids["products"] = products.ids
            partner = env["res.partner"].create(
                {"name": "Lock Test Member", "company_id": company.id}
            )
            ids["partner"] = partner.id
            partner.action_loyalty_enroll()
            card = company.with_env(env)._loyalty_member_cards(partner)
            ids["card"] = card.id
            env["loyalty.card.update.balance"].create(
                {"card_id": card.id, "new_balance": 100, "description": "Opening balance"}
            ).action_update_card_point()
            orders = env["sale.order"]
            for _i in range(2):
                order = env["sale.order"].create({
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [Command.create(
                        {"product_id": product.id, "price_unit": 10.0,
                         "tax_id": [Command.clear()]}
                    )],
                })
                order._update_programs_and_rewards()
                status = order._apply_program_reward(program.reward_ids, card)
                self.assertFalse(status)
                orders |= order
            ids["orders"] = orders.ids
            self.context = dict(env.context)
        self.ids = ids

    def _env(self, cr, **context):
        return api.Environment(cr, SUPERUSER_ID, dict(self.context, **context))

    def _delete_committed_data(self):
        """Delete what the test committed: its company and everything created with it."""
        if "company" not in self.ids:
            return
        with self.registry.cursor() as cr:
            env = self._env(cr, active_test=False)
            deleted = defaultdict(list)

            def delete(records):
                deleted[records._name] += records.ids
                records.unlink()

            company = env["res.company"].browse(self.ids["company"])
            program = company.loyalty_program_id
            orders = env["sale.order"].browse(self.ids.get("orders", []))
            orders.with_context(disable_cancel_warning=True).action_cancel()
            delete(orders)
            # Member ledger lines cannot be deleted through the ORM (on purpose): the card's
            # deletion takes them along (ON DELETE CASCADE).
            delete(env["loyalty.card"].browse(self.ids.get("card", [])))
            delete(env["res.partner"].browse(self.ids.get("partner", [])))
            products = env["product.product"].browse(self.ids.get("products", []))
            company.loyalty_program_id = False
            program.active = False
            delete(program)
            deleted["product.product"] += products.ids
            delete(products.product_tmpl_id)
            delete(company.loyalty_tier_ids)
            try:
                with cr.savepoint():
                    delete(env["ir.sequence"].search([("company_id", "=", company.id)]))
                    leftovers = [
                        company.partner_id, company.resource_calendar_id,
                        company.batch_payment_sequence_id,
                    ]
                    delete(company)
                    delete(env["product.pricelist"].search([("id", ">", self.ids["pricelists"])]))
                    for records in leftovers:
                        delete(records)
            except psycopg2.IntegrityError:
                # Other modules (stock, with the point of sale) hang records on a company that
                # make it impossible to delete: it is archived, and reused by the next run.
                company.active = False
            env["mail.message"].search(
                expression.OR(
                    [[("model", "=", model), ("res_id", "in", ids)]
                     for model, ids in deleted.items()]
                )
            ).unlink()

    def _card_state(self):
        """The card's balance and its ledger, as committed."""
        with self.registry.cursor() as cr:
            card = self._env(cr)["loyalty.card"].browse(self.ids["card"])
            lines = card.history_ids.sorted("id")
            return card.points, [(line.entry_type, line.issued, line.used) for line in lines]

    def test_concurrent_redemption_refused(self):
        first_id, second_id = self.ids["orders"]
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            # A safety net: a lock wait that is not bounded would hang the suite.
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_a, env_b = self._env(cr_a), self._env(cr_b, loyalty_lock_timeout="1s")
            first = env_a["sale.order"].browse(first_id)
            first.action_confirm()  # holds the card's lock until A ends
            self.assertEqual(first.state, "sale")

            second = env_b["sale.order"].browse(second_id)
            with self.assertRaisesRegex(UserError, "being used in another transaction"):
                second.action_confirm()
            cr_b.rollback()
            cr_a.commit()

            # B tries again in a new transaction: it now sees the points spent by A.
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_b = self._env(cr_b, loyalty_lock_timeout="1s")
            second = env_b["sale.order"].browse(second_id)
            with self.assertRaisesRegex(UserError, "can spend 10 Points now"):
                second.action_confirm()
            cr_b.rollback()
        finally:
            cr_a.close()
            cr_b.close()

        points, lines = self._card_state()
        self.assertEqual(points, 100 - 100 + 10)
        self.assertEqual(lines, [("adjustment", 100.0, 0.0), ("order", 10.0, 100.0)])
        with self.registry.cursor() as cr:
            orders = self._env(cr)["sale.order"].browse(self.ids["orders"])
            self.assertEqual(orders.mapped("state"), ["sale", "draft"])

    def test_order_that_only_earns_waits_for_the_card(self):
        """An order that spends no points does not lock the card before Odoo's check, but its
        ledger line does: while A holds the card, B's earning order gives up with the clear
        error and nothing of it is kept; once A is committed, B earns on the committed balance."""
        first_id = self.ids["orders"][0]
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()

        def earning_order(env):
            return env["sale.order"].create({
                "partner_id": self.ids["partner"],
                "company_id": self.ids["company"],
                "order_line": [Command.create(
                    {"product_id": self.ids["products"][0], "price_unit": 25.0,
                     "tax_id": [Command.clear()]}
                )],
            })

        try:
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_a, env_b = self._env(cr_a), self._env(cr_b, loyalty_lock_timeout="1s")
            env_a["sale.order"].browse(first_id).action_confirm()  # A holds the card
            second = earning_order(env_b)
            with self.assertRaisesRegex(UserError, "being used in another transaction"):
                second.action_confirm()
            cr_b.rollback()
            cr_a.commit()

            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_b = self._env(cr_b, loyalty_lock_timeout="1s")
            second = earning_order(env_b)
            second.action_confirm()
            self.assertEqual(second.state, "sale")
            self.ids["orders"].append(second.id)  # deleted with the others at the end
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        points, lines = self._card_state()
        # 100, less A's voucher (100 points) plus A's 10 points, plus B's 25 points.
        self.assertEqual(points, 100 - 100 + 10 + 25)
        self.assertEqual(
            lines,
            [("adjustment", 100.0, 0.0), ("order", 10.0, 100.0), ("order", 25.0, 0.0)],
        )

    def test_two_tills_cannot_spend_the_same_points(self):
        """The check a POS sync makes (``pos.order._loyalty_accrue``: lock the card, then check
        the redemption against the points the member can spend) run by two tills at once: the
        second waits for the first, and once the first is committed it is refused."""
        card_id = self.ids["card"]
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_a, env_b = self._env(cr_a), self._env(cr_b, loyalty_lock_timeout="1s")
            reward = env_a["loyalty.card"].browse(card_id).program_id.reward_ids

            def till(env):
                card = env["loyalty.card"].browse(card_id)
                lines = env["pos.order.line"].new(
                    {"reward_id": reward.id, "coupon_id": card.id, "points_cost": 100,
                     "is_reward_line": True}
                )
                card._loyalty_lock()
                env["pos.order"]._loyalty_check_redemption(card, lines)
                with loyalty_points_flow():
                    env["loyalty.history"].create({
                        "card_id": card.id, "entry_type": "order", "used": 100,
                        "order_model": "pos.order", "order_id": 0, "description": "till",
                    })

            till(env_a)  # till A spends the 100 points, holding the card's lock
            with self.assertRaisesRegex(UserError, "being used in another transaction"):
                till(env_b)
            cr_b.rollback()
            cr_a.commit()
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_b = self._env(cr_b, loyalty_lock_timeout="1s")
            with self.assertRaisesRegex(UserError, "can spend 0 Points now"):
                till(env_b)
            cr_b.rollback()
        finally:
            cr_a.close()
            cr_b.close()
        points, lines = self._card_state()
        self.assertEqual(points, 0)
        self.assertEqual(lines, [("adjustment", 100.0, 0.0), ("order", 0.0, 100.0)])

    def test_ledger_line_moves_the_committed_balance(self):
        """A ledger line never moves a balance its transaction read before another one changed
        it: B reads 100, A adds 50 and commits, B's line is refused as a serialization failure
        (which Odoo's RPC layer retries) and, retried, moves the balance to 160. A line whose
        card another transaction holds waits, then gives up with the clear error, leaving the
        balance alone."""
        card_id = self.ids["card"]

        def add(env, points):
            with loyalty_points_flow():
                return env["loyalty.history"].create({
                    "card_id": card_id, "entry_type": "adjustment", "issued": points,
                    "description": f"+{points}",
                })

        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_a, env_b = self._env(cr_a), self._env(cr_b, loyalty_lock_timeout="1s")
            self.assertEqual(env_b["loyalty.card"].browse(card_id).points, 100)  # B's read
            add(env_a, 50)
            cr_a.commit()
            with self.assertRaises(psycopg2.errors.SerializationFailure):
                add(env_b, 10)
            cr_b.rollback()
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_b = self._env(cr_b, loyalty_lock_timeout="1s")
            line = add(env_b, 10)
            self.assertEqual(line.balance_after, 160)
            self.assertEqual(env_b["loyalty.card"].browse(card_id).points, 160)
            cr_b.commit()

            add(env_a, 5)  # A holds the card's lock
            cr_b.execute("SET LOCAL statement_timeout = '30s'")
            env_b = self._env(cr_b, loyalty_lock_timeout="1s")
            with self.assertRaisesRegex(UserError, "being used in another transaction"):
                add(env_b, 1)
            cr_b.rollback()
            cr_a.rollback()
        finally:
            cr_a.close()
            cr_b.close()
        points, lines = self._card_state()
        self.assertEqual(points, 100 + 50 + 10)
        self.assertEqual(
            lines,
            [("adjustment", 100.0, 0.0), ("adjustment", 50.0, 0.0), ("adjustment", 10.0, 0.0)],
        )
        with self.registry.cursor() as cr:
            card = self._env(cr)["loyalty.card"].browse(card_id)
            self.assertEqual(card.history_ids.sorted("id").mapped("balance_after"), [100, 150, 160])

    def test_concurrent_enrolment_creates_one_card(self):
        """A sales order and a POS order enrol the same new customer at once: one card."""
        with self.registry.cursor() as cr:
            partner = self._env(cr)["res.partner"].create({"name": "Lock Test Newcomer"})
            self.ids["newcomer"] = partner.id
        self.addCleanup(self._delete_newcomer)
        cr_a, cr_b = self.registry.cursor(), self.registry.cursor()
        try:
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            env_a, env_b = self._env(cr_a), self._env(cr_b)
            company_a = env_a["res.company"].browse(self.ids["company"])
            company_b = env_b["res.company"].browse(self.ids["company"])
            newcomer_a = env_a["res.partner"].browse(self.ids["newcomer"])
            newcomer_b = env_b["res.partner"].browse(self.ids["newcomer"])
            card_a = company_a._loyalty_enroll(newcomer_a, reason="order")
            self.assertTrue(card_a)
            # B waits for A's enrolment and gives up (Odoo retries such a request).
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                company_b._loyalty_enroll(newcomer_b, reason="order")
            cr_b.rollback()
            # Even code that skips the enrolment's lock waits on the unique index.
            cr_b.execute("SET LOCAL lock_timeout = '1s'")
            env_b = self._env(cr_b)
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                env_b["loyalty.card"].create({
                    "program_id": self.ids["program"], "partner_id": self.ids["newcomer"],
                })
            cr_b.rollback()
            cr_a.commit()
            # B's retry finds A's card and makes none.
            env_b = self._env(cr_b)
            company_b = env_b["res.company"].browse(self.ids["company"])
            card_b = company_b._loyalty_enroll(
                env_b["res.partner"].browse(self.ids["newcomer"]), reason="order"
            )
            self.assertEqual(card_b.id, card_a.id)
            cr_b.commit()
        finally:
            cr_a.close()
            cr_b.close()
        with self.registry.cursor() as cr:
            cards = self._env(cr, active_test=False)["loyalty.card"].search(
                [("partner_id", "=", self.ids["newcomer"])]
            )
            self.assertEqual(len(cards), 1)

    def _delete_newcomer(self):
        with self.registry.cursor() as cr:
            env = self._env(cr, active_test=False)
            cards = env["loyalty.card"].search([("partner_id", "=", self.ids["newcomer"])])
            env["loyalty.tier.history"].search([("card_id", "in", cards.ids)]).unlink()
            env["mail.message"].search(
                [("model", "in", ("loyalty.card", "res.partner")),
                 ("res_id", "in", [*cards.ids, self.ids["newcomer"]])]
            ).unlink()
            cards.unlink()
            env["res.partner"].browse(self.ids["newcomer"]).unlink()
