"""The transaction models cvm fits, by the short names the CLI and config use."""

from __future__ import annotations

from typing import Any

from cvm._exceptions import ConfigError

TRANSACTION_MODELS = {
    "bgnbd": "BetaGeoModel",
    "paretonbd": "ParetoNBDModel",
    "mbgnbd": "ModifiedBetaGeoModel",
}
DEFAULT_MODELS = ("mbgnbd", "bgnbd", "paretonbd")

# BG/NBD gives every customer without a repeat purchase P(alive) = 1 however long ago they
# bought (a property of the model), so its P(alive) cannot tell a lost one-time buyer from a
# new one, and lifecycle, RFM and churn figures built on it contradict each other. MBG/NBD has
# the same parameters and purchase process but lets a customer leave after the first purchase
# too. So BG/NBD is never the automatic pick by BIC when MBG/NBD was fitted (ask for it alone
# with -m bgnbd; a holdout may still pick it), and when the data cannot tell the others apart
# (BIC within BIC_TIE) the pick goes by this order.
PREFERENCE = ("mbgnbd", "paretonbd", "bgnbd")
BIC_TIE = 2.0  # Kass and Raftery (1995): a BIC difference below 2 is "not worth a mention"
# Holdout MAEs per customer within this share of each other are a tie, settled by BIC.
MAE_TIE = 1e-3


def model_class(name: str) -> Any:
    """The model class behind a short name; an unknown name lists the known ones."""
    import cvm.models

    if name not in TRANSACTION_MODELS:
        raise ConfigError(f"unknown model {name!r}: choose from {', '.join(TRANSACTION_MODELS)}")
    return getattr(cvm.models, TRANSACTION_MODELS[name])


def pick_by_bic(bic: Any) -> str:
    """The model with the lowest BIC (BG/NBD only when MBG/NBD is not among them); among those
    within ``BIC_TIE`` of it, by ``PREFERENCE``.

    >>> import pandas as pd
    >>> pick_by_bic(pd.Series({"bgnbd": 100.0, "mbgnbd": 101.0, "paretonbd": 120.0}))
    'mbgnbd'
    >>> pick_by_bic(pd.Series({"bgnbd": 100.0, "paretonbd": 120.0}))
    'bgnbd'
    """
    import pandas as pd

    values = pd.Series(bic, dtype=float)
    if "mbgnbd" in values.index and "bgnbd" in values.index:
        values = values.drop("bgnbd")
    close = values.index[values <= values.min() + BIC_TIE]
    rank = {name: i for i, name in enumerate(PREFERENCE)}
    return str(min(close, key=lambda n: (rank.get(str(n), len(rank)), values[n])))


def pick_by_holdout(mae: Any, bic: Any) -> str:
    """The model with the lowest holdout MAE per customer; a tie (within ``MAE_TIE``) by BIC."""
    import pandas as pd

    errors, criteria = pd.Series(mae, dtype=float), pd.Series(bic, dtype=float)
    tied = errors.index[errors <= errors.min() * (1 + MAE_TIE)]
    return pick_by_bic(criteria[tied])


def check_names(names: Any) -> tuple[str, ...]:
    """Short model names as a tuple: one name (a string) is one model, not its letters."""
    chosen = (names,) if isinstance(names, str) else tuple(names)
    if not chosen:
        raise ConfigError("name at least one model")
    for name in chosen:
        model_class(name)
    return chosen
