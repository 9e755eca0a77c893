"""Built-in column mappings: which source column holds each canonical column, per kind.

A profile lists, for each canonical column, the source names it recognises (first found wins,
compared case-insensitively and ignoring spaces, dashes and underscores); the generic profile's
names are those each kind declares (``cvm.ingest.kinds``). ``cvm.toml``
``[sources.<kind>.columns]`` and ``--map`` override single columns.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cvm.ingest.kinds import source_kind

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

# CRM contact exports (HubSpot, Salesforce, Dynamics 365): customers only. Consent comes from
# the vendor's opt-in and opt-out columns through ``cvm.ingest.consent``, never from a mapping.
_CRM: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("Record ID", "Contact ID", "Id", "(Do Not Modify) Contact", "Email"),
        "first_seen": ("Create Date", "Created Date", "CreatedDate", "Created On"),
        "email": ("Email",),
        "phone": ("Phone Number", "Phone", "Mobile Phone Number", "MobilePhone", "Mobile Phone"),
        "country": ("Country/Region", "Country", "MailingCountry", "Address 1: Country/Region"),
        "acquisition_channel": ("Original Source", "Lead Source", "LeadSource"),
    },
}

# Salesforce Contact export: Data Loader / Data Export use API names (Id, HasOptedOutOfEmail,
# true/false), report exports use labels (Contact ID, Email Opt Out, 1/0).
_SALESFORCE_CONTACTS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("Id", "Contact ID", "ContactId"),
        "first_seen": ("CreatedDate", "Created Date"),
        "email": ("Email",),
        "phone": ("MobilePhone", "Mobile", "Phone"),
        "country": ("MailingCountry", "Mailing Country"),
        "acquisition_channel": ("LeadSource", "Lead Source"),
    },
}

# HubSpot contacts export (Contacts > Export): property labels as column names.
_HUBSPOT_CONTACTS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("Record ID", "Contact ID"),
        "first_seen": ("Create Date",),
        "email": ("Email",),
        "phone": ("Mobile Phone Number", "Phone Number"),
        "country": ("Country/Region", "Country"),
        "acquisition_channel": ("Original Source",),
    },
}

# Dynamics 365 contacts exported from a view to Excel/CSV: display names, the hidden
# "(Do Not Modify) Contact" GUID as id, contact preferences as Allow / Do Not Allow.
_DYNAMICS_CONTACTS: dict[str, dict[str, tuple[str, ...]]] = {
    "customers": {
        "customer_id": ("(Do Not Modify) Contact", "Contact", "contactid"),
        "first_seen": ("Created On", "createdon"),
        "email": ("Email", "emailaddress1"),
        "phone": ("Mobile Phone", "Business Phone", "mobilephone", "telephone1"),
        "country": ("Address 1: Country/Region", "Address 1: Country", "address1_country"),
        "acquisition_channel": ("Origin", "Source Campaign"),
    },
}

# ``customer_email`` and ``customer_number`` (the shop's own id of the buyer) are not stored on
# transactions: they link the customer id to the person's other ids (cvm.ingest.linking).
# Exports with one row per deal or payment and a status per row: only rows whose status is in
# the profile's purchase statuses (``[sources.transactions] statuses``) become transactions;
# the status column sits in the ``financial_status`` slot, a refunded amount in
# ``refunded_amount`` (a refund row is added, linked by refund_of).
_SALESFORCE_OPPORTUNITIES: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("Id", "Opportunity ID"),
        "customer_id": ("ContactId", "Contact ID", "AccountId", "Account ID"),
        "ts": ("CloseDate", "Close Date"),
        "amount": ("Amount",),
        "currency": ("CurrencyIsoCode", "Opportunity Currency"),
        "channel": ("LeadSource", "Lead Source", "Type"),
        "financial_status": ("StageName", "Stage"),
    },
}

# HubSpot deals export: the contact is named in "Associated Contact" ("Name (e-mail)"), resolved
# to a customer by its e-mail.
_HUBSPOT_DEALS: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("Record ID", "Deal ID"),
        "customer_id": ("Associated Contact", "Associated Contacts", "Contact Email", "Email"),
        "ts": ("Close Date",),
        "amount": ("Amount", "Amount in company currency"),
        "currency": ("Currency", "Deal currency code"),
        "channel": ("Pipeline", "Deal Type"),
        "financial_status": ("Deal Stage",),
    },
}

# WooCommerce "Customer / Order CSV Export" (default column names); guests have customer_id 0,
# so the billing e-mail is the customer.
_WOOCOMMERCE_ORDERS: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("order_number", "order_id", "Order Number", "Order ID"),
        "customer_id": ("billing_email", "Billing Email", "customer_email"),
        "ts": ("order_date", "date", "Order Date"),
        "amount": ("order_total", "Order Total", "Order Total Amount"),
        "currency": ("order_currency", "currency", "Order Currency"),
        "channel": ("payment_method", "Payment Method"),
        "financial_status": ("status", "order_status", "Order Status"),
        "refunded_amount": ("refunded_total", "Order Refund", "Refunded Total"),
        "customer_number": ("customer_id", "customer_user", "Customer User ID"),
    },
}

# Stripe Dashboard > Payments > Export (unified payments / charges CSV).
_STRIPE_CHARGES: dict[str, dict[str, tuple[str, ...]]] = {
    "transactions": {
        "transaction_id": ("id",),
        "customer_id": ("Customer ID", "Customer Email"),
        "ts": ("Created (UTC)", "Created date (UTC)", "Created"),
        "amount": ("Amount",),
        "currency": ("Currency",),
        "channel": ("Description",),
        "financial_status": ("Status",),
        "refunded_amount": ("Amount Refunded",),
        "customer_email": ("Customer Email",),
    },
}

PROFILES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "generic": {},  # the aliases each kind declares (cvm.ingest.kinds)
    "shopify": _SHOPIFY,
    "crm": _CRM,
    "salesforce-contacts": _SALESFORCE_CONTACTS,
    "hubspot-contacts": _HUBSPOT_CONTACTS,
    "dynamics-contacts": _DYNAMICS_CONTACTS,
    "salesforce-opportunities": _SALESFORCE_OPPORTUNITIES,
    "hubspot-deals": _HUBSPOT_DEALS,
    "woocommerce-orders": _WOOCOMMERCE_ORDERS,
    "stripe-charges": _STRIPE_CHARGES,
}

PROFILE_ALIASES: dict[str, str] = {"shopify-orders": "shopify"}
"""Other names of a profile (the vendor-export name of an older profile)."""

# Profile-level defaults, overridden by cvm.toml and flags.
PROFILE_DATE_FORMATS: dict[str, str] = {
    "shopify": "%Y-%m-%d %H:%M:%S %z",
    "dynamics-contacts": "%m/%d/%Y %I:%M %p",
}

PROFILE_STATUSES: dict[str, tuple[str, ...]] = {
    "salesforce-opportunities": ("closed won",),
    "hubspot-deals": ("closed won", "closedwon"),
    "woocommerce-orders": ("completed", "processing", "refunded", "wc-completed",
                           "wc-processing", "wc-refunded"),
    "stripe-charges": ("paid", "succeeded", "refunded", "partially refunded"),
}  # fmt: skip
"""Statuses that count as a purchase, per status-filtered profile (compared lower-cased)."""

RESOLVE_BY_EMAIL: frozenset[str] = frozenset({"hubspot-deals"})
"""Profiles whose customer column names a contact by e-mail, resolved to its customer id."""


def normalise(name: str) -> str:
    """Key for matching column names: case, spaces, dashes and underscores ignored."""
    return re.sub(r"[\s_\-]+", "", name).lower()


def profile_columns(profile: str, kind: str) -> dict[str, tuple[str, ...]]:
    """Canonical column -> the source names ``profile`` recognises for it in ``kind``."""
    if profile == "generic":
        return source_kind(kind).aliases
    return PROFILES[profile].get(kind, {})


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
    aliases = profile_columns(profile, kind)
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
