"""Build ``examples/partial_submission.zip``: a plausible, partly correct student hand-in.

It is the reference solution with mistakes students really make (the ones visible in the seed
courses' notebooks), plus one function left unwritten. Run from the project root:

    python examples/make_example.py
"""

import shutil
import tempfile
from pathlib import Path

from grader.authoring.reference import build_reference_submission, zip_submission

HERE = Path(__file__).resolve().parent
OUT = HERE / "partial_submission.zip"

# (file, exact snippet of the reference, what the student wrote instead, the mistake)
MISTAKES = [
    (
        "layers.py",
        "        mask = ((rng.random(x.shape) < p) / p).astype(x.dtype)",
        "        mask = (rng.random(x.shape) >= p).astype(x.dtype)",
        "dropout treats p as the drop probability and never rescales",
    ),
    (
        "layers.py",
        "    x_centered = x - x.mean(axis=1, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=1, keepdims=True) + eps)",
        "    x_centered = x - x.mean(axis=0, keepdims=True)\n"
        "    std = np.sqrt(np.mean(x_centered**2, axis=0, keepdims=True) + eps)",
        "layernorm normalises over the batch instead of each example",
    ),
    (
        "optim.py",
        "    m_hat = m / (1 - beta1**t)\n    v_hat = v / (1 - beta2**t)",
        "    m_hat = m / (1 - beta1 ** (t - 1 or 1))\n    v_hat = v / (1 - beta2 ** (t - 1 or 1))",
        "adam bias-corrects with the old t",
    ),
]


def _stub_conv_backward(source: str) -> str:
    """Leave conv_backward_naive as the skeleton has it: not written yet."""
    start = source.index("def conv_backward_naive")
    begin = source.index("# *****START OF YOUR CODE", start)
    body = source.index("\n", begin) + 1
    end = source.index("    # *****END OF YOUR CODE", body)
    stub = '    raise NotImplementedError("conv_backward_naive: not written yet")\n'
    return source[:body] + stub + source[end:]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sub = build_reference_submission(Path(tmp) / "submission")
        for name, old, new, _ in MISTAKES:
            path = sub / "assignment" / name
            text = path.read_text()
            if text.count(old) != 1:
                raise SystemExit(f"{name}: the reference changed; update MISTAKES ({old!r})")
            path.write_text(text.replace(old, new))
        layers = sub / "assignment" / "layers.py"
        layers.write_text(_stub_conv_backward(layers.read_text()))
        tmp_zip = zip_submission(sub, Path(tmp) / "out.zip")
        shutil.copy2(tmp_zip, OUT)
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
