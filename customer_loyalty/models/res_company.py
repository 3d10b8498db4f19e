from odoo import _, api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from .loyalty_memo import memo_of


class ResCompany(models.Model):
    _inherit = "res.company"

    loyalty_program_id = fields.Many2one(
        "loyalty.program",
        string="Membership Program",
        domain="[('program_type', '=', 'loyalty'), ('company_id', 'in', [id, False])]",
        help="The loyalty program whose cards are this company's member cards.",
    )
    loyalty_auto_enroll = fields.Boolean(
        string="Enrol Customers Automatically",
        help="Give a member card to a customer at their first confirmed order.",
    )
    loyalty_tier_ids = fields.One2many("loyalty.tier", "company_id", string="Membership Tiers")

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._loyalty_install_membership()
        self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        return companies

    def write(self, vals):
        if "loyalty_program_id" not in vals:
            return super().write(vals)
        old_programs = self.loyalty_program_id
        res = super().write(vals)
        self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        new_programs = self.loyalty_program_id - old_programs
        Card = self.env["loyalty.card"].sudo()
        Card._loyalty_recompute_membership_flags(old_programs | new_programs)
        if new_programs:
            self._loyalty_open_ledgers(new_programs)
        return res

    @api.constrains("loyalty_program_id")
    def _check_loyalty_program_company(self):
        for company in self.filtered("loyalty_program_id"):
            program = company.loyalty_program_id
            if program.company_id != company:
                raise ValidationError(
                    _(
                        "The membership program of %(company)s must belong to it: “%(program)s” "
                        "is a program of %(other)s. Set its company to %(company)s, or choose "
                        "another program.",
                        company=company.name,
                        program=program.name,
                        other=program.company_id.name or _("every company"),
                    )
                )

    def _loyalty_open_ledgers(self, programs):
        """An existing loyalty program became a membership program: each of its cards that
        already holds points gets one opening line, so that its balance is kept and explained
        by its ledger from now on. Set-wise: one query finds what the ledgers do not explain."""
        self.env["loyalty.card"].flush_model(["points", "program_id"])
        self.env["loyalty.history"].flush_model(["card_id", "issued", "used"])
        self.env.cr.execute(
            SQL(
                """
                SELECT card.id, card.points - COALESCE(SUM(h.issued - h.used), 0)
                  FROM loyalty_card card
                  LEFT JOIN loyalty_history h ON h.card_id = card.id
                 WHERE card.program_id IN %s
                 GROUP BY card.id
                HAVING ABS(card.points - COALESCE(SUM(h.issued - h.used), 0)) > 0.005
                """,
                tuple(programs.ids),
            )
        )
        rows = self.env.cr.fetchall()
        if not rows:
            return
        # The balances stay as they are: the opening lines explain them. They are written with
        # balance_after set by hand, outside the ledger writer (which would add them again).
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO loyalty_history (card_id, partner_id, entry_type, issued, used,
                                             balance_after, description, user_id,
                                             create_uid, create_date, write_uid, write_date)
                SELECT card.id, card.partner_id, 'adjustment', GREATEST(v.gap, 0),
                       GREATEST(-v.gap, 0), card.points, %s, %s,
                       %s, NOW() AT TIME ZONE 'UTC', %s, NOW() AT TIME ZONE 'UTC'
                  FROM (VALUES %s) AS v(id, gap)
                  JOIN loyalty_card card ON card.id = v.id
                """,
                _("Opening balance (the program became the membership program)"),
                self.env.uid,
                self.env.uid,
                self.env.uid,
                SQL(", ").join(SQL("(%s, %s::numeric)", card_id, gap) for card_id, gap in rows),
            )
        )
        self.env["loyalty.history"].invalidate_model()

    def _loyalty_enroll(self, partners, reason="manual"):
        """Give ``partners`` a member card of this company (those who have one keep it) and
        return all their member cards. Two transactions enrolling the same customer at once
        (a sales order and a POS order) make one card: the contacts' rows are locked and
        marked as changed, so the second transaction waits, then fails with a serialisation
        error that Odoo retries, and its retry finds the card; a unique index is the last
        guard."""
        self.ensure_one()
        program = self.loyalty_program_id
        if not program or not partners:
            return self.env["loyalty.card"]
        existing = self._loyalty_member_cards(partners)
        new = partners - existing.partner_id
        if not new:
            return existing
        self.env.cr.execute(
            SQL(
                "UPDATE res_partner SET write_date = write_date WHERE id IN %s",
                tuple(sorted(new.ids)),
            )
        )
        # Searched again under the lock, not taken from a confirmation's memo.
        self.env["loyalty.card"]._loyalty_forget_holders(new)
        existing = self._loyalty_member_cards(partners)
        new = partners - existing.partner_id
        if not new:
            return existing
        cards = self.env["loyalty.card"].sudo().with_company(self).with_context(
            loyalty_tier_reason=reason
        ).create([{"program_id": program.id, "partner_id": p.id} for p in new])
        self._loyalty_member_cards_remember(partners.ids, existing | cards)
        return existing | cards

    def unlink(self):
        res = super().unlink()
        self.env.registry.clear_cache()  # loyalty.program._loyalty_membership_program_ids
        return res

    @api.model
    def _loyalty_default_tier_values(self, currency):
        """Member / Silver / Gold / VIP on yearly spend; amounts scaled to the currency
        (Vietnamese đồng and other zero-decimal currencies get amounts in their own unit)."""
        scale = 25000 if currency.decimal_places == 0 else 1
        return [
            {"name": _("Member"), "sequence": 10, "threshold": 0, "color": 0, "multiplier": 1.0},
            {"name": _("Silver"), "sequence": 20, "threshold": 200 * scale, "color": 8,
             "multiplier": 1.2},
            {"name": _("Gold"), "sequence": 30, "threshold": 800 * scale, "color": 3,
             "multiplier": 1.5},
            {"name": _("VIP"), "sequence": 40, "threshold": 2000 * scale, "color": 1,
             "multiplier": 2.0},
        ]

    def _loyalty_install_membership(self):
        """Give every company (all of them when called on an empty recordset) a membership
        program and the four default tiers, unless it already has them. Safe to call again."""
        companies = self or self.sudo().search([])
        Program = self.env["loyalty.program"].sudo()
        for company in companies.sudo():
            if not company.loyalty_program_id:
                Program = Program.with_company(company)
                defaults = Program._program_type_default_values()["loyalty"]
                # 1 point per currency unit; per 1,000 units for zero-decimal currencies (VND).
                per_unit = 0.001 if company.currency_id.decimal_places == 0 else 1.0
                defaults["rule_ids"] = [
                    (5, 0, 0),
                    (0, 0, {"reward_point_mode": "money", "reward_point_amount": per_unit}),
                ]
                # A discount per point worth 5% of what earned it (1 point = 1/20 of the unit).
                defaults["reward_ids"] = [
                    (5, 0, 0),
                    (0, 0, {
                        "reward_type": "discount",
                        "discount_mode": "per_point",
                        "discount": 0.05 / per_unit,
                        "discount_applicability": "order",
                        "required_points": 100,
                    }),
                ]
                program = Program.create(
                    {
                        **defaults,
                        "name": _("Membership"),
                        "program_type": "loyalty",
                        "company_id": company.id,
                        "portal_point_name": _("Points"),
                    }
                )
                company.loyalty_program_id = program
                company._loyalty_translate_defaults(program=program)
            if not self.env["loyalty.tier"].sudo().search_count([("company_id", "=", company.id)]):
                tiers = self.env["loyalty.tier"].sudo().create(
                    [
                        dict(vals, company_id=company.id)
                        for vals in self._loyalty_default_tier_values(company.currency_id)
                    ]
                )
                company._loyalty_translate_defaults(tiers=tiers)
        return True

    def _loyalty_translate_defaults(self, program=None, tiers=None):
        """Records made in Python get only the current language's words: give the default
        program, its reward and the default tiers their names in every installed language
        (the addon's catalogue, e.g. vi.po, translates them)."""
        self.ensure_one()
        for code, _name in self.env["res.lang"].get_installed():
            if code == (self.env.lang or "en_US"):
                continue
            env = self.with_context(lang=code).env
            if program:
                program = program.with_env(env)
                program.write({"name": env._("Membership"), "portal_point_name": env._("Points")})
                for reward in program.reward_ids:
                    reward._compute_description()
            if tiers:
                defaults = self.with_env(env)._loyalty_default_tier_values(self.currency_id)
                by_sequence = {vals["sequence"]: vals["name"] for vals in defaults}
                for tier in tiers.with_env(env):
                    if tier.sequence in by_sequence:
                        tier.name = by_sequence[tier.sequence]

    def _loyalty_member_cards(self, partners):
        """Return the membership cards of ``partners`` in this company."""
        self.ensure_one()
        if not self.loyalty_program_id or not partners:
            return self.env["loyalty.card"]
        Card = self.env["loyalty.card"].sudo()
        # Inside a confirmation, each customer's cards are searched once (see loyalty_memo.py).
        # {(company_id, partner_id): card ids}, of active cards only
        memo = memo_of("member_cards") if self.env.context.get("active_test", True) else None
        known = memo if memo is not None else {}
        missing = [pid for pid in partners.ids if (self.id, pid) not in known]
        if not missing:
            return Card.browse(sorted({cid for pid in partners.ids for cid in known[self.id, pid]}))
        domain = [
            ("program_id", "=", self.loyalty_program_id.id),
            ("partner_id", "in", missing),
        ]
        # Fetched with the search: every caller (order confirmation, POS, partner fields) reads
        # these fields right after, which would be a second query.
        cards = Card.search_fetch(
            domain,
            ["program_id", "partner_id", "company_id", "tier_id", "points", "code",
             "is_membership", "active", "tier_metric_cache"],
        )
        if memo is None:
            return cards
        self._loyalty_member_cards_remember(missing, cards)
        return Card.browse(sorted({cid for pid in partners.ids for cid in known[self.id, pid]}))

    def _loyalty_member_cards_remember(self, partner_ids, cards):
        """Inside a confirmation, remember ``cards`` as all the member cards of ``partner_ids``."""
        memo = memo_of("member_cards")
        if memo is None or not self.env.context.get("active_test", True):
            return
        for partner_id in partner_ids:
            memo[self.id, partner_id] = ()
        for card in cards:
            key = (self.id, card.partner_id.id)
            memo[key] = (*memo.get(key, ()), card.id)
