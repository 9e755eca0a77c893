-- Next best action: plan runs (budget, solver, optimality gap, the budget-value curve) and one
-- row per customer and offer considered, with every factor of the decision and why it was or
-- was not chosen, so any decision can be explained later. The run is also in model_runs
-- (kind 'plan').

-- key: run_id
CREATE TABLE IF NOT EXISTS plan_runs (
    run_id         VARCHAR PRIMARY KEY,
    as_of          DATE NOT NULL,
    budget         DOUBLE,
    method         VARCHAR NOT NULL,          -- exact (HiGHS MILP) or lagrangian
    customers      BIGINT NOT NULL,
    offers         INTEGER NOT NULL,
    chosen         BIGINT NOT NULL,
    spent          DOUBLE NOT NULL,
    objective      DOUBLE NOT NULL,           -- sum of weighted scores of the chosen actions
    expected_value DOUBLE NOT NULL,           -- sum of expected incremental value (unweighted)
    bound          DOUBLE,                    -- upper bound on the objective
    gap            DOUBLE,                    -- (bound - objective) / bound
    catalog        JSON,                      -- the offers as planned
    capacities     JSON,
    curve          JSON,                      -- budget, value, spent, customers per point
    created_at     TIMESTAMP NOT NULL DEFAULT current_timestamp
);

-- key: (run_id, customer_id, offer_id)
CREATE TABLE IF NOT EXISTS plan_decisions (
    run_id       VARCHAR NOT NULL,
    customer_id  VARCHAR NOT NULL,
    offer_id     VARCHAR NOT NULL,
    channel      VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,            -- chosen, ineligible, negative_value,
                                              -- lower_value, capacity, budget
    reason       VARCHAR,                     -- for ineligible: the rule or policy that failed
    propensity   DOUBLE,                      -- P(response) without the offer
    lift         DOUBLE,                      -- absolute lift in P(response) from the offer
    lift_source  VARCHAR,                     -- uplift, learned or prior
    value        DOUBLE,                      -- value of one response
    cost         DOUBLE,                      -- contact cost plus expected discount
    weight       DOUBLE,                      -- business weight of the offer
    context      DOUBLE,                      -- context weight (boosts) for this customer
    ev           DOUBLE,                      -- lift x value - cost
    score        DOUBLE                       -- ev x weight x context (the arbitration score)
);
