-- Hourly cost per team and model, without the agent: trends grouped by team, model or
-- provider read ~30 rows per hour here instead of one per agent and model in cost_hourly
-- (bench/cost.py: 2.16 M rows for 30 days of 1,000 agents). Part of projection "rollups".
CREATE TABLE cost_hourly_tm (
    bucket        timestamptz NOT NULL,
    team_id       text        NOT NULL,
    provider      text        NOT NULL,
    model         text        NOT NULL,
    total_micros  bigint      NOT NULL,
    calls         bigint      NOT NULL,
    input_tokens  bigint      NOT NULL,
    output_tokens bigint      NOT NULL,
    PRIMARY KEY (bucket, team_id, provider, model)
);

INSERT INTO cost_hourly_tm
SELECT bucket, team_id, provider, model, sum(total_micros), sum(calls), sum(input_tokens),
    sum(output_tokens)
FROM cost_hourly GROUP BY bucket, team_id, provider, model;
