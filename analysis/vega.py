"""What the renderer needs from the charts without importing Altair: the figures' MIME type and the
Vega JavaScript every HTML page embeds (so pages draw charts offline)."""

from __future__ import annotations

import functools

from . import results

#: The output type of a report figure in an executed notebook (analysis/charts.py writes it).
FIGURE_MIME = "application/vnd.tengw.figure+json"


@functools.lru_cache(maxsize=1)
def vl_convert_version() -> str:
    from importlib.metadata import version

    return version("vl-convert-python")


def javascript_bundle() -> str:
    """Return Vega, Vega-Lite and vega-embed as one script.

    vl-convert bundles it anew on every call (seconds of CPU), and it depends only on vl-convert's
    version, so it is kept in the results store."""
    def make() -> str:
        import vl_convert as vlc

        return vlc.javascript_bundle()

    return results.blob("js", {"vega_bundle": vl_convert_version()}, make, suffix=".js")
