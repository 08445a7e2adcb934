"""docs/operations.md stays true: its systemd units are valid, its cron line well formed, its JSON keys real."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from directory.refresh import Summary

DOC = (Path(__file__).resolve().parents[2] / "docs" / "operations.md").read_text()


def units() -> dict[str, str]:
    """Each ``/etc/systemd/system/NAME``: heading and the ini block after it."""
    found = re.findall(r"`/etc/systemd/system/([\w.-]+)`:\s*```ini\n(.*?)```", DOC, re.S)
    return dict(found)


def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    found = units()
    assert set(found) == {"kapdir-refresh.service", "kapdir-refresh.timer"}
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed here")
    kapdir = Path(sys.executable).with_name("kapdir")
    assert kapdir.is_file()
    for name, body in found.items():
        (tmp_path / name).write_text(body.replace("/opt/kapdir/.venv/bin/kapdir", str(kapdir)))
    assert "ExecStart=/opt/kapdir/.venv/bin/kapdir refresh\n" in found["kapdir-refresh.service"]
    result = subprocess.run(["systemd-analyze", "verify", *(str(tmp_path / name) for name in sorted(found))],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def test_the_cron_line_is_five_time_fields_then_refresh():
    (line,) = [line for line in DOC.splitlines() if "kapdir refresh" in line and line[:1].isdigit()]
    minute, hour, day, month, weekday, command = line.split(None, 5)
    assert 0 <= int(minute) <= 59 and (hour, day, month, weekday) == ("*", "*", "*", "*")
    assert "/opt/kapdir/.venv/bin/kapdir refresh" in command


def test_every_summary_key_and_setting_is_documented():
    keys = Summary(run_id=1).as_dict()
    for key in keys:
        assert f"`{key}`" in DOC, key
    for setting in ("KAPDIR_RECRAWL_DAYS", "KAPDIR_RECRAWL_MAX_DAYS", "KAPDIR_RECRAWL_RETRY_HOURS",
                    "KAPDIR_SEEDS_FILE", "KAPDIR_CRAWL_PROXY", "check_every_hours", "retry_after_hours",
                    "publishes_every_days"):
        assert setting in DOC, setting
