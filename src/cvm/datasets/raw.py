"""Raw transaction logs of any size, written to Parquet in bounded memory (for benchmarks).

``simulate`` draws a whole business, which takes time per customer; the engines' benchmarks
need 10M to 100M raw order rows quickly. Customers here follow a Pareto/NBD process (purchase
rate ~ Gamma(r, alpha), lifetime rate ~ Gamma(s, beta)), drawn vectorised, chunk by chunk of
customers, so the models have something to identify: each customer is born at a uniform time,
buys at once, then at Poisson times while alive and observed. Amounts are gamma-distributed;
3% of the orders are refunded in part or in full by a refund that names them, 1% of orders get
an unlinked refund.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

START = np.datetime64("2022-01-01T00:00:00", "s")
DAYS = 3 * 365
R, ALPHA, S, BETA = 0.6, 20.0, 0.8, 200.0  # rates per day


def write_transactions(
    folder: str | Path, rows: int, *, seed: int = 0, chunk: int = 4_000_000
) -> Path:
    """Write about ``rows`` order rows (refunds included) as Parquet files under ``folder``."""
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    per_customer = _mean_rows(np.random.default_rng(seed + 1))
    written, part, first_id = 0, 0, 0
    while written < rows:
        customers = max(int(min(chunk, rows - written) / per_customer), 1)
        table = _chunk(rng, customers, first_id, part)
        pq.write_table(table, out / f"part-{part:05d}.parquet", row_group_size=1_000_000)
        written += table.num_rows
        first_id += customers
        part += 1
    return out


def _histories(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per customer: birth day, days observed alive, number of orders (first one included)."""
    birth = rng.uniform(0, DAYS * 0.8, n)
    lam = rng.gamma(R, 1 / ALPHA, n)
    mu = rng.gamma(S, 1 / BETA, n)
    alive = np.minimum(rng.exponential(1 / np.maximum(mu, 1e-12)), DAYS - birth)
    return birth, alive, 1 + rng.poisson(lam * alive)


def _mean_rows(rng: np.random.Generator) -> float:
    return float(_histories(rng, 200_000)[2].mean() * 1.04)


def _chunk(rng: np.random.Generator, customers: int, first_id: int, part: int) -> pa.Table:
    birth, alive, count = _histories(rng, customers)
    owner = np.repeat(np.arange(customers), count)
    first = np.zeros(owner.shape[0], dtype=bool)
    first[np.concatenate([[0], np.cumsum(count)[:-1]])] = True
    offset = np.where(first, 0.0, rng.uniform(0, 1, owner.shape[0]) * alive[owner])
    seconds = ((birth[owner] + offset) * 86400).astype(np.int64)
    orders = owner.shape[0]
    ts = START + seconds.astype("timedelta64[s]")
    amount = np.round(rng.gamma(2.0, 30.0, orders), 2)
    refunds, unlinked = int(orders * 0.03), int(orders * 0.01)
    pick = rng.choice(orders, refunds, replace=False)
    share = np.where(rng.random(refunds) < 0.5, 1.0, np.round(rng.uniform(0.1, 0.9, refunds), 2))
    lone = rng.choice(orders, unlinked, replace=False)
    later = rng.integers(0, 30 * 86400, refunds + unlinked).astype("timedelta64[s]")
    ids = np.char.add(f"P{part}-", np.arange(orders).astype("U10"))
    customer = np.char.add("C", (first_id + owner).astype("U12"))

    def text(values: np.ndarray) -> pa.Array:
        return pa.array(values)

    return pa.table(
        {
            "transaction_id": text(
                np.concatenate([ids, np.char.add("R", ids[pick]), np.char.add("U", ids[lone])])
            ),
            "customer_id": text(np.concatenate([customer, customer[pick], customer[lone]])),
            "ts": pa.array(
                np.concatenate([ts, ts[pick] + later[:refunds], ts[lone] + later[refunds:]])
            ),
            "amount": pa.array(
                np.concatenate([amount, -np.round(amount[pick] * share, 2), -amount[lone] / 4])
            ),
            "is_refund": pa.array(np.arange(orders + refunds + unlinked) >= orders),
            "refund_of": pa.concat_arrays(
                [
                    pa.nulls(orders, pa.string()),
                    text(ids[pick]),
                    pa.nulls(unlinked, pa.string()),
                ]
            ),
        }
    )
