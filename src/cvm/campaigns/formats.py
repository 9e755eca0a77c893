"""Audience file layouts, one per tool that imports them.

Each layout names its columns the way the tool's import screen expects, so the file maps
without editing: Mailchimp's audience import (``Email Address``, ``First Name``, ``Last Name``,
``Tags``; other columns become merge fields), Klaviyo's profile import (``Email``,
``Phone Number``, ``External ID``; other columns become custom properties), Marketo's lead
import (``Email Address``, ``Mobile Phone Number``; custom fields by display name), Account
Engagement (Pardot) prospect import (``Email``, ``Phone``), and plain ``csv``/``parquet`` with
cvm's own column names. Every layout carries the customer id, CLV, value tier, segment and
offer for personalisation.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvm._exceptions import DataError

__all__ = ["FORMATS", "Layout", "layout_columns"]


@dataclass(frozen=True)
class Layout:
    """Column headers of one format; ``address`` per channel (the field the tool sends to)."""

    address: dict[str, str]
    first_name: str
    last_name: str
    customer_id: str
    fields: dict[str, str]  # export column -> header: clv, tier, segment, offer, campaign, arm
    extension: str = "csv"
    tags: str | None = None  # a column of "campaign,arm" tags (Mailchimp)


_PERSONALISATION = {"clv": "CLV", "tier": "Tier", "segment": "Segment", "offer": "Offer"}

FORMATS: dict[str, Layout] = {
    "mailchimp": Layout(
        {"email": "Email Address", "sms": "Phone Number"}, "First Name", "Last Name",
        "Customer ID", _PERSONALISATION, tags="Tags",
    ),
    "klaviyo": Layout(
        {"email": "Email", "sms": "Phone Number"}, "First Name", "Last Name", "External ID",
        {**_PERSONALISATION, "campaign": "Campaign", "arm": "Arm"},
    ),
    "marketo": Layout(
        {"email": "Email Address", "sms": "Mobile Phone Number"}, "First Name", "Last Name",
        "Customer ID", {**_PERSONALISATION, "campaign": "Campaign", "arm": "Arm"},
    ),
    "pardot": Layout(
        {"email": "Email", "sms": "Phone"}, "First Name", "Last Name", "Customer ID",
        {**_PERSONALISATION, "campaign": "Campaign", "arm": "Arm"},
    ),
    "csv": Layout(
        {"email": "email", "sms": "phone"}, "first_name", "last_name", "customer_id",
        {f: f for f in ("clv", "tier", "segment", "offer")} | {"campaign": "campaign_id",
                                                                "arm": "arm"},
    ),
    "parquet": Layout(
        {"email": "email", "sms": "phone"}, "first_name", "last_name", "customer_id",
        {f: f for f in ("clv", "tier", "segment", "offer")} | {"campaign": "campaign_id",
                                                                "arm": "arm"},
        extension="parquet",
    ),
}  # fmt: skip


def layout_columns(fmt: str, channel: str) -> list[tuple[str, str]]:
    """(source, header) pairs of ``fmt`` for ``channel``, in the file's column order.

    A source names a column of ``sql/export_sources.sql`` (the campaign id in it is bound as
    ``$campaign``).

    Raises
    ------
    DataError
        An unknown format, or a tool format for a channel the tool cannot send on.
    """
    if fmt not in FORMATS:
        raise DataError(f"export format {fmt!r}: use one of {', '.join(FORMATS)}")
    lay = FORMATS[fmt]
    cols: list[tuple[str, str]] = []
    if channel in lay.address:
        source = "email" if channel == "email" else "phone"
        cols.append((source, lay.address[channel]))
    elif fmt not in ("csv", "parquet"):
        raise DataError(
            f"{fmt} imports e-mail or SMS audiences; a {channel} campaign exports as csv or parquet"
        )
    cols += [("first_name", lay.first_name), ("last_name", lay.last_name)]
    if lay.tags:
        cols.append(("tags", lay.tags))
    cols.append(("customer_id", lay.customer_id))
    cols += list(lay.fields.items())
    return cols
