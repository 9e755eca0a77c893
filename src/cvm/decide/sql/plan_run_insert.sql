-- One stored plan: its settings, totals, catalog, capacities and budget-value curve.
INSERT INTO plan_runs (run_id, as_of, budget, method, customers, offers, chosen, spent,
                       objective, expected_value, bound, gap, catalog, capacities, curve)
VALUES ($run_id, $as_of, $budget, $method, $customers, $offers, $chosen, $spent, $objective,
        $expected_value, $bound, $gap, $catalog, $capacities, $curve)
