"""Risk: the register and its 5x5 matrix, FMEA action priority, the strike-policy what-if.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.risk.assessment import (
    action_plan,
    assess,
    cell_ids,
    overdue_actions,
    rank_risks,
)
from modlean.risk.fields import (
    DSA_CATEGORIES,
    EVIDENCE_MEASURES,
    REGISTER_FIELDS,
    template_frame,
    write_templates,
)
from modlean.risk.fmea import (
    AP_ORDER,
    FMEA_FIELDS,
    SEVERITY_SCALE,
    action_priority,
    assess_fmea,
    detection_from_qa,
    load_fmea,
    occurrence_from_rate,
)
from modlean.risk.likelihood import (
    apply_likelihoods,
    likelihood_evidence,
    share_of_periods_missed,
)
from modlean.risk.losses import simulate_losses
from modlean.risk.matrix import (
    BANDS,
    DEFAULT_MATRIX,
    Override,
    RiskMatrix,
    impact_from_cost,
    likelihood_from_frequency,
    likelihood_from_probability,
    likelihood_from_rate,
    likelihood_level,
)
from modlean.risk.penalties import (
    max_strikes_in_window,
    simulate_strikes,
    strike_policy_whatif,
    wrongful_share_from_qa,
)
from modlean.risk.records import (
    Field,
    Problems,
    is_blank,
    validate_records,
)
from modlean.risk.register import (
    RiskRegister,
    load_register,
    save_register,
    validate_register,
)

__all__ = [
    "AP_ORDER",
    "BANDS",
    "DEFAULT_MATRIX",
    "DSA_CATEGORIES",
    "EVIDENCE_MEASURES",
    "FMEA_FIELDS",
    "REGISTER_FIELDS",
    "SEVERITY_SCALE",
    "Field",
    "Override",
    "Problems",
    "RiskMatrix",
    "RiskRegister",
    "action_plan",
    "action_priority",
    "apply_likelihoods",
    "assess",
    "assess_fmea",
    "cell_ids",
    "detection_from_qa",
    "impact_from_cost",
    "is_blank",
    "likelihood_evidence",
    "likelihood_from_frequency",
    "likelihood_from_probability",
    "likelihood_from_rate",
    "likelihood_level",
    "load_fmea",
    "load_register",
    "max_strikes_in_window",
    "occurrence_from_rate",
    "overdue_actions",
    "rank_risks",
    "save_register",
    "share_of_periods_missed",
    "simulate_losses",
    "simulate_strikes",
    "strike_policy_whatif",
    "template_frame",
    "validate_records",
    "validate_register",
    "write_templates",
    "wrongful_share_from_qa",
]
