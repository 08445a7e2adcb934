"""Prices of the market, not of the practice: "IV infusions cost $400-$800 on average", "prices vary from $550
to $1,200", and cost-guide pages ("Ketamine therapy cost varies across the United States").

A practice's page quotes its own fees; a cost guide (often on a practice's own blog) quotes what others charge.
A price said in market words, without "we" / "our", is not the practice's; on a page that surveys the market and
never says "our price", no price, and no route priced in a list, is the practice's offer.
"""

import re

from directory.extraction.document import Document
from directory.extraction.keywords import AnyWord

# Words that make a price sentence speak of prices in general.
_MARKET_SENTENCE = re.compile(
    r"\b(?:on\s+average|average\w*|nationwide|nationally|market|estimated|in\s+the\s+(?:United\s+States|U\.?S\.?)|"
    r"across\s+the\s+(?:United\s+States|U\.?S\.?|country|nation)|(?:some|many|most|other)\s+(?:\w+\s+)?(?:clinics|"
    r"providers|practices|centers)\s+(?:charge|bill)|(?:some|many|most)\s+charge|"
    # the drug's own cost, or a manufacturer's copay programme: not what the practice charges
    r"(?:ketamine|medication|medicine|drug)\s+itself|withMe|savings\s+program|copay\s+(?:card|assistance|program)|"
    # "A typical infusion at a clinic can set you back anywhere from $400 to $1,200"
    r"set\s+(?:you|patients|clients|people)\s+back|anywhere\s+from|an?\s+typical|"
    r"manufacturer|assistance\s+(?:program|fund)\w*|(?:this|the)\s+program\s+(?:will\s+|would\s+|may\s+)?cover|"
    # a worked example or a supposed cost: "for example, if the fee is $1,250", "can increase the cost to $2,000"
    r"for\s+(?:example|instance)|e\.g\.|(?:can|could|may|might|would)\s+(?:\w+\s+){0,2}?(?:cost|increase|raise|"
    r"reduce|lower|double|run)|hypothetical\w*|"
    # what an illness costs society or a patient a year: "adds an annual cost burden of $5,906 to $11,873"
    r"(?:cost|economic|financial)\s+burden|(?:annual|yearly|lifetime)\s+(?:\w+\s+)?costs?|economic\s+cost)\b",
    re.I,
)
# Words that make a whole page a survey of the market (stronger than "costs vary", which a practice also says).
_MARKET_PAGE = re.compile(
    r"\b(?:nationwide|nationally|national\s+average|average\s+(?:cost|price)s?|market\s+prices?|cost\s+guide|"
    r"across\s+the\s+(?:United\s+States|U\.?S\.?|country|nation)|(?:clinics|providers)\s+charge|"
    # "In the US, doctors typically charge $400-800", "A ketamine infusion in the United States costs $300-$1,500"
    r"in\s+the\s+(?:United\s+States|U\.?S\.?)(?=[^.$]{0,60}\$)|(?:doctors|physicians|clinics|providers)\s+"
    r"(?:typically|usually|generally|often)\s+charge|typical\s+cost|price\s+ranges|"
    # "A Guide to Ketamine Clinic Pricing"
    r"guide\s+to\s+(?:\w+\s+){0,3}?(?:pricing|prices|costs?)|(?:pricing|price|cost)\s+guide|"
    # "Spravato's sticker price", "retail pricing": what the drug costs anywhere, not this practice's fee
    r"(?:sticker|retail|list|wholesale)\s+pric\w*)\b",
    re.I,
)
# "we", "our", "I" speak for the practice; "us" only in lower case ("(US)" is the country).
_OWN = re.compile(r"\b(?:[Ww]e|[Oo]ur|[Oo]urs|us|I|[Mm]y)\b|\b(?:[Ww]e|[Ii])['’](?:re|ll|ve|m)\b")
_COST_WORDS = AnyWord(("$", "cost", "price", "pricing", "fee", "charge"))


def market_sentence_words(sentence: str) -> bool:
    """Any market word at all in the sentence (the clause test below is needed only then)."""
    return bool(_MARKET_SENTENCE.search(sentence))


def market_sentence(sentence: str) -> bool:
    """A sentence (or clause) that speaks of prices in general, not in the practice's own voice."""
    return bool(_MARKET_SENTENCE.search(sentence)) and not _OWN.search(sentence)


_CLAUSE = re.compile(r";|,\s+(?:while|whereas|but)\b|\bwhile\b|\bwhereas\b", re.I)


def market_clause(sentence: str, start: int, end: int) -> bool:
    """Is the price at sentence[start:end] said in market words? "Many clinics charge $800; we charge $500": the
    clause around each price decides, not the whole sentence."""
    before = [m.end() for m in _CLAUSE.finditer(sentence, 0, start)]
    after = _CLAUSE.search(sentence, end)
    return market_sentence(sentence[(before[-1] if before else 0):(after.start() if after else len(sentence))])


def speaks_for_itself(sentence: str) -> bool:
    return bool(_OWN.search(sentence))


def market_page(document: Document) -> bool:
    """A cost guide: it surveys the market's prices and never quotes a price in its own voice."""
    surveyed = own_price = False
    for block in document.blocks:
        if not _COST_WORDS.search(block.text):
            continue
        for sentence in block.sentences:
            if not _COST_WORDS.search(sentence):
                continue
            if "$" in sentence and _OWN.search(sentence):
                own_price = True
            elif _MARKET_PAGE.search(sentence) and not _OWN.search(sentence):
                surveyed = True
    return surveyed and not own_price
