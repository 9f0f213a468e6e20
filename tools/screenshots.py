"""Make the README's screenshots: the browser controller page (desktop and phone) from a real
server, and the Max patch's presentation drawn from its rectangles.

    python tools/screenshots.py                 # all three, into docs/images/
    python tools/screenshots.py --only max      # only the patch drawing (no browser, no server)

The page: ``python -m synth_server.app.cli serve --device null --model models/default`` is started
on free ports (its internal real-time clock: no sound card needed), Debian's ``chromium`` is driven
by Playwright (``playwright.sync_api``; never ``playwright install``: its download cannot work
here), headless, at 1280 x 800 (desktop) and 390 x 844 with device_scale_factor 2, touch and the
mobile viewport (phone). Each shot waits for the page to say "connected", picks a heatmap (its PNG
must arrive), drags the pad, stores a preset (kept for this server's session only: no --presets
file) and waits for the live state; then the server is stopped by its PID.

The patch: Max is not available here, so ``max_patches/synth_server.maxpat`` is drawn with
matplotlib, one labelled rectangle per presentation box (its ``presentation_rect``, with the
object's text or class), at the patch's own pixel size.

A PNG over ``--max-kb`` (300) is re-saved with an adaptive 256-colour palette (Pillow).
"""
from __future__ import annotations

import argparse
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from test_max_patch import LINE_HEIGHT_PER_PT, TEXT_MARGIN_PX, text_width_px  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1}
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True,
         "has_touch": True}


def free_port(kind: int) -> int:
    """A port nobody is bound to now (``kind``: socket.SOCK_STREAM or SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``synth-server serve`` on free ports, stopped by its PID (SIGINT, then SIGKILL)."""

    def __init__(self, model: Path):
        self.web_port = free_port(socket.SOCK_STREAM)
        self.osc_port = free_port(socket.SOCK_DGRAM)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "synth_server.app.cli", "serve", "--device", "null",
             "--model", str(model), "--web-port", str(self.web_port), "--port",
             str(self.osc_port)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self.url_seen = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip())
            if re.search(r"play in a browser: http://", line):
                self.url_seen.set()

    def wait(self, timeout_s: float = 120.0) -> str:
        """The page's URL once the server prints it; RuntimeError if it exits or takes too long."""
        deadline = time.monotonic() + timeout_s
        while not self.url_seen.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the server did not start:\n" + "\n".join(self.lines[-20:]))
        return f"http://127.0.0.1:{self.web_port}/"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def shoot_page(browser, url: str, context_args: dict, path: Path, heatmap: str) -> None:
    """Open the page in a fresh context, play it a little, save a screenshot of the viewport."""
    context = browser.new_context(**context_args)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    page.wait_for_function("document.getElementById('connection').textContent === 'connected'",
                           timeout=30000)
    page.wait_for_function("document.getElementById('descriptor').options.length > 1",
                           timeout=30000)
    names = page.eval_on_selector("#descriptor", "s => [...s.options].map(o => o.value)")
    choice = heatmap if heatmap in names else names[1]
    with page.expect_response(re.compile(r"heatmap\.png"), timeout=60000) as response:
        page.select_option("#descriptor", choice)
    if response.value.status != 200:
        raise RuntimeError(f"the heatmap {choice} answered {response.value.status}")
    box = page.locator("#pad").bounding_box()
    page.mouse.move(box["x"] + 0.5 * box["width"], box["y"] + 0.5 * box["height"])
    page.mouse.down()
    for i in range(1, 11):
        page.mouse.move(box["x"] + (0.5 + 0.02 * i) * box["width"],
                        box["y"] + (0.5 - 0.025 * i) * box["height"])
        time.sleep(0.02)
    page.mouse.up()
    if page.eval_on_selector("#preset-a", "s => s.options.length") == 0:
        page.fill("#preset-name", "bright")  # a preset, so that the preset menus show one
        page.click("#store")
        page.wait_for_function("document.getElementById('preset-a').options.length > 0",
                               timeout=15000)
        page.fill("#preset-name", "")
        page.evaluate("document.activeElement.blur()")
    page.wait_for_function("document.getElementById('underruns').textContent"
                           ".startsWith('underruns')", timeout=15000)
    time.sleep(1.0)  # the heatmap image is drawn, the level meter and state settle
    page.screenshot(path=str(path))
    context.close()
    if errors:
        raise RuntimeError(f"console errors on the page: {errors}")


def shoot_pages(out: Path, model: Path, heatmap: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    server = Server(model)
    try:
        url = server.wait()
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"],
                                        headless=True)
            try:
                paths = [out / "web_desktop.png", out / "web_phone.png"]
                shoot_page(browser, url, DESKTOP, paths[0], heatmap)
                shoot_page(browser, url, PHONE, paths[1], heatmap)
            finally:
                browser.close()
    finally:
        server.stop()
    return paths


# -- the Max patch -------------------------------------------------------------------------------

def _label(box: dict) -> str:
    text = str(box.get("text", "")).strip()
    cls = box.get("maxclass", "")
    if cls == "comment":
        return text
    if cls == "umenu" and box.get("items"):
        items = [i for i in box["items"] if i != ","]
        return f"[umenu] {items[0]}..." if len(items) > 1 else f"[umenu] {items[0]}"
    return text if text else f"[{cls}]"


def wrap(text: str, size_px: float, width_px: float) -> list[str]:
    """Greedy word wrap of ``text`` in a Max box ``width_px`` wide (Arial at ``size_px``)."""
    lines, current = [], ""
    for word in text.split():
        trial = f"{current} {word}" if current else word
        if current and text_width_px(trial, size_px) > width_px - TEXT_MARGIN_PX:
            lines.append(current)
            current = word
        else:
            current = trial
    return lines + [current] if current else lines


def draw_max_patch(patch_path: Path, path: Path) -> Path:
    """One labelled rectangle per presentation box, at the patch's pixel size (1 px = 1 px)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    patcher = json.loads(patch_path.read_text(encoding="utf-8"))["patcher"]
    width, height = float(patcher["rect"][2]), float(patcher["rect"][3])
    dpi = 100
    fig = plt.figure(figsize=(width / dpi, height / dpi), dpi=dpi)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.axis("off")
    colours = {"comment": None, "message": "#3a4150", "umenu": "#2f4a66", "pictslider": None,
               "fpic": "#203040", "kslider": "#e8e8e8", "panel": "#292b30"}
    boxes = [e["box"] for e in patcher["boxes"] if e["box"].get("presentation") == 1]
    # background boxes first, as Max draws them
    for box in sorted(boxes, key=lambda b: b.get("background") != 1):
        x, y, w, h = (float(v) for v in box["presentation_rect"])
        cls = box.get("maxclass")
        if cls == "panel":
            ax.add_patch(Rectangle((x, y), w, h, facecolor="#292b30", edgecolor="none"))
            continue
        if cls == "fpic":
            ax.add_patch(Rectangle((x, y), w, h, facecolor="#1d3347", edgecolor="#5ec4ff",
                                   hatch="//", linewidth=0.8))
            ax.text(x + w / 2, y + h / 2 + 26, "(fpic: the /heatmap picture behind the pad)",
                    color="#8fb8d8", fontsize=7, ha="center", va="center")
            continue
        face = colours.get(cls, "#3b4250")
        edge = "#5ec4ff" if cls in ("pictslider", "kslider", "umenu", "slider", "multislider") \
            else ("#6b7385" if cls != "comment" else "#4a505c")
        outline = Rectangle((x, y), w, h, facecolor=face or "none", edgecolor=edge,
                            linewidth=0.7, linestyle="--" if cls == "comment" else "-")
        ax.add_patch(outline)
        label = _label(box)
        colour = "#111111" if cls == "kslider" else "#e6e6e6"
        if cls == "pictslider":
            ax.text(x + w / 2, y + h / 2, "[pictslider] the pad  (/pad x y)", color=colour,
                    fontsize=9, ha="center", va="center")
            continue
        # Max's size in px drawn as DejaVu Sans points (about 8 % wider than Arial); texts are
        # wrapped where Max wraps them (the patch test's Arial widths), class labels clipped
        size_px = float(box.get("fontsize", patcher.get("default_fontsize", 12.0)))
        lines = wrap(label, size_px, w) if cls in ("comment", "message") else [label]
        line_px = size_px * LINE_HEIGHT_PER_PT
        top = y + max(2.0, (min(h, 22.0 * len(lines)) - line_px * len(lines)) / 2)
        for i, text in enumerate(lines):
            drawn = ax.text(x + 4, top + (i + 0.5) * line_px, text, color=colour,
                            fontsize=size_px * 72 / dpi / 1.08, ha="left", va="center",
                            fontweight="bold" if box.get("fontface") == 1 else "normal")
            drawn.set_clip_path(outline)
    fig.savefig(path, dpi=dpi, facecolor="#15171c")
    plt.close(fig)
    return path


def shrink(path: Path, max_kb: float) -> None:
    """Re-save ``path`` with a 256-colour adaptive palette if it is over ``max_kb``."""
    if path.stat().st_size <= max_kb * 1024:
        return
    from PIL import Image

    with Image.open(path) as image:
        image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
            path, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--heatmap", default="centroid_hz",
                        help="the descriptor whose heatmap is shown behind the pad")
    parser.add_argument("--only", choices=("web", "max"), help="make only these screenshots")
    parser.add_argument("--max-kb", type=float, default=300.0)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    made = []
    if args.only in (None, "max"):
        made.append(draw_max_patch(ROOT / "max_patches" / "synth_server.maxpat",
                                   args.out / "max_patch.png"))
    if args.only in (None, "web"):
        made += shoot_pages(args.out, args.model, args.heatmap)
    for path in made:
        shrink(path, args.max_kb)
        print(f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: "
              f"{path.stat().st_size / 1024:.0f} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
