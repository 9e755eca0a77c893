"""The live profiles held in memory: what goes in comes back byte for byte, with and without
the trained dictionary, across a reload and for rows the refresher adds after it."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from cvm.segments.live_cache import MIN_SAMPLES, ProfileCache


def _profile(i: int) -> str:
    # shaped like a stored live profile: ids with leading zeros, $0 spend, nulls, consent
    return json.dumps(
        {
            "customer_id": f"{i:05d}",
            "summary": {"frequency": i % 7, "monetary_value": 0.0 if i % 5 == 0 else i * 1.25},
            "scores": {"p_alive": round(1 / (1 + i % 11), 4), "clv": None if i % 9 == 0 else i},
            "stage": ["new", "active", "at_risk", "lapsed"][i % 4],
            "consent": {"email": i % 2 == 0, "sms": False, "push": True, "mail": False},
            "ids": [{"source": "anonymous", "id": f"a-{i}"}],
        }
    )


class _Engine:
    """Serves the two statements ``ProfileCache.load`` runs: every row, then the ids a
    merge left with two rows (the newest of each)."""

    def __init__(self, rows: list[tuple[str, str]], twice: list[tuple[str, str]]) -> None:
        self._rows, self._twice = rows, twice

    def batches(self, statement: Any, rows: int) -> list[pa.RecordBatch]:
        out = []
        for start in range(0, len(self._rows), rows):
            part = self._rows[start : start + rows]
            out.append(
                pa.record_batch(
                    [pa.array([c for c, _ in part]), pa.array([p for _, p in part])],
                    names=["customer_id", "profile"],
                )
            )
        return out

    def rows(self, statement: Any, params: Any = None) -> list[tuple[str, str]]:
        return self._twice


class _Ws:
    def __init__(self, engine: _Engine) -> None:
        self.engine = engine


def test_profiles_come_back_as_stored_with_a_trained_dictionary_and_after_a_reload() -> None:
    n = MIN_SAMPLES * 3
    rows = [(f"{i:05d}", _profile(i)) for i in range(n)]
    newest = _profile(10_000)
    cache = ProfileCache()
    assert cache.get("00001") is None
    held = cache.load(_Ws(_Engine(rows, [("00007", newest)])), chunk=250)  # type: ignore[arg-type]
    assert held == n and cache.ready
    assert cache._held[1].dictionary is not None  # trained: enough profiles
    for cid, text in rows:
        want = newest if cid == "00007" else text
        assert cache.get(cid) == want.encode("utf-8")
    # a row the refresher writes after the load uses the same dictionary
    cache.put([("00003", _profile(3_333)), ("99999", _profile(99_999))])
    assert cache.get("00003") == _profile(3_333).encode()
    assert cache.get("99999") == _profile(99_999).encode()
    cache.drop(["00003"])
    assert cache.get("00003") is None and len(cache) == n
    # a reload trains a new dictionary: every answer still matches the table
    again = [(c, _profile(int(c) + 1)) for c, _ in rows[:MIN_SAMPLES]]
    assert cache.load(_Ws(_Engine(again, [])), chunk=1_000) == MIN_SAMPLES  # type: ignore[arg-type]
    assert cache.get("99999") is None
    assert [cache.get(c) for c, _ in again] == [p.encode() for _, p in again]


def test_a_few_profiles_are_kept_without_a_dictionary() -> None:
    rows = [(f"{i:03d}", _profile(i)) for i in range(3)]
    cache = ProfileCache()
    assert cache.load(_Ws(_Engine(rows, []))) == 3  # type: ignore[arg-type]
    assert cache._held[1].dictionary is None
    assert cache.get("002") == _profile(2).encode()
    cache.put([("010", "{}")])
    assert cache.get("010") == b"{}"
