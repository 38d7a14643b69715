"""How an eval case reads as text: the `eval` extra that formats/adk_eval.py keeps on a session
read from an ADK eval file (checked: `eval_of`), a metric as `name score / threshold PASS`, a
tool call as `name(args)`, and the lines `show` prints. Standard library only."""

from __future__ import annotations

from typing import Any

from ..model import Session
from .adk_text import render_call, render_response

EVAL_KEY = "eval"


def eval_of(session: Session) -> dict | None:
    """The eval extra of a session read from an eval file (None for any other session, or one
    whose `eval` extra is not the shape this module writes: a session may carry anything)."""
    value = session.extra.get(EVAL_KEY)
    if not (isinstance(value, dict) and value.get("source") in ("result", "set")):
        return None
    invocations = value.get("invocations")
    if not (_dicts(value.get("metrics")) and _dicts(invocations)):
        return None
    for inv in invocations:
        if not _dicts(inv.get("metrics") or []):
            return None
        for side in (inv.get("expected"), inv.get("actual")):
            if side is not None and not (isinstance(side, dict)
                                         and _dicts(side.get("tool_calls") or [])
                                         and _dicts(side.get("tool_responses") or [])):
                return None
    return value


def _dicts(value: Any) -> bool:
    """A list of objects."""
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def score_text(metric: dict) -> str:
    """`response_match_score 0.74 / 0.70 PASS`: name, score, threshold, status."""
    score, threshold = metric.get("score"), metric.get("threshold")
    number = "–" if not isinstance(score, (int, float)) else f"{score:.2f}"
    bar = "" if not isinstance(threshold, (int, float)) else f" / {threshold:.2f}"
    word = {"PASSED": "PASS", "FAILED": "FAIL", "NOT_EVALUATED": "not evaluated",
            "INFORMATIONAL": "info"}.get(metric.get("status"), str(metric.get("status")))
    return f"{metric.get('name')} {number}{bar} {word}"


def call_lines(side: dict | None) -> list[str]:
    """Each tool call of a side as `name(args)`."""
    if not side:
        return []
    return [render_call(str(c.get("name")), c.get("args")) for c in side.get("tool_calls") or []]


def response_lines(side: dict | None) -> list[str]:
    if not side:
        return []
    return [render_response(str(r.get("name")), r.get("response"))
            for r in side.get("tool_responses") or []]


def summary_lines(session: Session) -> list[str]:
    """What `show` prints of an eval case: its status and metrics, then per invocation the
    expected and the actual response and tool calls."""
    info = eval_of(session)
    if info is None:
        return []
    head = f"eval     {info.get('eval_id')}" + (f"  {info['status']}" if info.get("status") else
                                                "  (eval set: expected only)")
    lines = [head] + [f"metric   {score_text(m)}" for m in info["metrics"]]
    for n, inv in enumerate(info["invocations"], 1):
        lines.append(f"invocation {n}  {inv.get('invocation_id')}"
                     + "".join(f"  ·  {score_text(m)}" for m in inv.get("metrics") or []))
        lines.append(f"  user      {_flat(inv.get('user'))}")
        for label, key in (("expected", "expected"), ("actual", "actual")):
            side = inv.get(key)
            if side is None:
                continue
            lines += [f"  {label:<9} tool {c}" for c in call_lines(side)]
            lines.append(f"  {label:<9} {_flat(side.get('response'))}")
    return lines


def _flat(text: Any) -> str:
    return "(none)" if text is None else str(text).replace("\n", " ")
