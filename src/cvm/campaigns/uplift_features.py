"""Uplift model features of a campaign's members, as of the day before it started.

Purchase summary, acquisition channel, country, consent, the customer record's attributes and,
for imported results, the covariates of the results file, so nothing the campaign caused leaks
into them. A member without purchase history by then gets zeros and ``has_history = 0``.
Attributes are typed and capped by the shared :class:`~cvm.models.attributes.AttributeEncoder`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from cvm.engines import sql_file

if TYPE_CHECKING:
    from cvm.models.attributes import AttributeEncoder
    from cvm.workspace import Workspace

__all__ = ["Encoders", "campaign_features", "member_features"]

_NUMERIC = ("frequency", "recency", "T", "monetary_value")


@dataclass
class Encoders:
    """The fitted attribute encoders of a model's features, to encode new rows alike."""

    profile: AttributeEncoder
    attributes: AttributeEncoder
    covariates: AttributeEncoder | None = None


def campaign_features(ws: Workspace, as_of: datetime, customer_ids: Any = None) -> pd.DataFrame:
    """Model features per customer as of ``as_of``, indexed by customer id.

    Purchase summary (frequency, recency, T, monetary value; zero and ``has_history = 0`` for
    customers without a purchase yet), consent flags, acquisition channel and country codes,
    and one column per typed customer attribute. With ``customer_ids`` every listed customer in
    the workspace is kept whatever its ``first_seen``; otherwise the customers known by then.
    """
    X, _, _ = member_features(ws, as_of, customer_ids)
    return X


def member_features(
    ws: Workspace,
    as_of: Any,
    customer_ids: Any = None,
    encoders: Encoders | None = None,
    campaign_id: str | None = None,
) -> tuple[pd.DataFrame, Encoders, dict[str, int]]:
    """Features of ``customer_ids`` (else the customers known by ``as_of``), the encoders
    (fitted here unless given) and members left out by reason."""
    from cvm.features import rfm_summary
    from cvm.features.attributes import attribute_features
    from cvm.models.attributes import AttributeEncoder

    cutoff = pd.Timestamp(as_of).normalize()
    excluded: dict[str, int] = {}
    if customer_ids is None:
        customers = ws.engine.frame(
            sql_file(__package__, "uplift_customers.sql"), {"cutoff": cutoff.to_pydatetime()}
        )
    else:
        wanted = pd.unique(np.asarray(customer_ids, dtype=object))
        members = pd.DataFrame({"customer_id": wanted, "pos": np.arange(len(wanted))})
        with ws.engine.register("uplift_members", members):
            customers = ws.engine.frame(sql_file(__package__, "uplift_members.sql"))
        unknown = len(wanted) - len(customers)
        if unknown:
            excluded["not in the customers table"] = unknown
    customers = customers.set_index("customer_id")
    ids = customers.index
    history = rfm_summary(ws, cutoff.date())
    numeric = pd.DataFrame(0.0, index=ids, columns=list(_NUMERIC))
    has = pd.Series(0.0, index=ids)
    if len(history):
        found = history[list(_NUMERIC)].reindex(ids)
        has = found["frequency"].notna().astype(float)
        numeric = found.fillna(0.0)
    numeric["has_history"] = has
    flags = customers[["consent_email", "consent_sms", "consent_push"]].astype(float).fillna(0.0)
    profile_frame = customers[["acquisition_channel", "country"]]
    if encoders is None:
        encoders = Encoders(
            profile=AttributeEncoder(prefix="").fit(profile_frame),
            attributes=AttributeEncoder(),
        )
        attrs, encoders.attributes = attribute_features(ws, ids)
        if campaign_id is not None and _has_covariates(ws, campaign_id):
            covs, encoders.covariates = attribute_features(
                ws, ids, source="campaign", campaign_id=campaign_id, prefix="cov_"
            )
        else:
            covs = None
    else:
        attrs, _ = attribute_features(ws, ids, encoder=encoders.attributes)
        covs = (
            attribute_features(
                ws, ids, encoder=encoders.covariates, source="campaign", campaign_id=campaign_id
            )[0]
            if encoders.covariates is not None
            else None
        )
    parts = [numeric.astype(np.float32), flags.astype(np.float32),
             encoders.profile.transform(profile_frame), attrs]  # fmt: skip
    if covs is not None:
        parts.append(covs)
    return pd.concat(parts, axis=1), encoders, excluded


def _has_covariates(ws: Workspace, campaign_id: str) -> bool:
    count = ws.engine.scalar(
        sql_file(__package__, "covariates_count.sql"), {"campaign_id": campaign_id}
    )
    return bool(count)
