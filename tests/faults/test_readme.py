"""The README's table lists every fault case, and the count it states is the table's."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from tests.faults import test_build_inputs as b
from tests.faults import test_data_and_fetch as d
from tests.faults import test_failures_and_safety as f

README = Path(__file__).with_name("README.md").read_text(encoding="utf-8")
#: Tests that are not fault cases themselves: they run the case tables or check consistency.
NOT_CASES = {"test_bad_input_is_one_message", "test_register_extract_is_refused",
             "test_register_years", "test_register_options", "test_survey_round_is_refused",
             "test_kolada_fetch_is_refused", "test_kolada_file_system_errors",
             "test_failure_is_one_message", "test_confidential_env_names_match_the_inputs"}


def table() -> dict[str, str]:
    return dict(re.findall(r"^\| `([^`]+)` \| (clear message|correct output) \|", README, re.M))


def test_every_case_is_in_the_table():
    ids = {c[0] for c in b.CASES + d.REGISTER_CASES + d.SURVEY_CASES + d.KOLADA_CASES
           + f.HANDLER_CASES}
    ids |= {"one-year-extract", "two-year-extract", "year-missing-in-extract", "options-not-json",
            "options-a-list", "options-unknown-key", "read-only-data-folder",
            "disk-full-while-fetching"}
    ids |= {name for mod in (b, d, f) for name, _ in inspect.getmembers(mod, inspect.isfunction)
            if name.startswith("test_") and name not in NOT_CASES}
    assert ids == set(table())


def test_the_stated_count_is_the_table():
    rows = table()
    n_msg = sum(v == "clear message" for v in rows.values())
    stated = re.search(r"\*\*(\d+) cases: (\d+) clear message .*?, (\d+) correct output", README)
    assert stated and tuple(map(int, stated.groups())) == (len(rows), n_msg, len(rows) - n_msg)
    assert len(rows) >= 60
