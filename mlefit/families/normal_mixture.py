"""normal_mixture:K, a Gaussian mixture of K components: its declaration. The family is
built for each K by mixture.py (EM from seeded starts, then Newton; mixture_em.py)."""
from .catalog import POSITIVE, REAL, UNIT, Param, Spec

SPEC = Spec("normal_mixture",
            (Param("w[j]", UNIT, "weight of component j (the weights sum to one)"),
             Param("mu[j]", REAL, "mean of component j (components in increasing mu)"),
             Param("sigma[j]", POSITIVE, "sd of component j")),
            "real", False, False, "sum_j w[j] normal(x; mu[j], sigma[j]), K components, by EM",
            "none (sum of weighted norm)", "mixtools::normalmixEM(x, k=K)",
            aliases=("gaussian_mixture", "gmm", "mixture", "normmix"), shape="k",
            not_selected="the number of components is the user's choice; compare K with --families",
            estimator="EM from seeded starts, then Newton; components in increasing mu", listed=310,
            same_as=(("1", "normal"),), iteration="EM",
            shape_example="2", shape_rule="a whole number from 1 to 20",
            shape_range=(1, True, 20, True, True))


def build(k):
    """normal_mixture:k, the family's record (mixture.py)."""
    from .mixture import build
    return build("normal_mixture", k)
