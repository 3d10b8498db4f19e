from collections import defaultdict

from odoo import _, fields, models
from odoo.exceptions import UserError


def _score_field(string):
    return fields.Char(string=string, compute="_compute_loyalty_feedback",
                       groups="customer_loyalty.group_loyalty_user")


class LoyaltyFeedbackMixin(models.AbstractModel):
    """The answers of the customer on a document (or on a contact): the last score per scale
    and a button to the answers. ``_loyalty_feedback_domain`` says which requests are whose."""

    _name = "loyalty.feedback.mixin"
    _description = "Customer Feedback on a Document"

    loyalty_feedback_count = fields.Integer(
        string="Feedback", compute="_compute_loyalty_feedback",
        groups="customer_loyalty.group_loyalty_user",
    )
    loyalty_last_csat = _score_field("Last CSAT")
    loyalty_last_nps = _score_field("Last NPS")
    loyalty_last_ces = _score_field("Last CES")

    def _loyalty_feedback_field(self):
        raise NotImplementedError

    def _compute_loyalty_feedback(self):
        field = self._loyalty_feedback_field()
        requests = self.env["loyalty.feedback.request"].search(
            [(field, "in", self.ids)], order="answer_date desc, id desc"
        )
        counts = defaultdict(int)
        last = {}
        for request in requests:
            owner = request[field].id
            counts[owner] += 1
            if request.state == "answered":
                high = {"csat": 5, "nps": 10, "ces": 7}[request.scale]
                last.setdefault((owner, request.scale), f"{request.score} / {high}")
        for record in self:
            record.loyalty_feedback_count = counts[record.id]
            record.loyalty_last_csat = last.get((record.id, "csat"), False)
            record.loyalty_last_nps = last.get((record.id, "nps"), False)
            record.loyalty_last_ces = last.get((record.id, "ces"), False)

    def action_loyalty_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_feedback_request"
        )
        action["domain"] = [(self._loyalty_feedback_field(), "=", self.id)]
        action["context"] = {}
        return action

    def action_loyalty_ask_effort_feedback(self):
        """Ask the customer of these documents how easy it was to get their issue handled
        (CES), now, once per document. For staff who may edit the documents."""
        self.check_access("write")
        if not self.env.user.has_group("customer_loyalty.group_loyalty_user"):
            raise UserError(_("Only loyalty users can ask customers for feedback."))
        new = self.env["loyalty.feedback.request"]._loyalty_ask(self, "ces", "support")
        if not new:
            message = _("The customer was asked already.")
        elif new.filtered(lambda r: r.state == "sent"):
            message = _("The customer was e-mailed the question.")
        else:
            message = _("The customer does not accept these e-mails: nothing was sent.")
        return {
            "type": "ir.actions.client", "tag": "display_notification",
            "params": {"message": message, "type": "info", "sticky": False},
        }


class SaleOrder(models.Model):
    _name = "sale.order"
    _inherit = ["sale.order", "loyalty.feedback.mixin"]  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_ids = fields.One2many(
        "loyalty.feedback.request", "sale_order_id", string="Customer Feedback",
        groups="customer_loyalty.group_loyalty_user",
    )

    def _loyalty_feedback_field(self):
        return "sale_order_id"


class PosOrder(models.Model):
    _name = "pos.order"
    _inherit = ["pos.order", "loyalty.feedback.mixin"]  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_ids = fields.One2many(
        "loyalty.feedback.request", "pos_order_id", string="Customer Feedback",
        groups="customer_loyalty.group_loyalty_user",
    )

    def _loyalty_feedback_field(self):
        return "pos_order_id"

    def action_loyalty_ask_effort_feedback(self):
        raise UserError(_("POS returns are asked for effort feedback by the daily run."))


class CrmLead(models.Model):
    _name = "crm.lead"
    _inherit = ["crm.lead", "loyalty.feedback.mixin"]  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_ids = fields.One2many(
        "loyalty.feedback.request", "lead_id", string="Customer Feedback",
        groups="customer_loyalty.group_loyalty_user",
    )

    def _loyalty_feedback_field(self):
        return "lead_id"


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "loyalty.feedback.mixin"]  # pylint: disable=consider-merging-classes-inherited

    loyalty_feedback_ids = fields.One2many(
        "loyalty.feedback.request", "partner_id", string="Customer Feedback",
        groups="customer_loyalty.group_loyalty_user",
    )

    def _loyalty_feedback_field(self):
        return "partner_id"

    def action_loyalty_ask_effort_feedback(self):
        raise UserError(_("Ask for effort feedback from an order or a lead."))
