from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_care import CareCommon


@tagged("post_install", "-at_install")
class TestCareSecurity(CareCommon):
    """Loyalty users (salespeople) read the care steps and the journal; only managers
    configure steps; nobody writes the journal; a cashier sees neither; per-company rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = mail_new_test_user(
            cls.env, login="care_cashier", groups="base.group_user,point_of_sale.group_pos_user",
            company_id=cls.company.id, company_ids=[(6, 0, cls.company.ids)],
        )
        cls.order = cls._confirm_order(cls.alice, 100)
        cls.env["loyalty.care.event"]._loyalty_care_run(cls.company)
        cls.event = cls.env["loyalty.care.event"].search([("sale_order_id", "=", cls.order.id)])
        assert cls.event, "the thank-you step journaled the order"

    def test_salesperson_reads_but_cannot_write(self):
        step = self._as(self.salesman, self.step_thanks)
        self.assertEqual(step.name, "Care Test Thank You")
        event = self._as(self.salesman, self.event)
        self.assertEqual(event.state, "done")
        with self.assertRaises(AccessError):
            step.write({"delay_days": 5})
        with self.assertRaises(AccessError):
            self.env["loyalty.care.step"].with_user(self.salesman).create({
                "name": "Rogue step", "company_id": self.company.id, "action": "activity",
            })
        with self.assertRaises(AccessError):
            event.write({"state": "pending"})
        with self.assertRaises(AccessError):
            self.env["loyalty.care.event"].with_user(self.salesman).create({
                "partner_id": self.alice.id, "company_id": self.company.id,
                "due_date": "2026-03-02",
            })
        with self.assertRaises(AccessError):
            event.unlink()
        self.assertEqual(self.step_thanks.delay_days, 0)

    def test_cashier_sees_nothing(self):
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.event).read(["state"])
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.step_thanks).write({"delay_days": 5})

    def test_manager_configures_steps(self):
        step = self.env["loyalty.care.step"].with_user(self.manager).create({
            "name": "Manager's step", "company_id": self.company.id, "action": "activity",
            "delay_days": 7,
        })
        self.assertEqual(step.delay_days, 7)
        self.assertTrue(step.source_id, "the step is its own UTM source")
        with self.assertRaises(AccessError):
            self._as(self.manager, self.event).write({"state": "pending"})

    def test_other_company_events_are_hidden(self):
        other = self.env["res.company"].create({"name": "Care Rule Shop"})
        outsider = self._new_user("care_outsider", "sales_team.group_sale_salesman", other)
        self.assertFalse(
            self.env["loyalty.care.event"].with_user(outsider).with_context(
                allowed_company_ids=other.ids).search(
                [("id", "=", self.event.id)]
            )
        )
        self.assertFalse(
            self.env["loyalty.care.step"].with_user(outsider).with_context(
                allowed_company_ids=other.ids).search(
                [("id", "=", self.step_thanks.id)]
            )
        )

    def test_bad_step_is_refused_in_the_users_language(self):
        with self._refused(Exception, "choose its e-mail template"):
            self.env["loyalty.care.step"].create({
                "name": "No template", "company_id": self.company.id, "action": "email",
            })
        with self._refused(Exception, "cannot be negative"):
            self.env["loyalty.care.step"].create({
                "name": "Past", "company_id": self.company.id, "action": "activity",
                "delay_days": -1,
            })
