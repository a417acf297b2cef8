"""Samples of the files a town edits: the questionnaire, the policy handbook, the pension guide."""
