"""Decisions on a scenario: paired what-if, thresholds, sensitivity, staffing, calibration.

Other subpackages import these names from here, not from the modules inside.
"""

from __future__ import annotations

from modlean.decisions.calibrate import (
    Calibration,
    calibrate,
    fit_handling,
)
from modlean.decisions.calibrate_qa import accuracy_from_qa
from modlean.decisions.calibration_files import (
    CALIBRATION_TABLES,
    calibration_folder,
    read_calibration,
)
from modlean.decisions.fidelity import FIDELITY_COLUMNS, fidelity
from modlean.decisions.headcount import (
    PoolLoad,
    analytic_staffing,
    pool_loads,
    turnaround_within,
)
from modlean.decisions.holdout import (
    HOLDOUT_COLUMNS,
    Holdout,
    HoldoutRun,
    case_starts,
    holdout_split,
    replay_baseline,
    run_holdout,
    side_by_side,
    simulate_test_period,
)
from modlean.decisions.paired import (
    HEADLINE_KPIS,
    OVERALL_RULE,
    QUALITY_COST_KPIS,
    VERDICT_BETTER,
    VERDICT_CHANGED,
    VERDICT_NONE,
    VERDICT_WORSE,
    Difference,
    decision_table,
    kpi_direction,
    overall_verdict,
    paired_difference,
    unpaired_difference,
)
from modlean.decisions.resolve import ScenarioSpec, resolve_scenario
from modlean.decisions.shifts import ShiftPlan, shift_staffing, weekly_work
from modlean.decisions.staffing import StaffingResult, meets_sla, staff
from modlean.decisions.thresholds import (
    FRONTIER_COLUMNS,
    Thresholds,
    model_item_type,
    pareto_front,
    threshold_sweep,
    tune_thresholds,
)
from modlean.decisions.tornado import SENSITIVITY_GROUPS, sensitivity
from modlean.decisions.whatif import compare, run_scenarios

__all__ = [
    "CALIBRATION_TABLES",
    "FIDELITY_COLUMNS",
    "FRONTIER_COLUMNS",
    "HEADLINE_KPIS",
    "HOLDOUT_COLUMNS",
    "OVERALL_RULE",
    "QUALITY_COST_KPIS",
    "SENSITIVITY_GROUPS",
    "VERDICT_BETTER",
    "VERDICT_CHANGED",
    "VERDICT_NONE",
    "VERDICT_WORSE",
    "Calibration",
    "Difference",
    "Holdout",
    "HoldoutRun",
    "PoolLoad",
    "ScenarioSpec",
    "ShiftPlan",
    "StaffingResult",
    "Thresholds",
    "accuracy_from_qa",
    "analytic_staffing",
    "calibrate",
    "calibration_folder",
    "case_starts",
    "compare",
    "decision_table",
    "fidelity",
    "fit_handling",
    "holdout_split",
    "kpi_direction",
    "meets_sla",
    "model_item_type",
    "overall_verdict",
    "paired_difference",
    "pareto_front",
    "pool_loads",
    "read_calibration",
    "replay_baseline",
    "resolve_scenario",
    "run_holdout",
    "run_scenarios",
    "sensitivity",
    "shift_staffing",
    "side_by_side",
    "simulate_test_period",
    "staff",
    "threshold_sweep",
    "tune_thresholds",
    "turnaround_within",
    "unpaired_difference",
    "weekly_work",
]
