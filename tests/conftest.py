"""Shared fixtures: a tiny synthetic platform roadmap with known answers, and the built report."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from analysis import paths


@pytest.fixture
def platforms() -> pd.DataFrame:
    """Two platforms with round numbers, so expected values can be computed by hand."""
    return pd.DataFrame(
        {"availability_half": [2026.5, 2027.5], "accelerators_per_rack": [72.0, 144.0],
         "dies_per_package": [2.0, 4.0], "rack_power_kw": [200.0, 600.0],
         "fp4_dense_pflops_per_rack": [3600.0, 15000.0], "fp8_dense_pflops_per_rack": [1200.0, 5000.0],
         "hbm_gb_per_package": [288.0, 1024.0]},
        index=pd.Index(["Vera Rubin NVL144", "Rubin Ultra NVL576"], name="platform"))


@pytest.fixture(scope="session")
def built_report():
    """Build the report once per test session (the build's cache makes reruns cheap)."""
    proc = subprocess.run([sys.executable, "-m", "analysis", "build", "--quiet"], cwd=paths.ROOT,
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0:
        pytest.fail(f"build failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    from analysis import render
    return render.read_project().output_dir
