from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackagePortal(PackageCommon, HttpCase):
    """"My Packages" in the portal shows the member's own packages and their usage, never
    another member's; the contact's "Packages" button counts the active ones."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.alice_user = cls._new_user("pkg_portal_alice", "base.group_portal")
        cls.alice_user.partner_id.write({"name": "Alice Portal", "email": "alice.p@example.com"})
        cls.holder = cls.alice_user.partner_id
        today = fields.Date.context_today(cls.Package)
        cls.mine = cls._sell(cls.holder, cls.pack_haircut, 800.0, today)
        cls.theirs = cls._sell(cls.bob, cls.pack_haircut, 900.0, today)
        cls.family = cls._sell(cls.carol, cls.pack_gym, 3650.0, today)
        cls.family.member_ids = [Command.link(cls.holder.id)]

    def test_my_packages_list_and_detail(self):
        self._use(self.mine, self.holder, self.haircut, fields.Date.context_today(self.Package),
                  quantity=2)
        self.authenticate("pkg_portal_alice", "pkg_portal_alice")
        response = self.url_open("/my/packages")
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.mine.name, response.text)
        self.assertIn("8 / 10", response.text)
        self.assertIn(self.family.name, response.text, "a family package she may use")
        self.assertNotIn(self.theirs.name, response.text)
        response = self.url_open(f"/my/packages/{self.mine.id}")
        self.assertEqual(response.status_code, 200)
        self.assertIn("8 of 10 left", response.text)
        self.assertEqual(response.text.count("o_portal_package_line"), 2, "sold, then used")
        self.assertIn("Used: Haircut", response.text)

    def test_another_members_package_is_not_found(self):
        self.authenticate("pkg_portal_alice", "pkg_portal_alice")
        response = self.url_open(f"/my/packages/{self.theirs.id}")
        self.assertEqual(response.status_code, 404)
        self.assertNotIn(self.theirs.name, response.text)
        self.assertNotIn("Bob Tran", response.text)
        self.assertEqual(self.url_open("/my/packages/999999999").status_code, 404)

    def test_portal_home_counter(self):
        self.authenticate("pkg_portal_alice", "pkg_portal_alice")
        result = self.make_jsonrpc_request("/my/counters", {"counters": ["loyalty_package_count"]})
        self.assertEqual(result["loyalty_package_count"], 2)

    def test_contact_button_counts_active_packages(self):
        self.assertEqual(self.holder.loyalty_package_count, 1)
        self.assertEqual(self.carol.loyalty_package_count, 1)
        self._use(self.mine, self.holder, self.haircut, fields.Date.context_today(self.Package),
                  quantity=10)
        self.holder.invalidate_recordset(["loyalty_package_count"])
        self.assertEqual(self.holder.loyalty_package_count, 0, "used up: not active")
        action = self.bob.action_loyalty_view_packages()
        self.assertEqual(self.env["loyalty.package"].search(action["domain"]), self.theirs)
