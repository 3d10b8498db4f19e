import base64
import io
import logging
import secrets

import qrcode
import qrcode.image.pil

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from .loyalty_memo import forget_memo, memo_of

_logger = logging.getLogger(__name__)

# Fields of a member card that salespeople and cashiers (no Loyalty Manager group) may write:
# an allow-list, so that a field added later is protected until someone decides otherwise. The
# chatter's own bookkeeping only; points change through the ledger (see loyalty_card_points.py).
STAFF_WRITABLE_MEMBER_FIELDS = {"message_main_attachment_id"}


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    # Stored so that one partial unique index can hold "one member card per contact and
    # company" even when two transactions enrol the same customer at once.
    is_membership = fields.Boolean(
        string="Membership Card", compute="_compute_is_membership", store=True, index=True,
    )
    program_id = fields.Many2one(index=True)  # the crons and every member query filter on it
    tier_id = fields.Many2one(
        "loyalty.tier", index=True, tracking=True, ondelete="restrict", copy=False
    )
    tier_color = fields.Integer(related="tier_id.color", string="Tier Color")
    tier_since = fields.Datetime(copy=False, readonly=True)
    tier_downgrade_date = fields.Date(
        string="Downgrade On",
        copy=False,
        readonly=True,
        help="The member no longer qualifies for the tier; unless the member qualifies again, "
        "the tier is lowered on this date (end of the grace period).",
    )
    tier_reviewed_date = fields.Date(copy=False, readonly=True, index=True)
    tier_history_ids = fields.One2many("loyalty.tier.history", "card_id")

    def init(self):
        res = super().init()
        self.env.cr.execute(
            """
            CREATE UNIQUE INDEX IF NOT EXISTS loyalty_card_one_membership_per_partner
                ON loyalty_card (program_id, partner_id)
             WHERE is_membership AND active AND partner_id IS NOT NULL
            """
        )
        return res

    @api.depends("program_id")
    def _compute_is_membership(self):
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        for card in self:
            card.is_membership = card.program_id in membership

    @api.model
    def _loyalty_recompute_membership_flags(self, programs):
        """Recompute the stored membership flag of the cards of ``programs`` (a company chose
        or left a membership program), in one statement."""
        if not programs:
            return
        self.flush_model(["program_id"])
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        self.env.cr.execute(
            SQL(
                "UPDATE loyalty_card SET is_membership = program_id IN %s WHERE program_id IN %s",
                tuple(membership.ids) or (0,),
                tuple(programs.ids),
            )
        )
        self.invalidate_model(["is_membership"])

    # ------------------------------------------------------------------
    # Codes, creation and protection
    # ------------------------------------------------------------------

    @api.model
    def _generate_membership_code(self):
        """An unguessable card code: Odoo's ``044`` barcode prefix (so the POS ``coupon``
        barcode rule recognises it) followed by 80 random bits from ``secrets``."""
        return "044" + secrets.token_hex(10)

    @api.model_create_multi
    def create(self, vals_list):
        membership = self.env["res.company"].sudo().search([]).loyalty_program_id
        for vals in vals_list:
            if vals.get("program_id") in membership.ids and not vals.get("code"):
                vals["code"] = self._generate_membership_code()
        # Before the unique index refuses it anonymously.
        self._loyalty_check_new_memberships([
            (vals["program_id"], vals["partner_id"]) for vals in vals_list
            if vals.get("program_id") in membership.ids and vals.get("partner_id")
            and vals.get("active", True)
        ])
        cards = super().create(vals_list)
        cards._loyalty_forget_holders()
        members = cards.filtered(lambda c: c.is_membership and c.partner_id)
        if members:
            members._check_one_membership_per_partner()
            members.sudo()._loyalty_update_tiers(
                reason=self.env.context.get("loyalty_tier_reason", "manual"), note=_("Enrolment")
            )
        return cards

    def write(self, vals):
        members = self.filtered("is_membership")
        if members and not self._loyalty_is_privileged():
            refused = set(vals) - STAFF_WRITABLE_MEMBER_FIELDS - {"points"}
            if refused:
                raise AccessError(
                    _(
                        "Only Loyalty Managers can change member cards (here: %(fields)s).",
                        fields=", ".join(
                            sorted(self._fields[name]._description_string(self.env)
                                   for name in refused if name in self._fields)
                        ) or ", ".join(sorted(refused)),
                    )
                )
        if members and {"partner_id", "active"} & set(vals) and vals.get("active", True):
            self._loyalty_check_new_memberships(
                [(card.program_id.id, vals.get("partner_id", card.partner_id.id))
                 for card in members if vals.get("partner_id", card.partner_id.id)
                 and (card.active or vals.get("active"))],
                exclude_ids=members.ids,
            )
        # A manager setting a tier by hand (import, RPC) is recorded like the engine's changes.
        manual_tier = "tier_id" in vals and not self.env.context.get("loyalty_tier_engine")
        if manual_tier:
            new_tier = self.env["loyalty.tier"].browse(vals["tier_id"])
            changes = [(card, card.tier_id, new_tier) for card in members
                       if card.tier_id != new_tier]
            vals = {key: value for key, value in vals.items() if key != "tier_id"}
        moving = {"partner_id", "program_id", "active"} & set(vals)
        holders = self._loyalty_holders_known() if moving else None
        res = super().write(vals) if vals else True
        if holders is not None:
            self._loyalty_forget_holders(holders)
        if manual_tier and changes:
            self._loyalty_apply_tier_changes(changes, reason="manual")
        if {"partner_id", "program_id", "active"} & set(vals):
            self.filtered("is_membership")._check_one_membership_per_partner()
        return res

    def unlink(self):
        holders = self._loyalty_holders_known()
        res = super().unlink()
        if holders is not None:
            self.browse()._loyalty_forget_holders(holders)
        return res

    def _loyalty_holders_known(self):
        """Inside a confirmation (see loyalty_memo.py), the holders of these cards, else None."""
        return None if memo_of("member_cards") is None else self.partner_id

    def _loyalty_forget_holders(self, partners=None):
        """Inside a confirmation, forget the member cards known of these cards' holders (and of
        ``partners``): a card was created, deleted or changed holder, program or state."""
        if memo_of("member_cards") is None:
            return
        partner_ids = set(self.partner_id.ids) | set(partners.ids if partners else ())
        if partner_ids:
            forget_memo("member_cards", lambda key: key[1] in partner_ids)

    def _loyalty_is_privileged(self):
        return (
            self.env.su
            or self.env.uid == SUPERUSER_ID
            or self.env.user.has_group("customer_loyalty.group_loyalty_manager")
        )

    @api.model
    def _loyalty_check_new_memberships(self, pairs, exclude_ids=()):
        """Refuse, with a message, member cards about to be made for ``(program_id,
        partner_id)`` pairs that already have an active one (or twice in ``pairs``)."""
        if not pairs:
            return
        seen = set()
        existing = self.sudo()._read_group(
            [("program_id", "in", [p for p, _x in pairs]),
             ("partner_id", "in", [x for _p, x in pairs]),
             ("id", "not in", list(exclude_ids))],
            ["program_id", "partner_id"],
        )
        taken = {(program.id, partner.id) for program, partner in existing}
        for pair in pairs:
            if pair in taken or pair in seen:
                program = self.env["loyalty.program"].sudo().browse(pair[0])
                raise ValidationError(
                    _(
                        "%(partner)s already holds a card of the membership program "
                        "“%(program)s”: a member has one card per company.",
                        partner=self.env["res.partner"].browse(pair[1]).display_name,
                        program=program.name,
                    )
                )
            seen.add(pair)

    def _check_one_membership_per_partner(self):
        if not self:
            return
        groups = self._read_group(
            [
                ("program_id", "in", self.program_id.ids),
                ("partner_id", "in", self.partner_id.ids),
            ],
            ["program_id", "partner_id"],
            ["__count"],
        )
        for program, partner, count in groups:
            if count > 1:
                raise ValidationError(
                    _(
                        "%(partner)s already holds a card of the membership program "
                        "“%(program)s”: a member has one card per company.",
                        partner=partner.display_name,
                        program=program.name,
                    )
                )

    # ------------------------------------------------------------------
    # QR code, printed card, "Send Card", replacement of a lost card
    # ------------------------------------------------------------------

    # Not stored: a PNG of a few hundred bytes is rebuilt in about a millisecond from the code, so
    # storing one per member would only add attachments to keep in step with the code (a
    # replacement changes it) for no gain; it is only read on one card at a time (form, report,
    # portal), never in lists.
    qr_code = fields.Binary(
        string="QR Code",
        compute="_compute_qr_code",
        help="The card number as a QR code: scanned at the counter like the printed card.",
    )
    revoked_code_ids = fields.One2many(
        "loyalty.card.revoked", "card_id", string="Revoked Codes", readonly=True
    )

    @api.depends("code", "program_id")
    def _compute_qr_code(self):
        for card in self:
            card.qr_code = (
                base64.b64encode(self._loyalty_qr_png(card.code))
                if card.code and card.is_membership
                else False
            )

    @api.model
    def _loyalty_qr_png(self, value, box_size=10, border=4):
        """PNG bytes of a QR code of ``value`` (medium error correction: a worn card still
        scans)."""
        qr = qrcode.QRCode(
            error_correction=qrcode.constants.ERROR_CORRECT_M,
            box_size=box_size,
            border=border,
            image_factory=qrcode.image.pil.PilImage,
        )
        qr.add_data(value)
        qr.make(fit=True)
        stream = io.BytesIO()
        qr.make_image().save(stream, format="PNG")
        return stream.getvalue()

    @api.constrains("code")
    def _check_code_not_revoked(self):
        codes = [card.code for card in self if card.code]
        if not codes:
            return
        revoked = self.env["loyalty.card.revoked"].sudo().search([("code", "in", codes)], limit=1)
        if revoked:
            raise ValidationError(
                _(
                    "The card code %(code)s was revoked and cannot be used again. "
                    "Leave the code empty to get a new one.",
                    code=revoked.code,
                )
            )

    def _loyalty_check_members(self):
        if not self:
            raise UserError(_("Select at least one membership card."))
        if others := self.filtered(lambda card: not card.is_membership):
            raise UserError(
                _(
                    "These cards are not member cards: %(codes)s",
                    codes=", ".join(others.mapped("code")),
                )
            )

    def action_loyalty_print_card(self):
        """Print the member cards in ``self`` (credit-card size PDF)."""
        self._loyalty_check_members()
        return self.env.ref("customer_loyalty.action_report_member_card").report_action(self)

    def action_loyalty_send_card(self):
        """Open the e-mail composer with the member card (PDF and QR code) for its holder."""
        self.ensure_one()
        self._loyalty_check_members()
        if not self.partner_id:
            raise UserError(_("This member card has no holder to send it to."))
        if not self.has_access("write"):
            # Posting on a document needs write access on it: salespeople, cashiers and Loyalty
            # Managers have it; read-only Loyalty Users would only fail in the composer.
            raise AccessError(
                _(
                    "You cannot send member cards: ask a salesperson, a cashier or a Loyalty "
                    "Manager to send it."
                )
            )
        template = self.env.ref(
            "customer_loyalty.mail_template_member_card", raise_if_not_found=False
        )
        compose_form = self.env.ref("mail.email_compose_message_wizard_form")
        return {
            "name": _("Send Member Card"),
            "type": "ir.actions.act_window",
            "view_mode": "form",
            "res_model": "mail.compose.message",
            "views": [(compose_form.id, "form")],
            "target": "new",
            "context": {
                "default_model": "loyalty.card",
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "customer_loyalty.mail_layout_service",
                "force_email": True,
            },
        }

    def action_loyalty_replace_card(self):
        """Open the wizard that replaces a lost, stolen or damaged member card."""
        self._loyalty_check_members()
        if not self._loyalty_is_privileged():
            raise AccessError(_("Only Loyalty Managers can replace a member card."))
        return {
            "name": _("Replace Member Card"),
            "type": "ir.actions.act_window",
            "res_model": "loyalty.card.replace",
            "view_mode": "form",
            "target": "new",
            "context": {"default_card_ids": self.ids},
        }

    def _loyalty_replace_card(self, reason="lost", note=False):
        """Revoke the code of each member card in ``self`` and give the card a new one.

        The revoked code is kept in ``loyalty.card.revoked`` (so that it is recognised as revoked
        when presented again, see :meth:`_loyalty_find_by_code`); the card record, its points,
        tier and ledger stay as they are. Loyalty Managers only: like any change of a card's
        code, and because whoever replaces a card decides which physical card works.
        Returns ``{card: old_code}``."""
        self._loyalty_check_members()
        if not self._loyalty_is_privileged():
            raise AccessError(_("Only Loyalty Managers can replace a member card."))
        Revoked = self.env["loyalty.card.revoked"].sudo()
        reasons = dict(Revoked._fields["reason"]._description_selection(self.env))
        old_codes = {card: card.code for card in self}
        Revoked.create(
            [
                {
                    "card_id": card.id,
                    "code": code,
                    "reason": reason,
                    "note": note,
                    "user_id": self.env.uid,
                }
                for card, code in old_codes.items()
                if code
            ]
        )
        for card, old_code in old_codes.items():
            card.sudo().write({"code": self._generate_membership_code()})
            body = _(
                "Member card replaced (%(reason)s): code %(old)s revoked, new code %(new)s.",
                reason=reasons[reason],
                old=old_code or _("none"),
                new=card.code,
            )
            if note:
                body = f"{body} {note}"
            card.sudo().message_post(body=body, subtype_xmlid="mail.mt_note")
        _logger.info("Member cards replaced: %s (%s)", self.ids, reason)
        return old_codes

    @api.model
    def _loyalty_find_by_code(self, code):
        """Find the member card of a code presented at the counter (typed or scanned).

        Returns ``{'card': card, 'revoked': bool}``: ``card`` is the active member card holding
        ``code`` (searched with the caller's access rights and companies), or an empty recordset;
        ``revoked`` tells that ``code`` is a revoked code of a member card of the caller's
        companies (``card`` is then empty: a revoked code never opens the card), so that the
        caller can tell "revoked" from "unknown"."""
        Card = self.env["loyalty.card"]
        code = (code or "").strip()
        if not code:
            return {"card": Card, "revoked": False}
        # Codes are issued in lower case; a code typed in upper case is the same code.
        codes = list({code, code.lower()})
        card = Card.search([("code", "in", codes), ("is_membership", "=", True)], limit=1)
        if card:
            return {"card": card, "revoked": False}
        revoked = self.env["loyalty.card.revoked"].sudo().search_count(
            [("code", "in", codes), ("company_id", "in", self.env.companies.ids)], limit=1
        )
        return {"card": Card, "revoked": bool(revoked)}
