import re

from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestConsentUnsubscribe(HttpCase):
    """The unsubscribe link of the members' e-mails, used without logging in."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        Partner = cls.env["res.partner"]
        cls.hoa = Partner.create({"name": "Lê Thị Hoa", "email": "hoa@example.com"})
        cls.minh = Partner.create({"name": "Đỗ Văn Minh", "email": "minh@example.com",
                                   "lang": "vi_VN"})

    def _path(self, partner, purpose, token=None):
        token = token or partner._loyalty_unsubscribe_token(purpose)
        return f"/loyalty/unsubscribe/{partner.id}/{purpose}/{token}"

    def _csrf(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def _journal(self, partner):
        self.env.invalidate_all()
        return self.env["loyalty.consent"].search([("partner_id", "=", partner.id)])

    def _contactable(self, partner, purpose):
        self.env.invalidate_all()
        return self.env["res.partner"]._loyalty_contactable(partner.ids, "email", purpose)

    def test_get_shows_a_confirmation_and_changes_nothing(self):
        response = self.url_open(self._path(self.hoa, "marketing"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Do you want to stop receiving", response.text)
        self.assertIn("Promotions", response.text)
        self.assertIn('method="post"', response.text)
        # Nothing about the contact on the page.
        self.assertNotIn("hoa@example.com", response.text)
        self.assertNotIn("Lê Thị Hoa", response.text)
        self.assertFalse(self._journal(self.hoa))
        self.assertEqual(self._contactable(self.hoa, "marketing"), self.hoa)

    def test_post_records_the_opt_out_with_date_and_source(self):
        path = self._path(self.hoa, "marketing")
        csrf = self._csrf(self.url_open(path).text)
        before = self.env.cr.now()
        response = self.url_open(path, data={"csrf_token": csrf})
        self.assertEqual(response.status_code, 200)
        self.assertIn("You are unsubscribed", response.text)
        line = self._journal(self.hoa)
        self.assertRecordValues(line, [{
            "channel": "email", "purpose": "marketing", "opt_out": True,
            "source": "unsubscribe", "user_id": self.env.ref("base.public_user").id,
        }])
        self.assertGreaterEqual(line.date, before.replace(microsecond=0))
        self.assertFalse(self._contactable(self.hoa, "marketing"))
        # The other purposes still reach her, and she is not blacklisted.
        self.assertEqual(self._contactable(self.hoa, "gift"), self.hoa)
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "hoa@example.com")]))

    def test_post_everything_is_the_email_blacklist(self):
        path = self._path(self.hoa, "gift")
        csrf = self._csrf(self.url_open(path).text)
        response = self.url_open(path, data={"csrf_token": csrf, "scope": "all"})
        self.assertIn("You will not receive any e-mail", response.text)
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", "hoa@example.com")]))
        for purpose in ("reminder", "service", "gift", "marketing"):
            self.assertFalse(self._contactable(self.hoa, purpose))
        self.assertEqual(
            sorted(self._journal(self.hoa).mapped("purpose")), ["all", "gift"]
        )

    def test_page_in_the_customer_language(self):
        # Minh reads Vietnamese, Hoa English (Odoo's own "Skip to Content" of the page shows
        # it; the addon's strings follow with the catalogue).
        response = self.url_open(self._path(self.minh, "gift"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Bỏ qua để đến Nội dung", response.text)
        response = self.url_open(self._path(self.hoa, "gift"))
        self.assertIn("Skip to Content", response.text)

    def test_tampered_or_foreign_tokens_are_refused(self):
        good = self.hoa._loyalty_unsubscribe_token("marketing")
        tampered = ("0" if good[0] != "0" else "1") + good[1:]
        attempts = [
            self._path(self.hoa, "marketing", tampered),
            # Minh's token on Hoa's link, Hoa's marketing token for another purpose.
            self._path(self.hoa, "marketing", self.minh._loyalty_unsubscribe_token("marketing")),
            self._path(self.hoa, "gift", good),
            # A purpose that does not exist, a contact that does not exist.
            self._path(self.hoa, "newsletter", good),
            f"/loyalty/unsubscribe/999999999/marketing/{good}",
        ]
        for path in attempts:
            with self.subTest(path=path):
                self.assertEqual(self.url_open(path).status_code, 403)
                response = self.url_open(path, data={"csrf_token": "x"})
                self.assertIn(response.status_code, (400, 403))
        response = self.url_open(self._path(self.hoa, "marketing", tampered))
        self.assertIn("This link is not valid", response.text)
        self.assertFalse(self._journal(self.hoa))

    def test_post_without_csrf_token_is_refused(self):
        response = self.url_open(self._path(self.hoa, "marketing"), data={"scope": "all"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._journal(self.hoa))
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", "hoa@example.com")]))

    def test_one_click_from_the_mail_client(self):
        path = self._path(self.minh, "reminder") + "/oneclick"
        response = self.url_open(path, data={"List-Unsubscribe": "One-Click"})
        self.assertEqual(response.status_code, 200)
        self.assertRecordValues(self._journal(self.minh), [{
            "purpose": "reminder", "opt_out": True, "source": "unsubscribe",
            "note": "List-Unsubscribe",
        }])
        # By GET (a link scanner) nothing happens.
        self.assertEqual(self.url_open(self._path(self.hoa, "reminder") + "/oneclick").status_code,
                         405)
        bad = self._path(self.hoa, "reminder", "f" * 64) + "/oneclick"
        self.assertEqual(self.url_open(bad, data={"List-Unsubscribe": "One-Click"}).status_code,
                         403)
        self.assertFalse(self._journal(self.hoa))
