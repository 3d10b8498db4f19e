import base64
import io
import re

import qrcode
from PIL import Image

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import LoyaltyCommon

CODE_PATTERN = re.compile(r"044[0-9a-f]{20}")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class MemberCardCommon(LoyaltyCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loyalty_user = cls._new_user("card_loyalty_user", "customer_loyalty.group_loyalty_user")
        cls.salesman = cls._new_user("card_salesman", "sales_team.group_sale_salesman")
        cls.loyalty_manager = cls._new_user(
            "card_manager", "customer_loyalty.group_loyalty_manager"
        )
        cls.card = cls._enrol(cls.alice)
        cls._confirm_order(cls.alice, 1200)
        assert cls.card.tier_id == cls.tier_silver

    @staticmethod
    def _png(binary):
        return base64.b64decode(binary)

    @staticmethod
    def _modules_of_png(png, box_size=10):
        """The dark/light modules of a QR code PNG drawn ``box_size`` pixels per module: read
        back from the pixels, as a scanner would see them."""
        image = Image.open(io.BytesIO(png)).convert("L")
        count = image.size[0] // box_size
        half = box_size // 2
        return [
            [image.getpixel((x * box_size + half, y * box_size + half)) < 128 for x in range(count)]
            for y in range(count)
        ]

    @staticmethod
    def _modules_of_text(text):
        """The modules of a QR code of ``text`` at medium error correction, border included."""
        qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
        qr.add_data(text)
        qr.make(fit=True)
        return qr.get_matrix()

    def _coupon(self):
        program = self.env["loyalty.program"].create(
            {"name": "Test Coupons", "program_type": "coupons", "company_id": self.company.id}
        )
        return self.env["loyalty.card"].create({"program_id": program.id, "points": 1})


@tagged("post_install", "-at_install")
class TestMemberCardQr(MemberCardCommon):
    """A QR code of the card number, on the card form, the contact and the printed card."""

    def test_qr_code_encodes_the_card_code(self):
        png = self._png(self.card.qr_code)
        self.assertTrue(png.startswith(PNG_MAGIC), "the QR code is a PNG image")
        width, height = Image.open(io.BytesIO(png)).size
        self.assertEqual(width, height)
        # The pixels draw exactly the QR code of the card number (and of nothing else).
        self.assertEqual(self._modules_of_png(png), self._modules_of_text(self.card.code))
        self.assertNotEqual(self._modules_of_png(png), self._modules_of_text(self.card.code[:-1]))
        # Deterministic: the same code gives the same image.
        self.assertEqual(png, self.env["loyalty.card"]._loyalty_qr_png(self.card.code))

    def test_qr_code_follows_the_code(self):
        before = self.card.qr_code
        self.card._loyalty_replace_card()
        self.assertNotEqual(self.card.qr_code, before)
        self.assertEqual(
            self._modules_of_png(self._png(self.card.qr_code)),
            self._modules_of_text(self.card.code),
        )

    def test_qr_code_on_the_contact(self):
        alice = self._as(self.loyalty_user, self.alice)
        self.assertEqual(alice.loyalty_qr_code, self.card.qr_code)
        self.assertFalse(self._as(self.loyalty_user, self.bob).loyalty_qr_code, "not a member")

    def test_no_qr_code_on_coupons(self):
        coupon = self._coupon()
        self.assertTrue(coupon.code)
        self.assertFalse(coupon.qr_code, "only member cards get a QR code")

    def test_tier_colours(self):
        self.assertEqual(self.tier_silver._color_hex(), "#304be0")  # colour index 8: blue
        self.assertEqual(self.tier_silver._color_text_hex(), "#ffffff")
        self.assertEqual(self.tier_member._color_hex(), "#a2a2a2")  # no colour: grey
        self.assertEqual(self.tier_member._color_text_hex(), "#212529")
        self.assertEqual(self.env["loyalty.tier"]._color_hex(), "#a2a2a2", "no tier: grey")


@tagged("post_install", "-at_install")
class TestSendMemberCard(MemberCardCommon):
    """"Send Card": an e-mail to the member with the printable card attached."""

    def test_send_card_posts_message_with_attachment(self):
        card = self._as(self.salesman, self.card)
        action = card.action_loyalty_send_card()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("customer_loyalty.mail_template_member_card")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        self.assertIn(
            self.env.ref("customer_loyalty.action_report_member_card"),
            template.report_template_ids,
        )
        composer = (
            self.env["mail.compose.message"]
            .with_user(self.salesman)
            .with_context(**action["context"])
            .create({})
        )
        self.assertIn(self.card.code, composer.body)
        self.assertEqual(len(composer.attachment_ids), 1, "the printable card is attached")
        messages_before = self.card.message_ids
        composer.action_send_mail()
        message = self.card.message_ids - messages_before
        self.assertEqual(len(message), 1)
        self.assertEqual(message.partner_ids, self.alice, "sent to the member")
        self.assertEqual(message.subject, "Loyalty Test Shop: your member card")
        self.assertIn(self.card.code, message.body)
        self.assertIn(f"/report/barcode/QR/{self.card.code}", message.body, "the QR code")
        attachment = message.attachment_ids
        self.assertEqual(len(attachment), 1)
        self.assertTrue(attachment.name.startswith("Member Card - Alice Nguyen"))
        self.assertEqual((attachment.res_model, attachment.res_id), ("loyalty.card", self.card.id))
        # The attached card is the member's (HTML in tests, PDF with wkhtmltopdf in production).
        self.assertIn(self.card.code, base64.b64decode(attachment.datas).decode())

    def test_read_only_loyalty_users_cannot_send(self):
        """Posting on a card needs write access on it (Odoo's rule for every document):
        salespeople, cashiers and Loyalty Managers have it, read-only Loyalty Users do not."""
        with self.assertRaisesRegex(AccessError, "cannot send"):
            self._as(self.loyalty_user, self.card).action_loyalty_send_card()
        action = self._as(self.loyalty_manager, self.card).action_loyalty_send_card()
        self.assertEqual(action["res_model"], "mail.compose.message")

    def test_send_card_from_the_contact(self):
        action = self.alice.with_user(self.salesman).action_loyalty_send_card()
        self.assertEqual(action["context"]["default_res_ids"], self.card.ids)
        with self.assertRaisesRegex(UserError, "no member card"):
            self.bob.action_loyalty_send_card()


@tagged("post_install", "-at_install")
class TestReplaceMemberCard(MemberCardCommon):
    """A lost card: its code is revoked, the card gets a new one; points, tier and ledger stay."""

    def test_replace_card(self):
        card = self._as(self.loyalty_manager, self.card)
        old_code = card.code
        points, tier = card.points, card.tier_id
        ledger = card.history_ids
        tier_history = card.tier_history_ids
        self.assertEqual(points, 1200)

        result = card._loyalty_replace_card(reason="stolen", note="Reported by phone")

        self.assertEqual(result, {card: old_code})
        self.assertNotEqual(card.code, old_code)
        self.assertRegex(card.code, CODE_PATTERN)
        revoked = self.env["loyalty.card.revoked"].search([("card_id", "=", card.id)])
        self.assertEqual(len(revoked), 1)
        self.assertEqual(revoked.code, old_code)
        self.assertEqual(revoked.reason, "stolen")
        self.assertEqual(revoked.note, "Reported by phone")
        self.assertEqual(revoked.user_id, self.loyalty_manager)
        self.assertEqual(revoked.company_id, self.company)
        self.assertEqual(card.revoked_code_ids, revoked)
        # Same card record: balance, tier and histories untouched.
        self.assertEqual(card.points, points)
        self.assertEqual(card.tier_id, tier)
        self.assertEqual(card.history_ids, ledger)
        self.assertEqual(card.tier_history_ids, tier_history)
        self.env.invalidate_all()
        self.assertEqual(self.alice.loyalty_card_code, card.code)
        self.assertEqual(self.alice.loyalty_member_card_id, self.card)
        # Recorded on the card's chatter.
        note = card.message_ids[0]
        self.assertIn(old_code, note.body)
        self.assertIn(card.code, note.body)
        self.assertIn("Stolen", note.body)

    def test_find_by_code(self):
        Card = self.env["loyalty.card"]
        found = {"card": self.card, "revoked": False}
        unknown = {"card": Card, "revoked": False}
        old_code = self.card.code
        self.assertEqual(Card._loyalty_find_by_code(old_code), found)
        self.card._loyalty_replace_card()
        new_code = self.card.code
        self.assertEqual(Card._loyalty_find_by_code(old_code), {"card": Card, "revoked": True})
        self.assertEqual(Card._loyalty_find_by_code(new_code), found)
        self.assertEqual(
            Card._loyalty_find_by_code(f"  {new_code.upper()} "), found,
            "typed in capitals, with spaces",
        )
        self.assertEqual(Card._loyalty_find_by_code("044000000000"), unknown)
        self.assertEqual(Card._loyalty_find_by_code(""), unknown)
        self.assertEqual(Card._loyalty_find_by_code(False), unknown)
        # A loyalty user (e.g. at the counter) gets the same answers.
        Card = self._as(self.loyalty_user, Card)
        self.assertEqual(Card._loyalty_find_by_code(old_code)["revoked"], True)
        self.assertEqual(Card._loyalty_find_by_code(new_code)["card"], self.card)
        # Coupons are not member cards.
        coupon = self._coupon()
        self.assertEqual(
            self.env["loyalty.card"]._loyalty_find_by_code(coupon.code)["card"],
            self.env["loyalty.card"],
        )

    def test_revoked_code_other_company(self):
        """A code revoked in another company is unknown here, not revoked."""
        old_code = self.card.code
        self.card._loyalty_replace_card()
        other = self.env["res.company"].create({"name": "Other Shop"})
        Card = self.env["loyalty.card"].with_context(allowed_company_ids=other.ids)
        self.assertEqual(Card._loyalty_find_by_code(old_code), {"card": Card, "revoked": False})

    def test_replace_card_wizard(self):
        card = self._as(self.loyalty_manager, self.card)
        old_code = card.code
        action = card.action_loyalty_replace_card()
        self.assertEqual(action["res_model"], "loyalty.card.replace")
        wizard = (
            self.env["loyalty.card.replace"]
            .with_user(self.loyalty_manager)
            .with_context(**action["context"])
            .create({"reason": "damaged"})
        )
        self.assertEqual(wizard.card_ids, self.card)
        next_action = wizard.action_replace()
        self.assertNotEqual(card.code, old_code)
        self.assertEqual(card.revoked_code_ids.reason, "damaged")
        self.assertEqual(next_action["res_model"], "mail.compose.message", "then send the new card")
        self.assertEqual(next_action["context"]["default_res_ids"], self.card.ids)

        wizard = (
            self.env["loyalty.card.replace"]
            .with_user(self.loyalty_manager)
            .create({"card_ids": [Command.set(self.card.ids)], "send_card": False})
        )
        next_action = wizard.action_replace()
        self.assertEqual(next_action["tag"], "display_notification")
        self.assertEqual(len(card.revoked_code_ids), 2)

    def test_loyalty_users_cannot_replace(self):
        old_code = self.card.code
        for user in (self.loyalty_user, self.salesman):
            card = self._as(user, self.card)
            with self.assertRaises(AccessError):
                card.action_loyalty_replace_card()
            with self.assertRaises(AccessError):
                card._loyalty_replace_card()
            with self.assertRaises(AccessError):
                self.env["loyalty.card.revoked"].with_user(user).create(
                    {"card_id": self.card.id, "code": "044FAKE"}
                )
            with self.assertRaises(AccessError):
                self.env["loyalty.card.replace"].with_user(user).create(
                    {"card_ids": [Command.set(self.card.ids)]}
                )
        self.assertEqual(self.card.code, old_code)
        self.assertFalse(self.card.revoked_code_ids)

    def test_revoked_codes_are_an_audit_trail(self):
        self.card._loyalty_replace_card()
        revoked = self.card.revoked_code_ids
        self.assertEqual(self._as(self.loyalty_user, revoked).code, revoked.code, "users read")
        for user in (self.loyalty_user, self.loyalty_manager):
            with self.assertRaises(AccessError):
                self._as(user, revoked).write({"code": "044OTHER"})
            with self.assertRaises(AccessError):
                self._as(user, revoked).unlink()

    def test_revoked_code_cannot_be_given_again(self):
        old_code = self.card.code
        self.card._loyalty_replace_card()
        with self._refused(ValidationError, "revoked"):
            self.env["loyalty.card"].create(
                {"program_id": self.program.id, "partner_id": self.bob.id, "code": old_code}
            )
        with self._refused(ValidationError, "revoked"):
            self.card.code = old_code
        self.assertFalse(self._card(self.bob))

    def test_only_member_cards_are_replaced(self):
        coupon = self._coupon()
        with self.assertRaisesRegex(UserError, "not member cards"):
            coupon._loyalty_replace_card()
        self.assertFalse(self.env["loyalty.card.revoked"].search([("code", "=", coupon.code)]))


@tagged("post_install", "-at_install")
class TestTierProgress(MemberCardCommon):
    """What a member still needs for the next tier (shown on the portal)."""

    def test_progress_to_next_tier(self):
        progress = self.card._loyalty_tier_progress()
        self.assertEqual(progress["tier"], self.tier_silver)
        self.assertEqual(progress["next_tier"], self.tier_gold)
        self.assertEqual(progress["metric"], "spend")
        self.assertEqual(progress["value"], 1200)
        self.assertEqual(progress["threshold"], 5000)
        self.assertEqual(progress["missing"], 3800)
        self.assertAlmostEqual(progress["ratio"], 0.24)
        self.assertEqual(progress["window_months"], 12)

    def test_progress_at_the_top(self):
        self._confirm_order(self.alice, 4000)
        self.assertEqual(self.card.tier_id, self.tier_gold)
        progress = self.card._loyalty_tier_progress()
        self.assertFalse(progress["next_tier"])
        self.assertEqual((progress["missing"], progress["ratio"]), (0.0, 1.0))

    def test_progress_counts_the_window_only(self):
        self._confirm_order(self.alice, 3000, date="2020-01-01")  # long out of the window
        progress = self.card._loyalty_tier_progress()
        self.assertEqual(progress["value"], 1200)
        self.assertEqual(progress["missing"], 3800)
