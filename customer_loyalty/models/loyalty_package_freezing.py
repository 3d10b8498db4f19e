from datetime import timedelta

from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class LoyaltyPackage(models.Model):
    """Freezing a package ("bảo lưu") and ending a freeze early, within the package's limits.

    Each frozen day extends the package's validity by a day (``date_expiry`` counts them)."""

    _inherit = "loyalty.package"  # pylint: disable=consider-merging-classes-inherited

    def _loyalty_check_manager(self):
        if self.env.su or self.env.user.has_group("customer_loyalty.group_loyalty_manager"):
            return
        raise AccessError(self.env._("Only a Loyalty Manager may freeze or unfreeze a package."))

    def _loyalty_counted_freezes(self):
        # A freeze called off before its first day counts no day and is no freeze.
        return self.sudo().freeze_ids.filtered(lambda freeze: freeze.days > 0)

    def _loyalty_freeze_left(self):
        """(days, freezes) the package still allows."""
        self.ensure_one()
        freezes = self._loyalty_counted_freezes()
        days = max(self.freeze_max_days - sum(freezes.mapped("days")), 0)
        count = (
            max(self.freeze_max_count - len(freezes), 0) if self.freeze_max_count else
            (1 if days else 0)
        )
        return days, count

    def action_loyalty_freeze(self):
        """Open the freeze wizard (Loyalty Managers)."""
        self.ensure_one()
        self._loyalty_check_manager()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Freeze %s", self.name),
            "res_model": "loyalty.package.freeze.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_package_id": self.id},
        }

    def _loyalty_package_freeze(self, date_from, date_to, reason):
        """Freeze the package from ``date_from`` to ``date_to`` (both frozen), or refuse why."""
        self.ensure_one()
        self._loyalty_check_manager()
        package = self.sudo()
        today = fields.Date.context_today(self)
        if package.state != "active":
            raise UserError(self.env._(
                "The package %(name)s is %(state)s: only an active package can be frozen.",
                name=package.name,
                state=dict(package._fields["state"]._description_selection(self.env))[
                    package.state],
            ))
        if not package.freeze_max_days:
            raise UserError(self.env._("The package %s cannot be frozen.", package.name))
        if not package.date_start or not package.date_expiry:
            raise UserError(self.env._(
                "The package %s has not started yet (its validity starts at the first use): "
                "there is nothing to freeze.", package.name,
            ))
        if not date_from or not date_to or date_to < date_from:
            raise UserError(self.env._("A freeze ends on or after the day it starts."))
        if date_from < today:
            raise UserError(self.env._("A freeze starts today or later, not in the past."))
        if date_from > package.date_expiry:
            raise UserError(self.env._(
                "The package %(name)s ends on %(date)s: a freeze must start by then.",
                name=package.name, date=fields.Date.to_string(package.date_expiry),
            ))
        days = (date_to - date_from).days + 1
        days_left, count_left = package._loyalty_freeze_left()
        if package.freeze_max_count and not count_left:
            raise UserError(self.env._(
                "The package %(name)s was already frozen %(count)s times, its limit.",
                name=package.name, count=package.freeze_max_count,
            ))
        if days > days_left:
            raise UserError(self.env._(
                "The package %(name)s may be frozen %(left)s more days (of %(max)s), not %(days)s.",
                name=package.name, left=days_left, max=package.freeze_max_days, days=days,
            ))
        overlap = package._loyalty_counted_freezes().filtered(
            lambda freeze: freeze.date_from <= date_to and date_from <= freeze.date_to
        )
        if overlap:
            raise UserError(self.env._(
                "The package %(name)s is already frozen from %(from)s to %(to)s.",
                name=package.name,
                **{"from": fields.Date.to_string(overlap[0].date_from),
                   "to": fields.Date.to_string(overlap[0].date_to)},
            ))
        freeze = self.env["loyalty.package.freeze"].sudo().create({
            "package_id": package.id,
            "date_from": date_from,
            "date_to": date_to,
            "reason": reason,
            "user_id": self.env.uid,
        })
        package.message_post(body=self.env._(
            "Frozen from %(from)s to %(to)s (%(days)s days): %(reason)s. Valid until %(expiry)s.",
            **{"from": fields.Date.to_string(date_from)},
            to=fields.Date.to_string(date_to), days=days, reason=reason or "",
            expiry=fields.Date.to_string(package.date_expiry),
        ))
        return freeze

    def action_loyalty_unfreeze(self):
        """End the package's ongoing or planned freeze today (Loyalty Managers): the days
        frozen so far extend its validity, the rest do not; the package is usable today."""
        self._loyalty_check_manager()
        today = fields.Date.context_today(self)
        for package in self.sudo():
            freezes = package._loyalty_counted_freezes().filtered(
                lambda freeze: freeze.date_to >= today
            )
            if not freezes:
                raise UserError(self.env._("The package %s is not frozen.", package.name))
            for freeze in freezes:
                # A freeze not started yet ends the day before it starts: no day at all.
                freeze.date_to = max(today, freeze.date_from) - timedelta(days=1)
            package.message_post(body=self.env._(
                "Unfrozen on %(date)s (%(days)s days frozen in all). Valid until %(expiry)s.",
                date=fields.Date.to_string(today), days=package.frozen_days,
                expiry=fields.Date.to_string(package.date_expiry),
            ))
        return True
