import re
from datetime import timedelta

from odoo import fields
from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestFeedbackPublic(HttpCase):
    """The feedback link of the customers' e-mails, answered without logging in: GET shows
    the question and changes nothing (link scanners), POST with the page's CSRF token answers
    once; wrong, altered, expired or answered links get a 4xx page, never a 500."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("vi_VN")
        Partner = cls.env["res.partner"]
        cls.hoa = Partner.create({"name": "Lê Thị Hoa", "email": "hoa@example.com",
                                  "lang": "en_US"})
        cls.minh = Partner.create({"name": "Đỗ Văn Minh", "email": "minh@example.com",
                                   "lang": "vi_VN"})
        cls.company = cls.env.company
        cls.company.name = "Hoa Mai Test Shop"
        cls.team = cls.env["crm.team"].create({
            "name": "Feedback Team", "user_id": cls.env.ref("base.user_admin").id,
            "company_id": cls.company.id,
        })

    def _request(self, partner, scale, **values):
        now = fields.Datetime.now()
        order = self.env["sale.order"].create({"partner_id": partner.id,
                                               "team_id": self.team.id})
        return self.env["loyalty.feedback.request"].create({
            "company_id": self.company.id, "partner_id": partner.id, "scale": scale,
            "trigger": "sale", "res_model": "sale.order", "res_id": order.id,
            "sale_order_id": order.id, "team_id": self.team.id, "sent_date": now,
            "expiry_date": now + timedelta(days=30), **values,
        })

    def _path(self, request):
        return f"/loyalty/feedback/{request.sudo().access_token}"

    def _csrf(self, html):
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def _reload(self, request):
        self.env.invalidate_all()
        return request

    def _callbacks(self, request):
        return self.env["mail.activity"].search([
            ("res_model", "=", "loyalty.feedback.request"), ("res_id", "=", request.id)
        ])

    def test_get_shows_the_question_and_changes_nothing(self):
        nps = self._request(self.hoa, "nps")
        response = self.url_open(self._path(nps) + "?score=3")
        self.assertEqual(response.status_code, 200)
        self.assertIn("How likely are you to recommend Hoa Mai Test Shop", response.text)
        self.assertIn('method="post"', response.text)
        # 0 to 10, the score clicked in the e-mail preselected, nothing about the customer.
        for score in range(0, 11):
            self.assertIn(f'id="loyalty_score_{score}"', response.text)
        self.assertNotIn('id="loyalty_score_11"', response.text)
        self.assertRegex(response.text, r'value="3"\s+id="loyalty_score_3" checked')
        self.assertNotIn("Lê Thị Hoa", response.text)
        self.assertNotIn("hoa@example.com", response.text)
        # A link scanner following the links, any score: nothing is recorded.
        for score in range(0, 11):
            self.assertEqual(self.url_open(self._path(nps) + f"?score={score}").status_code, 200)
        self.assertRecordValues(self._reload(nps), [{"state": "sent", "score": 0,
                                                     "answer_date": False}])
        self.assertFalse(self._callbacks(nps))

    def test_post_answers_once(self):
        csat = self._request(self.hoa, "csat")
        path = self._path(csat)
        csrf = self._csrf(self.url_open(path + "?score=2").text)
        comment = "<script>alert('x')</script> Slow checkout"
        response = self.url_open(path, data={"csrf_token": csrf, "score": "2",
                                             "comment": comment})
        self.assertEqual(response.status_code, 200)
        self.assertIn("Thank you for your feedback!", response.text)
        self.assertNotIn("<script>alert", response.text)
        self.assertRecordValues(self._reload(csat), [{
            "state": "answered", "score": 2, "comment": comment, "is_low_score": True,
        }])
        self.assertEqual(len(self._callbacks(csat)), 1)
        self.assertIn("&lt;script&gt;", str(self._callbacks(csat).note))
        # The same link again: "already answered" (409), nothing written, no second call back.
        response = self.url_open(path, data={"csrf_token": csrf, "score": "5",
                                             "comment": "changed my mind"})
        self.assertEqual(response.status_code, 409)
        self.assertIn("You have already answered this question", response.text)
        self.assertEqual(self.url_open(path).status_code, 409)
        self.assertRecordValues(self._reload(csat), [{"score": 2, "comment": comment}])
        self.assertEqual(len(self._callbacks(csat)), 1)

    def test_post_needs_the_csrf_token_and_a_score(self):
        ces = self._request(self.hoa, "ces")
        path = self._path(ces)
        self.assertEqual(self.url_open(path, data={"score": "7"}).status_code, 400)
        csrf = self._csrf(self.url_open(path).text)
        for bad in ("", "8", "0", "abc", "-1", "3.5"):
            with self.subTest(score=bad):
                response = self.url_open(path, data={"csrf_token": csrf, "score": bad})
                self.assertEqual(response.status_code, 400)
                self.assertIn("Please choose a score.", response.text)
        self.assertRecordValues(self._reload(ces), [{"state": "sent", "score": 0}])

    def test_wrong_altered_expired_links_are_refused(self):
        nps = self._request(self.hoa, "nps")
        token = nps.sudo().access_token
        tampered = ("A" if token[0] != "A" else "B") + token[1:]
        for path in (f"/loyalty/feedback/{tampered}", f"/loyalty/feedback/{token[:-1]}",
                     "/loyalty/feedback/x", "/loyalty/feedback/" + "%27%20OR%201=1--" * 3):
            with self.subTest(path=path):
                response = self.url_open(path)
                self.assertEqual(response.status_code, 404)
                self.assertIn("This link is not valid", response.text)
                self.assertIn(self.url_open(path, data={"csrf_token": "x",
                                                        "score": "9"}).status_code, (400, 404))
        expired = self._request(
            self.hoa, "csat", expiry_date=fields.Datetime.now() - timedelta(minutes=1)
        )
        response = self.url_open(self._path(expired))
        self.assertEqual(response.status_code, 410)
        self.assertIn("This link has expired", response.text)
        csrf = self._csrf(self.url_open(self._path(nps)).text)
        response = self.url_open(self._path(expired), data={"csrf_token": csrf, "score": "5"})
        self.assertEqual(response.status_code, 410)
        # Requests whose e-mail consent stopped have no working link either.
        skipped = self._request(self.hoa, "ces", state="skipped")
        self.assertEqual(self.url_open(self._path(skipped)).status_code, 404)
        self.assertRecordValues(self._reload(nps | expired), [
            {"state": "sent", "score": 0}, {"state": "sent", "score": 0},
        ])

    def test_page_in_the_customer_language(self):
        # The Vietnamese of the page's own strings comes with the catalogue; give one here.
        self.env.ref("customer_loyalty.feedback_thanks").update_field_translations(
            "arch_db", {"vi_VN": {"Thank you for your feedback!": "Cảm ơn bạn đã góp ý!"}}
        )
        csat = self._request(self.minh, "csat")
        response = self.url_open(self._path(csat))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Bỏ qua để đến Nội dung", response.text)
        csrf = self._csrf(response.text)
        response = self.url_open(self._path(csat), data={"csrf_token": csrf, "score": "5"})
        self.assertIn("Cảm ơn bạn đã góp ý!", response.text)
        # Hoa reads English.
        response = self.url_open(self._path(self._request(self.hoa, "csat")))
        self.assertIn("Skip to Content", response.text)
