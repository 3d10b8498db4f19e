import logging

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

RENEWAL_STATES = [("running", "Renewing"), ("paused", "Paused"), ("ended", "Ended")]


class LoyaltyPackage(models.Model):
    """Renewing packages (a monthly or yearly gym membership): before each period ends, the
    next period's quotation is made, once; confirming it sells the next period's package.
    Pausing or ending the member's renewal stops the quotations."""

    _inherit = "loyalty.package"  # pylint: disable=consider-merging-classes-inherited

    renewing = fields.Boolean(related="product_id.loyalty_package_renewing")
    renewal_state = fields.Selection(
        RENEWAL_STATES, string="Renewal", default="running", readonly=True, tracking=True,
        help="Renewing packages only: whether the next period is offered before this one ends.",
    )
    renewal_requested = fields.Boolean(
        readonly=True, copy=False,
        help="The next period's quotation was made (once per package, i.e. per period).",
    )

    def _loyalty_set_renewal(self, state):
        self.check_access("write")
        packages = self.sudo()
        if packages.filtered(lambda package: not package.renewing):
            raise UserError(self.env._("Only a package that renews every period has a renewal."))
        if state == "running" and packages.filtered(lambda p: p.renewal_state == "ended"):
            raise UserError(self.env._("An ended renewal cannot restart: sell a new package."))
        packages.renewal_state = state
        return True

    def action_loyalty_renewal_pause(self):
        """Pause the member's renewal: no next period is offered until it is resumed."""
        return self._loyalty_set_renewal("paused")

    def action_loyalty_renewal_resume(self):
        return self._loyalty_set_renewal("running")

    def action_loyalty_renewal_end(self):
        """End the member's renewal: this is their last period."""
        return self._loyalty_set_renewal("ended")

    @api.model
    def _loyalty_package_renew(self, today=None):
        """Make the next period's quotation of every renewing package ending within the
        company's lead days, once: one UPDATE claims them (a second run, or two at once, claim
        none again). A package whose renewal is paused or ended gets none. Returns the packages
        claimed."""
        today = today or fields.Date.context_today(self)
        self.env.flush_all()
        self.env.cr.execute(SQL(
            """
            UPDATE loyalty_package p SET renewal_requested = TRUE
              FROM res_company c, product_product pp, product_template pt
             WHERE c.id = p.company_id AND pp.id = p.product_id AND pt.id = pp.product_tmpl_id
               AND pt.loyalty_package_renewing AND p.state = 'active'
               AND COALESCE(p.renewal_state, 'running') = 'running'
               AND p.renewal_requested IS NOT TRUE
               AND p.date_expiry IS NOT NULL AND p.date_expiry >= %(today)s
               AND p.date_expiry <= %(today)s + c.loyalty_package_renewal_days
            RETURNING p.id
            """,
            today=today,
        ))
        packages = self.sudo().browse(sorted(row[0] for row in self.env.cr.fetchall()))
        if not packages:
            return packages
        packages.invalidate_recordset(["renewal_requested"])
        # A quotation already offered with a notice is the renewal: not a second one.
        packages._loyalty_renewal_orders()
        for package in packages:
            package.message_post(
                body=self.env._(
                    "Next period offered: %(order)s (this one ends on %(date)s).",
                    order=package.renewal_order_id.name,
                    date=fields.Date.to_string(package.date_expiry),
                ),
                subtype_xmlid="mail.mt_note",
            )
        _logger.info("Prepaid packages: %s renewal quotations made", len(packages))
        return packages

    @api.model
    def _cron_package_renewals(self):
        self._loyalty_package_renew()
