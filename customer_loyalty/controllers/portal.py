import math

from odoo import _
from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager
from odoo.http import request, route
from odoo.tools import format_amount, format_date


class LoyaltyMembershipPortal(CustomerPortal):
    """"My Membership": the logged-in customer's member card, tier, points and ledger.

    Portal users have no access right on member cards: the card is read in sudo, and it is only
    ever looked up from the logged-in user's partner, never from an id or code in the URL, so a
    customer cannot reach another member's card."""

    def _loyalty_portal_card(self):
        """The member card of the logged-in user in the current company (sudo), or an empty
        recordset: the card of the user's own contact, else the card of their company
        (commercial partner), whose orders they place."""
        user = request.env.user
        company = request.env.company
        if user._is_public() or not company.loyalty_program_id:
            return request.env["loyalty.card"].sudo()
        partner = user.partner_id
        cards = company._loyalty_member_cards(partner | partner.commercial_partner_id).sudo()
        return cards.filtered(lambda c: c.partner_id == partner)[:1] or cards[:1]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "membership_count" in counters:
            values["membership_count"] = len(self._loyalty_portal_card())
        return values

    def _prepare_membership_texts(self, card, progress):
        """The sentences of the page that hold values, translated as whole sentences."""
        env = request.env
        texts = {}
        if card.points_pending:
            texts["pending"] = _(
                "%(points)s pending: they can be spent once the return period of your recent "
                "orders is over.",
                points=card._format_points(card.points_pending),
            )
        if card.points_expiring:
            texts["expiring"] = _(
                "%(points)s expire on %(date)s: enjoy them before then!",
                points=card._format_points(card.points_expiring),
                date=format_date(env, card.points_expiring_date),
            )
        if card.tier_id and card.tier_since:
            texts["since"] = _("Member since %(date)s", date=format_date(env, card.tier_since))
        if card.tier_downgrade_date:
            texts["downgrade"] = _(
                "Your tier will be lowered on %(date)s unless you qualify for it again before "
                "then.",
                date=format_date(env, card.tier_downgrade_date),
            )
        next_tier = progress["next_tier"]
        if not next_tier:
            return texts
        values = {"tier": next_tier.name, "months": progress["window_months"]}
        missing = progress["missing"]
        if missing <= 0:
            texts["progress"] = _(
                "You qualify for %(tier)s: your new tier will be applied shortly.", **values
            )
        elif progress["metric"] == "spend":
            texts["progress"] = _(
                "Spend %(amount)s more within the next %(months)s months to reach %(tier)s.",
                amount=format_amount(env, missing, next_tier.currency_id),
                **values,
            )
        elif progress["metric"] == "points":
            texts["progress"] = _(
                "Earn %(points)s more within the next %(months)s months to reach %(tier)s.",
                points=card._format_points(missing),
                **values,
            )
        else:
            texts["progress"] = _(
                "Place %(count)s more order(s) within the next %(months)s months to reach "
                "%(tier)s.",
                count=math.ceil(missing - 1e-6),
                **values,
            )
        texts["window"] = _(
            "Only the last %(months)s months count: older purchases stop counting as time goes "
            "by.",
            months=progress["window_months"],
        )
        return texts

    def _prepare_membership_values(self, card, page=1):
        history = request.env["loyalty.history"].sudo()
        domain = [("card_id", "=", card.id)]
        pager = portal_pager(
            url="/my/membership",
            total=history.search_count(domain),
            page=page,
            step=self._items_per_page,
        )
        progress = card._loyalty_tier_progress()
        return {
            "card": card,
            "progress": progress,
            "texts": self._prepare_membership_texts(card, progress),
            "history_lines": history.search(
                domain, limit=self._items_per_page, offset=pager["offset"]
            ),
            "pager": pager,
        }

    @route(
        ["/my/membership", "/my/membership/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
    )
    def portal_my_membership(self, page=1, **kw):
        values = self._prepare_portal_layout_values()
        values["page_name"] = "membership"
        card = self._loyalty_portal_card()
        values["card"] = card
        if card:
            values.update(self._prepare_membership_values(card, page=page))
        return request.render("customer_loyalty.portal_my_membership", values)
