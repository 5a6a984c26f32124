"""Render docs/images/architecture.html to docs/images/architecture.png with Debian's chromium (playwright).

Run from the repository root after `bash scripts/setup.sh test` (it installs chromium and playwright):
`.venv/bin/python docs/images/render.py`.
"""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
# Containers often lack the user namespaces chromium's sandbox needs; the page is a local file we wrote.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu"]


def main() -> None:
    """Screenshot the diagram's SVG element at twice the pixel density, for sharp text."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1052}, device_scale_factor=2)
            page.goto((HERE / "architecture.html").as_uri())
            page.locator("#diagram").screenshot(path=str(HERE / "architecture.png"))
        finally:
            browser.close()


if __name__ == "__main__":
    main()
