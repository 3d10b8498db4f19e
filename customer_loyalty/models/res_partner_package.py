from odoo import fields, models


class ResPartner(models.Model):
    """The contact's prepaid packages (as holder), for the "Packages" button."""

    _inherit = "res.partner"  # pylint: disable=consider-merging-classes-inherited

    loyalty_package_count = fields.Integer(
        string="Active Packages", compute="_compute_loyalty_package_count",
        groups="customer_loyalty.group_loyalty_user",
    )

    def _compute_loyalty_package_count(self):
        counts = dict(self.env["loyalty.package"]._read_group(
            [("partner_id", "child_of", self.ids), ("state", "=", "active")],
            ["partner_id"], ["__count"],
        )) if self.ids else {}
        for partner in self:
            # A company's button counts its contacts' packages too.
            partner.loyalty_package_count = sum(
                count for holder, count in counts.items()
                if holder == partner or holder.commercial_partner_id == partner
            )

    def action_loyalty_view_packages(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_package"
        )
        action["domain"] = [("partner_id", "child_of", self.id)]
        action["context"] = {"search_default_active": 1, "create": False}
        return action
