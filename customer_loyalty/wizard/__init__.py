from . import loyalty_card_update_balance
from . import loyalty_card_replace
from . import base_partner_merge
from . import loyalty_package_freeze_wizard
