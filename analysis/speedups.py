"""Start-up savings for the processes the build owns: its own process and its kernels.

jsonschema (pulled in by Altair's and nbformat's validation) imports the optional rfc3987_syntax
package when it is installed (Jupyter's event schemas ask for it), and that package compiles a Lark
grammar at import: about a second of every process's start, two thirds of `import altair`. It
serves only the "iri" and "iri-reference" string formats, which neither the Vega-Lite schema nor
nbformat's schemas use (they use "uri", "uri-reference" and "color-hex"), so validation is unchanged.
Applied only in processes the build starts or runs, never on import of the library, so a reader's
own Python session keeps its jsonschema as installed.
"""

from __future__ import annotations

import sys

#: Optional imports whose only use is a check the project's schemas never ask for.
UNUSED = ("rfc3987_syntax",)


def apply() -> None:
    """Make jsonschema skip the unused format checkers (no effect once jsonschema is imported)."""
    if "jsonschema" in sys.modules:
        return
    for name in UNUSED:
        sys.modules.setdefault(name, None)  # type: ignore[assignment] - None: "not installed" to importers
