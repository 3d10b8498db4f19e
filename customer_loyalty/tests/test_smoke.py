from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestSmoke(TransactionCase):
    def test_company_has_program(self):
        self.assertTrue(self.env.company.loyalty_program_id)
        self.assertEqual(len(self.env.company.loyalty_tier_ids), 4)
