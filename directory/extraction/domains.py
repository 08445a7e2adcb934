"""What a site's domain says besides a name: "novamindclinic.com" is Nova Mind and a clinic, "janeroe.com" a person."""

import re
from functools import lru_cache
from urllib.parse import urlsplit

from directory.extraction.geography import STATE_CODES, is_big_town, normalise_state


def compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


def domain_labels(url: str | None) -> list[str]:
    """'https://www.cedar-hollow.com/x' -> ['cedarhollow']; subdomains other than www are kept, the TLD dropped."""
    host = (urlsplit(url).hostname or "") if url else ""
    parts = host.split(".")
    labels = [compact(label) for label in parts[:-1] if label not in {"www", "m", "blog"}]
    if len(parts) >= 2 and len(parts[-1]) >= 4 and parts[-1].isalpha():
        labels.append(compact(parts[-2] + parts[-1]))  # "quill.wellness", "tallow.health": a word TLD ends the name
    # "thecedarhollowcenter.com" spells "Our Cedar Hollow Center": a leading "the" is not part of a long name
    # (on a short domain it is: "At The Glade, we" on thegladeco.com)
    labels += [label[3:] for label in labels if label.startswith("the") and not label.startswith(("thera", "there"))
               and len(label) >= 15]
    return [label for label in labels if len(label) >= 4]


_DOMAIN_SUFFIXES = frozenset(
    """clinic clinics therapy therapies therapist therapists therapeutics health wellness wellbeing center centre
    centers ketamine kap psych psychiatry psychiatric psychology psychotherapy psychedelic psychedelics counseling
    counselling counselor counselors care medical medicine infusions infusion institute group associates collective
    healing mind mental behavioral integrative practice partners solutions services treatment recovery network
    space studio spa lounge and the of online telehealth spravato esketamine interventional tms iv nyc dc pllc
    llc inc co intensive intensives retreat retreats program programs pain spine anesthesia neuro neurology
    rehab functional family vitality aesthetics medspa team""".split()
)


@lru_cache(maxsize=1024)
def describes_rest(rest: str) -> bool:
    """What a domain adds after a name: practice words or a place ("novamind" + "clinic", "intero" + "psychedelic",
    + "counselingcenter", + a town, + "ny"); not a surname ("jane" + "roe")."""
    if not rest or (len(rest) == 2 and rest.upper() in STATE_CODES) or normalise_state(rest) is not None \
            or is_big_town(rest):
        return True
    if len(rest) > 40:
        return False
    ends = {0}  # the prefixes of `rest` that practice words spell whole
    for end in range(1, len(rest) + 1):
        if any(start in ends and rest[start:end] in _DOMAIN_SUFFIXES for start in range(max(0, end - 14), end)):
            ends.add(end)
    return len(rest) in ends


def spells_site(name: str, labels: list[str]) -> bool:
    """The site's own name: a domain label of its own (not practice words alone, "ketamine") begins the name and
    the rest only describes ("Tallow Health" on tallow.health, "Joyful Path Care Team" on joyfulpath.com)."""
    key = compact(name)
    return any(len(label) >= 5 and key.startswith(label) and describes_rest(key[len(label):])
               and not describes_rest(label) for label in labels)
