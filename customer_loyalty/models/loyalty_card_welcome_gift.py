"""Welcome gifts: a tier's gift of occasion "welcome" is given when a member reaches the tier
for the first time, through the tier engine (``_loyalty_apply_tier_changes``), set-wise."""

# A loyalty.card class of its own: one concern per file (see STYLE.md).
# pylint: disable=consider-merging-classes-inherited

from collections import defaultdict

from odoo import _, models


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    def _loyalty_apply_tier_changes(
        self, changes, reason, order=None, note=False, now=None, pos_order=None
    ):
        history = super()._loyalty_apply_tier_changes(
            changes, reason, order=order, note=note, now=now, pos_order=pos_order
        )
        if history:
            self._loyalty_give_welcome_gifts(changes, history, order=order, pos_order=pos_order)
        return history

    def _loyalty_give_welcome_gifts(self, changes, history, order=None, pos_order=None):
        """Give the welcome gifts of the tiers that the upgrades of ``changes`` (``[(card, old,
        new)]``, recorded as ``history``) reach for the first time: the new tier and every tier
        skipped on the way up. A tier at or below the highest tier the member held before (in
        its tier history) was reached already, so a re-upgrade after a downgrade gives nothing;
        the gift journal's unique key (member, "welcome", tier) is the last guard. One query for
        the rules, one for the past tiers, one insert for the gifts."""
        upgrades = [
            (card, old, new) for card, old, new in changes
            if new and (not old or new._rank_key() > old._rank_key())
        ]
        if not upgrades:
            return self.env["loyalty.member.gift"]
        cards = self.browse({card.id for card, _old, _new in upgrades})
        Gift = self.env["loyalty.tier.gift"]
        if not set(cards.company_id.ids) & Gift._loyalty_welcome_company_ids():
            return self.env["loyalty.member.gift"]  # (cached) no welcome gift: nothing to read
        rules = Gift.sudo().search(
            [("occasion", "=", "welcome"), ("company_id", "in", cards.company_id.ids)]
        )
        if not rules:
            return self.env["loyalty.member.gift"]
        rule_of_tier = {rule.tier_id: rule for rule in rules}
        highest = defaultdict(lambda: self.env["loyalty.tier"]._rank_key())
        past = self.env["loyalty.tier.history"].sudo().search_fetch(
            [("card_id", "in", cards.ids), ("id", "not in", history.ids)],
            ["card_id", "old_tier_id", "new_tier_id"],
        )
        for line in past:
            for tier in line.old_tier_id | line.new_tier_id:
                highest[line.card_id.id] = max(highest[line.card_id.id], tier._rank_key())
        requests = []
        for card, old, new in upgrades:
            floor = max(highest[card.id], old._rank_key())
            for tier, rule in rule_of_tier.items():
                if (
                    tier.company_id == card.company_id
                    and floor < tier._rank_key() <= new._rank_key()
                ):
                    requests.append(rule._loyalty_gift_request(card, tier.id))
            # Two changes of one card in one batch: the second starts above the first.
            highest[card.id] = max(highest[card.id], new._rank_key())
        gifts = self.env["loyalty.member.gift"]._loyalty_give(requests)
        if gifts:
            self._loyalty_notify_welcome_gifts(gifts, order=order, pos_order=pos_order)
        return gifts

    def _loyalty_notify_welcome_gifts(self, gifts, order=None, pos_order=None):
        """Say on the member's chatter (and on the order that triggered it) what was given, so
        that the salesperson or cashier can tell the member."""
        by_card = defaultdict(lambda: self.env["loyalty.member.gift"])
        for gift in gifts.sudo():
            by_card[gift.card_id] |= gift
        for card, card_gifts in by_card.items():
            parts = []
            for gift in card_gifts.sorted(lambda g: g.tier_id._rank_key()):
                what = []
                if gift.points:
                    what.append(card._format_points(gift.points))
                if gift.coupon_id:
                    what.append(_("coupon %(code)s", code=gift.coupon_id.code))
                parts.append(
                    _("%(tier)s: %(gift)s", tier=gift.tier_id.name, gift=", ".join(what))
                )
            body = _(
                "Welcome gift for %(member)s, who reached a new tier: %(gifts)s.",
                member=card.partner_id.display_name,
                gifts="; ".join(parts),
            )
            # Notes, logged without the notification machinery (see _loyalty_notify_tier_change).
            for record in (card.partner_id, order, pos_order):
                if record:
                    record.sudo()._message_log(body=body)
