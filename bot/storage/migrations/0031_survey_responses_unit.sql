-- A town's export reads its questionnaire answers by micro-grid, not every answer of a county.
CREATE INDEX survey_responses_unit ON survey_responses(micro_grid_id);
