from datetime import datetime

from odoo.tests import tagged

from .common import LoyaltyCommon

# The data set: (scale, score or None when not answered, salesperson, tier, month sent).
DATA = [
    ("nps", 10, "sam", "member", 3),    # 1  promoter
    ("nps", 9, "sam", "silver", 3),     # 2  promoter
    ("nps", 6, "sam", "member", 3),     # 3  detractor
    ("nps", 8, "tina", "silver", 3),    # 4  passive
    ("nps", 3, "tina", "silver", 3),    # 5  detractor
    ("nps", 0, "tina", "member", 3),    # 6  detractor
    ("nps", None, "tina", "member", 3),  # 7  not answered
    ("csat", 5, "sam", "member", 4),    # 8
    ("csat", 2, "sam", "silver", 4),    # 9
    ("csat", 4, "tina", "silver", 4),   # 10
    ("csat", None, "sam", "member", 4),  # 11 not answered
    ("ces", 2, "sam", "member", 4),     # 12
    ("ces", 6, "tina", "silver", 4),    # 13
    ("ces", None, "tina", "silver", 4),  # 14 expired
    ("nps", 10, "sam", "silver", 4),    # 15 promoter
]


@tagged("post_install", "-at_install")
class TestFeedbackReport(LoyaltyCommon):
    """The feedback report on the 15 questions of DATA (12 answered), figures computed by
    hand. NPS = 100 x (promoters - detractors) / NPS answers of the group, never the average
    of the rows' or the subgroups' NPS; response rate = answered / sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        users = {
            "sam": cls._new_user("sam_sales", "sales_team.group_sale_salesman"),
            "tina": cls._new_user("tina_sales", "sales_team.group_sale_salesman"),
        }
        cls.sam, cls.tina = users["sam"], users["tina"]
        tiers = {"member": cls.tier_member, "silver": cls.tier_silver}
        Request = cls.env["loyalty.feedback.request"]
        order = cls._confirm_order(cls.alice, 100.0)
        vals_list = []
        for index, (scale, score, user, tier, month) in enumerate(DATA, start=1):
            sent = datetime(2026, month, index, 10, 0)
            vals_list.append({
                "company_id": cls.company.id, "partner_id": cls.alice.id, "scale": scale,
                "trigger": "sale", "res_model": "sale.order", "res_id": 1000 + index,
                "user_id": users[user].id, "tier_id": tiers[tier].id, "sent_date": sent,
                "state": "answered" if score is not None else ("expired" if index == 14
                                                               else "sent"),
                "score": score or 0, "answer_date": sent if score is not None else False,
            })
        # Not counted: a question consent stopped, another company's answer.
        vals_list.append({
            "company_id": cls.company.id, "partner_id": cls.bob.id, "scale": "nps",
            "trigger": "sale", "res_model": "sale.order", "res_id": order.id,
            "user_id": cls.sam.id, "tier_id": cls.tier_member.id, "state": "skipped",
            "sent_date": datetime(2026, 3, 20),
        })
        other = cls.env["res.company"].create({"name": "Other Feedback Shop"})
        vals_list.append({
            "company_id": other.id, "partner_id": cls.bob.id, "scale": "nps",
            "trigger": "sale", "res_model": "sale.order", "res_id": 999, "user_id": cls.sam.id,
            "state": "answered", "score": 0, "sent_date": datetime(2026, 3, 21),
        })
        Request.create(vals_list)
        cls.Report = cls.env["loyalty.feedback.report"]
        # The demo data's answers are in other companies.
        cls.domain = [("company_id", "=", cls.company.id)]

    MEASURES = ["sent_count:sum", "answered_count:sum", "response_rate:avg", "nps:avg",
                "csat:avg", "ces:avg"]

    def _figures(self, groupby):
        groups = self.Report.read_group(self.domain, self.MEASURES, groupby, lazy=False)
        return {
            (group[groupby[0]][1] if isinstance(group[groupby[0]], tuple)
             else group[groupby[0]]): (
                group["sent_count"], group["answered_count"], group["response_rate"],
                group["nps"], group["csat"], group["ces"],
            )
            for group in groups
        }

    def assertFigures(self, actual, expected):
        self.assertEqual(set(actual), set(expected))
        for key, values in expected.items():
            for name, got, want in zip(
                ("sent", "answered", "response rate", "NPS", "CSAT", "CES"), actual[key], values,
                strict=True,
            ):
                with self.subTest(group=key, measure=name):
                    if want is None:
                        self.assertFalse(got)
                    else:
                        self.assertAlmostEqual(got, want, places=2)

    def test_totals(self):
        # 15 sent, 12 answered; NPS answers 10, 9, 6, 8, 3, 0, 10: 3 promoters, 3 detractors;
        # CSAT 5, 2, 4; CES 2, 6.
        (total,) = self.Report._read_group(self.domain, [], self.MEASURES)
        self.assertEqual(total[:2], (15, 12))
        # A salesperson of the company reads the same, the other company's answer unseen.
        self.env.invalidate_all()
        (as_sam,) = self.Report.with_user(self.sam)._read_group([], [], self.MEASURES)
        self.assertEqual(as_sam, total)
        self.assertAlmostEqual(total[2], 80.0)
        self.assertAlmostEqual(total[3], 0.0)
        self.assertAlmostEqual(total[4], 11 / 3)
        self.assertAlmostEqual(total[5], 4.0)

    def test_by_salesperson(self):
        # Sam: rows 1, 2, 3, 8, 9, 11, 12, 15: 8 sent, 7 answered; NPS 10, 9, 6, 10 ->
        # (3 - 1) / 4 = 50; CSAT 5, 2; CES 2.
        # Tina: rows 4, 5, 6, 7, 10, 13, 14: 7 sent, 5 answered; NPS 8, 3, 0 ->
        # (0 - 2) / 3 = -66.67; CSAT 4; CES 6.
        self.assertFigures(self._figures(["user_id"]), {
            "Sam Sales": (8, 7, 87.5, 50.0, 3.5, 2.0),
            "Tina Sales": (7, 5, 500 / 7, -200 / 3, 4.0, 6.0),
        })

    def test_by_tier(self):
        # Member: rows 1, 3, 6, 7, 8, 11, 12: 7 sent, 5 answered; NPS 10, 6, 0 ->
        # (1 - 2) / 3; CSAT 5; CES 2. Silver: rows 2, 4, 5, 9, 10, 13, 14, 15: 8 sent,
        # 7 answered; NPS 9, 8, 3, 10 -> (2 - 1) / 4; CSAT 2, 4; CES 6.
        self.assertFigures(self._figures(["tier_id"]), {
            "Member": (7, 5, 500 / 7, -100 / 3, 5.0, 2.0),
            "Silver": (8, 7, 87.5, 25.0, 3.0, 6.0),
        })

    def test_by_month(self):
        # March: rows 1-7, NPS only: 7 sent, 6 answered, (2 - 3) / 6. April: rows 8-15:
        # 8 sent, 6 answered; NPS 10 -> 100; CSAT 5, 2, 4; CES 2, 6.
        self.assertFigures(self._figures(["date:month"]), {
            "March 2026": (7, 6, 600 / 7, -100 / 6, None, None),
            "April 2026": (8, 6, 75.0, 100.0, 11 / 3, 4.0),
        })

    def test_salesperson_by_tier_cells(self):
        # The pivot's cells: Sam x Silver = rows 2, 9, 15: NPS 9, 10 -> 100; CSAT 2.
        groups = self.Report._read_group(
            self.domain, ["user_id", "tier_id"], ["sent_count:sum", "nps:avg", "csat:avg"]
        )
        cells = {(user.name, tier.name): rest for user, tier, *rest in groups}
        self.assertEqual(cells[("Sam Sales", "Silver")], [3, 100.0, 2.0])
        self.assertEqual(cells[("Tina Sales", "Member")][:2], [2, -100.0])
