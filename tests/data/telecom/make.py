"""Write the telecom-like contracts snapshot as a vendor export would (files committed)."""

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
rng = np.random.default_rng(20250630)
n = 1500
snapshot = pd.Timestamp("2025-06-30")
letters = np.array(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
ids = [f"{i:04d}-{''.join(rng.choice(letters, 5))}" for i in range(1, n + 1)]
contract = rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.25, 0.20])
internet = rng.choice(["DSL", "Fiber optic", "No"], n, p=[0.35, 0.45, 0.20])
payment = rng.choice(
    ["Electronic check", "Mailed check", "Bank transfer (automatic)", "Credit card (automatic)"],
    n,
    p=[0.35, 0.2, 0.22, 0.23],
)
senior = (rng.random(n) < 0.16).astype(int)
partner = np.where(rng.random(n) < 0.48, "Yes", "No")
charges = np.round(
    np.where(
        internet == "No",
        rng.uniform(18, 26, n),
        np.where(internet == "DSL", rng.uniform(25, 80, n), rng.uniform(68, 118, n)),
    ),
    2,
)
hazard = np.select([contract == "Month-to-month", contract == "One year"], [0.055, 0.012], 0.004)
hazard = hazard * np.where(internet == "Fiber optic", 1.8, 1.0)
hazard = (
    hazard * np.where(payment == "Electronic check", 1.6, 1.0) * np.where(senior == 1, 1.3, 1.0)
)
hazard = hazard * np.where(partner == "Yes", 0.7, 1.0)
# heterogeneity: each customer's own monthly churn probability
theta = np.clip(hazard * rng.gamma(2.0, 0.5, n), 1e-4, 0.9)
start = pd.Timestamp("2021-01-01") + pd.to_timedelta(rng.integers(0, 1550, n), unit="D")
months = rng.geometric(theta)
end = start + pd.to_timedelta(
    np.round(months * 30.44 - rng.uniform(0, 30, n)).astype(int), unit="D"
)
ended = np.where(end <= snapshot, end.strftime("%Y-%m-%d"), "")
customers = pd.DataFrame(
    {
        "customerID": ids,
        "gender": rng.choice(["Female", "Male"], n),
        "SeniorCitizen": senior,
        "Partner": partner,
        "InternetService": internet,
        "PaymentMethod": payment,
        "MonthlyCharges": charges,
    }
)
contracts = pd.DataFrame(
    {
        "customerID": ids,
        "Contract": contract,
        "StartDate": start.strftime("%Y-%m-%d"),
        "EndDate": ended,
        "MonthlyCharges": charges,
    }
)
customers.to_csv(str(HERE / "customers.csv"), index=False)
contracts.to_csv(str(HERE / "contracts.csv"), index=False)
print(f"{(contracts['EndDate'] != '').mean():.1%} of contracts ended")
