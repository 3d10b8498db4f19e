{
    "name": "Customer Loyalty & Membership",
    "version": "18.0.1.0.0",
    "summary": "Membership tiers, member cards and loyalty on top of Odoo's loyalty programs",
    "description": """
Membership tiers (Member / Silver / Gold / VIP) computed from confirmed sales over a rolling
window, upgrade at once, downgrade after a grace period, with the history of every change.
Member cards are cards of a company's membership program (an Odoo loyalty program).
""",
    "category": "Sales/Loyalty",
    "author": "customer_loyalty developers",
    "website": "https://example.com/customer_loyalty",
    "license": "LGPL-3",
    "depends": ["sale_management", "crm", "sale_loyalty"],
    "external_dependencies": {"python": ["qrcode"]},
    "data": [
        "security/customer_loyalty_security.xml",
        "security/ir.model.access.csv",
        "data/mail_template_data.xml",
        "data/ir_cron_data.xml",
        "data/loyalty_data.xml",
        "views/loyalty_tier_views.xml",
        "views/loyalty_tier_history_views.xml",
        "views/loyalty_card_views.xml",
        "views/res_partner_views.xml",
        "views/sale_order_views.xml",
        "views/crm_lead_views.xml",
        "views/res_config_settings_views.xml",
        "views/menus.xml",
    ],
    "demo": [
        "data/customer_loyalty_demo.xml",
    ],
    "installable": True,
    "application": True,
}
