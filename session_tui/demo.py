"""Realistic, deterministic demo sessions (for the `demo` command, screenshots and tests), and a
fast generator of many plain sessions for benchmarks.

Everything comes from `random.Random(seed)` and the `now` given: no global random, no clock.
Every session's `state` is its `initial_state` (or `{}`) with each event's `state_delta` applied
in order, as a store would have built it.
"""

from __future__ import annotations

import copy
import random
import uuid
from typing import Any, Callable, Iterator

from .formats.adk_text import render_call, render_response  # (as ADK content reads as text)
from .model import Event, EventActions, Session, apply_delta, format_time, from_unix

JSON = Any

APPS = ("travel_concierge", "support_desk", "data_analyst")
USERS = ("aiko.tanaka", "joao.silva", "chloé.martin", "sam.okafor", "zoë.müller")

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


class _Builder:
    """Appends events to one session, keeping the state and the clock."""

    def __init__(self, rng: random.Random, start: float, initial_state: dict[str, JSON] | None):
        self.rng = rng
        self.t = start
        self.events: list[Event] = []
        self.state: dict[str, JSON] = copy.deepcopy(initial_state) if initial_state else {}
        self.inv = ""

    def uid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def new_invocation(self, gap: tuple[float, float] = (40.0, 900.0)) -> str:
        self.t += self.rng.uniform(*gap)
        self.inv = "e-" + self.uid()
        return self.inv

    def _tick(self, lo: float, hi: float) -> float:
        self.t += self.rng.uniform(lo, hi)
        return round(self.t, 3)

    def _add(self, author: str, content: str | None, delta: dict[str, JSON] | None, ts: float,
             invocation_id: str | None = None, extra: dict[str, JSON] | None = None,
             **actions: JSON) -> Event:
        event = Event(id=self.uid(), invocation_id=invocation_id or self.inv, author=author,
                      content=content,
                      actions=EventActions(state_delta=copy.deepcopy(delta or {}), **actions),
                      timestamp=ts, extra=extra or {})
        apply_delta(self.state, event.actions.state_delta)
        self.events.append(event)
        return event

    # -- kinds of event -------------------------------------------------------------------
    def user(self, text: str, delta: dict[str, JSON] | None = None) -> Event:
        return self._add("user", text, delta, self._tick(0.2, 0.6))

    def reply(self, agent: str, text: str, delta: dict[str, JSON] | None = None, **actions: JSON) -> Event:
        words = len(text.split())
        usage = {"prompt_token_count": self.rng.randint(800, 6000),
                 "candidates_token_count": int(words * 1.3) + self.rng.randint(0, 20),
                 "total_token_count": 0}
        usage["total_token_count"] = usage["prompt_token_count"] + usage["candidates_token_count"]
        return self._add(agent, text, delta, self._tick(1.2, 9.0),
                         extra={"usage_metadata": usage}, **actions)

    def call(self, agent: str, name: str, args: dict[str, JSON], response: JSON,
             delta: dict[str, JSON] | None = None, **actions: JSON) -> tuple[Event, Event]:
        """A function call event (the model asks) and its response event (the tool answers)."""
        call_id = "adk-" + self.uid()
        asked = self._add(agent, render_call(name, args), None, self._tick(0.8, 4.0),
                          extra={"function_calls": [{"id": call_id, "name": name, "args": args}]})
        if not isinstance(response, dict):
            response = {"result": response}
        answered = self._add(
            agent, render_response(name, response), delta, self._tick(0.05, 2.5),
            extra={"function_responses": [{"id": call_id, "name": name, "response": response}]},
            **actions)
        return asked, answered

    def transfer(self, agent: str, to: str) -> None:
        self.call(agent, "transfer_to_agent", {"agent_name": to}, {"result": None},
                  transfer_to_agent=to)

    def edit(self, key: str, value: JSON) -> Event:
        """A state edit exactly as session-tui records one, some hours after the conversation."""
        self.t = float(int(self.t + self.rng.uniform(3600.0, 30000.0)))
        return self._add("session-tui", None, {key: value}, self.t, invocation_id="edit-" + self.uid())


# ---------------------------------------------------------------------------- travel concierge

_CITIES = [
    # (name, airport, country)
    ("東京 (Tokyo)", "HND", "Japan"),
    ("京都 (Kyoto)", "KIX", "Japan"),
    ("札幌 (Sapporo)", "CTS", "Japan"),
    ("São Paulo", "GRU", "Brazil"),
    ("Zürich", "ZRH", "Switzerland"),
    ("Reykjavík", "KEF", "Iceland"),
    ("Lisbon", "LIS", "Portugal"),
    ("Montréal", "YUL", "Canada"),
]
_ORIGINS = [("San Francisco", "SFO"), ("New York", "JFK"), ("London", "LHR"), ("Berlin", "BER")]
_AIRLINES = ["ANA", "JAL", "United", "Lufthansa", "SWISS", "TAP Air Portugal", "Icelandair", "LATAM"]
_HOTELS = ["Hotel Gracery", "The Okura", "Hôtel Le Germain", "Pousada Alfama", "Hotel Borg",
           "Park Hyatt", "Sakura Ryokan 桜旅館", "Baur au Lac"]


def _travel(b: _Builder, n: int, rng: random.Random, flags: set[str]) -> None:
    root, flights, hotels = "travel_concierge", "flight_agent", "hotel_agent"
    origin, origin_code = rng.choice(_ORIGINS)
    city, code, country = rng.choice(_CITIES)
    day = rng.randint(1, 18)
    depart, ret = f"2026-12-{day:02d}", f"2026-12-{day + rng.randint(5, 10):02d}"
    travelers = rng.randint(1, 4)
    budget = rng.choice([1800, 2500, 3200, 4500, 6000])
    offers = []
    for _ in range(3):
        hour = rng.randint(6, 22)
        offers.append({"airline": rng.choice(_AIRLINES), "flight": f"{rng.choice('NUJL')}H{rng.randint(7, 989)}",
                       "departs": f"{depart}T{hour:02d}:{rng.choice(['05', '20', '35', '50'])}:00",
                       "stops": rng.choice([0, 0, 1]),
                       "price_usd": round(rng.uniform(650, 1900), 2), "refundable": rng.random() < 0.4})
    cheapest = min(offers, key=lambda o: o["price_usd"])
    pnr = "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(6))

    def opener() -> None:
        b.new_invocation()
        b.user(f"Hi! I'm planning a trip from {origin} to {city} from {depart} to {ret} for "
               f"{travelers} {'person' if travelers == 1 else 'people'}. My budget is about ${budget}.")
        b.reply(root, f"Sounds wonderful! Let me hand you to our flight specialist to look for "
                      f"options from {origin_code} to {code}.",
                {"trip": {"origin": {"city": origin, "airport": origin_code},
                          "destination": {"city": city, "airport": code, "country": country},
                          "dates": {"depart": depart, "return": ret}, "travelers": travelers},
                 "budget_usd": budget, "stage": "planning"})
        b.transfer(root, flights)

    def search() -> None:
        b.new_invocation()
        b.user("Can you find flights? I'd prefer a window seat if possible ✈️")
        b.call(flights, "search_flights",
               {"origin": origin_code, "dest": code, "depart": depart, "return": ret, "passengers": travelers},
               {"status": "ok", "offers": offers},
               {"flight_options": offers, "temp:last_search_ms": rng.randint(180, 1400)})
        best = ", ".join(f"{o['airline']} {o['flight']} at {o['departs'][11:16]} for ${o['price_usd']:.2f}"
                         for o in offers)
        b.reply(flights, f"I found {len(offers)} options: {best}. The cheapest is {cheapest['airline']}.")

    def hold() -> None:
        b.new_invocation()
        b.user(f"Let's go with the {cheapest['airline']} one, please hold it for me.")
        b.call(flights, "hold_fare", {"flight": cheapest["flight"], "passengers": travelers},
               {"pnr": pnr, "expires_in_hours": 24},
               {"selected_flight": cheapest, "flight_options": None,
                "booking": {"pnr": pnr, "status": "held", "seat": None, "paid": False}})
        b.reply(flights, f"Done: your fare is on hold under reference {pnr} for 24 hours.")

    def weather() -> None:
        b.new_invocation()
        b.user(f"What's the weather usually like in {city} in December?")
        low, high = rng.randint(-8, 12), rng.randint(4, 28)
        b.call(root, "get_weather", {"city": city, "month": 12},
               {"avg_low_c": min(low, high - 3), "avg_high_c": high, "rain_days": rng.randint(3, 14),
                "summary": "cool and mostly dry"})
        b.reply(root, f"December in {city} averages around {high}°C in the day and gets colder at "
                      f"night. Pack layers and a light waterproof jacket.")

    def hotels_turn() -> None:
        b.new_invocation()
        b.user("Now I need a hotel near the city centre, ideally under $250 a night.")
        b.transfer(root, hotels)
        options = [{"name": h, "stars": rng.randint(3, 5), "nightly_usd": round(rng.uniform(110, 320), 2),
                    "breakfast": rng.random() < 0.5} for h in rng.sample(_HOTELS, 3)]
        b.call(hotels, "search_hotels", {"city": city, "checkin": depart, "checkout": ret, "max_price": 250},
               {"results": options}, {"hotel_options": options, "stage": "hotels"})
        b.reply(hotels, "Here are three hotels that fit: "
                + "; ".join(f"{o['name']} ({o['stars']}★, ${o['nightly_usd']:.0f}/night)" for o in options) + ".")

    def currency() -> None:
        b.new_invocation()
        b.user("How much is my budget in local currency?")
        rate = round(rng.uniform(0.8, 160.0), 4)
        b.call(root, "convert_currency", {"amount": budget, "from": "USD", "to": "LOCAL"},
               {"amount": round(budget * rate, 2), "rate": rate},
               {"app:fx_rates": {"USD_LOCAL": rate, "as_of": depart, "source": "ECB"}})
        b.reply(root, f"${budget} is about {budget * rate:,.0f} in local currency at today's rate.")

    def preferences() -> None:
        b.new_invocation()
        b.user("Please remember that I always prefer aisle seats and vegetarian meals.")
        b.reply(root, "Noted! I'll use aisle seats and vegetarian meals (VGML) for your future trips too.",
                {"user:seat_preference": "aisle", "user:meal": "vegetarian (VGML)",
                 "user:home_airport": origin_code})

    def confirm() -> None:
        b.new_invocation()
        b.user("Everything looks good, please confirm the booking.")
        seat = f"{rng.randint(8, 42)}{rng.choice('ACDF')}"
        b.call(flights, "confirm_booking", {"pnr": pnr, "payment_method": "card_on_file"},
               {"status": "confirmed", "ticket_numbers": [f"205-{rng.randint(10**9, 10**10 - 1)}"
                                                         for _ in range(travelers)]},
               {"booking": {"pnr": pnr, "status": "confirmed", "seat": seat, "paid": True},
                "hotel_options": None, "stage": "booked"})
        b.reply(flights, f"Your booking {pnr} is confirmed, seat {seat}. A receipt is on its way. 🎉")

    def itinerary() -> None:
        b.new_invocation()
        b.user("Could you sketch a rough itinerary for the first three days?")
        plan = [{"day": 1, "plan": "Arrive, check in, evening walk", "notes": None},
                {"day": 2, "plan": "浅草寺 (Sensō-ji) at sunrise 🌅, then a food tour", "notes": "book ahead"},
                {"day": 3, "plan": "Day trip by train, café crawl", "notes": None}]
        b.reply(root, "Here's a relaxed plan: day 1 arrive and settle in, day 2 an early temple visit "
                      "and a food tour, day 3 a day trip by train.", {"itinerary": plan})

    def notes() -> None:
        b.new_invocation()
        b.user("One more thing: my passport expires in March 2027. Is that a problem?")
        b.reply(root, "It should be fine for these dates, but some countries require six months of "
                      "validity, so double-check the entry rules before you fly.",
                {"notes": "Passport expires 2027-03 — check 6-month rule ✅"})

    _run(b, n, rng, opener, [search, hold, weather, hotels_turn, currency, preferences, confirm,
                             itinerary, notes], flags)
    if "edit" in flags:
        b.edit("budget_usd", budget + 1000)
    if "edit_delete" in flags:
        b.edit("stage", None)


# ------------------------------------------------------------------------------- support desk

_PRODUCTS = [("Noise-cancelling headphones", 199.0), ("Espresso machine", 349.99), ("Trail running shoes", 129.95),
             ("Mechanical keyboard", 89.5), ("Smart thermostat", 179.0), ("Linen duvet cover", 74.25)]
_NAMES = ["Zoë Müller", "João Silva", "Aiko Tanaka", "Chloé Martin", "Sam Okafor", "Øyvind Hansen"]


def _support(b: _Builder, n: int, rng: random.Random, flags: set[str]) -> None:
    root, billing, tech = "support_triage", "billing_agent", "tech_support_agent"
    order_id = f"A-{rng.randint(10000, 99999)}"
    product, price = rng.choice(_PRODUCTS)
    name = rng.choice(_NAMES)
    tracking = f"1Z{rng.getrandbits(40):010X}"
    ticket = f"T-{rng.randint(100000, 999999)}"

    def opener() -> None:
        b.new_invocation()
        b.user(f"Hi, my order {order_id} still hasn't arrived and it's been two weeks.")
        order = {"id": order_id, "items": [{"sku": f"SKU-{rng.randint(1000, 9999)}", "name": product,
                                            "qty": 1, "price": price}],
                 "total": price, "placed": "2026-11-02", "status": "shipped"}
        b.call(root, "lookup_order", {"order_id": order_id},
               {"order": order, "customer": {"name": name, "tier": rng.choice(["silver", "gold"])}},
               {"order": order, "customer": {"name": name, "email_verified": True},
                "temp:lookup_attempts": 1})
        b.reply(root, f"Thanks {name.split()[0]}, I found your order for the {product.lower()}. "
                      "Let me check where the parcel is.")

    def shipment() -> None:
        b.new_invocation()
        b.user("Can you tell me where it is right now?")
        scans = [{"at": "2026-11-03T08:12:00Z", "where": "Leipzig Hub", "what": "departed"},
                 {"at": "2026-11-05T17:40:00Z", "where": "Köln Hub", "what": "delayed: address query"}]
        b.call(root, "check_shipment", {"tracking": tracking},
               {"carrier": "UPS", "status": "exception", "scans": scans},
               {"shipment": {"tracking": tracking, "carrier": "UPS", "status": "exception", "scans": scans}})
        b.reply(root, "The parcel has been held at the Köln hub since November 5 because of an address "
                      "query. I'm sorry about that.")

    def refund() -> None:
        b.new_invocation()
        b.user("Honestly I'd just like a refund at this point.")
        b.transfer(root, billing)
        b.call(billing, "issue_refund", {"order_id": order_id, "amount": price, "reason": "not delivered"},
               {"refund_id": f"R-{rng.randint(10000, 99999)}", "status": "pending", "eta_days": 5},
               {"refund": {"amount": price, "currency": "USD", "status": "pending", "eta_days": 5},
                "order": None})
        b.reply(billing, f"I've issued a full refund of ${price:.2f}. It should reach your card within 5 "
                         "business days.")

    def app_crash() -> None:
        b.new_invocation()
        b.user("Also, the app keeps crashing whenever I open 'My orders' on Android 15.")
        b.transfer(root, tech)
        b.call(tech, "search_kb", {"query": "android 15 crash my orders", "limit": 3},
               {"articles": [{"id": "KB-2231", "title": "Clearing the app cache on Android"},
                             {"id": "KB-2290", "title": "Known issue: order list on Android 15"}]},
               {"ticket": {"id": ticket, "topic": "app crash", "platform": "Android 15",
                           "status": "open", "tried": ["clear cache"]}})
        b.reply(tech, "This looks like a known issue with the order list on Android 15. Could you try "
                      "clearing the app cache under Settings > Apps > Storage?")

    def escalate() -> None:
        b.new_invocation()
        b.user("I cleared the cache and reinstalled, it still crashes. 😤")
        b.reply(tech, "I'm sorry, I couldn't resolve this myself. I'm escalating your ticket to a human "
                      "specialist, who will reply by email within one business day.",
                {"ticket": {"id": ticket, "topic": "app crash", "platform": "Android 15",
                            "status": "escalated", "tried": ["clear cache", "reinstall"]},
                 "app:escalation_queue_depth": rng.randint(3, 19), "sentiment": "frustrated 😤"},
                escalate=True)

    def german() -> None:
        b.new_invocation()
        b.user("Danke! Können Sie mir die Bestätigung bitte per E-Mail schicken?")
        b.call(root, "send_email", {"template": "refund_confirmation", "locale": "de-DE"},
               {"queued": True, "message_id": f"<{b.uid()}@mail.example.com>"},
               {"user:language": "de", "email_sent": True})
        b.reply(root, "Gern geschehen! Die Bestätigung ist unterwegs an Ihre E-Mail-Adresse.")

    def address() -> None:
        b.new_invocation()
        b.user("Can you update my delivery address to Rua Augusta 1204, Apt 3B, São Paulo?")
        b.call(root, "update_address", {"order_id": order_id, "line1": "Rua Augusta 1204", "line2": "Apt 3B",
                                        "city": "São Paulo", "country": "BR"},
               {"ok": True}, {"address": {"line1": "Rua Augusta 1204", "line2": "Apt 3B",
                                          "city": "São Paulo", "country": "BR"}, "temp:lookup_attempts": 2})
        b.reply(root, "Your address is updated. Future orders will ship there.")

    def survey() -> None:
        b.new_invocation()
        b.user("That's all, thanks for your help.")
        b.reply(root, "You're welcome! If you have a moment, how would you rate this chat from 1 to 5?",
                {"temp:lookup_attempts": None, "awaiting": "csat"})
        b.new_invocation()
        score = rng.randint(3, 5)
        b.user(str(score))
        b.reply(root, "Thank you for the feedback. Have a great day!",
                {"csat": score, "awaiting": None, "resolution": "refunded" if "refund" in b.state else "answered",
                 "closed": True})

    _run(b, n, rng, opener, [shipment, refund, app_crash, escalate, german, address, survey], flags,
         forced=[escalate] if "escalate" in flags else [])


# ------------------------------------------------------------------------------- data analyst

_REGIONS = ["São Paulo", "München", "東京", "Île-de-France", "Ontario", "New South Wales", "Gauteng"]


def _analyst(b: _Builder, n: int, rng: random.Random, flags: set[str]) -> None:
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

    _run(b, n, rng, opener, [chart, monthly, review, tests, comments, approve, timezone_pref], flags,
         forced=[review, tests] if "hostile" in flags else [])


def _run(b: _Builder, n: int, rng: random.Random, opener: Callable[[], None],
         turns: list[Callable[[], None]], flags: set[str], forced: list[Callable[[], None]] = ()) -> None:
    """Run the opener and then n-1 of the turns in their story order (forced ones always),
    topping up with short follow-ups when n-1 is more than there are turns."""
    opener()
    k = min(n - 1, len(turns))
    chosen = {turns.index(t) for t in forced}
    rest = [i for i in range(len(turns)) if i not in chosen]
    chosen.update(rng.sample(rest, max(0, k - len(chosen))))
    for i in sorted(chosen):
        turns[i]()
    for _ in range(n - 1 - len(chosen)):
        b.new_invocation()
        b.user(rng.choice(["Thanks, that's helpful.", "Great, thank you!", "Perfect. 🙏",
                           "OK, I'll think about it and come back later."]))
        agent = next(e.author for e in reversed(b.events) if e.author not in ("user", "session-tui"))
        b.reply(agent, rng.choice(["You're welcome! Anything else I can help with?",
                                   "Happy to help. Let me know if anything changes.",
                                   "Anytime! I'll be here if you need me."]))


_INITIAL_STATES: dict[str, dict[str, JSON]] = {
    "travel_concierge": {"currency": "USD", "budget_usd": 2000, "stage": "new",
                         "user:home_airport": "SFO", "loyalty": {"programme": "Star Alliance", "tier": None}},
    "support_desk": {"channel": "web_chat", "customer_tier": "silver", "sentiment": "neutral"},
    "data_analyst": {"dataset": {"table": "sales", "rows": None}, "row_limit": 1000, "locale": "pt-PT"},
}

_SCRIPTS = {"travel_concierge": _travel, "support_desk": _support, "data_analyst": _analyst}


def demo_sessions(seed: int = 7, now: float = 1795000000.0) -> list[Session]:
    """30 realistic sessions of three agent apps and five users over the three weeks before
    `now`, oldest first. Deterministic for a given seed and `now`.

    Among them: agent transfers, an escalation, user edits (one deleting a key), sessions with an
    `initial_state`, an empty session, unicode everywhere, and one session whose tool output holds
    rich markup and terminal escape sequences that must be shown literally."""
    rng = random.Random(seed)
    plans = []
    for i in range(30):
        app = APPS[i % len(APPS)]
        user = USERS[i % len(USERS)]
        flags: set[str] = set()
        if i == 0:
            flags.add("edit")  # travel: a user edit of the budget
        if i == 3:
            flags.add("edit_delete")  # travel: a user edit deleting a key
        if i in (1, 4):
            flags.add("escalate")  # support
        if i == 2:
            flags.add("hostile")  # data analyst
        plans.append((app, user, flags, i == 29, i % 4 == 1))
    sessions = []
    for app, user, flags, empty, with_initial in plans:
        start = now - 21 * 86400 + rng.uniform(0, 20.5 * 86400)
        created = round(start, 6)
        initial = copy.deepcopy(_INITIAL_STATES[app]) if with_initial and not empty else None
        b = _Builder(rng, created, initial)
        session_id = b.uid()
        if not empty:
            n = rng.randint(3, 9 if flags & {"edit", "edit_delete"} else 10)
            if app == "support_desk" and n >= 9:
                n = 8  # its survey turn is two invocations
            _SCRIPTS[app](b, n, rng, flags)
        created_at = format_time(from_unix(created))
        updated_at = format_time(from_unix(b.events[-1].timestamp)) if b.events else created_at
        extra = {"initial_state": copy.deepcopy(initial)} if initial is not None else {}
        sessions.append((created, Session(id=session_id, app_name=app, user_id=user, state=b.state,
                                created_at=created_at, updated_at=updated_at, events=b.events, extra=extra)))
    sessions.sort(key=lambda pair: pair[0])
    return [session for _, session in sessions]


# ------------------------------------------------------------------------------- benchmarks


def generate_sessions(n_sessions: int, events_per_session: int, seed: int = 1,
                      now: float = 1795000000.0) -> Iterator[Session]:
    """`n_sessions` plain sessions of exactly `events_per_session` events each (invocations of a
    user message, a tool call, its response and a reply), deterministic for a seed. Fast: it is
    for benchmarks (10,000 x 100 in a few seconds), not for reading."""
    rng = random.Random(seed)
    getrandbits, random_ = rng.getrandbits, rng.random
    apps = [f"bench_app_{i}" for i in range(5)]
    users = [f"user_{i:03d}" for i in range(50)]
    authors = ("user", "assistant", "assistant", "assistant")
    contents = ("Please look up the latest numbers for me.", 'lookup(key="k")', "lookup -> {\"ok\": true}",
                "Here is what I found.")
    for s in range(n_sessions):
        t = now - 30 * 86400 + random_() * 29 * 86400
        created_at = format_time(from_unix(round(t, 3)))
        state: dict[str, JSON] = {}
        events = []
        inv = ""
        for j in range(events_per_session):
            phase = j % 4
            if phase == 0:
                inv = "e-%032x" % getrandbits(128)
            t += 0.5 + random_() * 5
            delta = {}
            if phase == 2:
                delta = {f"k{j % 7}": {"n": j, "v": round(random_(), 4)}}
                if j % 20 == 2:
                    delta["counter"] = j
                if j % 28 == 6:
                    delta["k0"] = None
                for key, value in delta.items():
                    if value is None:
                        state.pop(key, None)
                    else:
                        state[key] = dict(value) if isinstance(value, dict) else value
            events.append(Event("%032x" % getrandbits(128), inv, authors[phase], contents[phase],
                                EventActions(delta), round(t, 3)))
        yield Session(id=str(uuid.UUID(int=getrandbits(128), version=4)), app_name=apps[s % 5],
                      user_id=users[s % 50], state=state, created_at=created_at,
                      updated_at=format_time(from_unix(events[-1].timestamp)) if events else created_at,
                      events=events)
