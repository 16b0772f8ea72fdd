"""The risk register: read, validate and write it (CSV, XLSX, YAML) (DOMAIN §1).

A register is a table with one row per risk, its columns defined once in
:data:`~modlean.risk.fields.REGISTER_FIELDS`. :func:`load_register` reads it
(with an optional matrix and FMEA sheet) and :func:`validate_register` reports
every bad value with its row, risk id and field; :func:`save_register` writes
it back. A :class:`RiskRegister` keeps the risks with the matrix that bands them
(:mod:`modlean.risk.matrix`) and is assessed by :mod:`modlean.risk.assessment`.

Ratings are stored three times — **inherent** (no controls), **current
residual** (existing controls) and **target residual** (after the action plan).
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from modlean._util import kind_of, text_file_problem, write_atomic
from modlean.errors import ParameterError, RegisterError
from modlean.resources import shipped_dir
from modlean.risk.assessment import assess
from modlean.risk.fields import FIELD_NAMES, OPEN_STATUSES, REGISTER_FIELDS
from modlean.risk.fmea import assess_fmea
from modlean.risk.matrix import DEFAULT_MATRIX, RiskMatrix
from modlean.risk.records import (
    Problems,
    csv_row,
    is_blank,
    read_csv_text,
    read_workbook_sheets,
    sheet_row,
    validate_records,
)
from modlean.yamlread import load_yaml, yaml_problem

__all__ = ["RiskRegister", "load_register", "save_register", "validate_register"]


@dataclass
class RiskRegister:
    """A validated register: the risks, the matrix used to band them, an optional FMEA sheet."""

    risks: pd.DataFrame
    matrix: RiskMatrix = DEFAULT_MATRIX
    fmea: pd.DataFrame | None = None
    source: str = "register"

    def assess(self) -> pd.DataFrame:
        """:func:`assess` with this register's matrix."""
        return assess(self.risks, self.matrix)

    def is_shipped_example(self) -> bool:
        """True when the risks are those of the register template ``modlean init`` copies
        (same ids and titles): placeholders, not a market's own risks."""
        example = shipped_dir("templates") / "workbook" / "risk_register.yaml"
        if not example.is_file():
            return False
        ids = self.risks[["risk_id", "title"]].astype(str)
        shipped = pd.DataFrame(load_yaml(example.read_text(encoding="utf-8"))["risks"])
        return ids.sort_values("risk_id").to_numpy().tolist() == \
            shipped[["risk_id", "title"]].astype(str).sort_values("risk_id").to_numpy().tolist()


def _read_yaml(path: Path) -> tuple[pd.DataFrame, dict | None, pd.DataFrame | None]:
    problem = text_file_problem(path)
    if problem:
        raise RegisterError(f"{path}: {problem}; expected a register as YAML text (a list "
                            "of risks, or 'risks:' with that list)")
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        where = f", line {line}" if line else ""
        raise RegisterError(f"{path}{where}: not valid YAML ({problem})") from None
    if isinstance(data, list):
        data = {"risks": data}
    if not isinstance(data, dict) or not isinstance(data.get("risks"), list):
        found = kind_of(data.get("risks")) if isinstance(data, dict) else kind_of(data)
        raise RegisterError(f"{path}" + (", risks" if isinstance(data, dict) else "")
                            + f": found {found}; expected a list of risks, or a mapping with "
                            "'risks:' (a list) and optional 'matrix:' and 'fmea:'")
    bad = [i for i, r in enumerate(data["risks"]) if not isinstance(r, dict)]
    if bad:
        raise RegisterError(f"{path}, risks[{bad[0]}] (risk {bad[0] + 1}): found "
                            f"{kind_of(data['risks'][bad[0]])}; expected a mapping of "
                            "field: value lines (risk_id: R-01, title: ...)")
    fmea = data.get("fmea")
    if fmea is not None and not (isinstance(fmea, list)
                                 and all(isinstance(r, dict) for r in fmea)):
        raise RegisterError(f"{path}, fmea: found {kind_of(fmea)}; expected a list of FMEA "
                            "rows, each a mapping of field: value lines")
    for section, label in (("risks", "risk"), ("fmea", "row")):
        for i, row in enumerate(data.get(section) or []):
            nan = [k for k, v in row.items() if isinstance(v, float) and math.isnan(v)]
            if nan:  # a table would read it as an empty cell
                raise RegisterError(f"{path}, {section}[{i}] ({label} {i + 1}), field "
                                    f"{nan[0]!r}: found .nan; expected a number, or leave the "
                                    "field out")
    return (pd.DataFrame(data["risks"]), data.get("matrix"),
            pd.DataFrame(fmea) if fmea else None)


def _read_raw(path: Path) -> tuple[pd.DataFrame, Callable[[int], str], dict | None,
                                  pd.DataFrame | None]:
    """The unvalidated risks, where each row is in the file, the matrix and FMEA data."""
    if not path.exists():
        raise RegisterError(f"{path}: file not found")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return read_csv_text(path), csv_row, None, None
    if suffix == ".xlsx":
        sheets = read_workbook_sheets(path, "register")
        name = "risks" if "risks" in sheets else next(iter(sheets))
        return sheets[name], sheet_row(name), None, sheets.get("fmea")
    if suffix in (".yaml", ".yml"):
        raw, matrix_data, fmea_raw = _read_yaml(path)
        return raw, _yaml_row, matrix_data, fmea_raw
    raise RegisterError(f"{path}: unknown register format {suffix!r}; expected .csv, "
                        ".xlsx, .yaml or .yml")


def _yaml_row(i: int) -> str:
    return f"risks[{i}] (risk {i + 1})"


def load_register(path: str | Path, *, matrix: RiskMatrix | None = None) -> RiskRegister:
    """Read and validate a risk register from ``.csv``, ``.xlsx`` or ``.yaml``/``.yml``.

    YAML may also carry ``matrix:`` (see :meth:`RiskMatrix.from_dict`) and
    ``fmea:`` (rows of an FMEA sheet); an XLSX file may have an ``fmea`` sheet.

    Checks: required fields, unique ``risk_id``, ratings whole numbers 1-5,
    valid dates and choices, a ``risk_owner`` for every risk whose current
    residual band is High or Critical, target ratings given in pairs, an
    ``action_owner`` for an open risk with an action plan.

    Raises
    ------
    RegisterError
        Listing every problem with its row, risk id and field.
    """
    path = Path(path)
    raw, locate, matrix_data, fmea_raw = _read_raw(path)
    if matrix is None:
        try:
            matrix = RiskMatrix.from_dict(matrix_data, f"{path}: matrix")
        except ParameterError as exc:
            raise RegisterError(str(exc)) from None
    risks = validate_register(raw, source=str(path), locate=locate, matrix=matrix)
    fmea = None
    if fmea_raw is not None and len(fmea_raw):
        fmea = assess_fmea(fmea_raw, source=f"{path} (fmea)")
    return RiskRegister(risks=risks, matrix=matrix, fmea=fmea, source=str(path))


def validate_register(raw: pd.DataFrame, *, source: str = "register",
                      locate: Callable[[int], str] = lambda i: f"row {i + 1}",
                      matrix: RiskMatrix = DEFAULT_MATRIX) -> pd.DataFrame:
    """Validate and convert a raw register table (see :func:`load_register`)."""
    raw = raw.reset_index(drop=True)
    raw = raw.loc[~raw.apply(lambda r: all(is_blank(v) for v in r), axis=1)].reset_index(
        drop=True)  # blank spreadsheet rows
    problems = Problems(source)
    if raw.empty:
        problems.add("register", None, "has no risks", expected="at least one row")
        problems.raise_if_any()
    table = validate_records(raw, REGISTER_FIELDS, problems=problems, locate=locate,
                             id_field="risk_id")
    if problems.lines and "header" in problems.lines[0]:
        problems.raise_if_any()
    for i in range(len(table)):  # cross-field rules, one row at a time (tens of rows)
        row = table.iloc[i]
        where = locate(i) + (f" ({row['risk_id']})" if row["risk_id"] else "")
        if (row["target_l"] is None) != (row["target_i"] is None):
            missing = "target_i" if row["target_i"] is None else "target_l"
            problems.add(where, missing, "is required when the other target rating is given",
                         expected="both target_l and target_i, or neither")
        worst = (matrix.band(row["residual_l"], row["residual_i"])
                 if row["residual_l"] is not None and row["residual_i"] is not None else None)
        if worst in ("High", "Critical") and not row["risk_owner"]:
            problems.add(where, "risk_owner", f"is required for a {worst} risk "
                         "(current residual band)", expected="the accountable person's name")
        if row["action_plan"] and not row["action_owner"] and row["status"] in OPEN_STATUSES:
            problems.add(where, "action_owner", "is required when an open risk has an "
                         "action plan", expected="who delivers the plan")
        if row["next_review"] and row["last_review"] and row["next_review"] < row["last_review"]:
            problems.add(where, "next_review", "is before last_review",
                         found=str(row["next_review"]), expected=f"a date after "
                         f"{row['last_review']}")
    problems.raise_if_any()
    return table


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """Lists joined with '; ', dates as ISO text: ready for CSV/XLSX."""
    out = table.copy()
    for f in REGISTER_FIELDS:
        if f.name not in out.columns:
            continue
        if f.kind == "choices":
            out[f.name] = out[f.name].map(
                lambda v: "; ".join(v) if isinstance(v, list) else ("" if is_blank(v) else v))
        elif f.kind == "date":
            out[f.name] = out[f.name].map(lambda v: v.isoformat() if isinstance(v, dt.date)
                                          else ("" if is_blank(v) else v))
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def save_register(register: RiskRegister | pd.DataFrame, path: str | Path, *,
                  computed: bool = False) -> Path:
    """Write a register to ``.csv``, ``.xlsx`` or ``.yaml``; the format follows the suffix.

    Fields come in :data:`REGISTER_FIELDS` order; empty fields are left out of
    YAML. With ``computed=True`` the assessed columns (bands, expected loss ...)
    are written too (they are ignored when read back). XLSX and YAML keep the
    FMEA sheet; YAML keeps the matrix.
    """
    reg = register if isinstance(register, RiskRegister) else RiskRegister(register)
    table = reg.assess() if computed else reg.risks
    cols = [c for c in table.columns if c in FIELD_NAMES or computed]
    table = table[cols]
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        write_atomic(path, _flat(table).to_csv(index=False))
    elif suffix == ".xlsx":
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as xl:
            _flat(table).to_excel(xl, sheet_name="risks", index=False)
            if reg.fmea is not None:
                _flat(reg.fmea).to_excel(xl, sheet_name="fmea", index=False)
        write_atomic(path, buffer.getvalue())
    elif suffix in (".yaml", ".yml"):
        risks = [{k: _plain(v) for k, v in rec.items() if not is_blank(v)}
                 for rec in table.to_dict(orient="records")]
        doc: dict[str, Any] = {"risks": risks}
        if reg.matrix != DEFAULT_MATRIX:
            doc["matrix"] = reg.matrix.to_dict()
        if reg.fmea is not None:
            doc["fmea"] = [{k: _plain(v) for k, v in rec.items() if not is_blank(v)}
                           for rec in reg.fmea.to_dict(orient="records")]
        write_atomic(path, yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
    else:
        raise ParameterError(f"{path}: unknown register format {suffix!r}; expected .csv, "
                             ".xlsx or .yaml")
    return path
