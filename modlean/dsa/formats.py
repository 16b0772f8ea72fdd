"""Statements of reasons in and out: the database's CSV and the submission API's JSON.

- :func:`to_csv_text`: the columns of the database's daily dumps, in their
  order (``vocabulary.yaml``), RFC 4180 (CRLF line ends, quotes where needed),
  UTF-8, list fields as JSON arrays as in the dumps. ``uuid`` and ``created_at``
  stay empty: the database assigns them; ``platform_uid`` is the ``puid``.
- :func:`to_jsonl_text`: one line per request body of the API's multiple
  endpoint (``{"statements": [...]}``, at most 100 statements each, as in
  ``api-documentation.md``, "Creating Multiple Statements"); empty optional
  fields are left out and the EAN goes in ``content_id: {"EAN-13": ...}``.
- :func:`read_dump`: rows of a daily dump (old or new schema) in the API's
  shape, so :func:`modlean.dsa.rules.validate` can check them again.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd

from modlean.dsa.vocabulary import API_FIELDS, LIST_FIELDS, vocabulary

__all__ = ["BATCH_SIZE", "read_dump", "to_csv_text", "to_jsonl_text"]

#: Statements per request of the multiple endpoint ("capable of making 100 statements per call").
BATCH_SIZE = 100
_DATES = ("content_date", "application_date", "end_date_account_restriction",
          "end_date_monetary_restriction", "end_date_service_restriction",
          "end_date_visibility_restriction")


def _as_list(value: object) -> list:
    return list(value) if isinstance(value, list | tuple) else []


def to_csv_text(statements: pd.DataFrame, platform_name: str = "") -> str:
    """The statements as the database's CSV (header and one row per statement)."""
    out = pd.DataFrame(index=statements.index)
    for column in vocabulary().columns:
        source = "puid" if column == "platform_uid" else column
        if column in LIST_FIELDS and column in statements:
            out[column] = statements[source].map(
                lambda v: json.dumps(_as_list(v)) if _as_list(v) else "")
        elif column == "platform_name":
            out[column] = platform_name
        elif source in statements:
            out[column] = statements[source].fillna("").astype(str)
        else:
            out[column] = ""
    buffer = io.StringIO()
    out.to_csv(buffer, index=False, lineterminator="\r\n")
    return buffer.getvalue()


def to_jsonl_text(statements: pd.DataFrame, batch_size: int = BATCH_SIZE) -> str:
    """The statements as request bodies of the multiple endpoint, one JSON object per line."""
    fields = [f for f in API_FIELDS if f in statements and f != "content_id_ean"]
    records = statements[fields].to_dict("records")
    eans = statements["content_id_ean"].fillna("").astype(str).tolist() \
        if "content_id_ean" in statements else [""] * len(records)
    # Serialising is per statement by nature; the dict below only drops empty fields.
    bodies = [{k: (_as_list(v) if k in LIST_FIELDS else v) for k, v in r.items()
               if (_as_list(v) if k in LIST_FIELDS else (v is not None and v == v and v != ""))}
              | ({"content_id": {"EAN-13": ean}} if ean else {})
              for r, ean in zip(records, eans, strict=True)]
    lines = [json.dumps({"statements": bodies[i:i + batch_size]}, ensure_ascii=False)
             for i in range(0, len(bodies), batch_size)]
    return "".join(line + "\n" for line in lines)


def read_dump(source: str | Path | io.StringIO) -> pd.DataFrame:
    """Rows of a database dump CSV in the API's shape (lists parsed, dates as YYYY-MM-DD).

    Both schemas are read: the 2024 dumps have no ``content_id_ean`` column.
    ``platform_uid`` becomes ``puid``; ``uuid``, ``platform_name`` and ``created_at``
    are kept for reference.
    """
    table = pd.read_csv(source, dtype=str, keep_default_na=False)
    table = table.rename(columns={"platform_uid": "puid"})
    for field in LIST_FIELDS & set(table.columns):
        table[field] = table[field].map(lambda v: json.loads(v) if v else [])
    for field in set(_DATES) & set(table.columns):
        table[field] = table[field].str.slice(0, 10)
    return table
