"""The support desk's story: an order, a refund, an escalation, a survey."""

from __future__ import annotations

import random

from .builder import Builder, run_turns


_PRODUCTS = [("Noise-cancelling headphones", 199.0), ("Espresso machine", 349.99), ("Trail running shoes", 129.95),
             ("Mechanical keyboard", 89.5), ("Smart thermostat", 179.0), ("Linen duvet cover", 74.25)]
_NAMES = ["Zoë Müller", "João Silva", "Aiko Tanaka", "Chloé Martin", "Sam Okafor", "Øyvind Hansen"]


def support(b: Builder, n: int, rng: random.Random, flags: set[str]) -> None:
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

    run_turns(b, n, rng, opener, [shipment, refund, app_crash, escalate, german, address, survey], flags,
         forced=[escalate] if "escalate" in flags else [])
