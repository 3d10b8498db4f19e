from odoo import api, models


class ReportMemberCard(models.AbstractModel):
    _name = "report.customer_loyalty.report_member_card"
    _description = "Member Card Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        cards = self.env["loyalty.card"].browse(docids)
        # The report is bound to loyalty.card: refuse coupons and gift cards picked in the menu.
        cards._loyalty_check_members()
        return {"doc_ids": cards.ids, "doc_model": "loyalty.card", "docs": cards}
