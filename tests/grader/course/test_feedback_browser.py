"""The feedback report in a real browser (headless Chromium from Debian's packages): it renders,
prints, and meets accessibility basics: one h1 and no skipped heading level, every table header
with a scope, a language, and text colours with WCAG AA contrast against the background they
are actually drawn on (computed by the browser, not read from the CSS)."""

import html
import json
import re
import shutil
import subprocess
from datetime import datetime, timezone

import pytest

from grader.course import feedback, records

from .conftest import QUESTIONS, make_doc, write_results

CHROMIUM = next(
    (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not installed (apt-get install -y chromium; .ci/run installs it)",
)

# Runs in the page: headings, table headers and the contrast of every text element against
# the first opaque background behind it, written into the page for --dump-dom to carry out.
AUDIT = """
<script>
function rgb(s) { const m = s.match(/[\\d.]+/g).map(Number); return m.length > 3 ? m : [...m, 1]; }
function lum(c) {
  const f = v => {
    v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function background(el) {
  for (; el; el = el.parentElement) {
    const c = rgb(getComputedStyle(el).backgroundColor);
    if (c[3] > 0) return c;
  }
  return [255, 255, 255, 1];
}
const texts = [];
for (const el of document.body.querySelectorAll('*')) {
  if (el.id === 'audit') continue;
  const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!own) continue;
  const st = getComputedStyle(el);
  const fg = rgb(st.color), bg = background(el);
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  const size = parseFloat(st.fontSize), bold = parseInt(st.fontWeight) >= 700;
  texts.push({tag: el.tagName, cls: el.className, ratio: (a + 0.05) / (b + 0.05),
              large: size >= 24 || (bold && size >= 18.66), color: st.color, bg: bg.join(',')});
}
const result = {
  lang: document.documentElement.lang,
  title: document.title,
  headings: [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')].map(h => +h.tagName[1]),
  th: [...document.querySelectorAll('th')].map(th => th.getAttribute('scope')),
  tables: [...document.querySelectorAll('table')].map(t => t.querySelectorAll('th').length),
  texts: texts,
};
const pre = document.createElement('pre');
pre.id = 'audit';
pre.textContent = JSON.stringify(result);
document.body.appendChild(pre);
</script>
"""


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    """A report with every section: late penalty, failed cases with a hint, inline answers,
    missing files and a notice."""
    tmp = tmp_path_factory.mktemp("report")
    doc = make_doc("ann", {"fc.affine_forward": 1}, answer="ReLU is piecewise linear.\n" * 3)
    doc["questions"][1]["checks"][1]["hint"] = "check the shape of the bias"
    doc["submission"]["missing_files"] = ["Dropout.ipynb"]
    roster = tmp / "roster.csv"
    roster.write_text("submission,name,submitted_at\nann,Ann Apple,2026-12-03T10:00:00+01:00\n")
    settings = records.CourseSettings(
        roster=roster, deadline="2026-12-01T23:59:00+01:00", late_policy="10%/day"
    )
    out = tmp / "graded"
    docs = write_results(out, {"ann": doc})
    records.finish(
        out=out,
        docs=docs,
        questions=[dict(q) for q in QUESTIONS],
        course=records.prepare(settings, tmp),
        now=datetime(2026, 12, 20, tzinfo=timezone.utc),
        assignment="Assignment 2",
    )
    return out / "feedback" / "ann.html"


def chromium(tmp_path, *args):
    proc = subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",  # CI runs as root; the page has no script and no remote resource
            "--disable-gpu",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@needs_chromium
@pytest.mark.slow
def test_the_report_renders_and_prints(report_page, tmp_path):
    Image = pytest.importorskip("PIL.Image", reason="Pillow reads the screenshot")
    shot = tmp_path / "report.png"
    chromium(tmp_path, "--window-size=1000,1400", f"--screenshot={shot}", report_page.as_uri())
    image = Image.open(shot).convert("RGB")
    assert image.size == (1000, 1400)
    pixels = list(getattr(image, "get_flattened_data", image.getdata)())
    ink = sum(1 for p in pixels if sum(p) < 600) / len(pixels)
    assert 0.01 < ink < 0.5, f"{ink:.1%} of the screenshot is ink: blank or broken page?"
    assert len(set(pixels)) > 50  # text is anti-aliased: a rendered page has many shades
    # The red of a failed question is on screen (the status is also written out in words).
    assert any(p[0] > 140 and p[1] < 60 and p[2] < 60 for p in pixels)
    pdf = tmp_path / "report.pdf"
    chromium(tmp_path, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", report_page.as_uri())
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 5000
    assert len(re.findall(rb"/Type\s*/Page[^s]", data)) >= 1


@needs_chromium
@pytest.mark.slow
def test_accessibility_basics_in_the_browser(report_page, tmp_path):
    page = report_page.read_text(encoding="utf-8")
    page = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", page)  # let AUDIT run
    audited = tmp_path / "audited.html"
    audited.write_text(page.replace("</body>", AUDIT + "</body>"), encoding="utf-8")
    dom = chromium(tmp_path, "--dump-dom", audited.as_uri())
    found = re.search(r'<pre id="audit">(.*?)</pre>', dom, re.S)
    assert found, dom[-2000:]
    result = json.loads(html.unescape(found.group(1)))
    assert result["lang"] == "en" and result["title"]
    levels = result["headings"]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert result["th"] and all(scope in ("col", "row") for scope in result["th"])
    assert all(n > 0 for n in result["tables"])
    assert len(result["texts"]) > 20
    poor = [t for t in result["texts"] if t["ratio"] < (3.0 if t["large"] else 4.5)]  # WCAG 2.1 AA
    assert not poor, poor
    assert {"status-partial", "status-failed"} & {t["cls"] for t in result["texts"]}


def _hex(colour):
    colour = colour.lstrip("#")
    return [int(colour[i : i + 2], 16) for i in (0, 2, 4)]


def _luminance(rgb):
    def f(v):
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = map(f, rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_every_css_text_colour_has_aa_contrast_on_white_and_on_its_own_background():
    """Without a browser: each rule's colour against white (the page) and against the
    rule's own background, if it sets one."""
    for selector, body in re.findall(r"([^{}]+)\{([^{}]*)\}", feedback.CSS):
        colour = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{6})", body)
        if not colour:
            continue
        backgrounds = ["#ffffff"] + re.findall(r"background:\s*(#[0-9a-fA-F]{6})", body)
        for bg in backgrounds:
            a, b = sorted((_luminance(_hex(colour.group(1))), _luminance(_hex(bg))), reverse=True)
            ratio = (a + 0.05) / (b + 0.05)
            assert ratio >= 4.5, f"{selector.strip()}: {colour.group(1)} on {bg}: {ratio:.2f}"
