"""The command line: --set parsing (safe, typed), variants, and one-line errors."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from analysis import build, cli
from analysis.errors import InputError


def test_set_values_are_read_as_yaml_scalars_and_lists():
    got = cli.parse_set(["pue=1.35", "power_basis=it", "schedule_gw_per_half=[1, 1.5]", "platform_delay_halves=2"])
    assert got == {"pue": 1.35, "power_basis": "it", "schedule_gw_per_half": (1, 1.5), "platform_delay_halves": 2}


@pytest.mark.parametrize("item", ["pue=!!python/object/apply:os.system ['echo x']",
                                  "pue=!!python/name:os.system"])
def test_set_never_evaluates_code(item):
    with pytest.raises(InputError, match="cannot parse"):
        cli.parse_set([item])


@pytest.mark.parametrize("items, message", [(["pue"], "KEY=VALUE"), (["=1"], "KEY=VALUE"),
                                            (["pue="], "no value"), (["pue=1.2", "pue=1.3"], "twice")])
def test_set_refuses_malformed_items(items, message):
    with pytest.raises(InputError, match=message):
        cli.parse_set(items)


def _args(**kw) -> argparse.Namespace:
    base = {"set": None, "scenario": None, "scenario_file": None, "name": None}
    return argparse.Namespace(**{**base, **kw})


def test_overrides_build_one_named_variant_of_base_beside_the_others():
    [v] = cli.variants_from(_args(set=["pue=1.3"]))
    assert v.scenario == "base" and v.overrides == {"pue": 1.3} and v.name.startswith("base-custom-")
    [named] = cli.variants_from(_args(set=["pue=1.3"], name="mine"))
    assert named.name == "mine"
    assert [v.name for v in cli.variants_from(_args())] == build.scenario_names()


def test_scenario_file_variant_is_named_after_the_file(tmp_path):
    f = tmp_path / "my-view.yaml"
    f.write_text("title: Mine\ndescription: d\nassumptions: {pue: 1.25}\n")
    [v] = cli.variants_from(_args(scenario_file=str(f)))
    assert v.name == "my-view" and v.scenario == str(f.resolve())


def test_argument_errors_are_one_line_with_exit_2():
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        rc = cli.main(["build", "--jobs", "many"])
    assert rc == 2 and len(err.getvalue().strip().splitlines()) == 1 and err.getvalue().startswith("error: ")


def test_validate_accepts_a_good_override():
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = cli.main(["validate", "--scenario", "base", "--set", "pue=1.3"])
    assert rc == 0, err.getvalue()
