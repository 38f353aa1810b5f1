"""Censored and truncated rows: what each row says, their log-likelihood terms and derivatives, fits, AFT regressions, Kaplan-Meier and Turnbull estimates, and chunked reads."""
