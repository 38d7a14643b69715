"""The travel concierge's story: flights, hotels, a budget, agent transfers."""

from __future__ import annotations

import random

from .builder import Builder, run_turns


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


def travel(b: Builder, n: int, rng: random.Random, flags: set[str]) -> None:
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

    run_turns(b, n, rng, opener, [search, hold, weather, hotels_turn, currency, preferences, confirm,
                             itinerary, notes], flags)
    if "edit" in flags:
        b.edit("budget_usd", budget + 1000)
    if "edit_delete" in flags:
        b.edit("stage", None)
