from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.http import request, route


class LoyaltyPackagePortal(CustomerPortal):
    """"My Packages": the prepaid packages the logged-in customer holds or may use (as a family
    member), with their usage history.

    Portal users have no access right on packages: they are read in sudo, always through
    ``_loyalty_portal_package_domain`` (the logged-in user's own partner), so an id of another
    customer's package in the URL gives a 404 page, never its data."""

    def _loyalty_portal_package_domain(self):
        partner = request.env.user.partner_id
        commercial = partner.commercial_partner_id
        return [
            ("company_id", "in", request.env.user.company_ids.ids),
            ("state", "!=", "cancelled"),
            "|", "|",
            ("partner_id", "child_of", commercial.id),
            ("member_ids", "=", partner.id),
            ("member_ids", "=", commercial.id),
        ]

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "loyalty_package_count" in counters:
            values["loyalty_package_count"] = request.env["loyalty.package"].sudo().search_count(
                self._loyalty_portal_package_domain()
            ) if not request.env.user._is_public() else 0
        return values

    @route("/my/packages", type="http", auth="user", website=True)
    def portal_my_packages(self, **kw):
        values = self._prepare_portal_layout_values()
        packages = request.env["loyalty.package"].sudo().search(
            self._loyalty_portal_package_domain(), order="state, date_expiry asc nulls last, id"
        )
        values.update({"page_name": "loyalty_packages", "packages": packages})
        return request.render("customer_loyalty.portal_my_packages", values)

    @route("/my/packages/<int:package_id>", type="http", auth="user", website=True)
    def portal_my_package(self, package_id, **kw):
        package = request.env["loyalty.package"].sudo().search(
            [("id", "=", package_id), *self._loyalty_portal_package_domain()], limit=1
        )
        if not package:
            raise request.not_found()
        values = self._prepare_portal_layout_values()
        values.update({
            "page_name": "loyalty_package",
            "package": package,
            "usage_lines": package.line_ids.sorted(lambda line: (line.date, line.id), reverse=True),
        })
        return request.render("customer_loyalty.portal_my_package", values)
