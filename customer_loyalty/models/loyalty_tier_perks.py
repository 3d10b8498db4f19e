from lxml import html as lxml_html
from markupsafe import Markup

from odoo import _, api, fields, models
from odoo.tools import is_html_empty


class LoyaltyTier(models.Model):
    """The perks of a tier: what the tier gives its members, enforced (a pricelist, and the perks
    other features add through :meth:`_loyalty_perk_lines`) or told (``description``)."""

    _inherit = "loyalty.tier"

    pricelist_id = fields.Many2one(
        "product.pricelist", check_company=True,
        domain="[('company_id', 'in', (company_id, False))]",
        help="Members of this tier buy at this pricelist, on sales orders and in the Point of "
        "Sale, unless a pricelist was chosen by hand on their contact. Use percentage rules for "
        "the discount to show on the order lines.",
    )
    pricelist_warning = fields.Text(
        compute="_compute_pricelist_warning",
        help="What to change so that the tier's pricelist applies everywhere.",
    )
    perks_html = fields.Html(
        string="All Perks", compute="_compute_perks_html", sanitize=False,
        help="The tier's perks as staff and members see them: the enforced perks, then the "
        "description.",
    )

    @api.depends("pricelist_id", "company_id")
    def _compute_pricelist_warning(self):
        # sudo: the warning reads the shops' settings, which Loyalty users may not read.
        configs = self.env["pos.config"].sudo().search(
            [("company_id", "in", self.company_id.ids)]
        )
        discount_shown = self.env["product.pricelist.item"]._is_discount_feature_enabled()
        for tier in self:
            warnings = []
            pricelist = tier.pricelist_id
            if pricelist:
                for config in configs.filtered(
                    lambda c, t=tier: c.company_id == t.company_id and c._loyalty_serves_members()
                ):
                    if pricelist not in config._get_available_pricelists():
                        warnings.append(config._loyalty_pricelist_missing_message(pricelist, tier))
                percentage = pricelist.item_ids.filtered(lambda i: i.compute_price == "percentage")
                if percentage and not discount_shown:
                    warnings.append(_(
                        "Order lines show the price after the discount of “%(pricelist)s” but "
                        "not the discount: tick Discounts in Sales › Configuration › Settings "
                        "so that they show the price and the discount.",
                        pricelist=pricelist.name,
                    ))
            tier.pricelist_warning = "\n".join(warnings) or False

    @api.depends("pricelist_id", "description")
    @api.depends_context("lang")
    def _compute_perks_html(self):
        for tier in self:
            tier.perks_html = tier._loyalty_perks_html()

    def _loyalty_perk_lines(self):
        """The tier's enforced perks, one short line each, in the reader's language: a list of
        dicts ``{'key', 'label', 'value'}``. The place where a new kind of perk (tier-only
        promotions, bonus points, a welcome gift…) adds its line: override, call ``super()`` and
        append. Shown on the contact, the sales order, the POS member panel, the portal and
        the upgrade e-mail."""
        self.ensure_one()
        lines = []
        # sudo: members (portal) and cashiers read the pricelist's name only.
        pricelist = self.sudo().pricelist_id
        if pricelist:
            lines.append({
                "key": "pricelist",
                "label": _("Prices"),
                "value": pricelist.name,
            })
        return lines

    def _loyalty_perks_html(self):
        """The enforced perks as a list, then the description (the perks told)."""
        self.ensure_one()
        parts = []
        lines = self._loyalty_perk_lines()
        if lines:
            items = Markup("").join(
                Markup("<li><strong>%s:</strong> %s</li>") % (line["label"], line["value"])
                for line in lines
            )
            parts.append(Markup('<ul class="o_customer_loyalty_perk_lines mb-1">%s</ul>') % items)
        if not is_html_empty(self.description):
            parts.append(Markup(self.description))
        return Markup("").join(parts) or False

    def _loyalty_perks_text(self):
        """The perks as plain text lines (for the POS, which shows text only)."""
        self.ensure_one()
        texts = ["%s: %s" % (line["label"], line["value"]) for line in self._loyalty_perk_lines()]
        if not is_html_empty(self.description):
            # The text as the page shows it (no markdown-like *bold* of html2plaintext).
            fragment = lxml_html.fragment_fromstring(self.description, create_parent="div")
            parts = [fragment.text or ""] + [
                child.text_content() + (child.tail or "") for child in fragment
            ]
            texts.append(" ".join(" ".join(parts).split()))
        return [text for text in texts if text]
