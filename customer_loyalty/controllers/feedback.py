import re

from odoo import http
from odoo.http import request

# The shape of the tokens the addon issues (secrets.token_urlsafe(32)); anything else is
# refused before any query.
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class LoyaltyFeedback(http.Controller):
    """The feedback link of the customers' e-mails, answered without logging in.

    As rating's pages: GET shows the question (a score chosen in the e-mail preselected) and
    changes nothing, since mail scanners follow links; the page's form POSTs the answer, with
    the CSRF token. A token that does not exist (wrong or altered) gets 404, a link past its
    date 410, an answered one 409 (nothing is written again); a score out of the scale 400.
    The pages show the question and the company's name, nothing about the customer."""

    def _loyalty_render(self, template, values=None, status=200):
        return request.render(template, values or {}, status=status)

    @http.route(
        "/loyalty/feedback/<string:token>", type="http", auth="public",
        methods=["GET", "POST"], sitemap=False,
    )
    def loyalty_feedback(self, token, score=None, comment=None, **post):
        feedback = request.env["loyalty.feedback.request"].sudo()
        if TOKEN_RE.match(token or ""):
            feedback = feedback.search([("access_token", "=", token)], limit=1)
        else:
            feedback = feedback.browse()
        if not feedback or feedback.state == "skipped":
            return self._loyalty_render("customer_loyalty.feedback_invalid", status=404)
        if feedback.partner_id.lang:
            request.update_context(lang=feedback.partner_id.lang)
        feedback = feedback.with_env(request.env(su=True))
        values = {"feedback": feedback, "company": feedback.company_id}
        if feedback.state == "answered":
            return self._loyalty_render("customer_loyalty.feedback_answered", values, status=409)
        if feedback._loyalty_is_expired():
            return self._loyalty_render("customer_loyalty.feedback_expired", values, status=410)
        low, high = feedback._loyalty_scale_values()[0], feedback._loyalty_scale_values()[-1]
        try:
            score = int(score) if score not in (None, "") else None
        except ValueError:
            score = None
        if score is not None and not low <= score <= high:
            score = None
        question, low_label, high_label = feedback._loyalty_question()
        values.update({
            "question": question, "low_label": low_label, "high_label": high_label,
            "scores": feedback._loyalty_scale_values(), "selected": score,
            "comment": (comment or "")[:2000], "action_url": request.httprequest.path,
        })
        if request.httprequest.method != "POST":
            return self._loyalty_render("customer_loyalty.feedback_question", values)
        if score is None:
            values["error"] = True
            return self._loyalty_render("customer_loyalty.feedback_question", values, status=400)
        if not feedback._loyalty_record_answer(score, comment):
            return self._loyalty_render("customer_loyalty.feedback_answered", values, status=409)
        return self._loyalty_render("customer_loyalty.feedback_thanks", values)
