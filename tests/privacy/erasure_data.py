"""Input files, shaped like real exports, that link one customer to every kind of row.

The customer to erase (``VICTIM``) has a CRM row with e-mail and phone, orders with lines and a
refund, anonymous browsing later identified (with e-mail and phone traits), a second account
merged into theirs, a subscription, survey answers and a refused order row that quotes their
e-mail. A control customer (``CONTROL``) has the same kinds of rows, and one of the control's
events mentions the victim's e-mail and phone (a referral).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

VICTIM = "C0000777-ZQX"
EMAIL = "erase.me.zqx@example.org"
PHONE = "+44 7700 900777"
OLD_ID = "C0000777-OLDZQX"  # a second sign-up, merged into VICTIM
ANON = "anon-zqx-5f1c9e"
ORDERS = ("ORD-ZQX-1001", "ORD-ZQX-1002", "ORD-ZQX-1003")  # the last is a refund

CONTROL = "C0000888-CTL"
CONTROL_EMAIL = "keep.me.ctl@example.org"
CONTROL_PHONE = "+44 7700 900888"
CONTROL_ORDERS = ("ORD-CTL-2001", "ORD-CTL-2002")

NEEDLES = (VICTIM, EMAIL, PHONE, "+447700900777", "7700 900777", OLD_ID, ANON, *ORDERS)
"""What must not be found anywhere after the erasure (besides case variants of EMAIL)."""


def write_inputs(folder: Path, start: date) -> dict[str, Path]:
    """Write the input files into ``folder``; dates from ``start`` on. Returns kind -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    d = [start + timedelta(days=30 * i) for i in range(6)]
    files = {
        "customers": folder / "crm_contacts.csv",
        "transactions": folder / "orders.csv",
        "order_items": folder / "order_lines.csv",
        "subscriptions": folder / "subscriptions.csv",
        "surveys": folder / "survey.csv",
        "events": folder / "events.jsonl",
    }
    files["customers"].write_text(
        "customer_id,email,phone,first_seen,consent_email,consent_sms,first_name,last_name\n"
        f'{VICTIM},{EMAIL},"{PHONE}",{d[0]},yes,yes,Erin,Zqx\n'
        f'{CONTROL},{CONTROL_EMAIL},"{CONTROL_PHONE}",{d[0]},yes,yes,Carl,Ctl\n'
    )
    files["transactions"].write_text(
        "order_id,customer_id,created_at,total,currency,channel,refund_of,contact\n"
        f"{ORDERS[0]},{VICTIM},{d[1]} 10:00:00,120.00,USD,web,,\n"
        f"{ORDERS[1]},{VICTIM},{d[2]} 11:30:00,15.00,USD,store,,\n"
        f"{ORDERS[2]},{VICTIM},{d[3]} 09:15:00,-40.00,USD,web,{ORDERS[0]},\n"
        f"{CONTROL_ORDERS[0]},{CONTROL},{d[1]} 12:00:00,75.50,USD,web,,\n"
        f"{CONTROL_ORDERS[1]},{CONTROL},{d[4]} 12:00:00,33.10,USD,app,,\n"
        f"ORD-BAD-1,,{d[2]} 10:00:00,19.90,USD,web,,{EMAIL}\n"
        f"ORD-BAD-2,,{d[2]} 10:00:00,9.90,USD,web,,{CONTROL_EMAIL}\n"
    )
    files["order_items"].write_text(
        "order_id,line_no,sku,category,quantity,amount\n"
        f"{ORDERS[0]},1,SKU-0001,shoes,1,80.00\n"
        f"{ORDERS[0]},2,SKU-0002,socks,2,40.00\n"
        f"{ORDERS[1]},1,SKU-0003,gift,1,15.00\n"
        f"{CONTROL_ORDERS[0]},1,SKU-0001,shoes,1,75.50\n"
    )
    files["subscriptions"].write_text(
        "subscription_id,customer_id,plan,started,ended,monthly_amount\n"
        f"SUB-ZQX-1,{VICTIM},gold,{d[0]},,19.99\n"
        f"SUB-CTL-1,{CONTROL},basic,{d[0]},{d[3]},9.99\n"
    )
    files["surveys"].write_text(
        "survey_id,respondent_id,customer_id,brand,attribute,score,importance,ts\n"
        f"W1,R-0777,{VICTIM},us,nps,9,,{d[2]}\n"
        f"W1,R-0777,{VICTIM},us,quality,8,0.4,{d[2]}\n"
        f"W1,R-0888,{CONTROL},us,nps,4,,{d[2]}\n"
    )
    events = [
        # anonymous browsing, then identify ties it to the victim
        {"type": "page", "messageId": "zqx-ev-1", "anonymousId": ANON, "name": "Home",
         "timestamp": f"{d[0]}T08:00:00Z"},
        {"type": "identify", "messageId": "zqx-ev-2", "userId": VICTIM, "anonymousId": ANON,
         "timestamp": f"{d[0]}T08:05:00Z", "traits": {"email": EMAIL, "phone": PHONE},
         "context": {"traits": {"email": EMAIL}}},
        {"type": "track", "messageId": "zqx-ev-3", "userId": VICTIM, "event": "Product Viewed",
         "timestamp": f"{d[1]}T08:00:00Z", "properties": {"sku": "SKU-0001"}},
        # a second account with the same e-mail: merged into the victim
        {"type": "identify", "messageId": "zqx-ev-4", "userId": OLD_ID,
         "timestamp": f"{d[2]}T08:00:00Z", "traits": {"email": EMAIL.upper()}},
        {"type": "track", "messageId": "zqx-ev-5", "userId": OLD_ID, "event": "Cart Viewed",
         "timestamp": f"{d[2]}T08:10:00Z", "properties": {}},
        # the control, and their referral that names the victim
        {"type": "identify", "messageId": "ctl-ev-1", "userId": CONTROL,
         "timestamp": f"{d[0]}T09:00:00Z",
         "traits": {"email": CONTROL_EMAIL, "phone": CONTROL_PHONE}},
        {"type": "track", "messageId": "ctl-ev-2", "userId": CONTROL, "event": "Referral Sent",
         "timestamp": f"{d[3]}T09:00:00Z",
         "properties": {"friend_email": EMAIL, "note": f"call {PHONE} or {EMAIL}",
                        "sms": "+447700900777"},
         "context": {"campaign": {"name": "refer-a-friend"}}},
    ]  # fmt: skip
    files["events"].write_text("".join(json.dumps(e) + "\n" for e in events))
    return files


LOAD_ORDER = ("customers", "transactions", "order_items", "subscriptions", "surveys")
