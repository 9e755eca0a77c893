"""The source kinds a file can be loaded as, each declared once.

A :class:`SourceKind` gives a kind's columns (how each is staged for the validators, whether it
is required, the names the generic profile recognises for it), the key a row is deduplicated
on, how new rows are written (``insert`` for append-only answers and lines, ``upsert`` for
snapshots), the reason a key seen twice with other content is refused under, and the prefix
of its working tables. What used to be parallel tables (canonical and required columns, the
generic aliases, staging slots, keyed loaders, working tables) is read from here, so adding a
kind is one :func:`register` call, its SQL files and one migration for its table.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from cvm._exceptions import ConfigError

__all__ = [
    "SOURCE_KINDS",
    "Column",
    "Slot",
    "SourceKind",
    "register",
    "source_kind",
]


class Slot(StrEnum):
    """How a canonical column is presented to the validator (see ``cvm.ingest.staging``)."""

    TEXT = "text"
    TS = "ts"  # <c>_text, <c>_naive, <c>_utc
    NUM = "num"  # <c>_text, <c>_num
    LINK = "link"  # not staged: read again from the source to link identities


@dataclass(frozen=True)
class Column:
    """One canonical column of a kind."""

    name: str
    slot: Slot = Slot.TEXT
    required: bool = False
    aliases: tuple[str, ...] = ()  # source names the generic profile recognises
    canonical: bool = True  # False: a vendor-profile column (a status, a line's product name)


@dataclass(frozen=True)
class SourceKind:
    """A kind of source file: its columns, key, write mode and conflict rule."""

    name: str
    table: str
    prefix: str  # working tables <prefix>_in, <prefix>_rows, <prefix>_status, <prefix>_new
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    write: str  # insert or upsert
    conflict: str  # reason of a key seen twice with different content
    other_names: tuple[str, ...] = ()

    WORK_PARTS: ClassVar[tuple[str, ...]] = ("rows", "status", "keys", "new")

    def __post_init__(self) -> None:
        if self.write not in ("insert", "upsert"):
            raise ValueError(f"{self.name}: write must be insert or upsert, not {self.write!r}")
        names = [c.name for c in self.columns]
        unknown = [k for k in self.key if k not in names]
        if unknown or len(set(names)) != len(names):
            raise ValueError(f"{self.name}: key {unknown} not among the columns, or a repeat")

    @property
    def canonical(self) -> tuple[str, ...]:
        """The kind's canonical columns, in order."""
        return tuple(c.name for c in self.columns if c.canonical and c.slot is not Slot.LINK)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def slots(self) -> dict[str, Slot]:
        """Staged column -> slot, in order (link-only columns are not staged)."""
        return {c.name: c.slot for c in self.columns if c.slot is not Slot.LINK}

    @property
    def mappable(self) -> frozenset[str]:
        """Columns a profile or ``--map`` may name: the staged ones and the link-only ones."""
        return frozenset(c.name for c in self.columns)

    @property
    def aliases(self) -> dict[str, tuple[str, ...]]:
        """Canonical column -> source names of the generic profile."""
        return {c.name: c.aliases for c in self.columns if c.aliases}

    def work(self, part: str) -> str:
        """A working table of this kind's load: ``in``, ``rows``, ``status``, ``keys``..."""
        return f"{self.prefix}_{part}"

    @property
    def work_tables(self) -> tuple[str, ...]:
        return tuple(self.work(p) for p in self.WORK_PARTS)


SOURCE_KINDS: dict[str, SourceKind] = {}
"""Every kind by name, in declaration order."""


def register(kind: SourceKind) -> SourceKind:
    """Declare a kind (a repeated name replaces the earlier declaration)."""
    SOURCE_KINDS[kind.name] = kind
    return kind


def source_kind(name: str) -> SourceKind:
    """The kind called ``name`` (dashes or underscores, or one of its other names)."""
    wanted = name.replace("-", "_")
    for kind in SOURCE_KINDS.values():
        if wanted == kind.name or wanted in kind.other_names:
            return kind
    raise ConfigError(f"unknown kind {name!r}: expected one of {', '.join(SOURCE_KINDS)}")


T, TS, NUM, LINK = Slot.TEXT, Slot.TS, Slot.NUM, Slot.LINK

register(
    SourceKind(
        "transactions", "transactions", "_cvm_tx",
        columns=(
            Column("transaction_id", T, aliases=("transaction_id", "order_id", "order_number",
                                                 "order", "invoice_id")),
            Column("customer_id", T, True, ("customer_id", "customer", "client_id", "client",
                                            "user_id", "email")),
            Column("ts", TS, True, ("ts", "date", "order_date", "created_at", "timestamp",
                                    "purchase_date")),
            Column("amount", NUM, True, ("amount", "total", "revenue", "order_total", "value",
                                         "price")),
            Column("currency", T, aliases=("currency", "currency_code")),
            Column("channel", T, aliases=("channel", "sales_channel", "source")),
            Column("is_refund", T, aliases=("is_refund", "refund", "is_return")),
            Column("refund_of", T, aliases=("refund_of", "original_order_id",
                                            "original_transaction_id")),
            # status-filtered vendor exports (Shopify, deals, payments)
            Column("financial_status", T, canonical=False),
            Column("refunded_amount", T, canonical=False),
            # the shop's own ids of the buyer: not stored, they link the customer's ids
            Column("customer_email", LINK, canonical=False),
            Column("customer_number", LINK, canonical=False),
        ),
        key=("transaction_id",),
        write="insert",
        conflict="duplicate transaction_id with different content",
    )
)  # fmt: skip

register(
    SourceKind(
        "order_items", "order_items", "_cvm_oi",
        columns=(
            Column("transaction_id", T, True, ("transaction_id", "order_id", "order_number",
                                               "order")),
            Column("line_no", NUM, aliases=("line_no", "line", "line_number", "position")),
            Column("product_id", T, True, ("product_id", "sku", "product", "item_id")),
            Column("product_name", T, canonical=False),
            Column("category", T, aliases=("category", "product_category")),
            Column("quantity", NUM, True, ("quantity", "qty", "units")),
            Column("amount", NUM, aliases=("amount", "line_amount", "line_total", "total")),
            Column("unit_price", NUM, aliases=("unit_price", "price")),
            Column("currency", T, aliases=("currency", "currency_code")),
        ),
        key=("transaction_id", "line_no"),
        write="insert",
        conflict="duplicate order line with different content",
    )
)  # fmt: skip

register(
    SourceKind(
        "customers", "customers", "_cvm_cu",
        columns=(
            Column("customer_id", T, True, ("customer_id", "customer", "client_id", "id",
                                            "user_id", "email")),
            Column("first_seen", TS, aliases=("first_seen", "created_at", "signup_date",
                                              "created", "registered_at")),
            Column("email", T, aliases=("email", "email_address")),
            Column("phone", T, aliases=("phone", "phone_number", "mobile")),
            Column("country", T, aliases=("country", "country_code")),
            Column("acquisition_channel", T, aliases=("acquisition_channel", "channel",
                                                      "source", "lead_source")),
            Column("consent_email", T, aliases=("consent_email", "email_opt_in",
                                                "accepts_marketing")),
            Column("consent_sms", T, aliases=("consent_sms", "sms_opt_in")),
            Column("consent_push", T, aliases=("consent_push", "push_opt_in")),
            Column("consent_mail", T, aliases=("consent_mail", "mail_opt_in")),
        ),
        key=("customer_id",),
        write="upsert",
        conflict="duplicate customer_id with different content",
    )
)  # fmt: skip

register(
    SourceKind(
        "surveys", "survey_responses", "_cvm_sv",
        columns=(
            Column("survey_id", T, aliases=("survey_id", "survey", "wave")),
            Column("respondent_id", T, True, ("respondent_id", "respondent", "response_id")),
            Column("customer_id", T, aliases=("customer_id", "customer", "client_id")),
            Column("ts", TS, aliases=("ts", "date", "answered_at", "submitted_at",
                                      "created_at")),
            Column("brand", T, True, ("brand", "company")),
            Column("attribute", T, True, ("attribute", "question", "item")),
            Column("score", NUM, True, ("score", "rating", "answer", "value")),
            Column("importance", NUM, aliases=("importance", "weight")),
        ),
        key=("survey_id", "respondent_id", "brand", "attribute"),
        write="insert",
        conflict="duplicate answer with different content",
        other_names=("survey", "survey_responses"),
    )
)  # fmt: skip

register(
    SourceKind(
        "subscriptions", "subscriptions", "_cvm_sb",
        columns=(
            Column("subscription_id", T, aliases=("subscription_id", "contract_id",
                                                  "subscription", "contract")),
            Column("customer_id", T, True, ("customer_id", "customer", "client_id",
                                            "account_id", "user_id")),
            Column("plan", T, aliases=("plan", "plan_name", "product", "tariff")),
            Column("started", TS, True, ("started", "start_date", "started_at",
                                         "activated_at", "created_at")),
            Column("ended", TS, aliases=("ended", "end_date", "ended_at", "cancelled_at",
                                         "canceled_at", "churn_date")),
            Column("monthly_amount", NUM, aliases=("monthly_amount", "mrr", "monthly_fee",
                                                   "price", "amount")),
        ),
        key=("subscription_id",),
        write="upsert",
        conflict="duplicate subscription_id with different content",
    )
)  # fmt: skip
