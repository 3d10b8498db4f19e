from . import models
from . import wizard
from . import controllers
from . import report


def uninstall_hook(env):
    """Drop the materialized views of the retention facts: Odoo drops the tables and plain
    views of uninstalled models, not materialized views."""
    env.cr.execute("DROP MATERIALIZED VIEW IF EXISTS loyalty_retention_order CASCADE")
    env.cr.execute("DROP MATERIALIZED VIEW IF EXISTS loyalty_retention_line CASCADE")
