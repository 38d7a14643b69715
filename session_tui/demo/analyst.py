"""The data analyst's story: queries, charts, a code review; one session's tool output holds
rich markup and terminal escape sequences that the app must show literally."""

from __future__ import annotations

import copy
import random

from .builder import Builder, run_turns


# One session's tool output carries text a terminal must never interpret (rich markup, an ANSI
# colour, an OSC title sequence): the app has to show it literally.
HOSTILE_OUTPUT = (
    "============================= test session starts ==============================\n"
    "collected 215 items\n\n"
    "tests/test_parser.py ....\x1b[31mF\x1b[0m.......\n"
    "\x1b[31mFAILED\x1b[0m tests/test_parser.py::test_unicode_headers - AssertionError\n"
    "E   AssertionError: assert '[bold red]not markup[/]' == 'not markup'\n"
    "E   fixture docs: [link=https://example.com]x[/link]\n"
    "captured stdout: \x1b]0;pwned\x07 tail\n"
    "========== 1 failed, 211 passed, 3 skipped in 41.07s =========="
)


_REGIONS = ["São Paulo", "München", "東京", "Île-de-France", "Ontario", "New South Wales", "Gauteng"]


def analyst(b: Builder, n: int, rng: random.Random, flags: set[str]) -> None:
    root, sql, reviewer = "data_analyst", "sql_agent", "code_reviewer"
    pr = rng.randint(1200, 9800)
    regions = rng.sample(_REGIONS, 5)
    revenue = sorted((round(rng.uniform(0.4, 9.0), 2) for _ in regions), reverse=True)

    def opener() -> None:
        b.new_invocation()
        b.user("What were our top 5 regions by revenue in Q3?")
        b.transfer(root, sql)
        b.call(sql, "describe_table", {"table": "sales"},
               {"columns": [{"name": "region", "type": "TEXT"}, {"name": "amount_eur", "type": "NUMERIC"},
                            {"name": "sold_at", "type": "TIMESTAMP"}], "rows": 1849302})
        query = ("SELECT region, SUM(amount_eur) AS revenue FROM sales WHERE sold_at >= '2026-07-01' "
                 "AND sold_at < '2026-10-01' GROUP BY region ORDER BY revenue DESC LIMIT 5")
        rows = [[r, round(v * 1_000_000)] for r, v in zip(regions, revenue)]
        b.call(sql, "run_sql", {"query": query}, {"rows": rows, "elapsed_ms": rng.randint(90, 2400)},
               {"last_query": query, "results_preview": rows, "dataset": {"table": "sales", "rows": 1849302}})
        b.reply(sql, f"Top region in Q3 was {regions[0]} with €{revenue[0]:.2f}M, followed by "
                     f"{regions[1]} (€{revenue[1]:.2f}M) and {regions[2]} (€{revenue[2]:.2f}M).")

    def chart() -> None:
        b.new_invocation()
        b.user("Can you plot that as a bar chart?")
        spec = {"type": "bar", "x": "region", "y": "revenue", "title": "Q3 revenue by region (€)",
                "log_scale": False, "colors": None}
        b.call(sql, "plot_chart", {"spec": spec}, {"image": "chart-q3.png", "width": 1200, "height": 700},
               {"chart": dict(spec, file="chart-q3.png")})
        b.reply(sql, "Here's the chart (chart-q3.png). The top two regions make up most of Q3 revenue.")

    def monthly() -> None:
        b.new_invocation()
        b.user(f"Break {regions[0]} down by month.")
        rows = [[m, round(revenue[0] / 3 * rng.uniform(0.8, 1.2), 3)] for m in ("2026-07", "2026-08", "2026-09")]
        b.call(sql, "run_sql", {"query": f"SELECT date_trunc('month', sold_at), SUM(amount_eur) FROM sales "
                                         f"WHERE region = '{regions[0]}' GROUP BY 1 ORDER BY 1"},
               {"rows": rows}, {"results_preview": rows, "temp:scratch": {"region": regions[0]}})
        b.reply(sql, "Revenue was fairly even across the three months: "
                     + ", ".join(f"{m}: €{v:.2f}M" for m, v in rows) + ".")

    def review() -> None:
        b.new_invocation()
        b.user(f"Switching topics: can you review PR #{pr}? It adds unicode header parsing.")
        b.transfer(root, reviewer)
        files = [{"path": "src/parser/headers.py", "additions": 84, "deletions": 12},
                 {"path": "tests/test_parser.py", "additions": 40, "deletions": 0}]
        b.call(reviewer, "fetch_pull_request", {"repo": "acme/ingest", "number": pr},
               {"title": "Parse RFC 2047 encoded headers", "author": "chloé.martin", "files": files},
               {"review": {"pr": pr, "title": "Parse RFC 2047 encoded headers", "files": files,
                           "comments": [], "approved": False}})
        b.reply(reviewer, "The change is small and well scoped. Let me run the tests before commenting.")

    def tests() -> None:
        b.new_invocation()
        b.user("Please run the test suite on it.")
        if "hostile" in flags:
            b.call(reviewer, "run_tests", {"path": "tests/", "args": ["-q", "--color=yes"]},
                   {"output": HOSTILE_OUTPUT},
                   {"test_results": {"passed": 211, "failed": 1, "skipped": 3, "duration_s": 41.07,
                                     "log_tail": HOSTILE_OUTPUT.splitlines()[-3:]}})
            b.reply(reviewer, "One test fails: test_unicode_headers compares the raw markup text instead "
                              "of the parsed header. 211 passed and 3 were skipped.")
        else:
            passed = rng.randint(150, 400)
            b.call(reviewer, "run_tests", {"path": "tests/", "args": ["-q"]},
                   {"output": f"{passed} passed in {rng.uniform(8, 60):.2f}s"},
                   {"test_results": {"passed": passed, "failed": 0, "skipped": 0, "duration_s": 12.5}})
            b.reply(reviewer, f"All {passed} tests pass.")

    def comments() -> None:
        b.new_invocation()
        b.user("Leave your comments on the PR.")
        review = copy.deepcopy(b.state.get("review") or {"pr": pr, "comments": [], "approved": False})
        review["comments"] = [
            {"path": "src/parser/headers.py", "line": 42, "body": "Handle `=?utf-8?q?` with lowercase q too."},
            {"path": "src/parser/headers.py", "line": 77, "body": "Nit: name this `decode_word` — it decodes one word."},
        ]
        b.call(reviewer, "post_review_comments", {"number": pr, "count": 2}, {"posted": 2},
               {"review": review})
        b.reply(reviewer, "I left two comments: lowercase `q` encoding and a naming nit.")

    def approve() -> None:
        b.new_invocation()
        b.user("The author fixed both. Approve it?")
        review = copy.deepcopy(b.state.get("review") or {"pr": pr, "comments": []})
        review["approved"] = True
        b.reply(reviewer, f"Approved PR #{pr}. 👍", {"review": review, "temp:scratch": None})

    def timezone_pref() -> None:
        b.new_invocation()
        b.user("By the way, show dates in my timezone from now on, I'm in Lisbon.")
        b.reply(root, "Got it, I'll show times in Europe/Lisbon.",
                {"user:timezone": "Europe/Lisbon", "app:warehouse": {"name": "analytics-prod",
                                                                     "region": "eu-west-1", "read_only": True}})

    run_turns(b, n, rng, opener, [chart, monthly, review, tests, comments, approve, timezone_pref], flags,
         forced=[review, tests] if "hostile" in flags else [])
