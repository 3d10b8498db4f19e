from datetime import date

from odoo import Command
from odoo.tests import freeze_time

from .common import LoyaltyCommon


class RepurchaseCommon(LoyaltyCommon):
    """Repurchase cycles: a 30-day vitamin pack and a 30-day fish oil (their own cycles), a
    pet food whose 42-day cycle comes from its parent category. The company reminds 3 days
    before, at most once in 7 days, by activity and e-mail; at risk after 3 intervals;
    conversion within 14 days. Alice's salesperson is Sam."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({
            "loyalty_reminder_lead_days": 3, "loyalty_reminder_cap_days": 7,
            "loyalty_reminder_risk_factor": 3.0, "loyalty_reminder_conversion_days": 14,
            "loyalty_reminder_channel": "both",
        })
        Product = cls.env["product.product"]
        product_vals = {"type": "consu", "list_price": 10.0, "taxes_id": [Command.clear()]}
        cls.vitamin = Product.create(
            {**product_vals, "name": "Vitamin Pack", "loyalty_repurchase_days": 30}
        )
        cls.fish_oil = Product.create(
            {**product_vals, "name": "Fish Oil", "loyalty_repurchase_days": 30}
        )
        pets = cls.env["product.category"].create(
            {"name": "Pet Care", "loyalty_repurchase_days": 42}
        )
        dogs = cls.env["product.category"].create({"name": "Dogs", "parent_id": pets.id})
        cls.pet_food = Product.create(
            {**product_vals, "name": "Dog Food", "categ_id": dogs.id}
        )
        cls.salesman = cls._new_user("sam_sales", "sales_team.group_sale_salesman")
        cls.alice.user_id = cls.salesman

    @classmethod
    def _buy(cls, partner, day, *lines):
        """Confirm a sales order of ``partner`` on ``day`` (a date) with ``(product, qty)``
        lines."""
        order = cls.env["sale.order"].create({
            "partner_id": partner.id,
            "company_id": cls.company.id,
            "order_line": [
                Command.create({"product_id": product.id, "product_uom_qty": qty,
                                "price_unit": 10.0, "tax_id": [Command.clear()]})
                for product, qty in lines
            ],
        })
        with freeze_time(f"{day.isoformat()} 09:00:00"):
            order.action_confirm()
        return order

    def _refresh(self, day):
        with freeze_time(f"{day.isoformat()} 01:30:00"):
            self.env["loyalty.repurchase.prediction"]._loyalty_refresh(self.company)

    def _prediction(self, partner, product):
        return self.env["loyalty.repurchase.prediction"].search(
            [("partner_id", "=", partner.id), ("product_id", "=", product.id)]
        )

    def _run(self, day):
        """The daily run on ``day`` at 01:30 UTC, for the test company."""
        with freeze_time(f"{day.isoformat()} 01:30:00"):
            result = self.env["loyalty.repurchase.reminder"]._loyalty_run(self.company)
        self.env.invalidate_all()
        return result

    def _reminders(self, partner):
        return self.env["loyalty.repurchase.reminder"].search(
            [("partner_id", "=", partner.id)], order="id"
        )


D = date
