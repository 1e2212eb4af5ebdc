"""Learning from reviewers: suggested terms and exclusions, and a second opinion on uncoded units."""
