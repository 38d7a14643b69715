"""An eval case beside its run (a session read from an ADK eval file, formats/adk_eval.py):
the case's status and each metric's score, threshold and PASS/FAIL on top; below, for the
invocation under the timeline's cursor, its metrics and the expected response and tool calls
beside the actual ones (a call that differs from the expected one at its place is marked ≠).
An eval set's case has the expected side only. Hidden for any other session.

Data down: the screen gives the session (`show_session`) and the cursor's invocation
(`show_invocation`). All text is safe `Content` (never markup)."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Static

from ..formats.adk_eval_text import call_lines, eval_of, score_text
from ..model import Session, json_equal
from ..text import safe
from ..tcss import load_css

_STATUS_STYLE = {"PASSED": "bold $text-success", "FAILED": "bold $text-error"}
_MUTED = "$foreground-muted"
_DIFFERS = "$text-warning"


def _metric(metric: dict) -> Content:
    style = _STATUS_STYLE.get(metric.get("status"), _MUTED)
    text = score_text(metric)
    name, _, rest = text.rpartition(" ")
    return Content.assemble(safe(name, multiline=False), " ", (rest, style))


def _metrics_line(head: Content, metrics: list[dict]) -> Content:
    pieces: list[Any] = [head]
    for metric in metrics:
        pieces += [(" · ", _MUTED), _metric(metric)]
    return Content.assemble(*pieces)


def _same_call(a: dict, b: dict) -> bool:
    return a.get("name") == b.get("name") and json_equal(a.get("args"), b.get("args"))


class EvalPanel(Vertical):
    DEFAULT_CSS = load_css(__file__)

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._info: dict | None = None
        self._invocation: str | None = None
        self.display = False

    def compose(self) -> ComposeResult:
        yield Static(id="eval-case", markup=False)
        yield Static(id="eval-invocation", markup=False)
        with Horizontal(id="eval-sides"):
            yield Static(id="eval-expected", markup=False)
            yield Static(id="eval-actual", markup=False)

    # -- data down ---------------------------------------------------------------------------
    def show_session(self, session: Session | None, invocation_id: str | None = None) -> None:
        self._info = eval_of(session) if session is not None else None
        self.display = self._info is not None
        if self._info is None:
            return
        info = self._info
        status = info.get("status")
        head = Content.assemble(("Eval ", "bold"), safe(str(info.get("eval_id")), multiline=False),
                                " ", (status, _STATUS_STYLE.get(status, _MUTED)) if status
                                else ("eval set: the expected conversation, no run", _MUTED))
        self.query_one("#eval-case", Static).update(_metrics_line(head, info["metrics"]))
        self.show_invocation(invocation_id)

    def show_invocation(self, invocation_id: str | None) -> None:
        """The invocation under the cursor (its expected and actual sides); one the eval does
        not know (or none): the one shown before, else the first."""
        info = self._info
        if info is None:
            return
        invocations = info["invocations"]
        ids = [inv.get("invocation_id") for inv in invocations]
        if invocation_id not in ids:
            invocation_id = self._invocation if self._invocation in ids else (ids[0] if ids else None)
        self._invocation = invocation_id
        line = self.query_one("#eval-invocation", Static)
        expected = self.query_one("#eval-expected", Static)
        actual = self.query_one("#eval-actual", Static)
        if invocation_id is None:
            scenario = info.get("scenario")
            prompt = scenario.get("starting_prompt") if isinstance(scenario, dict) else None
            line.update(Content.styled(
                "A conversation scenario (a simulated user), no fixed conversation: it starts "
                f"“{safe(str(prompt))}”" if prompt is not None else "No invocations to compare",
                _MUTED))
            line.display = True
            expected.display = actual.display = False
            return
        n = ids.index(invocation_id)
        inv = invocations[n]
        metrics = inv.get("metrics") or []
        # One invocation scored as the case: its line would only repeat the one above.
        line.display = len(ids) > 1 or metrics != info["metrics"]
        line.update(_metrics_line(Content(f"Invocation {n + 1} of {len(ids)}"), metrics))
        expected.display = True
        expected.update(self._side("Expected", inv.get("expected"), None))
        actual.display = inv.get("actual") is not None or info.get("source") == "result"
        actual.update(self._side("Actual", inv.get("actual"), inv.get("expected")))

    @staticmethod
    def _side(title: str, side: dict | None, other: dict | None) -> Content:
        pieces: list[Any] = [(title, "bold")]
        if side is None:
            return Content.assemble(*pieces, ("\n(none in the file)", _MUTED))
        theirs = (other or {}).get("tool_calls") or []
        calls = side.get("tool_calls") or []
        for i, (call, text) in enumerate(zip(calls, call_lines(side))):
            differs = other is not None and not (i < len(theirs) and _same_call(call, theirs[i]))
            pieces += ["\n", ("≠ " if differs else "⚙ ", _DIFFERS if differs else _MUTED),
                       (safe(text), _DIFFERS if differs else "")]
        if other is not None and len(theirs) > len(calls):
            pieces += ["\n", (f"≠ {len(theirs) - len(calls)} expected call(s) not made", _DIFFERS)]
        response = side.get("response")
        pieces += ["\n", ("→ ", _MUTED),
                   safe(str(response)) if response is not None else ("(no final response)", _MUTED)]
        return Content.assemble(*pieces)
