#!/usr/bin/env python3
"""Checks a viralsim report.html in headless Chromium (standard library only).

Usage: check.py OUTPUT_DIR [SCREENSHOT.png]

Renders OUTPUT_DIR/report.html headless, saves a screenshot (default
OUTPUT_DIR/report_screenshot.png), then loads the report in a checker page
and verifies that every <img> decoded (naturalWidth > 0) and that every
number carrying a data-key shows the value at that JSON pointer in
OUTPUT_DIR/summary.json (sweep.json or compare.json for a study), formatted by the rule of data-fmt (the rules of
viralsim::report::format_value). Exit code 0 when all pass, 1 otherwise.
"""
import html
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
    "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--hide-scrollbars",
]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        path = shutil.which(name)
        if path:
            return path
    sys.exit("check.py: no chromium on PATH (tests/report/check.sh installs it)")


def fmt(x, kind):
    if kind in ("count", "money"):
        if abs(x) >= 100:
            s = f"{abs(x):,.0f}"
            return "-" + s if x < 0 else s
        return f"{x:.1f}"
    if kind == "pct":
        return f"{x * 100.0:.1f}%"
    if kind == "real":
        return f"{x:.2f}"
    if kind == "real4":
        return f"{x:.4f}"
    raise ValueError(f"unknown data-fmt {kind!r}")


def resolve(doc, pointer):
    for part in pointer.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        doc = doc[int(part)] if isinstance(doc, list) else doc[part]
    return doc


CHECKER = """<!DOCTYPE html><html><body><pre id="result">pending</pre>
<iframe id="f" src="%s" style="width:1200px;height:800px"></iframe>
<script>
document.getElementById('f').addEventListener('load', function () {
  var d = this.contentDocument;
  var imgs = Array.from(d.images).map(function (i) {
    return {alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight};
  });
  var nums = Array.from(d.querySelectorAll('[data-key]')).map(function (e) {
    return {key: e.dataset.key, fmt: e.dataset.fmt, text: e.textContent};
  });
  var scripts = d.querySelectorAll('script').length;
  document.getElementById('result').textContent =
    JSON.stringify({imgs: imgs, nums: nums, scripts: scripts, title: d.title});
});
</script></body></html>
"""


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1]).resolve()
    report = out / "report.html"
    shot = pathlib.Path(sys.argv[2]) if len(sys.argv) == 3 else out / "report_screenshot.png"
    # A run's numbers point into summary.json, a sweep's into sweep.json,
    # a comparison's into compare.json.
    source = next((n for n in ("summary.json", "sweep.json", "compare.json")
                   if (out / n).exists()), "summary.json")
    summary = json.loads((out / source).read_text())
    exe = chromium()
    with tempfile.TemporaryDirectory() as tmp:
        profile = os.path.join(tmp, "profile")
        subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2400",
             f"--screenshot={shot.resolve()}", report.as_uri()],
            check=True, capture_output=True, timeout=120)
        checker = pathlib.Path(tmp) / "checker.html"
        checker.write_text(CHECKER % report.as_uri())
        dom = subprocess.run(
            [exe, *FLAGS, f"--user-data-dir={profile}", "--allow-file-access-from-files",
             "--virtual-time-budget=10000", "--dump-dom", checker.as_uri()],
            check=True, capture_output=True, timeout=120, text=True).stdout
    start = dom.index('<pre id="result">') + len('<pre id="result">')
    result = json.loads(html.unescape(dom[start:dom.index("</pre>", start)]))
    failures = []
    if result["scripts"]:
        failures.append(f"the report has {result['scripts']} <script> elements")
    for img in result["imgs"]:
        if not (img["complete"] and img["w"] > 0 and img["h"] > 0):
            failures.append(f"image {img['alt']!r} did not decode: {img}")
    for n in result["nums"]:
        want = fmt(float(resolve(summary, n["key"])), n["fmt"])
        if n["text"] != want:
            failures.append(f"{n['key']}: shown {n['text']!r}, {source} gives {want!r}")
    if not shot.is_file() or shot.stat().st_size == 0:
        failures.append(f"no screenshot at {shot}")
    print(f"report: {report}")
    print(f"title: {result['title']}")
    sizes = ", ".join("%s %dx%d" % (i["alt"], i["w"], i["h"]) for i in result["imgs"])
    decoded = sum(i["w"] > 0 for i in result["imgs"])
    print(f"images decoded: {decoded}/{len(result['imgs'])} ({sizes})")
    wrong = sum(1 for f in failures if f"{source} gives" in f)
    print(f"numbers equal to {source}: {len(result['nums']) - wrong}/{len(result['nums'])}")
    print(f"screenshot: {shot}")
    for f in failures:
        print("FAIL:", f)
    print("ok" if not failures else f"{len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
