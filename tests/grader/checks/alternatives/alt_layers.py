"""Correct alternatives for ``layers.py``: each written from the function's docstring.

Every entry rewrites whole student regions. Where an alternative changes what a forward pass
keeps (the mask of dropout, the cache of a normalisation layer), it rewrites the matching
backward pass too, as a student does.
"""

from __future__ import annotations

from . import LAYERS, Alternative, Region

# Question groups an answer takes part in beyond its own question.
FC_TRAINING = ("fc.overfit", "fc.good_model")
CONV_TRAINING = ("conv.overfit",)
BN_USERS = ("bn.fc_net_norm", "fc.good_model")

# Grader defects of issue 10 these answers exercised (fixed in 4b6ebb4; kept as notes).
DROPOUT_STREAM = (
    "issue 10: dropout.fc_net compares a dropout network element by element with the "
    "reference's random stream"
)
POOL_TIES = "issue 10: max-pool backward splitting the gradient among tied maxima is valid"


def R(function: str, code: str, index: int = 0) -> Region:  # noqa: N802 - a short constructor
    return Region(LAYERS, function, code, index)


ALTERNATIVES: list[Alternative] = []


def alt(slug, questions, *edits, xfail=None, xfail_on=(), note=""):
    ALTERNATIVES.append(
        Alternative(
            slug, tuple(questions), tuple(edits), xfail=xfail, xfail_on=tuple(xfail_on), note=note
        )
    )


# --- affine -------------------------------------------------------------------------------------
alt(
    "loop-over-examples",
    ["fc.affine_forward", *FC_TRAINING, *CONV_TRAINING],
    R(
        "affine_forward",
        """
        N = x.shape[0]
        out = np.zeros((N, w.shape[1]), dtype=np.result_type(x, w, b))
        for i in range(N):
            out[i, :] = np.dot(x[i].ravel(), w) + b
    """,
    ),
)
alt(
    "np-dot-prod-of-shape",
    ["fc.affine_forward", *FC_TRAINING],
    R(
        "affine_forward",
        """
        D = int(np.prod(x.shape[1:]))
        x_flat = np.reshape(x, (x.shape[0], D))
        out = np.dot(x_flat, w) + b.reshape(1, -1)
    """,
    ),
)
alt(
    "einsum",
    ["fc.affine_forward"],
    R(
        "affine_forward",
        """
        out = np.einsum("nd,dm->nm", x.reshape(len(x), -1), w) + b
    """,
    ),
)
alt(
    "bias-gradient-by-loop",
    ["fc.affine_backward", *FC_TRAINING, *CONV_TRAINING],
    R(
        "affine_backward",
        """
        N = x.shape[0]
        x_flat = x.reshape(N, -1)
        dx = dout.dot(w.T).reshape(*x.shape)
        dw = x_flat.T.dot(dout)
        db = np.zeros_like(b)
        for i in range(N):
            db += dout[i]
    """,
    ),
)
alt(
    "np-dot-and-np-sum",
    ["fc.affine_backward", *FC_TRAINING],
    R(
        "affine_backward",
        """
        dx = np.reshape(np.dot(dout, w.T), x.shape)
        dw = np.dot(np.reshape(x, (x.shape[0], w.shape[0])).T, dout)
        db = np.sum(dout, axis=0, keepdims=False)
    """,
    ),
)
alt(
    "einsum-and-loops",
    ["fc.affine_backward"],
    R(
        "affine_backward",
        """
        x2 = x.reshape(x.shape[0], -1)
        dw = np.einsum("nd,nm->dm", x2, dout)
        dx = np.einsum("nm,dm->nd", dout, w).reshape(x.shape)
        db = np.array([dout[:, j].sum() for j in range(dout.shape[1])], dtype=dout.dtype)
    """,
    ),
)

# --- ReLU ---------------------------------------------------------------------------------------
alt(
    "x-times-mask",
    ["fc.relu_forward", *FC_TRAINING, *CONV_TRAINING],
    R("relu_forward", "out = x * (x > 0)"),
)
alt(
    "copy-and-zero",
    ["fc.relu_forward", *FC_TRAINING],
    R(
        "relu_forward",
        """
        out = x.copy()
        out[out < 0] = 0
    """,
    ),
)
alt("np-clip", ["fc.relu_forward"], R("relu_forward", "out = np.clip(x, 0, None)"))
alt(
    "np-where",
    ["fc.relu_forward"],
    R("relu_forward", "out = np.where(x > 0, x, 0.0).astype(x.dtype)"),
)
alt(
    "copy-dout-and-zero",
    ["fc.relu_backward", *FC_TRAINING, *CONV_TRAINING],
    R(
        "relu_backward",
        """
        dx = dout.copy()
        dx[x <= 0] = 0
    """,
    ),
)
alt(
    "heaviside",
    ["fc.relu_backward", *FC_TRAINING],
    R("relu_backward", "dx = dout * np.heaviside(x, 0)"),
)
alt(
    "np-array-copy-and-mask",
    ["fc.relu_backward"],
    R(
        "relu_backward",
        """
        dx = np.array(dout, copy=True)
        negative = ~(x > 0)
        dx[negative] = 0.0
    """,
    ),
)
alt(
    "flat-loop",
    ["fc.relu_backward"],
    R(
        "relu_backward",
        """
        flat_x = x.ravel()
        flat_dout = dout.ravel()
        dx = np.zeros_like(flat_dout)
        for k in range(flat_x.size):
            if flat_x[k] > 0:
                dx[k] = flat_dout[k]
        dx = dx.reshape(dout.shape)
    """,
    ),
)

# --- batch normalisation ------------------------------------------------------------------------
# Course style: the forward pass staged through its computation graph, the cache a dict, and a
# backward pass that walks the same graph back.
BN_GRAPH_FORWARD = R(
    "batchnorm_forward",
    """
    N, D = x.shape
    mu = 1.0 / N * np.sum(x, axis=0)
    xmu = x - mu
    sq = xmu**2
    var = 1.0 / N * np.sum(sq, axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    gammax = gamma * xhat
    out = gammax + beta
    running_mean = momentum * running_mean + (1 - momentum) * mu
    running_var = momentum * running_var + (1 - momentum) * var
    cache = {"xhat": xhat, "xmu": xmu, "ivar": ivar, "sqrtvar": sqrtvar, "var": var,
             "eps": eps, "gamma": gamma}
""",
)
BN_GRAPH_BACKWARD = R(
    "batchnorm_backward",
    """
    N, D = dout.shape
    xhat, xmu, ivar = cache["xhat"], cache["xmu"], cache["ivar"]
    sqrtvar, var, eps, gamma = cache["sqrtvar"], cache["var"], cache["eps"], cache["gamma"]
    dbeta = np.sum(dout, axis=0)
    dgammax = dout
    dgamma = np.sum(dgammax * xhat, axis=0)
    dxhat = dgammax * gamma
    divar = np.sum(dxhat * xmu, axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / (sqrtvar**2) * divar
    dvar = 0.5 * 1.0 / np.sqrt(var + eps) * dsqrtvar
    dsq = 1.0 / N * np.ones((N, D)) * dvar
    dxmu2 = 2 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -1 * np.sum(dxmu1 + dxmu2, axis=0)
    dx2 = 1.0 / N * np.ones((N, D)) * dmu
    dx = dx1 + dx2
""",
)
BN_GRAPH_ALT = R(
    "batchnorm_backward_alt",
    """
    N = dout.shape[0]
    xhat, ivar, gamma = cache["xhat"], cache["ivar"], cache["gamma"]
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    dx = ivar / N * (N * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
""",
)
alt(
    "graph-steps-dict-cache",
    [
        "bn.forward",
        "bn.backward",
        "bn.backward_alt",
        *BN_USERS,
        "conv.spatial_bn_forward",
        "conv.spatial_bn_backward",
    ],
    BN_GRAPH_FORWARD,
    BN_GRAPH_BACKWARD,
    BN_GRAPH_ALT,
)

# np.var, a cache tuple in another order holding x itself, and the paper's closed form.
alt(
    "np-var-and-x-in-cache",
    ["bn.forward", "bn.backward", "bn.backward_alt", *BN_USERS, "conv.spatial_bn_backward"],
    R(
        "batchnorm_forward",
        """
        batch_mean = np.mean(x, axis=0)
        batch_var = np.var(x, axis=0)
        inv_std = 1.0 / np.sqrt(batch_var + eps)
        out = gamma * ((x - batch_mean) * inv_std) + beta
        running_mean = momentum * running_mean + (1.0 - momentum) * batch_mean
        running_var = momentum * running_var + (1.0 - momentum) * batch_var
        cache = (x, gamma, batch_mean, batch_var, eps)
    """,
    ),
    R(
        "batchnorm_backward",
        """
        x, gamma, mean, var, eps = cache
        N = x.shape[0]
        x_mu = x - mean
        std_inv = 1.0 / np.sqrt(var + eps)
        dx_norm = dout * gamma
        dvar = np.sum(dx_norm * x_mu, axis=0) * -0.5 * std_inv**3
        dmean = np.sum(dx_norm * -std_inv, axis=0) + dvar * np.mean(-2.0 * x_mu, axis=0)
        dx = dx_norm * std_inv + dvar * 2 * x_mu / N + dmean / N
        dgamma = np.sum(dout * (x_mu * std_inv), axis=0)
        dbeta = np.sum(dout, axis=0)
    """,
    ),
    R(
        "batchnorm_backward_alt",
        """
        x, gamma, mean, var, eps = cache
        N = x.shape[0]
        std_inv = 1.0 / np.sqrt(var + eps)
        x_hat = (x - mean) * std_inv
        dbeta = np.sum(dout, axis=0)
        dgamma = np.sum(dout * x_hat, axis=0)
        dx = (1.0 / N) * gamma * std_inv * (
            N * dout - np.sum(dout, axis=0) - x_hat * np.sum(dout * x_hat, axis=0)
        )
    """,
    ),
)

# Running averages updated in place (the arrays in bn_param change), per-feature loops.
alt(
    "running-averages-in-place-and-loops",
    ["bn.forward", *BN_USERS, "conv.spatial_bn_forward"],
    R(
        "batchnorm_forward",
        """
        N, D = x.shape
        sample_mean = np.zeros(D, dtype=x.dtype)
        sample_var = np.zeros(D, dtype=x.dtype)
        for d in range(D):
            sample_mean[d] = x[:, d].mean()
            sample_var[d] = ((x[:, d] - sample_mean[d]) ** 2).mean()
        x_hat = (x - sample_mean) / np.sqrt(sample_var + eps)
        out = x_hat * gamma + beta
        running_mean *= momentum
        running_mean += (1 - momentum) * sample_mean
        running_var *= momentum
        running_var += (1 - momentum) * sample_var
        cache = (x_hat, x - sample_mean, np.sqrt(sample_var + eps), gamma)
    """,
    ),
    R(
        "batchnorm_forward",
        """
        x_hat = (x - running_mean) / np.sqrt(running_var + eps)
        out = x_hat * gamma + beta
    """,
        index=1,
    ),
)

# The running averages written with the momentum on the batch side rearranged, test mode via
# the inverse standard deviation, float32 kept.
alt(
    "rearranged-running-average-float32-kept",
    ["bn.forward", *BN_USERS, "conv.spatial_bn_forward"],
    R(
        "batchnorm_forward",
        """
        mean = x.mean(axis=0)
        var = ((x - mean) ** 2).mean(axis=0)
        std = np.sqrt(var + eps)
        x_hat = (x - mean) / std
        out = (gamma * x_hat + beta).astype(x.dtype, copy=False)
        running_mean = running_mean + (1 - momentum) * (mean - running_mean)
        running_var = running_var + (1 - momentum) * (var - running_var)
        cache = (x_hat, x - mean, std, gamma)
    """,
    ),
    R(
        "batchnorm_forward",
        """
        inv_std = 1.0 / np.sqrt(running_var + eps)
        out = ((x - running_mean) * inv_std * gamma + beta).astype(x.dtype, copy=False)
    """,
        index=1,
    ),
)

alt(
    "loop-over-features",
    ["bn.backward", *BN_USERS],
    R(
        "batchnorm_backward",
        """
        x_hat, x_centered, std, gamma = cache
        N, D = dout.shape
        dx = np.empty_like(dout)
        dgamma = np.empty(D, dtype=dout.dtype)
        dbeta = np.empty(D, dtype=dout.dtype)
        for d in range(D):
            g = dout[:, d]
            dbeta[d] = g.sum()
            dgamma[d] = (g * x_hat[:, d]).sum()
            dxh = g * gamma[d]
            dvar = np.sum(dxh * x_centered[:, d]) * -0.5 * std[d] ** -3
            dmu = -dxh.sum() / std[d] - 2.0 * dvar * x_centered[:, d].mean()
            dx[:, d] = dxh / std[d] + dvar * 2.0 * x_centered[:, d] / N + dmu / N
    """,
    ),
)
alt(
    "sum-form",
    ["bn.backward_alt", *BN_USERS],
    R(
        "batchnorm_backward_alt",
        """
        x_hat, x_centered, std, gamma = cache
        N = dout.shape[0]
        dbeta = np.sum(dout, axis=0)
        dgamma = np.sum(x_hat * dout, axis=0)
        dx = gamma / std * (dout - dbeta / N - x_hat * dgamma / N)
    """,
    ),
)

# --- layer normalisation ------------------------------------------------------------------------
# Course style: layernorm as batchnorm on the transposed data.
alt(
    "transposed-batchnorm",
    ["bn.layernorm_forward", "bn.layernorm_backward", "bn.fc_net_norm"],
    R(
        "layernorm_forward",
        """
        xT = x.T
        mu = xT.mean(axis=0)
        var = xT.var(axis=0)
        std = np.sqrt(var + eps)
        xhatT = (xT - mu) / std
        out = gamma * xhatT.T + beta
        cache = (xhatT, std, gamma)
    """,
    ),
    R(
        "layernorm_backward",
        """
        xhatT, std, gamma = cache
        D = xhatT.shape[0]
        dbeta = dout.sum(axis=0)
        dgamma = np.sum(dout * xhatT.T, axis=0)
        dxhatT = (dout * gamma).T
        dxT = (D * dxhatT - dxhatT.sum(axis=0) - xhatT * np.sum(dxhatT * xhatT, axis=0)) / (
            D * std
        )
        dx = dxT.T
    """,
    ),
)
alt(
    "np-var-keepdims-dict-cache",
    ["bn.layernorm_forward", "bn.layernorm_backward", "bn.fc_net_norm"],
    R(
        "layernorm_forward",
        """
        mean = np.mean(x, axis=1, keepdims=True)
        var = np.var(x, axis=1, keepdims=True)
        inv = 1.0 / np.sqrt(var + eps)
        xn = (x - mean) * inv
        out = xn * gamma + beta
        cache = {"xn": xn, "inv": inv, "gamma": gamma, "xc": x - mean}
    """,
    ),
    R(
        "layernorm_backward",
        """
        xn, inv, gamma, xc = cache["xn"], cache["inv"], cache["gamma"], cache["xc"]
        D = xn.shape[1]
        dgamma = np.sum(dout * xn, axis=0)
        dbeta = np.sum(dout, axis=0)
        dxn = dout * gamma
        dvar = np.sum(dxn * xc, axis=1, keepdims=True) * -0.5 * inv**3
        dmean = -np.sum(dxn * inv, axis=1, keepdims=True) - 2.0 * dvar * np.mean(
            xc, axis=1, keepdims=True
        )
        dx = dxn * inv + dvar * 2.0 * xc / D + dmean / D
    """,
    ),
)
alt(
    "loop-over-rows",
    ["bn.layernorm_forward", "bn.layernorm_backward", "bn.fc_net_norm"],
    R(
        "layernorm_forward",
        """
        N, D = x.shape
        x_hat = np.empty_like(x)
        std = np.empty((N, 1), dtype=x.dtype)
        for i in range(N):
            row = x[i]
            s = np.sqrt(np.mean((row - row.mean()) ** 2) + eps)
            x_hat[i] = (row - row.mean()) / s
            std[i, 0] = s
        out = gamma * x_hat + beta
        cache = (x_hat, std, gamma)
    """,
    ),
    R(
        "layernorm_backward",
        """
        x_hat, std, gamma = cache
        N, D = dout.shape
        dgamma = np.zeros_like(gamma)
        dbeta = np.zeros_like(gamma)
        dx = np.empty_like(dout)
        for i in range(N):
            dgamma += dout[i] * x_hat[i]
            dbeta += dout[i]
            g = dout[i] * gamma
            dx[i] = (D * g - g.sum() - x_hat[i] * np.dot(g, x_hat[i])) / (D * std[i, 0])
    """,
    ),
)

# --- dropout ------------------------------------------------------------------------------------
DROPOUT_QUESTIONS = ["dropout.forward", "dropout.backward", "dropout.fc_net"]
TEST_IDENTITY = R("dropout_forward", "out = x.copy()", index=1)
TEST_BACKWARD = R("dropout_backward", "dx = dout.copy()", index=1)

# The course notebooks' way: the global generator seeded from the param dict, mask scaled.
alt(
    "global-np-random-seeded-scaled-mask",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        mask = ((np.random.rand(*x.shape) < p) / p).astype(x.dtype)
        out = x * mask
    """,
    ),
    TEST_IDENTITY,
    R("dropout_backward", "dx = dout * mask"),
    note=DROPOUT_STREAM,
)
alt(
    "binomial-boolean-mask",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        mask = np.random.binomial(1, p, size=x.shape).astype(bool)
        out = (x * mask / p).astype(x.dtype)
    """,
    ),
    R("dropout_forward", "out = x", index=1),
    R(
        "dropout_backward",
        """
        dx = dout * mask / dropout_param["p"]
    """,
    ),
    TEST_BACKWARD,
    note=DROPOUT_STREAM,
)
alt(
    "rand-ge-one-minus-p",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        if dropout_param.get("seed") is not None:
            np.random.seed(dropout_param["seed"])
        keep = np.random.rand(*x.shape) >= 1 - p
        mask = keep.astype(x.dtype) / p
        out = x * mask
    """,
    ),
    TEST_IDENTITY,
    R("dropout_backward", "dx = mask * dout"),
    note=DROPOUT_STREAM,
)
alt(
    "random-state-and-where",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        rs = np.random.RandomState(dropout_param.get("seed"))
        mask = rs.random_sample(x.shape) < p
        out = np.where(mask, x / p, 0).astype(x.dtype)
    """,
    ),
    TEST_IDENTITY,
    R(
        "dropout_backward",
        """
        dx = np.where(mask, dout / dropout_param["p"], 0)
    """,
    ),
    note=DROPOUT_STREAM,
)
alt(
    "given-rng-binomial",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        mask = rng.binomial(1, p, size=x.shape).astype(x.dtype) / p
        out = mask * x
    """,
    ),
    TEST_IDENTITY,
    R(
        "dropout_backward",
        """
        dx = np.multiply(dout, mask)
    """,
    ),
    note=DROPOUT_STREAM,
)
alt(
    "given-rng-uniform-boolean-in-place",
    DROPOUT_QUESTIONS,
    R(
        "dropout_forward",
        """
        mask = rng.uniform(0.0, 1.0, size=x.shape) < p
        out = x.copy()
        out[~mask] = 0
        out /= p
    """,
    ),
    R("dropout_forward", "out = np.array(x)", index=1),
    R(
        "dropout_backward",
        """
        dx = dout.copy()
        dx[~mask] = 0
        dx = dx / dropout_param["p"]
    """,
    ),
)

# --- convolution --------------------------------------------------------------------------------
alt(
    "six-nested-loops-np-pad",
    ["conv.forward"],
    R(
        "conv_forward_naive",
        """
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
        out = np.zeros((N, F, H_out, W_out))
        for n in range(N):
            for f in range(F):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        total = 0.0
                        for c in range(C):
                            total += np.sum(xp[n, c, hs : hs + HH, ws : ws + WW] * w[f, c])
                        out[n, f, i, j] = total + b[f]
    """,
    ),
)
alt(
    "manual-padding",
    ["conv.forward"],
    R(
        "conv_forward_naive",
        """
        x_padded = np.zeros((N, C, H + 2 * pad, W + 2 * pad), dtype=x.dtype)
        x_padded[:, :, pad : pad + H, pad : pad + W] = x
        out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
        for n in range(N):
            for f in range(F):
                for i in range(H_out):
                    for j in range(W_out):
                        window = x_padded[n, :, i * stride : i * stride + HH,
                                          j * stride : j * stride + WW]
                        out[n, f, i, j] = np.sum(window * w[f]) + b[f]
    """,
    ),
)
alt(
    "tensordot-per-position",
    ["conv.forward"],
    R(
        "conv_forward_naive",
        """
        xp = np.pad(x, [(0, 0), (0, 0), (pad, pad), (pad, pad)])
        out = np.zeros((N, F, H_out, W_out), dtype=x.dtype)
        for i in range(H_out):
            for j in range(W_out):
                patch = xp[:, :, i * stride : i * stride + HH, j * stride : j * stride + WW]
                out[:, :, i, j] = np.tensordot(patch, w, axes=([1, 2, 3], [1, 2, 3])) + b
    """,
    ),
)
alt(
    "im2col-by-hand",
    ["conv.forward"],
    R(
        "conv_forward_naive",
        """
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
        cols = np.empty((C * HH * WW, N * H_out * W_out), dtype=x.dtype)
        col = 0
        for n in range(N):
            for i in range(H_out):
                for j in range(W_out):
                    r, s = i * stride, j * stride
                    cols[:, col] = xp[n, :, r : r + HH, s : s + WW].ravel()
                    col += 1
        res = w.reshape(F, -1) @ cols + b[:, None]
        out = res.reshape(F, N, H_out, W_out).transpose(1, 0, 2, 3)
    """,
    ),
)
alt(
    "nested-loops",
    ["conv.backward"],
    R(
        "conv_backward_naive",
        """
        xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), mode="constant")
        dxp = np.zeros_like(xp)
        dw = np.zeros_like(w)
        db = np.zeros_like(b)
        for n in range(N):
            for f in range(F):
                db[f] += dout[n, f].sum()
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        dw[f] += xp[n, :, hs : hs + HH, ws : ws + WW] * dout[n, f, i, j]
                        dxp[n, :, hs : hs + HH, ws : ws + WW] += w[f] * dout[n, f, i, j]
        dx = dxp[:, :, pad : pad + H, pad : pad + W]
    """,
    ),
)
alt(
    "manual-padding-einsum",
    ["conv.backward"],
    R(
        "conv_backward_naive",
        """
        Hp, Wp = H + 2 * pad, W + 2 * pad
        xp = np.zeros((N, C, Hp, Wp), dtype=x.dtype)
        xp[:, :, pad : pad + H, pad : pad + W] = x
        dxp = np.zeros((N, C, Hp, Wp), dtype=dout.dtype)
        dw = np.zeros(w.shape, dtype=dout.dtype)
        for i in range(H_out):
            for j in range(W_out):
                r, s = i * stride, j * stride
                g = dout[:, :, i, j]
                dw += np.einsum("nf,nchw->fchw", g, xp[:, :, r : r + HH, s : s + WW])
                dxp[:, :, r : r + HH, s : s + WW] += np.einsum("nf,fchw->nchw", g, w)
        dx = dxp[:, :, pad : Hp - pad, pad : Wp - pad].copy()
        db = np.zeros(F, dtype=dout.dtype)
        for f in range(F):
            db[f] = np.sum(dout[:, f, :, :])
    """,
    ),
)

# --- pooling ------------------------------------------------------------------------------------
alt(
    "four-nested-loops",
    ["conv.max_pool_forward"],
    R(
        "max_pool_forward_naive",
        """
        out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        out[n, c, i, j] = np.max(x[n, c, hs : hs + PH, ws : ws + PW])
    """,
    ),
)
alt(
    "amax-over-reshaped-window",
    ["conv.max_pool_forward"],
    R(
        "max_pool_forward_naive",
        """
        out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
        for i in range(H_out):
            for j in range(W_out):
                win = x[:, :, i * stride : i * stride + PH, j * stride : j * stride + PW]
                out[:, :, i, j] = np.amax(win.reshape(N, C, -1), axis=-1)
    """,
    ),
)
alt(
    "argmax-unravel-loops",
    ["conv.max_pool_backward"],
    R(
        "max_pool_backward_naive",
        """
        dx = np.zeros_like(x)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        window = x[n, c, hs : hs + PH, ws : ws + PW]
                        a, b = np.unravel_index(np.argmax(window), window.shape)
                        dx[n, c, hs + a, ws + b] += dout[n, c, i, j]
    """,
    ),
)
alt(
    "first-maximum-by-scan",
    ["conv.max_pool_backward"],
    R(
        "max_pool_backward_naive",
        """
        dx = np.zeros(x.shape, dtype=dout.dtype)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        best, where = None, None
                        for a in range(PH):
                            for b in range(PW):
                                v = x[n, c, i * stride + a, j * stride + b]
                                if best is None or v > best:
                                    best, where = v, (i * stride + a, j * stride + b)
                        dx[n, c, where[0], where[1]] += dout[n, c, i, j]
    """,
    ),
)
alt(
    "ties-split-evenly",
    ["conv.max_pool_backward"],
    R(
        "max_pool_backward_naive",
        """
        dx = np.zeros_like(x)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        window = x[n, c, hs : hs + PH, ws : ws + PW]
                        is_max = window == np.max(window)
                        dx[n, c, hs : hs + PH, ws : ws + PW] += (
                            is_max * dout[n, c, i, j] / np.sum(is_max)
                        )
    """,
    ),
    note=POOL_TIES,
)
alt(
    "four-nested-loops",
    ["conv.avg_pool_forward"],
    R(
        "avg_pool_forward_naive",
        """
        out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        out[n, c, i, j] = np.sum(x[n, c, hs : hs + PH, ws : ws + PW]) / (PH * PW)
    """,
    ),
)
alt(
    "full-window-loops",
    ["conv.avg_pool_backward"],
    R(
        "avg_pool_backward_naive",
        """
        N, C = x.shape[:2]
        dx = np.zeros(x.shape, dtype=dout.dtype)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        dx[n, c, hs : hs + PH, ws : ws + PW] += np.full(
                            (PH, PW), dout[n, c, i, j] / (PH * PW)
                        )
    """,
    ),
)

# --- spatial batch normalisation ----------------------------------------------------------------
SPATIAL_BN = ["conv.spatial_bn_forward", "conv.spatial_bn_backward"]
alt(
    "moveaxis",
    SPATIAL_BN,
    R(
        "spatial_batchnorm_forward",
        """
        N, C, H, W = x.shape
        flat = np.moveaxis(x, 1, -1).reshape(-1, C)
        out_flat, cache = batchnorm_forward(flat, gamma, beta, bn_param)
        out = np.moveaxis(out_flat.reshape(N, H, W, C), -1, 1)
    """,
    ),
    R(
        "spatial_batchnorm_backward",
        """
        N, C, H, W = dout.shape
        flat = np.moveaxis(dout, 1, -1).reshape(-1, C)
        dflat, dgamma, dbeta = batchnorm_backward(flat, cache)
        dx = np.moveaxis(dflat.reshape(N, H, W, C), -1, 1)
    """,
    ),
)
alt(
    "swapaxes-and-shape-in-cache",
    SPATIAL_BN,
    R(
        "spatial_batchnorm_forward",
        """
        N, C, H, W = x.shape
        x_t = x.swapaxes(0, 1).reshape(C, -1).T
        y_t, bn_cache = batchnorm_forward(x_t, gamma, beta, bn_param)
        out = y_t.T.reshape(C, N, H, W).swapaxes(0, 1)
        cache = (bn_cache, (N, C, H, W))
    """,
    ),
    R(
        "spatial_batchnorm_backward",
        """
        bn_cache, (N, C, H, W) = cache
        d_t = dout.swapaxes(0, 1).reshape(C, -1).T
        dx_t, dgamma, dbeta = batchnorm_backward_alt(d_t, bn_cache)
        dx = dx_t.T.reshape(C, N, H, W).swapaxes(0, 1)
    """,
    ),
)
alt(
    "direct-statistics-with-running-averages",
    SPATIAL_BN,
    R(
        "spatial_batchnorm_forward",
        """
        mode = bn_param["mode"]
        eps = bn_param.get("eps", 1e-5)
        momentum = bn_param.get("momentum", 0.9)
        C = x.shape[1]
        running_mean = bn_param.get("running_mean", np.zeros(C, dtype=x.dtype))
        running_var = bn_param.get("running_var", np.zeros(C, dtype=x.dtype))
        g = gamma.reshape(1, C, 1, 1)
        bt = beta.reshape(1, C, 1, 1)
        if mode == "train":
            mu = x.mean(axis=(0, 2, 3), keepdims=True)
            var = x.var(axis=(0, 2, 3), keepdims=True)
            x_hat = (x - mu) / np.sqrt(var + eps)
            out = g * x_hat + bt
            bn_param["running_mean"] = momentum * running_mean + (1 - momentum) * mu.ravel()
            bn_param["running_var"] = momentum * running_var + (1 - momentum) * var.ravel()
            cache = (x_hat, np.sqrt(var + eps), g)
        else:
            x_hat = (x - running_mean.reshape(1, C, 1, 1)) / np.sqrt(
                running_var.reshape(1, C, 1, 1) + eps
            )
            out = g * x_hat + bt
            bn_param["running_mean"] = running_mean
            bn_param["running_var"] = running_var
            cache = None
    """,
    ),
    R(
        "spatial_batchnorm_backward",
        """
        x_hat, std, g = cache
        N, C, H, W = dout.shape
        M = N * H * W
        dbeta = dout.sum(axis=(0, 2, 3))
        dgamma = (dout * x_hat).sum(axis=(0, 2, 3))
        dxh = dout * g
        dx = (
            M * dxh
            - dxh.sum(axis=(0, 2, 3), keepdims=True)
            - x_hat * (dxh * x_hat).sum(axis=(0, 2, 3), keepdims=True)
        ) / (M * std)
    """,
    ),
)
alt(
    "per-channel-loop-in-place-running-averages",
    ["conv.spatial_bn_forward"],
    R(
        "spatial_batchnorm_forward",
        """
        N, C, H, W = x.shape
        mode = bn_param["mode"]
        eps = bn_param.get("eps", 1e-5)
        momentum = bn_param.get("momentum", 0.9)
        if "running_mean" not in bn_param:
            bn_param["running_mean"] = np.zeros(C, dtype=x.dtype)
            bn_param["running_var"] = np.zeros(C, dtype=x.dtype)
        rm, rv = bn_param["running_mean"], bn_param["running_var"]
        out = np.empty_like(x)
        cache = None
        for c in range(C):
            xc = x[:, c, :, :]
            if mode == "train":
                m, v = xc.mean(), xc.var()
                rm[c] = momentum * rm[c] + (1 - momentum) * m
                rv[c] = momentum * rv[c] + (1 - momentum) * v
            else:
                m, v = rm[c], rv[c]
            out[:, c, :, :] = gamma[c] * (xc - m) / np.sqrt(v + eps) + beta[c]
        if mode == "train":
            x_pixels = x.transpose(0, 2, 3, 1).reshape(-1, C)
            _, cache = batchnorm_forward(x_pixels, gamma, beta, {"mode": "train", "eps": eps})
    """,
    ),
)

# --- group normalisation ------------------------------------------------------------------------
GROUPNORM = ["conv.groupnorm_forward", "conv.groupnorm_backward"]
alt(
    "five-d-reshape-dict-cache",
    GROUPNORM,
    R(
        "spatial_groupnorm_forward",
        """
        xg = x.reshape(N, G, C // G, H, W)
        mean = xg.mean(axis=(2, 3, 4), keepdims=True)
        var = xg.var(axis=(2, 3, 4), keepdims=True)
        inv = 1.0 / np.sqrt(var + eps)
        xhat = ((xg - mean) * inv).reshape(N, C, H, W)
        out = xhat * gamma + beta
        cache = {"xhat": xhat, "inv": inv, "gamma": gamma, "G": G}
    """,
    ),
    R(
        "spatial_groupnorm_backward",
        """
        xhat, inv, gamma, G = cache["xhat"], cache["inv"], cache["gamma"], cache["G"]
        N, C, H, W = dout.shape
        dgamma = np.sum(dout * xhat, axis=(0, 2, 3)).reshape(1, C, 1, 1)
        dbeta = np.sum(dout, axis=(0, 2, 3)).reshape(1, C, 1, 1)
        dxhat = (dout * gamma).reshape(N, G, C // G, H, W)
        xh = xhat.reshape(N, G, C // G, H, W)
        M = (C // G) * H * W
        dx = (inv / M) * (
            M * dxhat
            - dxhat.sum(axis=(2, 3, 4), keepdims=True)
            - xh * (dxhat * xh).sum(axis=(2, 3, 4), keepdims=True)
        )
        dx = dx.reshape(N, C, H, W)
    """,
    ),
)
alt(
    "loop-over-groups",
    GROUPNORM,
    R(
        "spatial_groupnorm_forward",
        """
        size = C // G
        x_hat = np.empty_like(x)
        stds = np.empty((N, G))
        for n in range(N):
            for g in range(G):
                block = x[n, g * size : (g + 1) * size]
                s = np.sqrt(block.var() + eps)
                x_hat[n, g * size : (g + 1) * size] = (block - block.mean()) / s
                stds[n, g] = s
        out = gamma * x_hat + beta
        cache = (gamma, x_hat, stds, G)
    """,
    ),
    R(
        "spatial_groupnorm_backward",
        """
        gamma, x_hat, stds, G = cache
        N, C, H, W = dout.shape
        size = C // G
        M = size * H * W
        dbeta = dout.sum(axis=(0, 2, 3), keepdims=True)
        dgamma = (dout * x_hat).sum(axis=(0, 2, 3), keepdims=True)
        dxh = dout * gamma
        dx = np.empty_like(dout)
        for n in range(N):
            for g in range(G):
                sl = slice(g * size, (g + 1) * size)
                d, xh = dxh[n, sl], x_hat[n, sl]
                dx[n, sl] = (M * d - d.sum() - xh * np.sum(d * xh)) / (M * stds[n, g])
    """,
    ),
)

alt(
    "window-mean-reshaped",
    ["conv.avg_pool_forward"],
    R(
        "avg_pool_forward_naive",
        """
        out = np.zeros((N, C, H_out, W_out), dtype=x.dtype)
        for i in range(H_out):
            for j in range(W_out):
                window = x[:, :, i * stride : i * stride + PH, j * stride : j * stride + PW]
                out[:, :, i, j] = np.mean(window.reshape(N, C, PH * PW), axis=2)
    """,
    ),
)
alt(
    "ones-times-share",
    ["conv.avg_pool_backward"],
    R(
        "avg_pool_backward_naive",
        """
        N, C, H, W = x.shape
        dx = np.zeros((N, C, H, W), dtype=dout.dtype)
        ones = np.ones((PH, PW), dtype=dout.dtype)
        for i in range(H_out):
            for j in range(W_out):
                r, s = i * stride, j * stride
                dx[:, :, r : r + PH, s : s + PW] += (
                    dout[:, :, i, j][:, :, np.newaxis, np.newaxis] * ones / (PH * PW)
                )
    """,
    ),
)
alt(
    "loop-over-filters",
    ["conv.backward"],
    R(
        "conv_backward_naive",
        """
        x_pad = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), "constant",
                       constant_values=0)
        dx_pad = np.zeros(x_pad.shape)
        dw = np.zeros(w.shape)
        db = np.sum(dout, axis=(0, 2, 3))
        for f in range(F):
            for i in range(H_out):
                for j in range(W_out):
                    r, s = i * stride, j * stride
                    g = dout[:, f, i, j].reshape(N, 1, 1, 1)
                    dw[f] += np.sum(x_pad[:, :, r : r + HH, s : s + WW] * g, axis=0)
                    dx_pad[:, :, r : r + HH, s : s + WW] += w[f][np.newaxis] * g
        dx = dx_pad[:, :, pad : pad + H, pad : pad + W]
    """,
    ),
)
alt(
    "normalise-then-scale-np-divide",
    ["bn.forward", *BN_USERS, "conv.spatial_bn_forward"],
    R(
        "batchnorm_forward",
        """
        sample_mean = np.mean(x, axis=0)
        sample_var = np.mean(np.square(x - sample_mean), axis=0)
        x_centered = np.subtract(x, sample_mean)
        std = np.sqrt(np.add(sample_var, eps))
        x_hat = np.divide(x_centered, std)
        out = np.add(np.multiply(x_hat, gamma), beta)
        running_mean = np.add(momentum * running_mean, (1 - momentum) * sample_mean)
        running_var = np.add(momentum * running_var, (1 - momentum) * sample_var)
        cache = (x_hat, x_centered, std, gamma)
    """,
    ),
    R(
        "batchnorm_forward",
        """
        x_hat = np.divide(np.subtract(x, running_mean), np.sqrt(np.add(running_var, eps)))
        out = np.add(np.multiply(gamma, x_hat), beta)
    """,
        index=1,
    ),
)

# --- one mistake, charged once (issue 10, class 3) ------------------------------------------------
# A wrong answer to one question that must not cost another question whose own code is right.
CHARGED_TWICE = "issue 10: one mistake charged in several questions"
ONE_MISTAKE = ("one-mistake",)
ALTERNATIVES.append(
    Alternative(
        "p-as-drop-probability-with-matching-backward",
        ("dropout.backward",),
        (
            R(
                "dropout_forward",
                """
        if "seed" in dropout_param:
            np.random.seed(dropout_param["seed"])
        mask = ((np.random.rand(*x.shape) >= p) / (1 - p)).astype(x.dtype)
        out = x * mask
    """,
            ),
        ),
        note=CHARGED_TWICE,
        tags=ONE_MISTAKE,
    )
)
ALTERNATIVES.append(
    Alternative(
        "forward-with-eps-hard-coded",
        ("bn.layernorm_backward",),
        (
            R(
                "layernorm_forward",
                """
        x_centered = x - x.mean(axis=1, keepdims=True)
        std = np.sqrt(np.mean(x_centered**2, axis=1, keepdims=True) + 1e-5)
        x_hat = x_centered / std
        out = gamma * x_hat + beta
        cache = (x_hat, std, gamma)
    """,
            ),
        ),
        note=CHARGED_TWICE,
        tags=ONE_MISTAKE,
    )
)

# Ties broken the other way: the last maximum of each window takes the gradient.
alt(
    "ties-to-the-last-maximum",
    ["conv.max_pool_backward"],
    R(
        "max_pool_backward_naive",
        """
        dx = np.zeros_like(x)
        for n in range(N):
            for c in range(C):
                for i in range(H_out):
                    for j in range(W_out):
                        hs, ws = i * stride, j * stride
                        window = x[n, c, hs : hs + PH, ws : ws + PW]
                        flat = window.ravel()[::-1]
                        k = flat.size - 1 - int(np.argmax(flat))
                        a, b = divmod(k, PW)
                        dx[n, c, hs + a, ws + b] += dout[n, c, i, j]
    """,
    ),
)
ALTERNATIVES.append(
    Alternative(
        "kept-units-not-scaled-with-matching-backward",
        ("dropout.backward",),
        (
            R(
                "dropout_forward",
                """
        mask = (rng.random(x.shape) < p).astype(x.dtype)
        out = x * mask
    """,
            ),
        ),
        tags=ONE_MISTAKE,
    )
)
ALTERNATIVES.append(
    Alternative(
        "forward-with-eps-hard-coded",
        ("bn.backward", "bn.backward_alt"),
        (
            R(
                "batchnorm_forward",
                """
        sample_mean = x.mean(axis=0)
        x_centered = x - sample_mean
        sample_var = np.mean(x_centered**2, axis=0)
        std = np.sqrt(sample_var + 1e-5)
        x_hat = x_centered / std
        out = gamma * x_hat + beta
        running_mean = momentum * running_mean + (1 - momentum) * sample_mean
        running_var = momentum * running_var + (1 - momentum) * sample_var
        cache = (x_hat, x_centered, std, gamma)
    """,
            ),
        ),
        tags=ONE_MISTAKE,
    )
)
