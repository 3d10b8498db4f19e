from datetime import date

from odoo import Command
from odoo.tests import freeze_time

from .common import LoyaltyCommon

STEPS_FROM = "2026-01-01 00:00:00"


class CareCommon(LoyaltyCommon):
    """The care steps of the tests, in the test company (quiet hours off, so that e-mails are
    not postponed):

    =========  ================  =====  ========  ==================
    Step       trigger           delay  action    categories
    =========  ================  =====  ========  ==================
    Thank you  order confirmed   0      e-mail    all orders
    Check-in   order confirmed   3      call      Hair (and children)
    Tip        order confirmed   14     e-mail    Hair (and children)
    =========  ================  =====  ========  ==================

    ``serum`` is in Hair / Serums (a child of Hair); the common ``product`` in All.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"loyalty_quiet_hours": False, "loyalty_welcome_mail": False})
        Category = cls.env["product.category"]
        cls.categ_hair = Category.create({"name": "Hair"})
        cls.categ_serums = Category.create({"name": "Serums", "parent_id": cls.categ_hair.id})
        cls.serum = cls.env["product.product"].create({
            "name": "Care Test Serum", "type": "service", "list_price": 50.0,
            "categ_id": cls.categ_serums.id, "taxes_id": [Command.clear()],
        })
        cls.salesman = cls._new_user("care_salesman", "sales_team.group_sale_salesman")
        cls.manager = cls._new_user(
            "care_manager", "sales_team.group_sale_manager,customer_loyalty.group_loyalty_manager"
        )
        Step = cls.env["loyalty.care.step"]
        common = {"company_id": cls.company.id, "trigger": "sale_confirmed",
                  "date_from": STEPS_FROM}
        cls.step_thanks = Step.create({
            **common, "name": "Care Test Thank You", "delay_days": 0, "action": "email",
            "mail_template_id": cls.env.ref("customer_loyalty.mail_template_care_thank_you").id,
        })
        cls.step_check_in = Step.create({
            **common, "name": "Care Test Check-in", "delay_days": 3, "action": "activity",
            "activity_type_id": cls.env.ref("mail.mail_activity_data_call").id,
            "activity_summary": "How is the hair?",
            "product_categ_ids": [Command.set(cls.categ_hair.ids)],
        })
        cls.step_tip = Step.create({
            **common, "name": "Care Test Tip", "delay_days": 14, "action": "email",
            "mail_template_id": cls.env.ref("customer_loyalty.mail_template_care_tip").id,
            "note": "<p>Apply on damp hair.</p>",
            "product_categ_ids": [Command.set(cls.categ_hair.ids)],
        })

    def _order(self, partner, product, when, user=None):
        """A confirmed order of one ``product`` of ``partner``, confirmed at ``when``."""
        order = self.env["sale.order"].create({
            "partner_id": partner.id, "company_id": self.company.id,
            "user_id": (user or self.salesman).id,
            "order_line": [Command.create({
                "product_id": product.id, "product_uom_qty": 1, "tax_id": [Command.clear()],
            })],
        })
        with freeze_time(when):
            order.action_confirm()
        self.assertEqual(order.state, "sale")
        return order

    def _run(self, day):
        """The care run of the test company on ``day`` (an ISO date), at 10:00 UTC."""
        with freeze_time(f"{day} 10:00:00"):
            result = self.env["loyalty.care.event"]._loyalty_care_run(
                self.company, today=date.fromisoformat(day)
            )
        self.env.invalidate_all()
        return result

    def _events(self, **filters):
        domain = [("company_id", "=", self.company.id)]
        domain += [(name, "=", value) for name, value in filters.items()]
        return self.env["loyalty.care.event"].search(domain)

    def _opt_out(self, partner, channel, purpose="service"):
        self.env["res.partner"]._loyalty_record_consent(
            [(partner, channel, purpose, True)], "unsubscribe"
        )
