"""Priors and MAP fits: prior distributions parsed and checked, conjugate posteriors, Jeffreys priors, MAP by the one maximiser, and MAP intervals."""
