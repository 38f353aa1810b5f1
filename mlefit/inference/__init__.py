"""Inference on a finished fit: information and Wald intervals, profiles, bootstrap, sandwich errors, derived quantities, goodness of fit, likelihood-ratio tests and family selection."""
