"""Copy the front-end libraries installed from npm into the package's static folder (served locally)."""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEST = HERE.parent / "src" / "strategyfirst" / "web" / "static" / "vendor"
FILES = {
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    "vega.min.js": "vega/build/vega.min.js",
    "vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
}

if __name__ == "__main__":
    DEST.mkdir(parents=True, exist_ok=True)
    for name, rel in FILES.items():
        shutil.copyfile(HERE / "node_modules" / rel, DEST / name)
    print(f"front-end libraries copied to {DEST}")
