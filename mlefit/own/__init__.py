"""A user's own model: its text parsed, its log-density fitted, sampled, and its tails."""
