from datetime import date, datetime

from freezegun import freeze_time

from odoo.exceptions import AccessError, UserError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from .common import LoyaltyCommon


@tagged("post_install", "-at_install")
class TestFeedbackRequest(LoyaltyCommon):
    """The daily run asks CSAT and NPS 2 days after a confirmed order (the company's default
    delay), once per order and scale, by one e-mail per order to customers who accept
    membership and care e-mails; answers land on the order and the contact; a low score gives
    the sales team's leader a call-back activity due the next day."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Only the test company is asked (the demo companies' orders stay out of the counts).
        cls.env["res.company"].search([("id", "!=", cls.company.id)]).write(
            {"loyalty_feedback_enabled": False}
        )
        cls.leader = cls._new_user("lena_leader", "sales_team.group_sale_manager")
        cls.salesman = cls._new_user("sam_sales", "sales_team.group_sale_salesman")
        cls.cashier = cls._new_user("cathy_cashier", "point_of_sale.group_pos_user")
        cls.team = cls.env["crm.team"].create({
            "name": "Feedback Team", "company_id": cls.company.id, "user_id": cls.leader.id,
        })
        with freeze_time("2026-02-01 09:00:00"):
            cls._enrol(cls.alice)
        with freeze_time("2026-03-01 09:00:00"):
            cls.order = cls._confirm_order(cls.alice, 300.0)
        cls.order.write({"team_id": cls.team.id, "user_id": cls.salesman.id})

    def _run(self, when):
        with freeze_time(when):
            self.env["loyalty.feedback.request"]._cron_send_feedback_requests()

    def _requests(self, order=None):
        return self.env["loyalty.feedback.request"].search(
            [("sale_order_id", "=", (order or self.order).id)]
        ).sorted("scale")

    def _answer(self, request, score, comment=None, when="2026-03-04 12:00:00"):
        with freeze_time(when):
            return request._loyalty_record_answer(score, comment)

    def _mails(self, requests):
        return self.env["mail.mail"].search(
            [("model", "=", "loyalty.feedback.request"), ("res_id", "in", requests.ids)]
        )

    def _callbacks(self, requests):
        return self.env["mail.activity"].search([
            ("res_model", "=", "loyalty.feedback.request"), ("res_id", "in", requests.ids),
            ("activity_type_id", "=",
             self.env.ref("customer_loyalty.mail_activity_type_feedback_callback").id),
        ])

    def test_asked_after_the_delay_once_by_one_email(self):
        self._run("2026-03-02 09:00:00")
        self.assertFalse(self._requests(), "1 day after the order: not yet")
        self._run("2026-03-03 10:00:00")
        requests = self._requests()
        self.assertRecordValues(requests, [
            {"scale": "csat", "trigger": "sale", "state": "sent", "partner_id": self.alice.id,
             "user_id": self.salesman.id, "team_id": self.team.id,
             "tier_id": self.tier_member.id, "res_model": "sale.order", "res_id": self.order.id},
            {"scale": "nps", "trigger": "sale", "state": "sent", "partner_id": self.alice.id,
             "user_id": self.salesman.id, "team_id": self.team.id,
             "tier_id": self.tier_member.id, "res_model": "sale.order", "res_id": self.order.id},
        ])
        self.assertEqual(requests[0].expiry_date, datetime(2026, 4, 2, 10, 0))
        mail = self._mails(requests)
        self.assertEqual(len(mail), 1, "one e-mail for both questions")
        self.assertEqual(mail.recipient_ids, self.alice)
        csat, nps = requests
        # CSAT 1-5 and NPS 0-10 buttons, each a link to its own question.
        for score in range(1, 6):
            self.assertIn(f"/loyalty/feedback/{csat.sudo().access_token}?score={score}",
                          mail.body_html)
        for score in range(0, 11):
            self.assertIn(f"/loyalty/feedback/{nps.sudo().access_token}?score={score}",
                          mail.body_html)
        self.assertNotIn(f"{csat.sudo().access_token}?score=6", mail.body_html)
        self.assertIn("/loyalty/unsubscribe/", mail.body_html)
        self.assertIn("List-Unsubscribe", mail.headers)
        # A second run (also days later) asks nothing again.
        self._run("2026-03-04 10:00:00")
        self.assertEqual(self._requests(), requests)
        self.assertEqual(len(self._mails(self._requests())), 1)
        self.assertNotEqual(csat.sudo().access_token, nps.sudo().access_token)

    def test_old_orders_and_quotations_are_not_asked(self):
        self._run("2026-03-20 10:00:00")  # 19 days: past the 2 + 14 days
        self.assertFalse(self._requests())
        with freeze_time("2026-03-01 09:00:00"):
            quotation = self.env["sale.order"].create({
                "partner_id": self.bob.id, "company_id": self.company.id,
            })
        self._run("2026-03-03 10:00:00")
        self.assertFalse(self._requests(quotation))

    def test_scales_follow_the_settings(self):
        self.company.loyalty_feedback_nps = False
        self._run("2026-03-03 10:00:00")
        self.assertEqual(self._requests().mapped("scale"), ["csat"])

    def test_opted_out_customer_is_not_emailed(self):
        self.alice._loyalty_record_consent([(self.alice, "email", "service", True)], "staff")
        self._run("2026-03-03 10:00:00")
        requests = self._requests()
        self.assertEqual(requests.mapped("state"), ["skipped", "skipped"])
        self.assertFalse(self._mails(requests))
        # Opting in again later does not ask about the same order twice.
        self.alice._loyalty_record_consent([(self.alice, "email", "service", False)], "staff")
        self._run("2026-03-04 10:00:00")
        self.assertEqual(self._requests().mapped("state"), ["skipped", "skipped"])
        self.assertFalse(self.env["loyalty.feedback.report"].search(
            [("partner_id", "=", self.alice.id)]
        ))

    def test_low_score_calls_back_once(self):
        self._run("2026-03-03 10:00:00")
        csat, nps = self._requests()
        self.assertTrue(self._answer(nps, 6, "Waited <b>40</b> minutes", "2026-03-04 15:00:00"))
        self.assertRecordValues(nps, [{
            "state": "answered", "score": 6, "is_low_score": True,
            "comment": "Waited <b>40</b> minutes", "answer_date": datetime(2026, 3, 4, 15, 0),
        }])
        callback = self._callbacks(nps)
        self.assertEqual(len(callback), 1)
        self.assertEqual(callback.user_id, self.leader, "the sales team's leader")
        self.assertEqual(callback.date_deadline, date(2026, 3, 5), "within a day")
        # The comment is text, not HTML.
        self.assertIn("Waited &lt;b&gt;40&lt;/b&gt; minutes", str(callback.note))
        # Answering again writes nothing and calls back no second time.
        self.assertFalse(self._answer(nps, 0, "again"))
        self.assertEqual(nps.score, 6)
        self.assertEqual(nps.comment, "Waited <b>40</b> minutes")
        # A low CSAT of the same order joins the same call back.
        self.assertTrue(self._answer(csat, 2, "Rude staff"))
        self.assertFalse(self._callbacks(csat))
        self.assertEqual(self._callbacks(csat | nps), callback)
        self.assertIn("Rude staff", str(callback.note))

    def test_good_scores_call_nobody(self):
        self._run("2026-03-03 10:00:00")
        csat, nps = self._requests()
        self.assertTrue(self._answer(csat, 3))
        self.assertTrue(self._answer(nps, 7))
        self.assertEqual((csat | nps).mapped("is_low_score"), [False, False])
        self.assertFalse(self._callbacks(csat | nps))

    def test_scores_out_of_the_scale_are_refused(self):
        self._run("2026-03-03 10:00:00")
        csat, nps = self._requests()
        for request, score in ((csat, 0), (csat, 6), (nps, 11), (nps, -1)):
            with self.subTest(scale=request.scale, score=score), \
                    self.assertRaisesRegex(UserError, "Choose a score"):
                self._answer(request, score)
        self.assertEqual((csat | nps).mapped("state"), ["sent", "sent"])

    def test_expired_link_takes_no_answer(self):
        self._run("2026-03-03 10:00:00")
        csat = self._requests()[0]
        self.assertFalse(self._answer(csat, 5, when="2026-04-03 10:00:00"))
        self.assertEqual(csat.state, "sent")
        self._run("2026-04-03 10:00:00")
        self.assertEqual(self._requests().mapped("state"), ["expired", "expired"])

    def test_manager_without_team_leader(self):
        self.team.user_id = False
        self._run("2026-03-03 10:00:00")
        csat, nps = self._requests()
        manager = self._new_user("fiona_feedback", "customer_loyalty.group_loyalty_manager")
        self.company.loyalty_feedback_manager_id = manager
        self._answer(csat, 1)
        self.assertEqual(self._callbacks(csat).user_id, manager)

    def test_scores_land_on_the_order_and_the_contact(self):
        self._run("2026-03-03 10:00:00")
        csat, nps = self._requests()
        self._answer(csat, 4)
        self._answer(nps, 0)
        self.env.invalidate_all()
        self.assertRecordValues(self.order, [{
            "loyalty_feedback_count": 2, "loyalty_last_csat": "4 / 5",
            "loyalty_last_nps": "0 / 10", "loyalty_last_ces": False,
        }])
        self.assertRecordValues(self.alice, [{
            "loyalty_last_csat": "4 / 5", "loyalty_last_nps": "0 / 10",
        }])
        self.assertEqual(self.alice.loyalty_feedback_ids, csat | nps)
        action = self.order.action_loyalty_view_feedback()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), csat | nps)

    def test_ask_for_effort_feedback(self):
        order = self._as(self.salesman, self.order)
        order.action_loyalty_ask_effort_feedback()
        ces = self._requests().filtered(lambda r: r.scale == "ces")
        self.assertRecordValues(ces, [{"trigger": "support", "state": "sent",
                                       "partner_id": self.alice.id}])
        self.assertEqual(len(self._mails(ces)), 1)
        result = order.action_loyalty_ask_effort_feedback()
        self.assertEqual(result["params"]["message"], "The customer was asked already.")
        self.assertEqual(len(self._requests().filtered(lambda r: r.scale == "ces")), 1)
        # CES 5 and more is a hard time: a call back.
        self._answer(ces, 5)
        self.assertTrue(self._callbacks(ces))
        # On a lead (a support case) as well.
        lead = self.env["crm.lead"].create({
            "name": "Broken zipper", "partner_id": self.bob.id, "company_id": self.company.id,
            "user_id": self.salesman.id,
        })
        self._as(self.salesman, lead).action_loyalty_ask_effort_feedback()
        self.assertRecordValues(
            self.env["loyalty.feedback.request"].search([("lead_id", "=", lead.id)]),
            [{"scale": "ces", "trigger": "support", "partner_id": self.bob.id}],
        )

    def test_rights(self):
        self._run("2026-03-03 10:00:00")
        requests = self._requests()
        as_salesman = self._as(self.salesman, requests)
        self.assertEqual(as_salesman.mapped("scale"), ["csat", "nps"])
        with self.assertRaises(AccessError):
            as_salesman.write({"score": 10, "state": "answered"})
        with self.assertRaises(AccessError):
            self.env["loyalty.feedback.request"].with_user(self.salesman).create({
                "company_id": self.company.id, "partner_id": self.bob.id, "scale": "nps",
                "trigger": "sale", "res_model": "sale.order", "res_id": self.order.id,
            })
        # Nor may they read the link's token.
        with self.assertRaises(AccessError):
            as_salesman[0].read(["access_token"])
        # A cashier may not ask on an order nor read the answers.
        with self.assertRaises(AccessError):
            self._as(self.cashier, self.order).action_loyalty_ask_effort_feedback()
        with self.assertRaises(AccessError):
            self._as(self.cashier, requests).mapped("score")
        # The run and the answer are not callable over RPC.
        Request = self.env["loyalty.feedback.request"]
        for name in ("_cron_send_feedback_requests", "_loyalty_record_answer", "_loyalty_ask",
                     "_loyalty_demo_answer"):
            with self.assertRaises(AccessError):
                get_public_method(Request, name)
        # Another company's users see none of it, in the list or the report.
        other_company = self.env["res.company"].create({"name": "Other Shop"})
        outsider = self._new_user("otto_sales", "sales_team.group_sale_salesman", other_company)
        for model in ("loyalty.feedback.request", "loyalty.feedback.report"):
            self.assertFalse(
                self.env[model].with_user(outsider).with_context(
                    allowed_company_ids=other_company.ids
                ).search([("partner_id", "=", self.alice.id)])
            )

    def test_tier_at_the_order(self):
        # Alice becomes Gold the day after her order: her questions are about a Member's order.
        card = self._card(self.alice)
        with freeze_time("2026-03-02 09:00:00"):
            card._loyalty_apply_tier_changes([(card, card.tier_id, self.tier_gold)],
                                             reason="manual")
        self.assertEqual(card.tier_id, self.tier_gold)
        self._run("2026-03-03 10:00:00")
        self.assertEqual(self._requests().tier_id, self.tier_member)
        # Bob, not a member, has no tier.
        with freeze_time("2026-03-01 09:00:00"):
            bob_order = self._confirm_order(self.bob, 50.0)
        self._run("2026-03-03 11:00:00")
        self.assertRecordValues(self._requests(bob_order), [{"tier_id": False}] * 2)
