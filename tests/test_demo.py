"""`kapdir demo --no-dashboard --json`: the whole product on the sample world, end to end, twice."""

import json

from tests.conftest import run_kapdir


def test_demo_covers_the_sample_world_and_is_idempotent(demo_db):
    path, first = demo_db
    assert set(first) >= {"sites", "pages", "practices", "states", "clinicians", "claims", "verdicts"}
    assert first["practices"] >= 40 and first["states"] >= 15
    assert first["pages"] >= 4 * first["sites"]
    assert first["claims"] > 0 and sum(first["verdicts"].values()) == first["claims"]
    assert first["verdicts"].get("verified", 0) > 0 and first["verdicts"].get("not_found", 0) > 0

    again = run_kapdir("demo", "--no-dashboard", "--json", "--db", str(path))
    assert again.returncode == 0, again.stderr[-2000:]
    assert json.loads(again.stdout) == first


def test_bad_arguments_are_one_line_errors():
    for args in (["demo", "--port", "many"], ["export", "--format", "xml"], ["no-such-command"]):
        result = run_kapdir(*args)
        assert result.returncode == 2
        assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("kapdir: error:")
        assert "Traceback" not in result.stderr
