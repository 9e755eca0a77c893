-- How many survey answers the workspace holds.
SELECT count(*) FROM survey_responses;
