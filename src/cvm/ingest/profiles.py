"""Built-in column mappings: which source column holds each canonical column, per kind.

A profile lists, for each canonical column, the source names it recognises (first found wins,
compared case-insensitively and ignoring spaces, dashes and underscores). ``cvm.toml``
``[sources.<kind>.columns]`` and ``--map`` override single columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

KINDS = ("transactions", "order_items", "customers", "surveys", "subscriptions")

CANONICAL: dict[str, tuple[str, ...]] = {
    "transactions": (
        "transaction_id",
        "customer_id",
        "ts",
        "amount",
        "currency",
        "channel",
        "is_refund",
        "refund_of",
    ),
    "order_items": (
        "transaction_id",
        "line_no",
        "product_id",
        "category",
        "quantity",
        "amount",
        "unit_price",
        "currency",
    ),
    "customers": (
        "customer_id",
        "first_seen",
        "email",
        "phone",
        "country",
        "acquisition_channel",
        "consent_email",
        "consent_sms",
        "consent_push",
        "consent_mail",
    ),
    "surveys": (
        "survey_id",
        "respondent_id",
        "customer_id",
        "ts",
        "brand",
        "attribute",
        "score",
        "importance",
    ),
    "subscriptions": (
        "subscription_id",
        "customer_id",
        "plan",
        "started",
        "ended",
        "monthly_amount",
    ),
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "transactions": ("customer_id", "ts", "amount"),
    "order_items": ("transaction_id", "product_id", "quantity"),
    "customers": ("customer_id",),
    "surveys": ("respondent_id", "brand", "attribute", "score"),
    "subscriptions": ("customer_id", "started"),
}

_GENERIC: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("transaction_id", "order_id", "order_number", "order", "invoice_id"),
        "customer_id": ("customer_id", "customer", "client_id", "client", "user_id", "email"),
        "ts": ("ts", "date", "order_date", "created_at", "timestamp", "purchase_date"),
        "amount": ("amount", "total", "revenue", "order_total", "value", "price"),
        "currency": ("currency", "currency_code"),
        "channel": ("channel", "sales_channel", "source"),
        "is_refund": ("is_refund", "refund", "is_return"),
        "refund_of": ("refund_of", "original_order_id", "original_transaction_id"),
    },
    "order_items": {
        "transaction_id": ("transaction_id", "order_id", "order_number", "order"),
        "line_no": ("line_no", "line", "line_number", "position"),
        "product_id": ("product_id", "sku", "product", "item_id"),
        "category": ("category", "product_category"),
        "quantity": ("quantity", "qty", "units"),
        "amount": ("amount", "line_amount", "line_total", "total"),
        "unit_price": ("unit_price", "price"),
        "currency": ("currency", "currency_code"),
    },
    "customers": {
        "customer_id": ("customer_id", "customer", "client_id", "id", "user_id", "email"),
        "first_seen": ("first_seen", "created_at", "signup_date", "created", "registered_at"),
        "email": ("email", "email_address"),
        "phone": ("phone", "phone_number", "mobile"),
        "country": ("country", "country_code"),
        "acquisition_channel": ("acquisition_channel", "channel", "source", "lead_source"),
        "consent_email": ("consent_email", "email_opt_in", "accepts_marketing"),
        "consent_sms": ("consent_sms", "sms_opt_in"),
        "consent_push": ("consent_push", "push_opt_in"),
        "consent_mail": ("consent_mail", "mail_opt_in"),
    },
    "surveys": {
        "survey_id": ("survey_id", "survey", "wave"),
        "respondent_id": ("respondent_id", "respondent", "response_id"),
        "customer_id": ("customer_id", "customer", "client_id"),
        "ts": ("ts", "date", "answered_at", "submitted_at", "created_at"),
        "brand": ("brand", "company"),
        "attribute": ("attribute", "question", "item"),
        "score": ("score", "rating", "answer", "value"),
        "importance": ("importance", "weight"),
    },
    "subscriptions": {
        "subscription_id": ("subscription_id", "contract_id", "subscription", "contract"),
        "customer_id": ("customer_id", "customer", "client_id", "account_id", "user_id"),
        "plan": ("plan", "plan_name", "product", "tariff"),
        "started": ("started", "start_date", "started_at", "activated_at", "created_at"),
        "ended": ("ended", "end_date", "ended_at", "cancelled_at", "canceled_at", "churn_date"),
        "monthly_amount": ("monthly_amount", "mrr", "monthly_fee", "price", "amount"),
    },
}

# Shopify "Export orders" CSV: one row per line item, order-level fields on the first line only.
_SHOPIFY: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("Name",),
        "customer_id": ("Email",),
        "ts": ("Created at",),
        "amount": ("Total",),
        "currency": ("Currency",),
        "channel": ("Source",),
        "financial_status": ("Financial Status",),
        "refunded_amount": ("Refunded Amount",),
    },
    "order_items": {
        "transaction_id": ("Name",),
        "product_id": ("Lineitem sku",),
        "product_name": ("Lineitem name",),
        "quantity": ("Lineitem quantity",),
        "unit_price": ("Lineitem price",),
        "currency": ("Currency",),
    },
    "customers": {
        "customer_id": ("Email",),
        "email": ("Email",),
        "first_seen": ("Created at",),
        "phone": ("Phone", "Billing Phone"),
        "country": ("Billing Country", "Shipping Country"),
        "consent_email": ("Accepts Marketing",),
    },
}

# CRM contact exports (HubSpot, Salesforce): customers only.
_CRM: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("Record ID", "Contact ID", "Id", "Email"),
        "first_seen": ("Create Date", "Created Date", "CreatedDate"),
        "email": ("Email",),
        "phone": ("Phone Number", "Phone", "Mobile Phone Number", "MobilePhone"),
        "country": ("Country/Region", "Country", "MailingCountry"),
        "acquisition_channel": ("Original Source", "Lead Source", "LeadSource"),
        "consent_email": ("Marketing contact status", "HasOptedOutOfEmail"),
    },
}

PROFILES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "generic": _GENERIC,
    "shopify": _SHOPIFY,
    "crm": _CRM,
}

# Profile-level defaults, overridden by cvm.toml and flags.
PROFILE_DATE_FORMATS: dict[str, str] = {"shopify": "%Y-%m-%d %H:%M:%S %z"}


def normalise(name: str) -> str:
    """Key for matching column names: case, spaces, dashes and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def resolve_columns(
    kind: str,
    profile: str,
    found: Sequence[str],
    overrides: Mapping[str, str],
) -> dict[str, str]:
    """Map canonical column -> source column for the columns present in ``found``.

    ``overrides`` (canonical = source) win over the profile, and a column they name is not also
    taken by a profile alias (``--map plan=Contract`` keeps ``Contract`` from being read as the
    contract id too); an override naming a column the file lacks is left out here so the
    caller can report it as missing.
    """
    by_key: dict[str, str] = {}
    for col in found:
        by_key.setdefault(normalise(col), col)
    claimed = {normalise(source) for source in overrides.values()}
    aliases = PROFILES[profile].get(kind, {})
    mapping: dict[str, str] = {}
    for canonical, names in aliases.items():
        if canonical in overrides:
            continue
        for name in names:
            hit = by_key.get(normalise(name))
            if hit is not None and normalise(hit) not in claimed:
                mapping[canonical] = hit
                break
    for canonical, source in overrides.items():
        if source in found:
            mapping[canonical] = source
        elif normalise(source) in by_key:
            mapping[canonical] = by_key[normalise(source)]
    return mapping
