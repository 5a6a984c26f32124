"""The Cosmos conformance script judges a sample by what it prints, not only by its exit code."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT_DIR = Path(__file__).resolve().parents[4] / "scripts" / "sdk_conformance"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    sys.path.insert(0, str(SCRIPT_DIR))  # the script imports its sibling `sdk_archive`
    try:
        spec = importlib.util.spec_from_file_location("cosmos_sdk_script", SCRIPT_DIR / "cosmos_sdk.py")
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(SCRIPT_DIR))


@pytest.mark.parametrize(
    "output",
    [
        "Creating items\n\nrun_sample has caught an error. Status code: 400",
        "Querying...\nStatus code: 400\nMessage: Cross partition query is required",
        "(BadRequest) One of the specified inputs is invalid",
        "Traceback (most recent call last):\n  File 'x.py'",
        "Error in querying item(s)",
    ],
)
def test_printed_errors_fail_a_sample(script: ModuleType, output: str) -> None:
    assert script.printed_failure(output) is not None


def test_clean_output_and_expected_not_found_pass(script: ModuleType) -> None:
    assert script.printed_failure("Created item\nStatus code: 404 as expected after delete\nDone") is None
    assert script.printed_failure("") is None


def test_a_known_sample_defect_is_told_apart_only_when_it_is_the_one_failure(script: ModuleType) -> None:
    alone = "Created\nTraceback (most recent call last):\nFileNotFoundError: No such file or directory: 'file_name.txt'"
    assert script.judge_sample("document_management.py", 1, alone)[0] == "SAMPLE DEFECT"
    # A failure of the emulator's before the defect still fails the sample.
    earlier = "Status code: 400\n" + alone
    assert script.judge_sample("document_management.py", 1, earlier)[0] == "FAILED"
    assert script.judge_sample("document_management.py", 1, "Traceback (most recent call last):\nKeyError")[0] == (
        "FAILED"
    )


def test_refusals_a_sample_prints_on_purpose_pass_only_in_full(script: ModuleType) -> None:
    expected = "\n".join(script.EXPECTED_FAILURES["access_cosmos_with_resource_token.py"])
    assert script.judge_sample("access_cosmos_with_resource_token.py", 0, expected)[0] == "PASSED"
    # One refusal more (the item-scoped token refused on its own item) is a failure.
    more = expected + "\nError in reading item with id '3'."
    assert script.judge_sample("access_cosmos_with_resource_token.py", 0, more) == (
        "FAILED",
        "Error in reading item with id '3'.",
        None,
    )
