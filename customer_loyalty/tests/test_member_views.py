import re

from odoo.addons.customer_loyalty.models.loyalty_tier import TIER_COLORS
from odoo.tests import tagged
from odoo.tools import file_open, safe_eval

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestMemberViews(LoyaltyCommon):
    """What staff do with the Members list: find a member, rank members, read their points."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice.write({"phone": "+84 90 312 4501", "email": "alice.nguyen@example.com"})
        cls.bob.write({"phone": False, "mobile": "0912 555 777"})
        cls.carol.phone = "+84 28 3822 6688"
        cls._enrol(cls.alice | cls.bob | cls.carol)
        # 1 point per dollar: Alice 1,500 (Silver), Bob 300 (Member), Carol 12,345 (Gold).
        cls._confirm_order(cls.alice, 1500)
        cls._confirm_order(cls.bob, 300)
        cls._confirm_order(cls.carol, 12345)
        cls.action = cls.env["ir.actions.act_window"]._for_xml_id(
            "customer_loyalty.action_loyalty_members"
        )

    def _search_field(self, field_name, string=None):
        """The filter domain of a field of the Members search view."""
        arch = self.env.ref("customer_loyalty.loyalty_member_card_view_search").arch
        for attrs in re.finditer(r"<field ([^>]*)/>", arch):
            node = dict(re.findall(r'(\w+)="([^"]*)"', attrs.group(1)))
            if node["name"] == field_name and (string is None or node.get("string") == string):
                return node
        raise AssertionError(f"no field {field_name} in the search view")

    def _find(self, text, field_name="partner_id", string="Member"):
        node = self._search_field(field_name, string)
        domain = (
            safe_eval.safe_eval(node["filter_domain"].replace("&amp;", "&"), {"self": text})
            if "filter_domain" in node else [(field_name, "ilike", text)]
        )
        # The demo shop's members are in another company (one has Alice's number).
        domain += [("company_id", "=", self.company.id)]
        cards = self.env["loyalty.card"].search(safe_eval.safe_eval(self.action["domain"]) + domain)
        return cards.partner_id

    def test_search_members_by_name_phone_email_code(self):
        card = self._card(self.alice)
        for text in ("Alice", "alice.nguyen@", "0903 124 501", "903124501", "+84903124501",
                     "+84 90 312 4501", "312 45", card.code, card.code[:12]):
            with self.subTest(text=text):
                self.assertEqual(self._find(text), self.alice)
        # The mobile counts as well; a number nobody has finds nobody.
        self.assertEqual(self._find("0912555777"), self.bob)
        self.assertFalse(self._find("0987 000 111"))
        # The Phone field of the search view alone.
        self.assertEqual(self._find("090 312 4501", "member_phone", None), self.alice)
        self.assertEqual(self._find("+84 28", "member_phone", None), self.carol)

    def test_members_sorted_by_points_and_tier(self):
        domain = [
            *safe_eval.safe_eval(self.action["domain"]), ("company_id", "=", self.company.id)
        ]
        Card = self.env["loyalty.card"]
        self.assertEqual(
            Card.search(domain, order="points desc").partner_id.mapped("name"),
            ["Carol Le", "Alice Nguyen", "Bob Tran"],
        )
        # The tier column sorts by the tiers' order: Member, Silver, Gold.
        self.assertEqual(
            Card.search(domain, order="tier_id desc").tier_id.mapped("name"),
            ["Gold", "Silver", "Member"],
        )
        # The Top Members list sorts by points, highest first.
        top = self.env.ref("customer_loyalty.loyalty_member_card_view_list_top")
        order = re.search(r'default_order="([^"]*)"', Card.get_view(top.id)["arch"]).group(1)
        self.assertEqual(Card.search(domain, order=order)[0].partner_id, self.carol)
        # Grouped by tier, each group adds up its points.
        groups = Card._read_group(domain, ["tier_id"], ["points:sum", "__count"])
        self.assertEqual(
            {tier.name: (points, count) for tier, points, count in groups},
            {"Member": (300, 1), "Silver": (1500, 1), "Gold": (12345, 1)},
        )

    def test_points_with_thousands_separators(self):
        card = self._card(self.carol).with_context(lang="en_US")
        self.assertEqual(card.points, 12345)
        self.assertEqual(card.points_display, f"12,345 {card.point_name}".strip())
        self.assertEqual(card._format_points(1234.5), f"1,234.50 {card.point_name}".strip())


@tagged("post_install", "-at_install")
class TestTierColours(LoyaltyCommon):
    """One list of tier colours: Odoo's colour indexes, as the back end's badges show them."""

    def test_tier_colours_are_odoos(self):
        with file_open("web/static/src/scss/secondary_variables.scss") as scss:
            o_colors = re.search(r"\$o-colors:([^;!]*)", scss.read()).group(1)
        self.assertEqual(TIER_COLORS, re.findall(r"#[0-9a-fA-F]{6}", o_colors))
        self.assertEqual(len(TIER_COLORS), 12)

    def test_badges_in_the_tier_colour(self):
        """Every tier shown in the back end uses the coloured badge with the tier's colour."""
        views = {
            "res.partner": ["form", "list", "kanban"],
            "sale.order": ["form"],
            "crm.lead": ["form"],
        }
        member_views = ("loyalty_member_card_view_list", "loyalty_member_card_view_kanban",
                        "loyalty_member_card_view_form")
        # The admin, a Loyalty manager: the badges are for Loyalty users.
        env = self.env(user=self.env.ref("base.user_admin"), context={})
        archs = [
            env[model].get_view(view_type=view_type)["arch"]
            for model, view_types in views.items() for view_type in view_types
        ] + [
            env["loyalty.card"].get_view(self.env.ref(f"customer_loyalty.{xmlid}").id)["arch"]
            for xmlid in member_views
        ]
        for arch in archs:
            badges = re.findall(r'<field name="(\w*tier_id)"[^>]*widget="(\w+)"[^>]*>', arch)
            self.assertTrue(badges)
            self.assertEqual({widget for _name, widget in badges}, {"loyalty_tier_badge"})
            self.assertIn("'color_field':", arch)
