from odoo import http
from odoo.http import request
from odoo.tools import consteq

from ..models.loyalty_consent import PURPOSE_KEYS


class LoyaltyUnsubscribe(http.Controller):
    """The unsubscribe link of the addon's e-mails: no login, a token per contact and purpose.

    GET shows a confirmation page and changes nothing (mail scanners follow links); its form
    POSTs the opt-out. ``/oneclick`` is the RFC 8058 ``List-Unsubscribe-Post`` target of mail
    clients. A wrong token gets a 403 page that says nothing about the contact."""

    def _loyalty_partner(self, partner_id, purpose, token):
        """The contact of a valid link, else None."""
        if purpose not in PURPOSE_KEYS:
            return None
        partner = request.env["res.partner"].sudo().browse(partner_id).exists()
        if not partner or not consteq(partner._loyalty_unsubscribe_token(purpose), token or ""):
            return None
        return partner

    def _loyalty_render(self, template, values=None, status=200):
        return request.render(template, values or {}, status=status)

    @http.route(
        "/loyalty/unsubscribe/<int:partner_id>/<string:purpose>/<string:token>",
        type="http", auth="public", methods=["GET", "POST"], sitemap=False,
    )
    def loyalty_unsubscribe(self, partner_id, purpose, token, **post):
        partner = self._loyalty_partner(partner_id, purpose, token)
        if partner is None:
            return self._loyalty_render("customer_loyalty.unsubscribe_invalid", status=403)
        if partner.lang:
            request.update_context(lang=partner.lang)
        purposes = dict(
            request.env["loyalty.consent"]._fields["purpose"]._description_selection(request.env)
        )
        values = {
            "purpose_label": purposes[purpose],
            "company": partner.company_id or request.env.company,
            "action_url": request.httprequest.path,
        }
        if request.httprequest.method != "POST":
            return self._loyalty_render("customer_loyalty.unsubscribe_confirm", values)
        everything = post.get("scope") == "all"
        changes = [(partner, "email", purpose, True)]
        if everything and partner.email_normalized:
            changes.append((partner, "email", "all", True))
        partner.with_env(request.env(su=True))._loyalty_record_consent(changes, "unsubscribe")
        values["everything"] = everything
        return self._loyalty_render("customer_loyalty.unsubscribe_done", values)

    @http.route(
        "/loyalty/unsubscribe/<int:partner_id>/<string:purpose>/<string:token>/oneclick",
        type="http", auth="public", methods=["POST"], csrf=False, sitemap=False,
    )
    def loyalty_unsubscribe_oneclick(self, partner_id, purpose, token, **post):
        partner = self._loyalty_partner(partner_id, purpose, token)
        if partner is None:
            return request.make_response("", status=403)
        partner._loyalty_record_consent(
            [(partner, "email", purpose, True)], "unsubscribe", note="List-Unsubscribe"
        )
        return request.make_response("", status=200)
