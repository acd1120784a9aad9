"""Correct alternatives for the classifiers and the image filters.

Model alternatives rewrite every region of a method (the regions of ``loss`` share local
variables such as the caches), so each is a whole, self-consistent answer.
"""

from __future__ import annotations

from . import CNN, FC_NET, FILTERS, WORKBOOK, Alternative, Region, TextEdit

NO_SEED_KWARG = (
    "issue 10: a train() with the course's signature (no seed keyword) errors out instead of "
    "being trained"
)

ALTERNATIVES: list[Alternative] = []


def alt(slug, questions, *edits, xfail=None, xfail_on=(), note=""):
    ALTERNATIVES.append(
        Alternative(
            slug, tuple(questions), tuple(edits), xfail=xfail, xfail_on=tuple(xfail_on), note=note
        )
    )


def W(function, code, index=0):  # noqa: N802
    return Region(WORKBOOK, function, code, index)


def F(function, code, index=0):  # noqa: N802
    return Region(FC_NET, function, code, index)


def C(function, code, index=0):  # noqa: N802
    return Region(CNN, function, code, index)


# --- two-layer workbook net ---------------------------------------------------------------------
WORKBOOK_ALL = ["twolayer.scores", "twolayer.loss", "twolayer.predict", "twolayer.train"]
alt(
    "np-dot-and-explicit-probs",
    WORKBOOK_ALL,
    W(
        "TwoLayerNet.loss",
        """
        z1 = np.dot(X, W1.T) + b1
        a1 = z1 * (z1 > 0)
        scores = np.dot(a1, W2.T) + b2
    """,
    ),
    W(
        "TwoLayerNet.loss",
        """
        shift = scores - np.max(scores, axis=1, keepdims=True)
        exp_s = np.exp(shift)
        sum_exp = np.sum(exp_s, axis=1, keepdims=True)
        probs = exp_s / sum_exp
        correct_logprobs = -(shift[np.arange(N), y] - np.log(sum_exp[:, 0]))
        loss = np.sum(correct_logprobs) / N
        loss += reg * 0.5 * (np.sum(W1**2) + np.sum(W2**2))
    """,
        index=1,
    ),
    W(
        "TwoLayerNet.loss",
        """
        dscores = probs.copy()
        dscores[range(N), y] -= 1
        dscores /= N
        grads["W2"] = np.dot(dscores.T, a1) + reg * W2
        grads["b2"] = np.sum(dscores, axis=0)
        da1 = np.dot(dscores, W2)
        dz1 = da1 * (z1 > 0)
        grads["W1"] = np.dot(dz1.T, X) + reg * W1
        grads["b1"] = np.sum(dz1, axis=0)
    """,
        index=2,
    ),
)
alt(
    "loops-over-examples",
    WORKBOOK_ALL,
    W(
        "TwoLayerNet.loss",
        """
        hidden = np.zeros((N, W1.shape[0]))
        scores = np.zeros((N, W2.shape[0]))
        for i in range(N):
            hidden[i] = np.maximum(0, W1.dot(X[i]) + b1)
            scores[i] = W2.dot(hidden[i]) + b2
    """,
    ),
    W(
        "TwoLayerNet.loss",
        """
        loss = 0.0
        probs = np.zeros_like(scores)
        for i in range(N):
            s = scores[i] - scores[i].max()
            total = np.sum(np.exp(s))
            probs[i] = np.exp(s) / total
            loss += np.log(total) - s[y[i]]
        loss /= N
        loss += 0.5 * reg * np.sum(W1 * W1) + 0.5 * reg * np.sum(W2 * W2)
    """,
        index=1,
    ),
    W(
        "TwoLayerNet.loss",
        """
        for name in self.params:
            grads[name] = np.zeros_like(self.params[name])
        for i in range(N):
            ds = probs[i].copy()
            ds[y[i]] -= 1
            ds /= N
            grads["W2"] += np.outer(ds, hidden[i])
            grads["b2"] += ds
            dh = W2.T.dot(ds) * (hidden[i] > 0)
            grads["W1"] += np.outer(dh, X[i])
            grads["b1"] += dh
        grads["W1"] += reg * W1
        grads["W2"] += reg * W2
    """,
        index=2,
    ),
)
alt(
    "forward-written-inline",
    ["twolayer.predict"],
    W(
        "TwoLayerNet.predict",
        """
        h = np.maximum(0, X.dot(self.params["W1"].T) + self.params["b1"])
        y_pred = np.argmax(h.dot(self.params["W2"].T) + self.params["b2"], axis=1)
    """,
    ),
)
alt(
    "argmax-last-axis",
    ["twolayer.predict", "twolayer.train"],
    W(
        "TwoLayerNet.predict",
        """
        scores = self.loss(X)
        y_pred = scores.argmax(axis=-1)
    """,
    ),
)

alt(
    "np-random-choice-without-replacement",
    ["twolayer.train"],
    W(
        "TwoLayerNet.train",
        """
        indices = np.random.choice(num_train, batch_size, replace=False)
        X_batch = X[indices]
        y_batch = y[indices]
    """,
    ),
)
alt(
    "np-random-choice-explicit-updates",
    ["twolayer.train"],
    W(
        "TwoLayerNet.train",
        """
        batch = np.random.choice(num_train, batch_size)
        X_batch, y_batch = X[batch, :], y[batch]
    """,
    ),
    W(
        "TwoLayerNet.train",
        """
        self.params["W1"] -= learning_rate * grads["W1"]
        self.params["b1"] -= learning_rate * grads["b1"]
        self.params["W2"] -= learning_rate * grads["W2"]
        self.params["b2"] -= learning_rate * grads["b2"]
    """,
        index=1,
    ),
)
alt(
    "rng-permutation-rebinding-updates",
    ["twolayer.train"],
    W(
        "TwoLayerNet.train",
        """
        order = rng.permutation(num_train)[:batch_size]
        X_batch = X[order]
        y_batch = y[order]
    """,
    ),
    W(
        "TwoLayerNet.train",
        """
        for key in grads:
            self.params[key] = self.params[key] - learning_rate * grads[key]
    """,
        index=1,
    ),
)
alt(
    "rng-integers-items-updates",
    ["twolayer.train"],
    W(
        "TwoLayerNet.train",
        """
        idx = rng.integers(0, num_train, size=batch_size)
        X_batch = X[idx, :]
        y_batch = y[idx]
    """,
    ),
    W(
        "TwoLayerNet.train",
        """
        for key, value in self.params.items():
            value -= learning_rate * grads[key]
    """,
        index=1,
    ),
)
alt(
    "course-signature-without-seed",
    ["twolayer.train"],
    TextEdit(
        WORKBOOK,
        "        verbose=False,\n        seed=None,\n    ):",
        "        verbose=False,\n    ):",
    ),
    TextEdit(WORKBOOK, "        rng = np.random.default_rng(seed)\n", ""),
    W(
        "TwoLayerNet.train",
        """
        sample_indices = np.random.choice(np.arange(num_train), batch_size)
        X_batch = X[sample_indices]
        y_batch = y[sample_indices]
    """,
    ),
    note=NO_SEED_KWARG,
)

# --- fully-connected nets -----------------------------------------------------------------------
alt(
    "separate-layer-calls-normal-init",
    ["fc.two_layer_net"],
    F(
        "TwoLayerNet.__init__",
        """
        self.params["W1"] = np.random.normal(0.0, weight_scale, (input_dim, hidden_dim))
        self.params["b1"] = np.zeros((hidden_dim,))
        self.params["W2"] = np.random.normal(0.0, weight_scale, (hidden_dim, num_classes))
        self.params["b2"] = np.zeros((num_classes,))
    """,
    ),
    F(
        "TwoLayerNet.loss",
        """
        from ..layers import relu_backward, relu_forward

        W1, b1 = self.params["W1"], self.params["b1"]
        W2, b2 = self.params["W2"], self.params["b2"]
        a1, fc1_cache = affine_forward(X, W1, b1)
        h1, relu_cache = relu_forward(a1)
        scores, fc2_cache = affine_forward(h1, W2, b2)
    """,
    ),
    F(
        "TwoLayerNet.loss",
        """
        loss, dscores = softmax_loss(scores, y)
        for name in ("W1", "W2"):
            loss += 0.5 * self.reg * np.sum(self.params[name] ** 2)
        dh1, dW2, db2 = affine_backward(dscores, fc2_cache)
        da1 = relu_backward(dh1, relu_cache)
        _, dW1, db1 = affine_backward(da1, fc1_cache)
        grads = {"W1": dW1 + self.reg * W1, "b1": db1, "W2": dW2 + self.reg * W2, "b2": db2}
    """,
        index=1,
    ),
)
alt(
    "list-of-caches",
    ["fc.two_layer_net"],
    F(
        "TwoLayerNet.__init__",
        """
        self.params.update(
            W1=np.random.randn(input_dim, hidden_dim) * weight_scale,
            b1=np.zeros(hidden_dim),
        )
        self.params.update(
            W2=np.random.randn(hidden_dim, num_classes) * weight_scale,
            b2=np.zeros(num_classes),
        )
    """,
    ),
    F(
        "TwoLayerNet.loss",
        """
        caches = []
        out, c = affine_relu_forward(X, self.params["W1"], self.params["b1"])
        caches.append(c)
        scores, c = affine_forward(out, self.params["W2"], self.params["b2"])
        caches.append(c)
    """,
    ),
    F(
        "TwoLayerNet.loss",
        """
        data_loss, d = softmax_loss(scores, y)
        weights = [self.params["W1"], self.params["W2"]]
        loss = data_loss + 0.5 * self.reg * sum(np.sum(w**2) for w in weights)
        d, grads["W2"], grads["b2"] = affine_backward(d, caches.pop())
        d, grads["W1"], grads["b1"] = affine_relu_backward(d, caches.pop())
        for name, w in zip(("W1", "W2"), weights):
            grads[name] = grads[name] + self.reg * w
    """,
        index=1,
    ),
)

FC_ALL = ["fc.fc_net", "bn.fc_net_norm", "dropout.fc_net", "fc.overfit", "fc.good_model"]
alt(
    "caches-in-lists-layer-by-layer",
    FC_ALL,
    F(
        "FullyConnectedNet.__init__",
        """
        layer_dims = [input_dim] + list(hidden_dims) + [num_classes]
        for i in range(self.num_layers):
            self.params["W%d" % (i + 1)] = np.random.normal(
                0.0, weight_scale, (layer_dims[i], layer_dims[i + 1])
            )
            self.params["b%d" % (i + 1)] = np.zeros(layer_dims[i + 1])
        if self.normalization is not None:
            for i in range(self.num_layers - 1):
                self.params["gamma%d" % (i + 1)] = np.ones(layer_dims[i + 1])
                self.params["beta%d" % (i + 1)] = np.zeros(layer_dims[i + 1])
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        from ..layers import (
            batchnorm_forward,
            layernorm_forward,
            relu_forward,
        )

        caches = []
        h = X
        for i in range(1, self.num_layers):
            a, fc_cache = affine_forward(h, self.params["W%d" % i], self.params["b%d" % i])
            norm_cache = None
            if self.normalization == "batchnorm":
                a, norm_cache = batchnorm_forward(
                    a, self.params["gamma%d" % i], self.params["beta%d" % i],
                    self.bn_params[i - 1],
                )
            elif self.normalization == "layernorm":
                a, norm_cache = layernorm_forward(
                    a, self.params["gamma%d" % i], self.params["beta%d" % i],
                    self.bn_params[i - 1],
                )
            h, relu_cache = relu_forward(a)
            drop_cache = None
            if self.use_dropout:
                h, drop_cache = dropout_forward(h, self.dropout_param)
            caches.append((fc_cache, norm_cache, relu_cache, drop_cache))
        L = self.num_layers
        scores, last_cache = affine_forward(h, self.params["W%d" % L], self.params["b%d" % L])
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        from ..layers import batchnorm_backward_alt, layernorm_backward, relu_backward

        loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.0
        for i in range(1, self.num_layers + 1):
            reg_loss += np.sum(self.params["W%d" % i] ** 2)
        loss = loss + 0.5 * self.reg * reg_loss
        L = self.num_layers
        dh, dW, db = affine_backward(dscores, last_cache)
        grads["W%d" % L] = dW + self.reg * self.params["W%d" % L]
        grads["b%d" % L] = db
        for i in reversed(range(1, L)):
            fc_cache, norm_cache, relu_cache, drop_cache = caches[i - 1]
            if drop_cache is not None:
                dh = dropout_backward(dh, drop_cache)
            da = relu_backward(dh, relu_cache)
            if self.normalization == "batchnorm":
                da, grads["gamma%d" % i], grads["beta%d" % i] = batchnorm_backward_alt(
                    da, norm_cache
                )
            elif self.normalization == "layernorm":
                da, grads["gamma%d" % i], grads["beta%d" % i] = layernorm_backward(
                    da, norm_cache
                )
            dh, dW, db = affine_backward(da, fc_cache)
            grads["W%d" % i] = dW + self.reg * self.params["W%d" % i]
            grads["b%d" % i] = db
    """,
        index=1,
    ),
)
alt(
    "sandwich-layers-dict-caches-while-loop",
    FC_ALL,
    F(
        "FullyConnectedNet.__init__",
        """
        sizes = [input_dim, *hidden_dims, num_classes]
        for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:]), start=1):
            self.params["W" + str(i)] = weight_scale * np.random.randn(fan_in, fan_out)
            self.params["b" + str(i)] = np.zeros(fan_out)
            if normalization and i != self.num_layers:
                self.params["gamma" + str(i)] = np.ones(fan_out)
                self.params["beta" + str(i)] = np.zeros(fan_out)
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        cache = {}
        layer_input = X.reshape(X.shape[0], -1)
        i = 1
        while i < self.num_layers:
            W, b = self.params["W" + str(i)], self.params["b" + str(i)]
            if self.normalization:
                layer_input, cache[("main", i)] = affine_norm_relu_forward(
                    layer_input, W, b, self.params["gamma" + str(i)],
                    self.params["beta" + str(i)], self.bn_params[i - 1], self.normalization,
                )
            else:
                layer_input, cache[("main", i)] = affine_relu_forward(layer_input, W, b)
            if self.use_dropout:
                layer_input, cache[("drop", i)] = dropout_forward(layer_input, self.dropout_param)
            i += 1
        scores, cache[("main", i)] = affine_forward(
            layer_input, self.params["W" + str(i)], self.params["b" + str(i)]
        )
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        data_loss, upstream = softmax_loss(scores, y)
        weights = [self.params["W" + str(i)] for i in range(1, self.num_layers + 1)]
        loss = data_loss + 0.5 * self.reg * sum((w * w).sum() for w in weights)
        i = self.num_layers
        upstream, dW, db = affine_backward(upstream, cache[("main", i)])
        grads["W" + str(i)], grads["b" + str(i)] = dW, db
        i -= 1
        while i >= 1:
            if ("drop", i) in cache:
                upstream = dropout_backward(upstream, cache[("drop", i)])
            if self.normalization:
                upstream, dW, db, dg, dbt = affine_norm_relu_backward(upstream, cache[("main", i)])
                grads["gamma" + str(i)], grads["beta" + str(i)] = dg, dbt
            else:
                upstream, dW, db = affine_relu_backward(upstream, cache[("main", i)])
            grads["W" + str(i)], grads["b" + str(i)] = dW, db
            i -= 1
        for i, w in enumerate(weights, start=1):
            grads["W" + str(i)] += self.reg * w
    """,
        index=1,
    ),
)

# --- convolutional nets -------------------------------------------------------------------------
CONV3 = ["conv.three_layer", "conv.overfit"]
alt(
    "fast-layers-called-one-by-one",
    CONV3,
    C(
        "ThreeLayerConvNet.__init__",
        """
        C, H, W = input_dim
        self.params["W1"] = np.random.normal(
            0.0, weight_scale, (num_filters, C, filter_size, filter_size)
        )
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = np.random.normal(
            0.0, weight_scale, (num_filters * (H // 2) * (W // 2), hidden_dim)
        )
        self.params["b2"] = np.zeros(hidden_dim)
        self.params["W3"] = np.random.normal(0.0, weight_scale, (hidden_dim, num_classes))
        self.params["b3"] = np.zeros(num_classes)
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        from ..fast_layers import (
            conv_backward_fast,
            conv_forward_fast,
            max_pool_backward_fast,
            max_pool_forward_fast,
        )
        from ..layers import relu_backward, relu_forward

        c1, conv_cache = conv_forward_fast(X, W1, b1, conv_param)
        r1, relu1_cache = relu_forward(c1)
        p1, pool_cache = max_pool_forward_fast(r1, pool_param)
        a2, fc2_cache = affine_forward(p1, W2, b2)
        r2, relu2_cache = relu_forward(a2)
        scores, fc3_cache = affine_forward(r2, W3, b3)
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        loss, dscores = softmax_loss(scores, y)
        for w in (W1, W2, W3):
            loss += 0.5 * self.reg * np.sum(w**2)
        dr2, dW3, db3 = affine_backward(dscores, fc3_cache)
        da2 = relu_backward(dr2, relu2_cache)
        dp1, dW2, db2 = affine_backward(da2, fc2_cache)
        dr1 = max_pool_backward_fast(dp1, pool_cache)
        dc1 = relu_backward(dr1, relu1_cache)
        _, dW1, db1 = conv_backward_fast(dc1, conv_cache)
        grads = {
            "W1": dW1 + self.reg * W1, "b1": db1,
            "W2": dW2 + self.reg * W2, "b2": db2,
            "W3": dW3 + self.reg * W3, "b3": db3,
        }
    """,
        index=1,
    ),
)
alt(
    "sandwich-layers-list-caches",
    CONV3,
    C(
        "ThreeLayerConvNet.__init__",
        """
        channels, height, width = input_dim
        shapes = [
            ((num_filters, channels, filter_size, filter_size), num_filters),
            ((num_filters * (height // 2) * (width // 2), hidden_dim), hidden_dim),
            ((hidden_dim, num_classes), num_classes),
        ]
        for k, (w_shape, b_size) in enumerate(shapes, start=1):
            self.params[f"W{k}"] = weight_scale * np.random.randn(*w_shape)
            self.params[f"b{k}"] = np.zeros(b_size)
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        caches = []
        out, cache = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        caches.append(cache)
        out, cache = affine_relu_forward(out.reshape(out.shape[0], -1), W2, b2)
        caches.append(cache)
        scores, cache = affine_forward(out, W3, b3)
        caches.append(cache)
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        loss, d = softmax_loss(scores, y)
        loss += self.reg * 0.5 * (np.sum(W1 * W1) + np.sum(W2 * W2) + np.sum(W3 * W3))
        d, grads["W3"], grads["b3"] = affine_backward(d, caches[2])
        d, grads["W2"], grads["b2"] = affine_relu_backward(d, caches[1])
        N, F = X.shape[0], W1.shape[0]
        d = d.reshape(N, F, X.shape[2] // 2, X.shape[3] // 2)
        d, grads["W1"], grads["b1"] = conv_relu_pool_backward(d, caches[0])
        for k, w in enumerate((W1, W2, W3), start=1):
            grads[f"W{k}"] = grads[f"W{k}"] + self.reg * w
    """,
        index=1,
    ),
)
alt(
    "naive-layers-dict-grads",
    CONV3,
    C(
        "ThreeLayerConvNet.loss",
        """
        from ..layers import (
            conv_backward_naive,
            conv_forward_naive,
            max_pool_backward_naive,
            max_pool_forward_naive,
            relu_backward,
            relu_forward,
        )

        conv_out, conv_cache = conv_forward_naive(X, W1, b1, conv_param)
        relu_out, relu_cache = relu_forward(conv_out)
        pool_out, pool_cache = max_pool_forward_naive(relu_out, pool_param)
        hidden, hidden_cache = affine_relu_forward(pool_out, W2, b2)
        scores, scores_cache = affine_forward(hidden, W3, b3)
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        data_loss, dscores = softmax_loss(scores, y)
        reg_loss = 0.5 * self.reg * (np.sum(np.square(W1)) + np.sum(np.square(W2))
                                     + np.sum(np.square(W3)))
        loss = data_loss + reg_loss
        dhidden, dW3, db3 = affine_backward(dscores, scores_cache)
        dpool, dW2, db2 = affine_relu_backward(dhidden, hidden_cache)
        drelu = max_pool_backward_naive(dpool, pool_cache)
        dconv = relu_backward(drelu, relu_cache)
        _, dW1, db1 = conv_backward_naive(dconv, conv_cache)
        grads.update({"W1": dW1, "b1": db1, "W2": dW2, "b2": db2, "W3": dW3, "b3": db3})
        for name, w in (("W1", W1), ("W2", W2), ("W3", W3)):
            grads[name] += self.reg * w
    """,
        index=1,
    ),
)
alt(
    "fast-layers-called-one-by-one",
    ["conv.four_layer"],
    C(
        "FourLayerConvNet.__init__",
        """
        C, H, W = input_dim
        ws = weight_scale
        self.params["W1"] = ws * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["W2"] = ws * np.random.randn(num_filters * (H // 2) * (W // 2), hidden_dim)
        self.params["W3"] = ws * np.random.randn(hidden_dim, hidden_dim)
        self.params["W4"] = ws * np.random.randn(hidden_dim, num_classes)
        for k, size in enumerate((num_filters, hidden_dim, hidden_dim, num_classes), start=1):
            self.params["b%d" % k] = np.zeros(size)
    """,
    ),
    C(
        "FourLayerConvNet.loss",
        """
        from ..fast_layers import conv_backward_fast, conv_forward_fast
        from ..fast_layers import max_pool_backward_fast, max_pool_forward_fast
        from ..layers import relu_backward, relu_forward

        c1, conv_cache = conv_forward_fast(X, W1, b1, conv_param)
        r1, relu1_cache = relu_forward(c1)
        p1, pool_cache = max_pool_forward_fast(r1, pool_param)
        h2, cache2 = affine_relu_forward(p1, W2, b2)
        h3, cache3 = affine_relu_forward(h2, W3, b3)
        scores, cache4 = affine_forward(h3, W4, b4)
    """,
    ),
    C(
        "FourLayerConvNet.loss",
        """
        loss, dscores = softmax_loss(scores, y)
        for w in (W1, W2, W3, W4):
            loss += 0.5 * self.reg * float(np.sum(w * w))
        dh3, dW4, db4 = affine_backward(dscores, cache4)
        dh2, dW3, db3 = affine_relu_backward(dh3, cache3)
        dp1, dW2, db2 = affine_relu_backward(dh2, cache2)
        dc1 = relu_backward(max_pool_backward_fast(dp1, pool_cache), relu1_cache)
        _, dW1, db1 = conv_backward_fast(dc1, conv_cache)
        for name, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2),
                        ("W3", dW3), ("b3", db3), ("W4", dW4), ("b4", db4)):
            grads[name] = g
            if name.startswith("W"):
                grads[name] = g + self.reg * self.params[name]
    """,
        index=1,
    ),
)
alt(
    "list-of-caches-reversed",
    ["conv.four_layer"],
    C(
        "FourLayerConvNet.loss",
        """
        layers = []
        out, c = conv_relu_pool_forward(X, W1, b1, conv_param, pool_param)
        layers.append(("conv", c))
        for w, b in ((W2, b2), (W3, b3)):
            out, c = affine_relu_forward(out, w, b)
            layers.append(("hidden", c))
        scores, c = affine_forward(out, W4, b4)
        layers.append(("scores", c))
    """,
    ),
    C(
        "FourLayerConvNet.loss",
        """
        data_loss, d = softmax_loss(scores, y)
        loss = data_loss + 0.5 * self.reg * sum(
            np.sum(self.params["W%d" % k] ** 2) for k in range(1, 5)
        )
        names = ["1", "2", "3", "4"]
        for (kind, c), k in zip(reversed(layers), reversed(names)):
            if kind == "scores":
                d, dw, db = affine_backward(d, c)
            elif kind == "hidden":
                d, dw, db = affine_relu_backward(d, c)
            else:
                d, dw, db = conv_relu_pool_backward(d, c)
            grads["W" + k] = dw + self.reg * self.params["W" + k]
            grads["b" + k] = db
    """,
        index=1,
    ),
)

# --- image filters ------------------------------------------------------------------------------
alt(
    "sobel-other-sign-outer-product-gaussian",
    ["conv.image_filters"],
    Region(
        FILTERS,
        "image_filters",
        """
        w[2, 1] = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]
        g = np.array([1.0, 2.0, 1.0])
        w[3, 0] = np.outer(g, g) / np.outer(g, g).sum()
    """,
    ),
)
alt(
    "column-by-column-sampled-gaussian",
    ["conv.image_filters"],
    Region(
        FILTERS,
        "image_filters",
        """
        w[2, 1, :, 0] = [1, 2, 1]
        w[2, 1, :, 2] = [-1, -2, -1]
        ii, jj = np.mgrid[-1:2, -1:2]
        kernel = np.exp(-(ii**2 + jj**2) / (2 * 0.85**2))
        w[3, 0] = kernel / kernel.sum()
    """,
    ),
)

# --- one mistake, charged once (issue 10, class 3) ------------------------------------------------
# Biases initialised as (1, M) rows: a mistake of the initialisation case only; the net trains
# as well as with flat biases, so the training questions must keep their points.
CHARGED_TWICE = "issue 10: a (1, M) bias penalised at initialisation also zeroes the training"
ALTERNATIVES.append(
    Alternative(
        "biases-as-rows-train-fine",
        ("fc.overfit", "fc.good_model"),
        (
            F(
                "FullyConnectedNet.__init__",
                """
        dims = [input_dim, *hidden_dims, num_classes]
        for layer in range(1, self.num_layers + 1):
            self.params[f"W{layer}"] = weight_scale * np.random.randn(dims[layer - 1], dims[layer])
            self.params[f"b{layer}"] = np.zeros((1, dims[layer]))
            if self.normalization is not None and layer < self.num_layers:
                self.params[f"gamma{layer}"] = np.ones(dims[layer])
                self.params[f"beta{layer}"] = np.zeros(dims[layer])
    """,
            ),
        ),
        note=CHARGED_TWICE,
        tags=("one-mistake",),
    )
)
ALTERNATIVES.append(
    Alternative(
        "biases-as-rows-train-fine",
        ("conv.overfit",),
        (
            C(
                "ThreeLayerConvNet.__init__",
                """
        C, H, W = input_dim
        self.params["W1"] = weight_scale * np.random.randn(num_filters, C, filter_size, filter_size)
        self.params["b1"] = np.zeros(num_filters)
        self.params["W2"] = weight_scale * np.random.randn(
            num_filters * (H // 2) * (W // 2), hidden_dim
        )
        self.params["b2"] = np.zeros((1, hidden_dim))
        self.params["W3"] = weight_scale * np.random.randn(hidden_dim, num_classes)
        self.params["b3"] = np.zeros((1, num_classes))
    """,
            ),
        ),
        note=CHARGED_TWICE,
        tags=("one-mistake",),
    )
)

# The layers reached through the module, caches kept on the model, L2 through np.linalg.norm.
alt(
    "module-attribute-calls-caches-on-self",
    FC_ALL,
    F(
        "FullyConnectedNet.loss",
        """
        from .. import layers as L

        self.cache = {}
        a = X
        for k in range(1, self.num_layers):
            a, self.cache["affine", k] = L.affine_forward(
                a, self.params[f"W{k}"], self.params[f"b{k}"]
            )
            if self.normalization == "batchnorm":
                a, self.cache["norm", k] = L.batchnorm_forward(
                    a, self.params[f"gamma{k}"], self.params[f"beta{k}"], self.bn_params[k - 1]
                )
            elif self.normalization == "layernorm":
                a, self.cache["norm", k] = L.layernorm_forward(
                    a, self.params[f"gamma{k}"], self.params[f"beta{k}"], self.bn_params[k - 1]
                )
            a, self.cache["relu", k] = L.relu_forward(a)
            if self.use_dropout:
                a, self.cache["dropout", k] = L.dropout_forward(a, self.dropout_param)
        k = self.num_layers
        scores, self.cache["affine", k] = L.affine_forward(
            a, self.params[f"W{k}"], self.params[f"b{k}"]
        )
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        from .. import layers as L

        loss, d = L.softmax_loss(scores, y)
        for k in range(1, self.num_layers + 1):
            loss += 0.5 * self.reg * np.linalg.norm(self.params[f"W{k}"]) ** 2
        for k in range(self.num_layers, 0, -1):
            if k < self.num_layers:
                if self.use_dropout:
                    d = L.dropout_backward(d, self.cache["dropout", k])
                d = L.relu_backward(d, self.cache["relu", k])
                if self.normalization == "batchnorm":
                    d, grads[f"gamma{k}"], grads[f"beta{k}"] = L.batchnorm_backward(
                        d, self.cache["norm", k]
                    )
                elif self.normalization == "layernorm":
                    d, grads[f"gamma{k}"], grads[f"beta{k}"] = L.layernorm_backward(
                        d, self.cache["norm", k]
                    )
            d, dW, grads[f"b{k}"] = L.affine_backward(d, self.cache["affine", k])
            grads[f"W{k}"] = dW + self.reg * self.params[f"W{k}"]
    """,
        index=1,
    ),
)

# Dropout written inline in the network (mask from the global generator seeded from the
# model's dropout_param, kept units scaled by 1/p), not through dropout_forward.
INLINE_DROPOUT = (
    "issue 10: the grader replayed masks recorded from dropout_forward and gave 0 to a network "
    "that draws them inline, although the skeleton only suggests the call"
)
alt(
    "inline-dropout-mask",
    ["dropout.fc_net", "fc.fc_net", "bn.fc_net_norm", "fc.overfit"],
    F(
        "FullyConnectedNet.loss",
        """
        caches = []
        masks = []
        out = X
        if self.use_dropout and mode == "train" and "seed" in self.dropout_param:
            np.random.seed(self.dropout_param["seed"])
        for layer in range(1, self.num_layers):
            w, b = self.params[f"W{layer}"], self.params[f"b{layer}"]
            if self.normalization is None:
                out, cache = affine_relu_forward(out, w, b)
            else:
                out, cache = affine_norm_relu_forward(
                    out, w, b, self.params[f"gamma{layer}"], self.params[f"beta{layer}"],
                    self.bn_params[layer - 1], self.normalization,
                )
            caches.append(cache)
            if self.use_dropout and mode == "train":
                p = self.dropout_param["p"]
                mask = (np.random.rand(*out.shape) < p) / p
                out = out * mask
                masks.append(mask)
        L = self.num_layers
        scores, last = affine_forward(out, self.params[f"W{L}"], self.params[f"b{L}"])
    """,
    ),
    F(
        "FullyConnectedNet.loss",
        """
        loss, d = softmax_loss(scores, y)
        L = self.num_layers
        d, grads[f"W{L}"], grads[f"b{L}"] = affine_backward(d, last)
        for layer in range(L - 1, 0, -1):
            if self.use_dropout:
                d = d * masks[layer - 1]
            if self.normalization is None:
                d, grads[f"W{layer}"], grads[f"b{layer}"] = affine_relu_backward(
                    d, caches[layer - 1]
                )
            else:
                (d, grads[f"W{layer}"], grads[f"b{layer}"], grads[f"gamma{layer}"],
                 grads[f"beta{layer}"]) = affine_norm_relu_backward(d, caches[layer - 1])
        for layer in range(1, L + 1):
            w = self.params[f"W{layer}"]
            loss += 0.5 * self.reg * np.sum(w * w)
            grads[f"W{layer}"] = grads[f"W{layer}"] + self.reg * w
    """,
        index=1,
    ),
    note=INLINE_DROPOUT,
)

# The conv net reading self.params directly, L2 over the weight names found in it.
alt(
    "params-read-directly-reg-over-keys",
    CONV3,
    C(
        "ThreeLayerConvNet.loss",
        """
        p = self.params
        pooled, c1 = conv_relu_pool_forward(X, p["W1"], p["b1"], conv_param, pool_param)
        hidden, c2 = affine_relu_forward(pooled, p["W2"], p["b2"])
        scores, c3 = affine_forward(hidden, p["W3"], p["b3"])
    """,
    ),
    C(
        "ThreeLayerConvNet.loss",
        """
        loss, dscores = softmax_loss(scores, y)
        weight_names = sorted(k for k in self.params if k.startswith("W"))
        loss += 0.5 * self.reg * sum(np.sum(self.params[k] ** 2) for k in weight_names)
        dhidden, grads["W3"], grads["b3"] = affine_backward(dscores, c3)
        dpooled, grads["W2"], grads["b2"] = affine_relu_backward(dhidden, c2)
        _, grads["W1"], grads["b1"] = conv_relu_pool_backward(dpooled, c1)
        for k in weight_names:
            grads[k] += self.reg * self.params[k]
    """,
        index=1,
    ),
)

# --- declared hyperparameters: other models and update rules for fc.good_model ------------------
# Each set reaches the bar with the reference code; the alternatives of the other modules then
# train in it (their own update rule, dropout and normalisation), chosen by the student.
from . import Hyperparams, alt_layers, alt_optim  # noqa: E402

LAYERNORM_RMSPROP = Hyperparams(
    {
        "model": {
            "hidden_dims": [100, 100],
            "normalization": "layernorm",
            "reg": 0.001,
            "weight_scale": 0.05,
        },
        "solver": {
            "update_rule": "rmsprop",
            "learning_rate": 0.001,
            "lr_decay": 0.95,
            "num_epochs": 10,
            "batch_size": 100,
        },
    }
)
MOMENTUM_DROPOUT = Hyperparams(
    {
        "model": {"hidden_dims": [100, 100], "dropout": 0.9, "reg": 0.0005, "weight_scale": 0.1},
        "solver": {
            "update_rule": "sgd_momentum",
            "learning_rate": 0.05,
            "lr_decay": 0.95,
            "num_epochs": 12,
            "batch_size": 100,
        },
    }
)
BATCHNORM_DROPOUT_ADAM = Hyperparams(
    {
        "model": {
            "hidden_dims": [100, 100],
            "normalization": "batchnorm",
            "dropout": 0.9,
            "reg": 0.001,
            "weight_scale": 0.05,
        },
        "solver": {
            "update_rule": "adam",
            "learning_rate": 0.002,
            "lr_decay": 0.95,
            "num_epochs": 10,
            "batch_size": 100,
        },
    }
)


def _edits_of(alternatives, name):
    (found,) = [a for a in alternatives if a.name == name]
    return found.edits


alt("declared-layernorm-rmsprop", ["fc.good_model"], LAYERNORM_RMSPROP)
alt("declared-momentum-dropout", ["fc.good_model"], MOMENTUM_DROPOUT)
alt("declared-batchnorm-dropout-adam", ["fc.good_model"], BATCHNORM_DROPOUT_ADAM)
alt(
    "declared-layernorm-rmsprop-in-place-transposed-layernorm",
    ["fc.good_model"],
    LAYERNORM_RMSPROP,
    *_edits_of(alt_optim.ALTERNATIVES, "fc.rmsprop:w-and-cache-in-place"),
    *_edits_of(alt_layers.ALTERNATIVES, "bn.layernorm_forward:transposed-batchnorm"),
)
alt(
    "declared-momentum-in-place-course-dropout",
    ["fc.good_model"],
    MOMENTUM_DROPOUT,
    *_edits_of(alt_optim.ALTERNATIVES, "fc.sgd_momentum:w-and-velocity-in-place"),
    *_edits_of(alt_layers.ALTERNATIVES, "dropout.forward:global-np-random-seeded-scaled-mask"),
)
alt(
    "declared-adam-in-place-binomial-dropout-graph-batchnorm",
    ["fc.good_model"],
    BATCHNORM_DROPOUT_ADAM,
    *_edits_of(alt_optim.ALTERNATIVES, "fc.adam:everything-in-place"),
    *_edits_of(alt_layers.ALTERNATIVES, "dropout.forward:binomial-boolean-mask"),
    *_edits_of(alt_layers.ALTERNATIVES, "bn.forward:graph-steps-dict-cache"),
    *_edits_of(ALTERNATIVES, "fc.fc_net:caches-in-lists-layer-by-layer"),
)
