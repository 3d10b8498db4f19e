from . import member_card_report
from . import loyalty_combo_sale_report
from . import loyalty_package_liability_report
from . import loyalty_retention_facts
from . import loyalty_retention_period_report
from . import loyalty_cohort_report
from . import loyalty_clv_report
