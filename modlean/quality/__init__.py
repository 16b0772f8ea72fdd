"""QA statistics: sample sizes and estimates, agreement, control charts, decision quality.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.quality.agreement import (
    LANDIS_KOCH,
    agreement_summary,
    category_counts,
    cohen_kappa,
    fleiss_kappa,
    golden_set_accuracy,
    gwet_ac1,
    interpret_kappa,
    krippendorff_alpha,
    percent_agreement,
    ratings_table,
    specific_agreement,
)
from modlean.quality.decision_quality import (
    decision_quality,
    label_confusion,
    label_metrics,
    severity_weighted_score,
)
from modlean.quality.qa_errors import (
    decision_periods,
    error_counts,
    error_types,
    is_error,
)
from modlean.quality.qa_table import (
    NO_LABEL,
    QA_COLUMNS,
    read_qa,
    with_weights,
)
from modlean.quality.sampling import (
    AQL_VALUES,
    CODE_LETTER_SAMPLE_SIZE,
    AcceptancePlan,
    IntervalEstimate,
    acceptance_plan,
    allocate_strata,
    code_letter,
    horvitz_thompson,
    proportion_ci,
    sample_size_for_rate,
    stratified_estimate,
    z_value,
)
from modlean.quality.scorecards import scorecard
from modlean.quality.spc import (
    D2,
    laney_p_chart,
    nelson,
    np_chart,
    p_chart,
    pareto,
    rule_flags,
    western_electric,
)

__all__ = [
    "AQL_VALUES",
    "CODE_LETTER_SAMPLE_SIZE",
    "D2",
    "LANDIS_KOCH",
    "NO_LABEL",
    "QA_COLUMNS",
    "AcceptancePlan",
    "IntervalEstimate",
    "acceptance_plan",
    "agreement_summary",
    "allocate_strata",
    "category_counts",
    "code_letter",
    "cohen_kappa",
    "decision_periods",
    "decision_quality",
    "error_counts",
    "error_types",
    "fleiss_kappa",
    "golden_set_accuracy",
    "gwet_ac1",
    "horvitz_thompson",
    "interpret_kappa",
    "is_error",
    "krippendorff_alpha",
    "label_confusion",
    "label_metrics",
    "laney_p_chart",
    "nelson",
    "np_chart",
    "p_chart",
    "pareto",
    "percent_agreement",
    "proportion_ci",
    "ratings_table",
    "read_qa",
    "rule_flags",
    "sample_size_for_rate",
    "scorecard",
    "severity_weighted_score",
    "specific_agreement",
    "stratified_estimate",
    "western_electric",
    "with_weights",
    "z_value",
]
