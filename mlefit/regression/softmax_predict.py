"""A softmax regression's predicted class probabilities with delta-method intervals
(`mlefit predict --interval` of a categorical model).

Row i's probability of label k is p_ik = exp(eta_ik) / sum_l exp(eta_il), eta_i0 = 0 (the
reference) and eta_im = x_i'b_m. Its interval is made on the logit scale, so it stays in
(0, 1): logit p_ik = eta_ik - log sum_{l != k} exp(eta_il), whose gradient in b_m is

    d logit p_ik / d b_m = (delta_km - r_ikm) x_i,   r_ikm = exp(eta_im) / sum_{l != k} exp(eta_il)

(r_ikk = 0: the other labels' probabilities renormalised without k; exact where p_ik rounds
to 1). With V the coefficients' covariance, se_ik^2 = sum_{m,m'} a_ikm a_ikm' x_i' V_mm' x_i,
a_ikm = delta_km - r_ikm, and the interval is expit(logit p_ik -+ z se_ik)."""
import numpy as np
from scipy.special import expit, logsumexp

from ..inference.information import z_value


def probabilities(X, beta, k, cov=None, confidence=0.95):
    """(prob, lower, upper), each n x k (lower, upper None without cov): the probability of
    each of k labels at each row of the design X, beta the (k - 1) p coefficients in label
    order ('label:term'), cov their covariance."""
    n, p = X.shape
    eta = np.column_stack([np.zeros(n), X @ beta.reshape(k - 1, p).T])
    prob = np.exp(eta - logsumexp(eta, axis=1, keepdims=True))
    if cov is None:
        return prob, None, None
    # q_imm' = x_i' V_mm' x_i for the labels m, m' = 1..k-1 (the reference's eta is 0)
    blocks = cov.reshape(k - 1, p, k - 1, p)
    q = np.einsum("ia,manb,ib->imn", X, blocks, X)
    z = z_value(confidence)
    lower, upper = np.empty((n, k)), np.empty((n, k))
    for label in range(k):
        others = np.delete(eta, label, axis=1)
        logit = eta[:, label] - logsumexp(others, axis=1)
        r = np.exp(eta - logsumexp(others, axis=1, keepdims=True))
        r[:, label] = 0.0
        a = -r[:, 1:]
        if label:
            a[:, label - 1] += 1.0
        se = np.sqrt(np.maximum(np.einsum("im,imn,in->i", a, q, a), 0.0))
        lower[:, label], upper[:, label] = expit(logit - z * se), expit(logit + z * se)
    return prob, lower, upper
