"""The offline place index: the shipped file is what the installed zipcodes package gives; lookups behave."""

from directory.extraction.geography import (
    INDEX_PATH,
    _load_place_index,
    build_place_index,
    main_state_of_city,
    normalise_state,
    states_of_city,
    states_of_county,
)


def test_shipped_index_matches_the_zipcodes_package():
    # If this fails after upgrading zipcodes: `python -m directory.extraction.geography` rewrites the file.
    assert INDEX_PATH.exists()
    assert _load_place_index() == build_place_index()


def test_lookups():
    assert states_of_city("Naperville") == {"IL"}
    assert {"CT", "VA"} <= states_of_city("Norfolk")
    assert main_state_of_city("Norfolk", {"CT", "VA"}) == "VA"  # Norfolk is Virginia's big city
    assert "OH" in states_of_city("Upper Arlington")  # another name of a Columbus ZIP
    assert "FL" in states_of_city("St. Petersburg") and states_of_city("Saint Petersburg") == states_of_city(
        "St. Petersburg"
    )
    assert states_of_county("Fairfield") & states_of_county("New Haven") == {"CT"}
    assert "LA" in states_of_county("St. Tammany")
    assert normalise_state("Washington, D.C.") == "DC"
    assert normalise_state("virginia") == "VA" and normalise_state("West Virginia") == "WV"
    assert normalise_state("Narnia") is None
