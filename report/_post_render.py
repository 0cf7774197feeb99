"""Quarto's post-render step (project: post-render in _quarto.yml): make the pages it wrote open
offline. The work is in analysis/quarto.py (`post_render`); this file only finds it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.quarto import post_render  # noqa: E402 - after the path is set

post_render()
