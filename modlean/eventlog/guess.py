"""Guess a source profile from a sample of an export, marking every guess for the user.

:func:`guess_profile` reads the first rows of an export and proposes the profile
(docs/intake.md) that turns it into the canonical log: the shape (one row per
task or per event), the case key and parent links, the time columns and their
roles, the queue and its stages, the verdict, reason code, model score, QA
columns and the locale. It returns a :class:`GuessedProfile`: the profile as a
plain dict in the profile's YAML format, with a comment for each key the user
must confirm and notes on what the data cannot tell. :func:`profile_yaml`
(:mod:`~modlean.eventlog.guess_yaml`) writes it as YAML to edit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from modlean.errors import LogError
from modlean.eventlog.columns import resolve_columns
from modlean.eventlog.facts import (
    MOSTLY,
    Sample,
    column_facts,
    excel_sheets,
    parse_sample_times,
    read_sample,
)
from modlean.eventlog.guess_rules import (
    attribute_name,
    matches,
    order_breaks,
    overlap_share,
    stage_of,
    status_of,
    value_map,
    verdict_of,
)
from modlean.eventlog.guess_statuses import draft_statuses
from modlean.eventlog.minable import SINGLE_EVENT_LIMIT
from modlean.eventlog.people import not_people_logins

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["GuessedProfile", "guess_profile"]

#: Share of tasks picked up before the same agent closed the previous one, above which
#: the "started" column is taken to mean "assigned".
ASSIGNED_OVERLAP = 0.05


class GuessedProfile(dict[str, object]):
    """A guessed profile: a plain dict in the profile's YAML format, plus notes for the user.

    ``comments`` maps a dotted key path (``"task.started_means"``) to the comment
    written after that key; ``pending`` maps a section path (``""`` for the top)
    to lines written commented-out at the end of the section (keys the data
    cannot fill, for the user to set); ``findings`` is the short summary.
    """

    def __init__(self, profile: dict[str, object], *, source: str, rows: int,
                 comments: dict[str, str], pending: dict[str, list[str]],
                 findings: list[str]) -> None:
        super().__init__(profile)
        self.source = source
        self.rows = rows
        self.comments = comments
        self.pending = pending
        self.findings = findings


def guess_profile(source: str | Path | pd.DataFrame, *, sep: str | None = None,
                  encoding: str | None = None, sample_rows: int = 50_000,
                  sheet: str | int | None = None) -> GuessedProfile:
    """Guess the profile of an export from its first ``sample_rows`` rows.

    Returns a :class:`GuessedProfile` (a dict in the profile's YAML format).
    Guesses the user must confirm carry a comment; what the data cannot tell
    (a time zone, day-first without a day over 12, a queue's stage) is left for
    the user with a ``TODO`` comment, never filled in silently. Of an Excel workbook
    it reads ``sheet``, or else the first worksheet holding times (a cover sheet is
    passed over, and said), and writes the sheet into the profile.

    Raises
    ------
    LogError
        When the export cannot be read or holds no time column.
    """
    sample = _sample(source, sep=sep, encoding=encoding, rows=sample_rows, sheet=sheet)
    if sample.frame.empty:
        raise LogError("the export has no rows", source=sample.name,
                       expected="a header row and rows")
    return _Guesser(sample).run()


def _sample(source: str | Path | pd.DataFrame, *, sep: str | None, encoding: str | None,
            rows: int, sheet: str | int | None) -> Sample:
    """The sample to guess from: of an Excel workbook without ``sheet``, the first
    worksheet with a column of times (sheets passed over are noted)."""
    sheets = excel_sheets(source) if sheet is None else []
    passed: list[str] = []
    for name in sheets[:-1]:
        sample = read_sample(source, sep=sep, encoding=encoding, rows=rows, sheet=name)
        if any(f.kind == "time" for f in column_facts(sample.frame).values()):
            break
        passed.append(name)
    else:
        name = sheets[-1] if sheets else sheet
        sample = read_sample(source, sep=sep, encoding=encoding, rows=rows, sheet=name)
    if passed:
        sample.notes.append(f"sheet {sample.sheet!r}: the sheet(s) before it "
                            f"({', '.join(map(repr, passed))}) hold no times")
    return sample


class _Guesser:
    """One guess: the facts of a sample, the profile built section by section."""

    def __init__(self, sample: Sample) -> None:
        self.sample = sample
        self.frame = sample.frame
        self.facts = column_facts(sample.frame)
        self.used: set[str] = set()
        self.profile: dict[str, object] = {}
        self.comments: dict[str, str] = {}
        self.pending: dict[str, list[str]] = {}
        self.findings: list[str] = list(sample.notes)
        self.qa = {c for c in self.facts if matches(c, "qa")}
        self.times = [c for c, f in self.facts.items() if f.kind == "time" and c not in self.qa]
        self.dayfirst: bool | None = None
        self.case_id = ""
        self.event_columns: dict[str, str] = {}

    def run(self) -> GuessedProfile:
        if not self.times:
            raise LogError(
                "no column holds times", source=self.sample.name,
                found="columns " + ", ".join(map(repr, self.facts)),
                expected="at least one column of dates and times (e.g. created, closed)")
        self.profile["shape"] = self._shape()
        if self.sample.sheet is not None:
            self.profile["sheet"] = self.sample.sheet
            self._note("sheet", "CONFIRM: the worksheet with the tasks")
        self._locale()
        if self.profile["shape"] == "tasks":
            self._tasks()
        else:
            self._events()
        self._decision()
        self._label_and_score()
        self._qa()
        self._attributes()
        self._resources()
        return GuessedProfile(self.profile, source=self.sample.name, rows=len(self.frame),
                              comments=self.comments, pending=self.pending,
                              findings=self.findings)

    # -- helpers ------------------------------------------------------------------------------
    def _pick(self, role: str, candidates: list[str] | None = None) -> str | None:
        """The first unused column whose name fits ``role``."""
        pool = candidates if candidates is not None else list(self.facts)
        for col in pool:
            if col not in self.used and matches(col, role):
                return col
        return None

    def _take(self, col: str) -> str:
        self.used.add(col)
        return col

    def _note(self, path: str, text: str) -> None:
        self.comments[path] = text

    def _todo(self, section: str, line: str) -> None:
        self.pending.setdefault(section, []).append(line)

    # -- shape and identity -------------------------------------------------------------------
    def _shape(self) -> str:
        ids = [c for c, f in self.facts.items()
               if f.unique and f.kind in ("text", "number") and not f.fractional]
        ids.sort(key=lambda c: not matches(c, "id"))
        events = self._event_columns()
        multi = 0.0
        if events is not None:
            sizes = self.frame[events["case_id"]].value_counts()
            multi = float(sizes.gt(1).mean())
        if events is not None and multi > SINGLE_EVENT_LIMIT:
            self.event_columns = events
            self.findings.append(f"shape: events ({multi:.0%} of the cases in "
                                 f"{events['case_id']!r} have several rows)")
            self._note("shape", "CONFIRM: an activity column repeats per case")
            return "events"
        if ids:
            self.case_id = self._take(ids[0])
            why = f"{ids[0]!r} is unique per row and {len(self.times)} columns hold times"
            self.findings.append(f"shape: tasks ({why})")
            self._note("shape", "CONFIRM: one row per task: " + why)
            if len(self.times) < 2:
                self._note("shape", f"CONFIRM: one row per task ({ids[0]!r} is unique per "
                           "row), but only one column holds times: no waits can be measured")
            return "tasks"
        if events is not None:
            self.event_columns = events
            self.findings.append("shape: events, but most cases have a single row")
            self._note("shape", f"CONFIRM: only {multi:.0%} of the cases have several rows; "
                       "the data may be one row per task with no unique task key")
            return "events"
        raise LogError(
            "cannot tell the shape of the export", source=self.sample.name,
            found="columns " + ", ".join(map(repr, self.facts)),
            expected="a column unique per row (a task key) with time columns, or a case, "
            "activity and time column", hint="Write the profile by hand (docs/intake.md)")

    def _event_columns(self) -> dict[str, str] | None:
        """case_id/activity/timestamp (and others) as read_log would find them, or by name."""
        try:
            found = resolve_columns(list(self.facts), None, self.sample.name)
        except LogError:
            found = {}
        texts = [c for c, f in self.facts.items() if f.kind in ("text", "number")
                 and not f.fractional and not f.unique and c not in self.qa]
        filled = [c for c in texts if self.facts[c].filled >= MOSTLY * len(self.frame)]
        if "case_id" not in found and (case := self._pick("id", filled) or self._pick(
                "id", texts) or self._repeated_key(filled)) is not None:
            found["case_id"] = case
        if "activity" not in found:
            acts = [c for c in texts if 1 < self.facts[c].distinct <= 500]
            if (act := self._pick("activity", acts) or self._status_like(acts)) is not None:
                found["activity"] = act
        if "resource" not in found:
            people = [c for c in texts if c not in found.values()]
            if (who := self._pick("resource", people)) is not None:
                found["resource"] = who
        if "timestamp" not in found and self.times:
            found["timestamp"] = self.times[-1]
        if not {"case_id", "activity", "timestamp"} <= set(found):
            return None
        if self.facts[found["case_id"]].unique or found["timestamp"] not in self.times:
            return None
        return found

    def _status_like(self, columns: list[str]) -> str | None:
        """A status column by its values, when no column's name says it: the one with the
        most values that are verdict or status words ("Approvata", "In coda"), at least two."""
        def words(col: str) -> int:
            values = self.frame[col].dropna().astype(str).unique()[:500]
            return sum(1 for v in values if verdict_of(v) or status_of(v)[0])

        best = max(columns, key=words, default=None)
        return best if best is not None and words(best) >= 2 else None

    def _repeated_key(self, filled: list[str]) -> str | None:
        """A case key by its values: of the columns filled on (almost) every row and repeated
        across rows, the one with the most distinct values (more than a status column has)."""
        keys = [c for c in filled if self.facts[c].distinct > 40]
        return max(keys, key=lambda c: self.facts[c].distinct, default=None)

    def _case(self, case_id: str) -> None:
        ids = pd.Index(self.frame[case_id].dropna().unique().astype(object))
        links = []
        for col, f in self.facts.items():
            if col in self.used or col == case_id or f.kind not in ("text", "number") \
                    or f.filled == 0 or f.fractional:
                continue
            values = self.frame[col].dropna()
            known = float((ids.get_indexer(values.astype(object)) >= 0).mean())
            own = float((values == self.frame.loc[values.index, case_id]).mean())
            if known >= 0.8 and own < 0.5:
                links.append(self._take(col))
                self.findings.append(f"link: {col!r} holds a parent {case_id!r} "
                                     f"({known:.0%} of {len(values):,} filled values)")
        case: dict[str, object] = {"id": case_id}
        self._note("case.id", f"CONFIRM: {self.facts[case_id].distinct:,} distinct values")
        if links:
            case["links"] = links
            self._note("case.links", "CONFIRM: these columns hold a parent ticket's key; "
                       "tickets are chased to their root, which becomes the case")
        self.profile["case"] = case

    # -- locale -------------------------------------------------------------------------------
    def _locale(self) -> None:
        locale: dict[str, object] = {}
        facts = self.facts.values()
        if self.sample.sep is not None:
            locale["sep"] = self.sample.sep
        commas = [f.name for f in facts if f.decimal_comma]
        locale["decimal"] = "," if commas else "."
        if commas:
            self._note("locale.decimal", "seen in " + ", ".join(commas))
            if any(f.thousands_dot for f in facts):
                locale["thousands"] = "."
        times = [f for f in facts if f.kind == "time"]
        day = [f.name for f in times if f.day_over_12]
        month = [f.name for f in times if f.month_over_12]
        if day and month:
            self._todo("locale", "dayfirst: true       # TODO: " + ", ".join(day) + " read "
                       "day-first, " + ", ".join(month) + " month-first: fix the export")
        elif day or month:
            self.dayfirst = bool(day)
            locale["dayfirst"] = self.dayfirst
            self._note("locale.dayfirst", f"a value over 12 in {(day or month)[0]!r} shows it")
        elif not all(f.iso for f in times):
            self._todo("locale", "dayfirst: true   # TODO: no day over 12 in the sample: the data "
                       "cannot tell 03/04 from 04/03")
        if any(f.offsets for f in times):
            self.findings.append("times carry UTC offsets: no time zone needed for them")
        else:
            self._todo("locale", "timezone: <zone>   # TODO: the times have no offset: name "
                       "their IANA zone, e.g. Europe/Madrid, America/Sao_Paulo (default UTC)")
        if self.sample.encoding is not None:
            locale["encoding"] = self.sample.encoding.removesuffix("-sig")
        self.profile["locale"] = locale
        self.findings.append("locale: " + ", ".join(f"{k} {v!r}" for k, v in locale.items()))

    # -- tasks --------------------------------------------------------------------------------
    def _tasks(self) -> None:
        self._case(self.case_id)
        task: dict[str, object] = {}
        queue = self._queue_column()
        if queue is not None:
            task["queue"] = self._take(queue)
            self._note("task.queue", f"CONFIRM: {self.facts[queue].distinct} values, under "
                       "queues: below")
        else:
            self._todo("task", "queue: <column>      # TODO: no column looks like a queue")
        resource = self._pick("resource", self._texts())
        if resource is not None:
            task["resource"] = self._take(resource)
            self._note("task.resource", self._people(resource, queue))
        else:
            self._todo("task", "resource: <column>   # TODO: no column names who did the task")
        roles = self._time_roles()
        for role in ("created", "started"):
            if role in roles:
                task[role] = roles[role]
        if "started" in roles:
            task["started_means"] = self._started_means(resource, roles, queue)
        if "closed" in roles:
            task["closed"] = roles["closed"]
        self.profile["task"] = task
        if queue is not None:
            self._queues(queue)

    def _people(self, resource: str, queue: str | None) -> str:
        """The resource note: how many people, apart from the ids that work automated queues
        (a model's login is no reviewer; modlean import logs those tasks as ``model``)."""
        ids = self.frame[resource].dropna()
        robots: list[str] = []
        if queue is not None:
            automated = [v for v in self.facts[queue].top if stage_of(v)[1] == "model"]
            in_auto = self.frame.loc[ids.index, queue].isin(automated)
            robots = sorted(set(ids[in_auto].astype(str)) - set(ids[~in_auto].astype(str)))
        people = ids.astype(str).nunique() - len(robots)
        if not robots:
            return f"CONFIRM: {people:,} people"
        return (f"CONFIRM: {people:,} people, and {', '.join(map(repr, robots[:3]))} working "
                "only the automated queues (logged as 'model')")

    def _texts(self) -> list[str]:
        return [c for c, f in self.facts.items()
                if f.kind == "text" and c not in self.qa and c not in self.used]

    def _queue_column(self) -> str | None:
        texts = [c for c in self._texts() if 1 <= self.facts[c].distinct <= 200]
        return self._pick("queue", texts)

    def _time_roles(self) -> dict[str, str]:
        roles: dict[str, str] = {}
        for role in ("created", "closed", "started"):
            # of a start and an assignment column, the start is the started one
            col = self._pick(role, [c for c in self.times if not matches(c, "assigned")]
                             if role == "started" else self.times) or self._pick(role,
                                                                                 self.times)
            if col is not None:
                roles[role] = self._take(col)
                self._note(f"task.{role}", "CONFIRM: by its name")
        rest = [c for c in self.times if c not in self.used]
        if rest:
            parsed = parse_sample_times(self.frame, rest, dayfirst=bool(self.dayfirst))
            rest.sort(key=lambda c: parsed[c].median())
            for role in ("created", "closed", "started"):
                if role not in roles and rest:
                    col = rest.pop(0 if role == "created" else -1)
                    roles[role] = self._take(col)
                    self._note(f"task.{role}", "CONFIRM: by the order of the times (its name "
                               "says nothing)")
        order = [roles[r] for r in ("created", "started", "closed") if r in roles]
        if len(order) > 1:
            parsed = parse_sample_times(self.frame, order, dayfirst=bool(self.dayfirst))
            rows, breaks = order_breaks(parsed[order])
            said = f"{' <= '.join(order)} on {rows - breaks:,} of {rows:,} rows"
            self.findings.append(f"times: {said}" + (
                f" ({breaks:,} rows are out of order: modlean import drops and reports them)"
                if breaks else ""))
            if breaks > 0.05 * rows:
                self._note("task.closed", f"CHECK: {said} only")
        return roles

    def _started_means(self, resource: str | None, roles: dict[str, str],
                       queue: str | None) -> str:
        """``assigned`` when agents pick up tasks before closing their previous one (in all,
        or in any queue), or when the column's name says assignment; else ``started``."""
        if resource is None or "closed" not in roles:
            self._note("task.started_means", "TODO: no resource column, so the data cannot "
                       "tell whether this is the start or the assignment")
            return "started"
        cols = [roles["started"], roles["closed"]]
        parsed = parse_sample_times(self.frame, cols, dayfirst=bool(self.dayfirst))
        shares = overlap_share(self.frame[resource], parsed[cols[0]], parsed[cols[1]],
                               by=self.frame[queue] if queue is not None else None)
        said = (f"{shares['']:.0%} of tasks were {roles['started']!r} before the same "
                f"{resource!r} closed the previous one")
        high = shares.drop("").loc[lambda x: x > ASSIGNED_OVERLAP]
        if len(high):
            said += " (" + ", ".join(f"{q} {v:.0%}" for q, v in high.head(4).items()) + ")"
        self.findings.append("time semantics: " + said)
        named = matches(roles["started"], "assigned")
        if shares[""] > ASSIGNED_OVERLAP or len(high) or named:
            why = said if shares[""] > ASSIGNED_OVERLAP or len(high) else \
                f"its name says assignment; {said}"
            self._note("task.started_means", f"CONFIRM: {why}: it looks like the assignment "
                       "(a start is then moved to the agent's previous close where they overlap)")
            return "assigned"
        self._note("task.started_means", f"CONFIRM: {said}: it looks like the real start")
        return "started"

    def _queues(self, queue: str) -> None:
        queues: dict[str, object] = {}
        counts = self.facts[queue].top
        for value, n in counts.items():
            stage, pool = stage_of(value)
            queues[value] = {"stage": stage, "pool": pool}
            if pool == "model":  # a model screens many items at once: never serialised
                queues[value]["automated"] = True
            self._note(f"queues.{value}", f"{n:,} rows" + (
                "" if stage else "; TODO: name its stage (an activity) and pool") + (
                "; CONFIRM automated: a model or system works many tasks at once"
                if pool == "model" else ""))
        self._note("queues", "CONFIRM: stages and pools suggested from the queue names")
        if self.facts[queue].distinct > len(counts):
            self._todo("queues", f"# ... {self.facts[queue].distinct - len(counts)} more "
                       "values: modlean import lists the unmapped ones")
        self.profile["queues"] = queues
        self.findings.append(f"queues: {len(counts)} values of {queue!r}, "
                             f"{sum(1 for v in queues.values() if v['stage'])} with a "
                             "suggested stage")

    # -- events -------------------------------------------------------------------------------
    def _events(self) -> None:
        cols = self.event_columns
        self._take(cols["case_id"])
        self._case(cols["case_id"])
        event = {k: self._take(v) for k, v in cols.items() if k != "case_id"}
        self.profile["event"] = event
        self._note("event.activity", f"CONFIRM: {self.facts[event['activity']].distinct} "
                   "distinct values")
        if "resource" in event:
            people = self.frame[event["resource"]].dropna().nunique()
            self._note("event.resource", f"CONFIRM: {people:,} ids")
        self._statuses(event["activity"])

    def _statuses(self, column: str) -> None:
        """A status history's ``statuses:`` and ``decision:`` (see :func:`draft_statuses`)."""
        cols = self.event_columns
        draft = draft_statuses(self.frame, self.facts[column], case=cols["case_id"],
                               time=cols["timestamp"])
        if draft is None:
            return
        self.profile["statuses"] = draft.statuses
        self.profile["decision"] = {"column": column, "values": draft.verdicts}
        self.comments.update(draft.comments)
        self.pending.update(draft.pending)
        self.findings.extend(draft.findings)
        few = [c for c in self._texts() if 2 <= self.facts[c].distinct <= 50]
        if (queue := self._pick("queue", few)) is not None:  # the queue of each status
            self.profile["event"]["queue"] = self._take(queue)
            self._note("event.queue", "CONFIRM: the queue of each row: a status whose "
                       "activity is review becomes its queue's stage (review_l1, ...)")
            self._queues(queue)

    # -- vocabulary ---------------------------------------------------------------------------
    def _decision(self) -> None:
        if "decision" in self.profile:  # a status history's verdicts are its statuses
            return
        few = [c for c in self._texts() if 2 <= self.facts[c].distinct <= 12]
        col = self._pick("verdict", few)
        if col is None:
            col = next((c for c in few if value_map(self.facts[c].top, "decision")[1] == 0
                        and self.facts[c].upper > 0.9), None)
        if col is None:
            return
        values, unknown = value_map(self.facts[self._take(col)].top, "decision")
        self.profile["decision"] = {"column": col, "values": values}
        appeals = any(isinstance(q, dict) and q.get("stage") == "appeal_review"
                      for q in self.profile.get("queues", {}).values())
        self._note("decision.values", "CONFIRM" if not unknown else
                   f"TODO: {unknown} values are no known verdict word: map them" + (
                       " (an appeal's verdict: upholding the rejection is reject, "
                       "overturning it approve)" if appeals else ""))
        self.findings.append(f"verdicts: {col!r} ({', '.join(values)})")

    def _label_and_score(self) -> None:
        label = self._pick("label", self._texts())
        if label is not None:
            self.profile["label"] = self._take(label)
            self._note("label", f"CONFIRM: {self.facts[label].distinct} reason codes")
        scores = [c for c, f in self.facts.items() if f.kind == "number" and f.fractional
                  and f.unit_interval and c not in self.used and c not in self.qa]
        score = self._pick("score", scores) or (scores[0] if scores else None)
        if score is not None:
            self.profile["score"] = self._take(score)
            self._note("score", "CONFIRM: numbers within 0..1" + (
                "" if matches(score, "score") else ", but the name does not say score"))

    def _qa(self) -> None:
        qa_cols = [c for c in self.facts if c in self.qa and c not in self.used]
        if not qa_cols:
            return
        qa: dict[str, object] = {}
        few = [c for c in qa_cols if self.facts[c].kind == "text"
               and 2 <= self.facts[c].distinct <= 12]
        verdict = next((c for c in few if value_map(self.facts[c].top, "qa")[1] == 0), None)
        kind = "qa"
        if verdict is None:
            verdict = next((c for c in few if value_map(self.facts[c].top, "decision")[1] == 0),
                           None)
            kind = "decision"
        if verdict is not None:
            qa["verdict"] = self._take(verdict)
            qa["values"] = value_map(self.facts[verdict].top, kind)[0]
            self._note("qa.values", "CONFIRM: " + ("pass/fail: FAIL means the decision was "
                                                   "wrong" if kind == "qa" else "QA's own verdict"))
        texts = [c for c in qa_cols if self.facts[c].kind == "text" and c not in self.used]
        if (reason := self._pick("qa_reason", texts)) is not None:
            qa["reason"] = self._take(reason)
        times = [c for c in qa_cols if self.facts[c].kind == "time"]
        if times:
            qa["time"] = self._take(times[0])
        if (reviewer := self._pick("qa_reviewer", texts)) is not None:
            qa["reviewer"] = self._take(reviewer)
        if qa:
            self.profile["qa"] = qa
            self._note("qa", "CONFIRM: QA columns by their names")
            self.findings.append("QA: " + ", ".join(f"{k} {v!r}" for k, v in qa.items()
                                                    if k != "values"))

    def _resources(self) -> None:
        """``resources:``: the logins that look like the model, the system or the seller
        (:func:`~modlean.eventlog.people.looks_like`), so they are counted as no reviewer."""
        section = self.profile.get("task") or self.profile.get("event") or {}
        column = section.get("resource") if isinstance(section, dict) else None
        found = not_people_logins(self.frame[column]) if column else {}
        if not found:
            return
        self.profile["resources"] = found
        self._note("resources", f"CONFIRM: logins of {column!r} that look like no reviewer "
                   "(the model, the system, the seller); delete a person's, add any missed")
        self.findings.append("not reviewers: " + ", ".join(f"{k!r} ({v})"
                                                           for k, v in found.items()))

    def _attributes(self) -> None:
        attrs: dict[str, object] = {}
        for col, f in self.facts.items():
            if col in self.used:
                continue
            if f.kind == "empty":
                self.findings.append(f"column {col!r} is empty in the sample: not used")
                continue
            if f.kind == "time":
                self.findings.append(f"time column {col!r} is not used")
                continue
            attrs[attribute_name(col, attrs)] = col
        if attrs:
            self.profile["attributes"] = attrs
            self._note("attributes", "kept on every event: delete what you do not need")
