from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common_package import PackageCommon


@tagged("post_install", "-at_install")
class TestPackageNotice(PackageCommon):
    """A member is told once when few uses are left (2 or fewer here) and once when the package
    ends within 14 days, with a renewal quotation; the salesperson gets a To-Do."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.write({"loyalty_package_notice_uses": 2, "loyalty_package_notice_days": 14})
        cls.salesperson = cls._new_user("pkg_notice_salesperson", "sales_team.group_sale_salesman")
        cls.alice.user_id = cls.salesperson

    def _notices(self, day):
        with freeze_time(day):
            done = self.Package._loyalty_package_send_notices(date.fromisoformat(day))
        return {kind: packages.filtered(lambda p: p.company_id == self.company)
                for kind, packages in done.items()}

    def _mails(self, package):
        """The e-mails to the package's holder (the salesperson's activity sends its own)."""
        return self.env["mail.mail"].sudo().search([
            ("model", "=", "loyalty.package"), ("res_id", "=", package.id),
            ("recipient_ids", "in", package.partner_id.ids),
        ])

    def test_few_uses_left_then_ending_soon_once_each(self):
        # 10 haircuts sold on 1 January: valid until 30 June.
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        self._use(package, self.alice, self.haircut, "2026-02-01", quantity=7)
        self.assertEqual(self._notices("2026-03-01"), {
            "uses": self.Package, "days": self.Package,
        }, "3 uses left: not yet")
        self._use(package, self.alice, self.haircut, "2026-03-02")
        done = self._notices("2026-03-02")
        self.assertEqual(done["uses"], package)
        self.assertTrue(package.notice_uses_sent)
        self.assertFalse(package.notice_days_sent)
        # The renewal quotation: the package product, for the holder, by her salesperson.
        order = package.renewal_order_id
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.partner_id, self.alice)
        self.assertEqual(order.order_line.product_id, self.pack_haircut)
        self.assertEqual(order.user_id, self.salesperson)
        mail = self._mails(package)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.recipient_ids, self.alice)
        self.assertIn("<strong>2</strong> of\n", mail.body_html.replace("  ", ""))
        self.assertIn(order.get_portal_url(), mail.body_html, "the renewal link")
        self.assertIn(f"{order.get_base_url()}/my/orders/{order.id}?access_token=", mail.body_html)
        activity = package.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.salesperson)
        self.assertEqual(activity.activity_type_id, self.env.ref("mail.mail_activity_data_todo"))
        self.assertIn("2 of 10 uses left", activity.note)
        # A second run the same day, and the next day: nothing more.
        self.assertFalse(any(self._notices("2026-03-02").values()))
        self.assertFalse(any(self._notices("2026-03-03").values()))
        self.assertEqual(len(self._mails(package)), 1)
        self.assertEqual(len(package.activity_ids), 1)
        # 16 June: 14 days to the end (30 June): the ending notice, same quotation.
        self.assertFalse(any(self._notices("2026-06-15").values()), "15 days left")
        done = self._notices("2026-06-16")
        self.assertEqual(done, {"uses": self.Package, "days": package})
        self.assertEqual(package.renewal_order_id, order)
        self.assertEqual(len(self._mails(package)), 2)
        self.assertEqual(len(package.activity_ids), 2)
        self.assertEqual(
            len(package.activity_ids.filtered(lambda a: "ends on 2026-06-30" in a.note)), 1
        )
        self.assertFalse(any(self._notices("2026-06-17").values()))
        self.assertEqual(
            self.env["sale.order"].search_count([("origin", "=", package.name)]), 1
        )

    def test_unlimited_package_is_told_only_of_its_end(self):
        package = self._sell(self.bob, self.pack_gym, 3650.0, "2026-01-10")
        self.assertFalse(any(self._notices("2026-01-20").values()), "not started: no end")
        self._use(package, self.bob, self.gym_visit, "2026-01-15")
        # Valid until 2027-01-14: told on 31 December.
        self.assertFalse(any(self._notices("2026-12-30").values()))
        self.assertEqual(self._notices("2026-12-31")["days"], package)
        self.assertFalse(package.notice_uses_sent)
        # Bob has no salesperson: the one of the order that sold the package.
        self.assertEqual(package.activity_ids.user_id, package.sale_line_id.order_id.user_id)

    def test_recipients_hook_and_thresholds(self):
        no_mail = self.env["res.partner"].create({"name": "No Mail"})
        package = self._sell(no_mail, self.pack_haircut, 800.0, "2026-01-01")
        self._use(package, no_mail, self.haircut, "2026-02-01", quantity=9)
        used_up = self._sell(self.carol, self.pack_haircut, 800.0, "2026-01-01")
        self._use(used_up, self.carol, self.haircut, "2026-02-01", quantity=10)
        self.assertEqual(self._notices("2026-02-02")["uses"], package, "used up: no notice")
        self.assertFalse(self._mails(package), "no e-mail address: no e-mail")
        self.assertTrue(package.renewal_order_id)
        self.assertEqual(len(package.activity_ids), 1, "the salesperson is still told")
        # 0: never.
        self.company.loyalty_package_notice_days = 0
        self.assertFalse(self._notices("2026-06-20")["days"])
        self.assertFalse(package.notice_days_sent)

    def test_opted_out_holder_gets_no_email_but_the_salesperson_is_told(self):
        package = self._sell(self.alice, self.pack_haircut, 800.0, "2026-01-01")
        self._use(package, self.alice, self.haircut, "2026-02-01", quantity=8)
        self.env["res.partner"]._loyalty_record_consent(
            [(self.alice, "email", "service", True)], "unsubscribe"
        )
        self.assertEqual(self._notices("2026-02-02")["uses"], package)
        self.assertFalse(self._mails(package))
        self.assertEqual(len(package.activity_ids), 1)
        # Opted in again: the next notice (ending soon) is e-mailed.
        self.env["res.partner"]._loyalty_record_consent(
            [(self.alice, "email", "service", False)], "staff"
        )
        self.assertEqual(self._notices("2026-06-20")["days"], package)
        mail = self._mails(package)
        self.assertEqual(len(mail), 1)
        self.assertIn(f"/loyalty/unsubscribe/{self.alice.id}/service/", mail.body_html)
