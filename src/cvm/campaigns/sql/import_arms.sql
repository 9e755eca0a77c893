-- Per imported campaign: whether it has a control arm and how many treatment arms.
SELECT campaign_id,
       count(DISTINCT arm) FILTER (WHERE arm = 'control'),
       count(DISTINCT arm) FILTER (WHERE arm <> 'control')
FROM assignment_import
WHERE reason IS NULL
GROUP BY campaign_id
