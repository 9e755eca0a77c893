"""What every ``cvm.toml`` section model shares: unknown keys refused, one-line errors.

A section is a pydantic model with ``extra="forbid"``. Building one (directly, or through the
root :class:`~cvm.settings.Settings`) raises :class:`~cvm._exceptions.ConfigError` with one
line naming the table and the key, never pydantic's multi-line report. A validator that
raises ``ConfigError`` keeps its own message word for word.
"""

from __future__ import annotations

import difflib
import math
import types
import typing
from typing import Any, ClassVar, Union

from pydantic import BaseModel, ConfigDict, ValidationError

from cvm._exceptions import ConfigError
from cvm._limits import MAX_AMOUNT

CONFIG_NAME = "cvm.toml"


class Section(BaseModel):
    """A table of ``cvm.toml``; ``SECTION`` is its dotted name when built on its own."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    SECTION: ClassVar[tuple[str, ...]] = ()

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as exc:
            raise SectionError(exc, type(self)) from None


class SectionError(ConfigError):
    """A section that failed its checks; it keeps pydantic's report so that the section
    holding it can name the full path (pydantic builds nested sections through ``__init__``)."""

    def __init__(self, validation: ValidationError, model: type[BaseModel]) -> None:
        prefix: tuple[str | int, ...] = getattr(model, "SECTION", ())
        super().__init__(str(settings_error(validation, model, prefix)))
        self.validation = validation
        self.model = model


def _args(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return tuple(a for a in typing.get_args(annotation) if a is not type(None))
    return (annotation,)


def _model_at(model: type[BaseModel], path: tuple[Any, ...]) -> type[BaseModel] | None:
    """The section model reached by ``path`` (field names and table keys), if any."""
    node: Any = model
    for part in path:
        for candidate in _args(node):
            if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                if part in candidate.model_fields:
                    node = candidate.model_fields[part].annotation
                    break
            elif typing.get_origin(candidate) in (dict, list, tuple) and typing.get_args(candidate):
                node = typing.get_args(candidate)[-1]
                break
        else:
            return None
    found = [a for a in _args(node) if isinstance(a, type) and issubclass(a, BaseModel)]
    return found[0] if found else None


def table_name(path: tuple[Any, ...]) -> str:
    """``[segments.rules.vip]`` for a path; list positions are counted from 1."""
    parts = [f"{p + 1}" if isinstance(p, int) else str(p) for p in path]
    return f"[{'.'.join(parts)}]" if parts else "top level"


def suggest(key: str, known: list[str], form: str = "{}") -> str:
    """``; did you mean X?`` for the closest known key, else the list of known keys."""
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {form.format(close[0])}?"
    return f" (known: {', '.join(known)})" if known else ""


def unknown_key(path: tuple[Any, ...], key: str, known: list[str]) -> ConfigError:
    """The one error for a key that no section declares."""
    if not path:
        return ConfigError(f"{CONFIG_NAME}: unknown section [{key}]{suggest(key, known, '[{}]')}")
    return ConfigError(f"{CONFIG_NAME}: unknown key {table_name(path)} {key}{suggest(key, known)}")


def settings_error(
    exc: ValidationError, model: type[BaseModel], prefix: tuple[str | int, ...] = ()
) -> ConfigError:
    """One line for the first problem pydantic found, naming the table and the key."""
    err = exc.errors(include_url=False)[0]
    original = (err.get("ctx") or {}).get("error")
    loc = tuple(err["loc"])
    if isinstance(original, SectionError):
        return settings_error(original.validation, original.model, prefix + loc)
    if isinstance(original, ConfigError):
        return ConfigError(str(original))
    path, key = loc[:-1], loc[-1] if loc else ""
    if err["type"] == "extra_forbidden":
        found = _model_at(model, path)
        known = list(found.model_fields) if found is not None else []
        return unknown_key(prefix + path, str(key), known)
    message = str(err["msg"]).removeprefix("Value error, ")
    message = message[:1].lower() + message[1:]
    where = f"{table_name(prefix + path)} {key}" if prefix + path else str(key)
    if err["type"] == "value_error":
        return ConfigError(f"{CONFIG_NAME}: {where} {message}")
    got = "" if err["type"] == "missing" else f", got {err.get('input')!r}"
    if err["type"] in ("model_type", "dict_type") and isinstance(key, str):
        return ConfigError(f"{CONFIG_NAME}: {table_name(prefix + loc)} must be a table{got}")
    return ConfigError(f"{CONFIG_NAME}: {where}: {message}{got}")


def number_setting(
    raw: Any,
    where: str,
    name: str,
    *,
    low: float = 0.0,
    high: float | None = None,
    integer: bool = False,
) -> Any:
    """A number from a settings table: the right type, finite, within [low, high] (default
    high: the largest amount), else one ``ConfigError`` naming ``where`` and ``name``."""
    kind = "a whole number" if integer else "a number"
    ok = isinstance(raw, int) if integer else isinstance(raw, int | float)
    if isinstance(raw, bool) or not ok:
        raise ConfigError(f"{where}: {name} must be {kind}, got {raw!r}")
    if not math.isfinite(raw):  # TOML's nan and inf are floats: no comparison catches them
        raise ConfigError(f"{where}: {name} must be a finite number, got {raw!r}")
    top = MAX_AMOUNT if high is None else high
    if raw < low or raw > top:
        raise ConfigError(f"{where}: {name} must be within [{low:g}, {top:g}], got {raw!r}")
    return int(raw) if integer else float(raw)
