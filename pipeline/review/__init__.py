"""A reviewer's desk read back: decisions applied or carried, agreement with the machine and between reviewers."""
