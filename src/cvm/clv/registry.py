"""The transaction models cvm fits, by the short names the CLI and config use."""

from __future__ import annotations

from typing import Any

from cvm._exceptions import ConfigError

TRANSACTION_MODELS = {
    "bgnbd": "BetaGeoModel",
    "paretonbd": "ParetoNBDModel",
    "mbgnbd": "ModifiedBetaGeoModel",
}
DEFAULT_MODELS = ("bgnbd", "paretonbd")


def model_class(name: str) -> Any:
    """The model class behind a short name; an unknown name lists the known ones."""
    import cvm.models

    if name not in TRANSACTION_MODELS:
        raise ConfigError(f"unknown model {name!r}: choose from {', '.join(TRANSACTION_MODELS)}")
    return getattr(cvm.models, TRANSACTION_MODELS[name])


def check_names(names: Any) -> tuple[str, ...]:
    chosen = tuple(names)
    if not chosen:
        raise ConfigError("name at least one model")
    for name in chosen:
        model_class(name)
    return chosen
