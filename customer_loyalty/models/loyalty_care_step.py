from odoo import api, fields, models
from odoo.exceptions import ValidationError

TRIGGERS = [
    ("sale_confirmed", "Sales order confirmed"),
    ("sale_delivered", "Sales order delivered"),
    ("pos_paid", "POS order paid"),
]
ACTIONS = [("email", "E-mail"), ("activity", "Activity")]


class LoyaltyCareStep(models.Model):
    """One step of after-sales care: what is done for a customer N days after an order.

    The steps are read by the care cron (``loyalty.care.event``), which journals each step once
    per order. A step is its own UTM source (``utm.source.mixin``, as Odoo's mailings): the care
    e-mails carry the "After-sales care" campaign and the step as source, so that a later
    report can attribute the orders placed after a care step."""

    _name = "loyalty.care.step"
    _description = "After-Sales Care Step"
    _inherit = ["utm.source.mixin"]
    _order = "company_id, sequence, delay_days, id"

    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    trigger = fields.Selection(
        TRIGGERS, required=True, default="sale_confirmed",
        help="The moment the delay counts from: the order's confirmation, its last delivery "
        "(an order without any transfer, e.g. services only, counts as delivered when "
        "confirmed) or the payment of a POS order.",
    )
    delay_days = fields.Integer(
        string="Delay (days)", default=0,
        help="Days after the trigger; 0 = at the next run of the care cron (within the hour).",
    )
    action = fields.Selection(ACTIONS, required=True, default="email")
    mail_template_id = fields.Many2one(
        "mail.template", string="E-mail Template", ondelete="restrict",
        domain=[("model", "=", "loyalty.care.event")],
        help="Rendered on the care event (object.order_name, object.partner_id, "
        "object.sale_order_id or object.pos_order_id), in the customer's language.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type", ondelete="restrict",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", raise_if_not_found=False),
    )
    activity_summary = fields.Char(string="Summary", translate=True)
    note = fields.Html(
        string="Note or Tip", translate=True,
        help="The note of the activity, or the tip of the e-mails that show it (the care tip "
        "template).",
    )
    product_categ_ids = fields.Many2many(
        "product.category", "loyalty_care_step_product_category_rel", "step_id", "categ_id",
        string="Product Categories",
        help="Only orders with at least one product of these categories (or their "
        "subcategories). Empty: every order.",
    )
    date_from = fields.Datetime(
        string="Applies From", required=True, default=lambda self: self.env.cr.now(),
        help="Orders triggered before this moment get no care from this step (a new step does "
        "not write to every past customer).",
    )
    event_ids = fields.One2many("loyalty.care.event", "step_id", string="Care Events")
    event_count = fields.Integer(compute="_compute_event_count", string="Events")

    @api.constrains("delay_days")
    def _check_delay_days(self):
        for step in self:
            if step.delay_days < 0:
                raise ValidationError(self.env._(
                    "The delay of the care step %(step)s cannot be negative: use 0 for at once.",
                    step=step.name,
                ))

    @api.constrains("action", "mail_template_id", "activity_type_id")
    def _check_action(self):
        for step in self:
            if step.action == "email" and not step.mail_template_id:
                raise ValidationError(self.env._(
                    "The care step %(step)s sends an e-mail: choose its e-mail template.",
                    step=step.name,
                ))
            if step.action == "email" and step.mail_template_id.model != "loyalty.care.event":
                raise ValidationError(self.env._(
                    "The e-mail template of the care step %(step)s must be a template of care "
                    "events (model loyalty.care.event).", step=step.name,
                ))
            if step.action == "activity" and not step.activity_type_id:
                raise ValidationError(self.env._(
                    "The care step %(step)s schedules an activity: choose its activity type.",
                    step=step.name,
                ))

    def _compute_event_count(self):
        counts = dict(self.env["loyalty.care.event"]._read_group(
            [("step_id", "in", self.ids)], ["step_id"], ["__count"]
        ))
        for step in self:
            step.event_count = counts.get(step, 0)

    def action_view_events(self):
        self.ensure_one()
        return self.env["loyalty.care.event"]._loyalty_action_for([("step_id", "=", self.id)])
