"""Correct alternatives for ``optim.py``.

The course's own optim.py says "update rules may perform in-place updates, mutating w and
setting next_w equal to w", so in-place updates of w and of the state arrays are correct
answers; so are updates written with ``config[...] =`` first, or with other operators.
"""

from __future__ import annotations

from . import OPTIM, Alternative, Region

IN_PLACE = (
    "issue 10: in-place updates: the child records each step's answer by reference, so every "
    "step of a multi-step case holds the last step's values"
)
ADAM_USERS = ("fc.good_model", "conv.overfit")

ALTERNATIVES: list[Alternative] = []


def alt(slug, questions, code, note=""):
    function = questions[0].split(".")[1]
    edits = (Region(OPTIM, function, code),)
    ALTERNATIVES.append(Alternative(slug, tuple(questions), edits, note=note))


# --- SGD with momentum --------------------------------------------------------------------------
alt(
    "w-and-velocity-in-place",
    ["fc.sgd_momentum"],
    """
    v = config["velocity"]
    v *= config["momentum"]
    v -= config["learning_rate"] * dw
    w += v
    next_w = w
""",
    note=IN_PLACE,
)
alt(
    "config-assigned-first",
    ["fc.sgd_momentum"],
    """
    config["velocity"] = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    next_w = w + config["velocity"]
""",
)
alt(
    "velocity-in-place-copy-of-w",
    ["fc.sgd_momentum"],
    """
    config["velocity"] *= config["momentum"]
    config["velocity"] -= config["learning_rate"] * dw
    next_w = w.copy()
    next_w += config["velocity"]
""",
    note=IN_PLACE,
)
alt(
    "get-locals-and-store",
    ["fc.sgd_momentum"],
    """
    mu = config.get("momentum")
    lr = config.get("learning_rate")
    v = config.get("velocity")
    v = mu * v - lr * dw
    next_w = w + v
    config["velocity"] = v
""",
)
alt(
    "np-add-np-multiply",
    ["fc.sgd_momentum"],
    """
    v = np.subtract(np.multiply(config["momentum"], config["velocity"]),
                    np.multiply(config["learning_rate"], dw))
    next_w = np.add(w, v)
    config["velocity"] = v
""",
)

# --- RMSProp ------------------------------------------------------------------------------------
alt(
    "w-and-cache-in-place",
    ["fc.rmsprop"],
    """
    cache = config["cache"]
    cache *= config["decay_rate"]
    cache += (1 - config["decay_rate"]) * dw * dw
    w -= config["learning_rate"] * dw / (np.sqrt(cache) + config["epsilon"])
    next_w = w
""",
    note=IN_PLACE,
)
alt(
    "config-assigned-first",
    ["fc.rmsprop"],
    """
    config["cache"] = config["decay_rate"] * config["cache"] + (1 - config["decay_rate"]) * (dw**2)
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
""",
)
alt(
    "np-square-np-divide",
    ["fc.rmsprop"],
    """
    dr, lr, eps = config["decay_rate"], config["learning_rate"], config["epsilon"]
    new_cache = dr * config["cache"] + (1.0 - dr) * np.square(dw)
    step = np.divide(lr * dw, np.sqrt(new_cache) + eps)
    next_w = w - step
    config["cache"] = new_cache
""",
)
alt(
    "cache-in-place-new-w",
    ["fc.rmsprop"],
    """
    config["cache"] *= config["decay_rate"]
    config["cache"] += (1 - config["decay_rate"]) * dw**2
    next_w = w - config["learning_rate"] * dw / (np.sqrt(config["cache"]) + config["epsilon"])
""",
    note=IN_PLACE,
)

# --- Adam ---------------------------------------------------------------------------------------
alt(
    "everything-in-place",
    ["fc.adam", *ADAM_USERS],
    """
    config["t"] += 1
    config["m"] *= config["beta1"]
    config["m"] += (1 - config["beta1"]) * dw
    config["v"] *= config["beta2"]
    config["v"] += (1 - config["beta2"]) * (dw * dw)
    mt = config["m"] / (1 - config["beta1"] ** config["t"])
    vt = config["v"] / (1 - config["beta2"] ** config["t"])
    w -= config["learning_rate"] * mt / (np.sqrt(vt) + config["epsilon"])
    next_w = w
""",
    note=IN_PLACE,
)
alt(
    "config-keys-throughout",
    ["fc.adam", *ADAM_USERS],
    """
    config["t"] = config["t"] + 1
    config["m"] = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    config["v"] = config["beta2"] * config["v"] + (1 - config["beta2"]) * (dw**2)
    mb = config["m"] / (1 - config["beta1"] ** config["t"])
    vb = config["v"] / (1 - config["beta2"] ** config["t"])
    next_w = w - config["learning_rate"] * mb / (np.sqrt(vb) + config["epsilon"])
""",
)
alt(
    "state-in-place-new-w",
    ["fc.adam", *ADAM_USERS],
    """
    b1, b2 = config["beta1"], config["beta2"]
    config["t"] += 1
    t = config["t"]
    m, v = config["m"], config["v"]
    m *= b1
    m += (1 - b1) * dw
    v *= b2
    v += (1 - b2) * np.square(dw)
    m_unbiased = m / (1 - b1**t)
    v_unbiased = v / (1 - b2**t)
    next_w = w - config["learning_rate"] * m_unbiased / (np.sqrt(v_unbiased) + config["epsilon"])
""",
    note=IN_PLACE,
)
alt(
    "locals-then-store",
    ["fc.adam", *ADAM_USERS],
    """
    lr, eps = config["learning_rate"], config["epsilon"]
    beta1, beta2 = config["beta1"], config["beta2"]
    m, v, t = config["m"], config["v"], config["t"]
    t += 1
    m = beta1 * m + (1 - beta1) * dw
    v = beta2 * v + (1 - beta2) * dw * dw
    step = lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    next_w = w - step
    config.update(m=m, v=v, t=t)
""",
)
alt(
    "float32-kept",
    ["fc.adam", *ADAM_USERS],
    """
    t = config["t"] + 1
    m = config["beta1"] * config["m"] + (1 - config["beta1"]) * dw
    v = config["beta2"] * config["v"] + (1 - config["beta2"]) * dw**2
    m_hat = m / (1 - config["beta1"] ** t)
    v_hat = v / (1 - config["beta2"] ** t)
    next_w = (w - config["learning_rate"] * m_hat / (np.sqrt(v_hat) + config["epsilon"])).astype(
        w.dtype, copy=False
    )
    config["m"], config["v"], config["t"] = m.astype(w.dtype), v.astype(w.dtype), t
""",
)
alt(
    "extra-bookkeeping-key",
    ["fc.sgd_momentum"],
    """
    config["steps"] = config.get("steps", 0) + 1
    velocity = config["momentum"] * config["velocity"] - config["learning_rate"] * dw
    config["velocity"] = velocity
    next_w = w + velocity
""",
)
