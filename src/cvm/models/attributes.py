"""Typed, bounded-width model features from free-form customer attributes.

CRM attributes arrive as text (JSON values, CSV cells). One-hot encoding them as they come turns
a numeric attribute with 30,000 distinct values into 30,000 columns (tens of GiB for a million
customers). :class:`AttributeEncoder` infers a type per attribute instead and gives every kept
attribute exactly one column, so the design matrix is ``customers x attributes`` whatever the
cardinality:

- numeric (every value parses as a number): the number, ``NaN`` when missing;
- boolean (``true/false``, ``yes/no``, ``y/n``, ``t/f``, any case): 1.0 / 0.0;
- categorical: an integer code for each of the ``max_categories - 1`` most frequent values and
  one shared code for every other value ("other"), ``NaN`` when missing. Codes stay below 255,
  so scikit-learn's histogram gradient boosting can treat them as native categories;
- id-like (named ``id``, ``*_id``, ``uuid``, ``email``, ``phone``, ``name``..., or text that is
  nearly unique per customer): excluded, with the reason in ``excluded_``.

It is fitted on training rows and applied unchanged to scoring rows (unseen categories map to
"other"), like a scikit-learn transformer.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from cvm._exceptions import DataError, NotFittedError

__all__ = ["AttributeEncoder"]

_TRUE = {"true", "yes", "y", "t"}
_FALSE = {"false", "no", "n", "f"}
_ID_NAME = re.compile(
    r"(^|_)(id|uuid|guid|key)$|^(e?mail|email_address|phone|mobile|first_name|last_name|name"
    r"|full_name|address|street|zip|postcode|postal_code)$",
    re.IGNORECASE,
)


class AttributeEncoder:
    """Infer each attribute's type and encode it as one float column.

    Parameters
    ----------
    max_categories : most codes a categorical attribute gets, "other" included (2..255).
    unique_share : a text attribute whose distinct values exceed this share of its non-missing
        values (and ``max_categories``) is id-like and excluded.
    prefix : prepended to the output column names.

    Examples
    --------
    >>> import pandas as pd
    >>> crm = pd.DataFrame({
    ...     "plan": ["gold", "silver", "gold", None],
    ...     "age": ["34", "51", "", "28"],
    ...     "email": ["a@x.com", "b@x.com", "c@x.com", "d@x.com"],
    ...     "vip": ["Yes", "no", "NO", "yes"],
    ... })
    >>> encoder = AttributeEncoder().fit(crm)
    >>> encoder.kinds_
    {'plan': 'categorical', 'age': 'numeric', 'vip': 'boolean'}
    >>> encoder.excluded_
    {'email': 'an identifier or contact detail (by its name)'}
    >>> encoder.transform(crm)
       attr_plan  attr_age  attr_vip
    0        0.0      34.0       1.0
    1        1.0      51.0       0.0
    2        0.0       NaN       0.0
    3        NaN      28.0       1.0
    """

    def __init__(
        self, *, max_categories: int = 32, unique_share: float = 0.9, prefix: str = "attr_"
    ) -> None:
        self.max_categories = max_categories
        self.unique_share = unique_share
        self.prefix = prefix

    def fit(self, frame: pd.DataFrame) -> AttributeEncoder:
        """Learn types, kept categories and exclusions from ``frame`` (one column per attribute)."""
        self.start()
        for name in frame.columns:
            self.fit_column(str(name), frame[name])
        return self

    def start(self) -> AttributeEncoder:
        """Reset before fitting column by column with :meth:`fit_column`."""
        if not 2 <= self.max_categories <= 255:
            raise DataError(f"max_categories must be within 2..255, got {self.max_categories}")
        self.kinds_: dict[str, str] = {}
        self.categories_: dict[str, list[str]] = {}
        self.excluded_: dict[str, str] = {}
        return self

    @property
    def feature_names_(self) -> list[str]:
        """Output columns, one per kept attribute."""
        self._fitted()
        return [f"{self.prefix}{n}" for n in self.kinds_]

    def fit_column(self, name: str, values: pd.Series) -> None:
        """Learn one attribute (so a caller can stream attributes one at a time)."""
        column = _as_text(values)
        present = column.dropna()
        lowered = present.str.lower()
        counts = present.value_counts()
        kind = self.decide(
            name,
            present=len(present),
            distinct=len(counts),
            numeric=int(pd.to_numeric(present, errors="coerce").notna().sum()),
            trues=int(lowered.isin(list(_TRUE)).sum()),
            falses=int(lowered.isin(list(_FALSE)).sum()),
        )
        if kind == "categorical":
            ranked = sorted(counts.items(), key=lambda kv: (-kv[1], str(kv[0])))
            self.categories_[name] = [
                str(v) for v, _ in ranked[: self.kept_categories(len(counts))]
            ]

    def decide(
        self, name: str, *, present: int, distinct: int, numeric: int, trues: int, falses: int
    ) -> str | None:
        """The kind of an attribute from its counts, recorded; ``None`` when it is excluded.

        ``present``: customers with a value; ``distinct``: distinct values; ``numeric``: values
        that read as numbers; ``trues``/``falses``: values that read as a vendor boolean. A
        caller computing the counts elsewhere (in SQL) gets the same rules; a categorical kind
        then needs :meth:`set_categories`.
        """
        self._fitted()
        if present == 0:
            self.excluded_[name] = "no value for any customer"
            return None
        if _ID_NAME.search(name):
            self.excluded_[name] = "an identifier or contact detail (by its name)"
            return None
        if trues and falses and trues + falses == present:
            kind = "boolean"
        elif numeric == present:
            kind = "numeric"
        elif distinct > self.max_categories and distinct > self.unique_share * present:
            self.excluded_[name] = f"id-like: {distinct:,} distinct values in {present:,} customers"
            return None
        else:
            kind = "categorical"
        self.kinds_[name] = kind
        return kind

    def kept_categories(self, distinct: int) -> int:
        """How many of the most frequent values keep a code of their own ("other" takes one)."""
        return self.max_categories - (1 if distinct > self.max_categories else 0)

    def set_categories(self, name: str, categories: list[str]) -> None:
        """The kept values of a categorical attribute, most frequent first (ties by value)."""
        self.categories_[name] = [str(v) for v in categories]

    def _fitted(self) -> None:
        if not hasattr(self, "kinds_"):
            raise NotFittedError("AttributeEncoder is not fitted: call fit(frame) first")

    @property
    def categorical_features_(self) -> list[str]:
        """Output columns holding category codes (for a model's native categorical support)."""
        self._fitted()
        return [f"{self.prefix}{n}" for n, k in self.kinds_.items() if k == "categorical"]

    def transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        """One float32 column per kept attribute, indexed like ``frame``."""
        self._fitted()
        missing = pd.Series(pd.NA, index=frame.index, dtype="string")
        out = {
            f"{self.prefix}{name}": self.transform_column(
                name, frame[name] if name in frame.columns else missing
            )
            for name in self.kinds_
        }
        return pd.DataFrame(out, index=frame.index, columns=self.feature_names_)

    def transform_column(self, name: str, values: pd.Series) -> np.ndarray:
        """The float32 encoding of one kept attribute."""
        self._fitted()
        column = _as_text(values)
        kind = self.kinds_[name]
        if kind == "numeric":
            return pd.to_numeric(column, errors="coerce").to_numpy(np.float32, na_value=np.nan)
        if kind == "boolean":
            words = [*_TRUE, *_FALSE]
            found = pd.Index(words).get_indexer(pd.Index(column.str.lower().to_numpy(dtype=object)))
            truth = np.r_[np.ones(len(_TRUE)), np.zeros(len(_FALSE)), np.nan]
            return truth[found].astype(np.float32)  # -1 (not a truth word) picks the NaN
        kept = self.categories_[name]
        codes = (
            pd.Index(kept).get_indexer(pd.Index(column.to_numpy(dtype=object))).astype(np.float32)
        )
        codes[codes < 0] = float(len(kept))
        codes[column.isna().to_numpy()] = np.nan
        return codes

    def fit_transform(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.fit(frame).transform(frame)

    def summary(self) -> pd.DataFrame:
        """One row per attribute: its kind (or ``excluded``), categories kept, and why."""
        self._fitted()
        rows: list[dict[str, Any]] = [
            {"attribute": n, "kind": k, "categories": len(self.categories_.get(n, [])), "note": ""}
            for n, k in self.kinds_.items()
        ]
        rows += [
            {"attribute": n, "kind": "excluded", "categories": 0, "note": why}
            for n, why in self.excluded_.items()
        ]
        return pd.DataFrame(rows, columns=["attribute", "kind", "categories", "note"])


def _as_text(column: pd.Series) -> pd.Series:
    """Values as trimmed strings with missing and blank as ``NA`` (numbers keep their digits)."""
    if pd.api.types.is_bool_dtype(column):
        text = column.map({True: "true", False: "false"}).astype("string")
    else:
        text = column.astype("string").str.strip()
    return text.mask(text == "")
