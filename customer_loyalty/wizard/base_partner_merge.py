from odoo import _, models

from ..models.loyalty_card_points import loyalty_points_flow


class MergePartnerAutomatic(models.TransientModel):
    """Merging two members moves the ledger, not a total: loyalty's merge adds the cards'
    points up on one card and zeroes the others by hand, without a ledger line."""

    _inherit = "base.partner.merge.automatic.wizard"

    def _update_foreign_keys(self, src_partners, dst_partner):
        res = super()._update_foreign_keys(src_partners, dst_partner)
        # The merged contacts' orders are the surviving contact's now: its member cards are
        # upgraded at once if they qualify (downgrades wait for the daily review, as always).
        cards = self.env["loyalty.card"].sudo().search(
            [("partner_id", "=", dst_partner.id), ("is_membership", "=", True)]
        )
        cards._loyalty_update_tiers(
            reason="manual", allow_downgrade=False, note=_("Contacts merged")
        )
        return res

    def _merge_loyalty_cards(self, src_partners, dst_partner):
        self._loyalty_merge_member_cards(src_partners, dst_partner)
        # What is left for Odoo's merge are the other programs' cards: its hand-made changes of
        # member balances, if any, are dropped (the ledger lines above moved them).
        with loyalty_points_flow():
            return super()._merge_loyalty_cards(src_partners, dst_partner)

    def _loyalty_merge_member_cards(self, src_partners, dst_partner):
        """For each company, the member card of ``dst_partner`` (or, when it has none, the
        first merged member's card, given to it) receives the points of the other cards: per
        merged card, one ``merge`` line per expiry date of what is left of its points (so their
        expiry dates survive), linked to the merged card; the merged card gets the line that
        empties it and is archived, pointing to the card that took its points. Tier history
        stays on the cards; the surviving card's tier is re-evaluated (upgrades at once)."""
        Card = self.env["loyalty.card"].sudo()
        History = self.env["loyalty.history"].sudo()
        cards = Card.search([("partner_id", "in", src_partners.ids), ("is_membership", "=", True)])
        for program in cards.program_id:
            merged = cards.filtered(lambda c, p=program: c.program_id == p)
            target = Card.search(
                [("partner_id", "=", dst_partner.id), ("program_id", "=", program.id)], limit=1
            ) or merged[0]
            merged -= target
            if not merged:
                continue
            (merged | target)._loyalty_lock()
            batches = History._loyalty_remaining_batches(merged)
            vals_list = []
            for card in merged:
                balance = card.points
                remaining = batches.get(card.id, [])
                if abs(sum(p for _e, p in remaining) - max(balance, 0.0)) > 0.01:
                    # A ledger whose batches do not add up to its balance (lines written before
                    # the addon): move the balance as one batch.
                    remaining = [(False, balance)] if balance > 0 else []
                note = target._loyalty_member_env()._(
                    "Contacts merged: points of card %(code)s (%(name)s)",
                    code=card.code, name=card.partner_id.display_name,
                )
                for expiry_date, points in remaining:
                    vals_list.append({
                        "card_id": target.id, "entry_type": "merge", "issued": points,
                        "expiry_date": expiry_date, "merged_card_id": card.id,
                        "description": note,
                    })
                # What the merged card owes (a negative balance) moves too.
                debt = max(-balance, 0.0)
                if debt:
                    vals_list.append({
                        "card_id": target.id, "entry_type": "merge", "used": debt,
                        "merged_card_id": card.id, "description": note,
                    })
                if balance:
                    vals_list.append({
                        "card_id": card.id, "entry_type": "merge",
                        "used": max(balance, 0.0), "issued": debt,
                        "merged_card_id": target.id,
                        "description": card._loyalty_member_env()._(
                            "Contacts merged: points moved to card %(code)s", code=target.code
                        ),
                    })
            History.create(vals_list)
            merged.write({"active": False, "merged_into_id": target.id})
            if target.partner_id != dst_partner:
                target.write({"partner_id": dst_partner.id})
