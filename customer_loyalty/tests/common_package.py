from odoo import Command, fields

from .common import LoyaltyCommon


class PackageCommon(LoyaltyCommon):
    """Two services, a category, and two packages sold in the test company:

    =================  =====  ==========================  ==============  ========
    Package            uses   valid                       covers          sharing
    =================  =====  ==========================  ==============  ========
    10 Haircuts        10     6 months from the sale      Haircut         personal
    Gym Year           any    12 months from first use    Gym category    family, 30 frozen days
    =================  =====  ==========================  ==============  ========
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Product = cls.env["product.product"]
        cls.gym_categ = cls.env["product.category"].create({"name": "Gym"})
        cls.gym_sub_categ = cls.env["product.category"].create(
            {"name": "Classes", "parent_id": cls.gym_categ.id}
        )
        cls.haircut = Product.create({
            "name": "Haircut", "type": "service", "list_price": 100.0,
            "taxes_id": [Command.clear()],
        })
        cls.massage = Product.create({
            "name": "Massage", "type": "service", "list_price": 300.0,
            "taxes_id": [Command.clear()],
        })
        cls.gym_visit = Product.create({
            "name": "Gym Visit", "type": "service", "list_price": 50.0,
            "categ_id": cls.gym_categ.id, "taxes_id": [Command.clear()],
        })
        cls.yoga = Product.create({
            "name": "Yoga Class", "type": "service", "list_price": 80.0,
            "categ_id": cls.gym_sub_categ.id, "taxes_id": [Command.clear()],
        })
        cls.pack_haircut = Product.create({
            "name": "10 Haircuts", "type": "service", "list_price": 800.0,
            "taxes_id": [Command.clear()],
            "loyalty_package_ok": True, "loyalty_package_uses": 10,
            "loyalty_package_validity": 6, "loyalty_package_validity_unit": "month",
            "loyalty_package_validity_start": "sale",
            "loyalty_package_product_ids": [Command.set(cls.haircut.ids)],
        })
        cls.pack_gym = Product.create({
            "name": "Gym Year", "type": "service", "list_price": 3650.0,
            "taxes_id": [Command.clear()],
            "loyalty_package_ok": True, "loyalty_package_uses": 0,
            "loyalty_package_validity": 12, "loyalty_package_validity_unit": "month",
            "loyalty_package_validity_start": "first_use",
            "loyalty_package_categ_ids": [Command.set(cls.gym_categ.ids)],
            "loyalty_package_sharing": "family",
            "loyalty_package_freeze_max_days": 30, "loyalty_package_freeze_max_count": 2,
        })
        cls.Package = cls.env["loyalty.package"]

    @classmethod
    def _sell(cls, partner, product, amount, date, company=None, rank=0, line=None):
        """Issue a package as a confirmed sale of ``line`` (a new draft order line by default)
        would; returns it."""
        company = company or cls.company
        if line is None:
            order = cls.env["sale.order"].with_company(company).create({
                "partner_id": partner.id,
                "company_id": company.id,
                "order_line": [Command.create({
                    "product_id": product.id, "price_unit": amount, "tax_id": [Command.clear()],
                })],
            })
            line = order.order_line
        return cls.Package._loyalty_package_issue([{
            "partner": partner, "product": product, "company": company,
            "currency": company.currency_id, "amount": amount,
            "date": fields.Date.to_date(date), "origin": line.order_id.name,
            "sale_line": line, "rank": rank,
        }])

    def _use(self, package, partner, product, date, quantity=1, line=None):
        """Use ``package`` for ``quantity`` × ``product`` on a new draft order line of
        ``partner`` (or ``line``); returns the usage lines written."""
        if line is None:
            order = self.env["sale.order"].create({
                "partner_id": partner.id,
                "order_line": [Command.create({
                    "product_id": product.id, "product_uom_qty": quantity,
                    "tax_id": [Command.clear()],
                })],
            })
            line = order.order_line
        return self.Package._loyalty_package_consume([{
            "package": package, "partner": partner, "product": product,
            "quantity": quantity, "company": self.company,
            "date": fields.Date.to_date(date), "origin": line.order_id.name, "sale_line": line,
        }])

    def assertUsesLeft(self, package, left):
        """``package`` has ``left`` uses and its ledger sums to it (read from the database)."""
        self.env.flush_all()
        self.env.cr.execute(
            "SELECT COALESCE(SUM(quantity), 0) FROM loyalty_package_line WHERE package_id = %s",
            [package.id],
        )
        self.assertEqual(self.env.cr.fetchone()[0], left, "ledger sum")
        package.invalidate_recordset()
        self.assertEqual(package.uses_left, left)
