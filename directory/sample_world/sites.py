"""Render each sample-world practice into a small multi-page website, in six visibly different styles.

``render_site(practice)`` returns ``{path: (content_type, body_bytes)}``; ``render_listing(world)`` does the
same for the paginated directory listing on ``directory.kapmap.example``. The web server in ``web.py``
serves both over real HTTP.

Everything the pages say comes from the world definition, so the world stays the ground truth that
extraction is compared against. Escaping: every piece of world text goes through ``html.escape`` (and JSON-LD
through ``json.dumps`` with ``<``, ``>`` and ``&`` escaped), in every template. For the hostile practice this
means its pages behave like a CMS that shows a pasted payload literally: the page's visible TEXT contains
``<script>alert(1)</script>`` and ``<img src=x onerror=alert(1)>``, while the markup holds no live tag.
"""

import json
import textwrap
import zlib
from dataclasses import dataclass
from html import escape

import us

from directory.sample_world.pdf import build_pdf
from directory.sample_world.schema import TrueClinician, TruePractice, World
from directory.vocab import Role, Route, Setting

HTML = "text/html; charset=utf-8"
XML = "application/xml; charset=utf-8"
TEXT = "text/plain; charset=utf-8"
PDF = "application/pdf"

Site = dict[str, tuple[str, bytes]]

LISTING_PAGE_SIZE = 10


# --- words shared by every template --------------------------------------------------------------------


def state_name(code: str) -> str:
    found = us.states.lookup(code)
    return found.name if found else code


def join_words(items: list[str], final: str = "and", oxford: bool = False) -> str:
    if len(items) <= 1:
        return "".join(items)
    comma = "," if oxford and len(items) > 2 else ""
    return f"{', '.join(items[:-1])}{comma} {final} {items[-1]}"


def _groups(practice: TruePractice) -> tuple[list[str], list[str], list[str]]:
    both = [a.state for a in practice.states if a.in_person and a.virtual]
    in_person_only = [a.state for a in practice.states if a.in_person and not a.virtual]
    virtual_only = [a.state for a in practice.states if a.virtual and not a.in_person]
    return both, in_person_only, virtual_only


def states_parenthetical(practice: TruePractice) -> str:
    """'Serving clients in Connecticut (in person and online) and in Maryland and Florida (virtual only).'"""
    both, ip_only, v_only = _groups(practice)
    parts = []
    if both:
        parts.append(f"{join_words([state_name(s) for s in both], oxford=True)} (in person and online)")
    if ip_only:
        parts.append(f"{join_words([state_name(s) for s in ip_only], oxford=True)} (in person only)")
    if v_only:
        parts.append(f"{join_words([state_name(s) for s in v_only], oxford=True)} (virtual only)")
    return f"Serving clients in {join_words(parts)}."


def states_abbreviated(practice: TruePractice) -> str:
    """'Licensed in CT, MD and FL. In-person and telehealth sessions in CT; telehealth only in MD and FL.'"""
    both, ip_only, v_only = _groups(practice)
    sentences = [f"Licensed to see clients in {join_words([a.state for a in practice.states])}."]
    clauses = []
    if both:
        clauses.append(f"in-person and telehealth sessions in {join_words(both)}")
    if ip_only:
        clauses.append(f"in-person sessions only in {join_words(ip_only)}")
    if v_only:
        clauses.append(f"telehealth only in {join_words(v_only)}")
    sentences.append("; ".join(clauses).capitalize() + ".")
    return " ".join(sentences)


def states_sentences(practice: TruePractice) -> str:
    """'In-person sessions: Colorado. Telehealth: Colorado, Utah and Washington.'"""
    in_person = [state_name(a.state) for a in practice.states if a.in_person]
    virtual = [state_name(a.state) for a in practice.states if a.virtual]
    parts = []
    if in_person:
        parts.append(f"In-person sessions: {join_words(in_person)}.")
    parts.append(f"Telehealth: {join_words(virtual)}." if virtual else "We do not offer telehealth.")
    return " ".join(parts)


def states_footer(practice: TruePractice) -> str:
    return f"Serving {join_words([state_name(a.state) for a in practice.states])}"


def pick(practice: TruePractice, topic: str, options: tuple[str, ...]) -> str:
    """One of several phrasings, fixed per practice and topic (sites differ, re-renders do not)."""
    return options[zlib.crc32(f"{practice.key}:{topic}".encode()) % len(options)]


ROUTE_WORDS = {
    Route.IV: ("IV ketamine infusions", "intravenous (IV) infusions", "ketamine infusion therapy (IV)"),
    Route.IM: ("intramuscular (IM) ketamine injections", "IM injections", "ketamine by IM injection"),
    Route.ORAL_SUBLINGUAL: ("sublingual ketamine lozenges (troches)", "rapid-dissolve tablets (RDT)",
                            "oral lozenges held under the tongue"),
    Route.INTRANASAL: ("intranasal racemic ketamine", "compounded intranasal ketamine"),
    Route.ESKETAMINE_SPRAVATO: ("Spravato (esketamine) nasal spray", "Spravato®, the FDA-approved esketamine nasal "
                                "spray"),
}


def routes_text(practice: TruePractice) -> str:
    offered = [pick(practice, f"route-{r}", ROUTE_WORDS[Route(r)]) for r in practice.routes]
    if not offered:
        return ""
    lead = pick(practice, "routes", ("We offer {}.", "Medicine options include {}.", "Treatment uses {}."))
    return lead.format(join_words(offered))


def settings_text(practice: TruePractice) -> str:
    words = {
        Setting.CLINIC: ("in our office", "in a private treatment room at our clinic"),
        Setting.AT_HOME: ("at home with a trained sitter present while your therapist joins by video",
                          "in your own home, with a support person present and your therapist on a video call"),
        Setting.GROUP: ("in small groups of four to eight people", "in group ketamine sessions (up to 8 participants)"),
        Setting.RETREAT: ("on multi-day retreats", "during our residential retreats"),
    }
    chosen = [pick(practice, f"setting-{s}", words[Setting(s)]) for s in practice.settings]
    return f"Sessions take place {join_words(chosen, final='or')}." if chosen else ""


def therapy_text(practice: TruePractice) -> str:
    if practice.therapy_included is False:
        return pick(practice, "medical-only", (
            "We provide medical ketamine treatment only and do not offer psychotherapy; we are glad to coordinate "
            "with your own therapist.",
            "Our clinic is medical only: therapy is not included, and we recommend working with an outside "
            "therapist for integration.",
        ))
    text = pick(practice, "therapy", (
        "Every dosing session is paired with preparation and integration psychotherapy (ketamine-assisted "
        "psychotherapy, KAP).",
        "Ketamine-assisted psychotherapy (KAP) here means therapy before, during and after each medicine session.",
        "Your therapist guides preparation sessions, stays with you during dosing, and meets with you for "
        "integration afterwards.",
    ))
    if practice.medical_partner:
        text += " " + pick(practice, "partner", (
            "Ketamine is prescribed by {}, who completes the medical screening.",
            "Medical screening and prescriptions are handled by our partner, {}.",
        )).format(practice.medical_partner)
    return text


def price_lines(practice: TruePractice) -> list[str]:
    lines = []
    for amount in practice.prices_usd:
        money = f"${amount:,.0f}"
        if amount >= 1000:
            lines.append(pick(practice, "package", ("{} for a package of six sessions", "Six-session package: {}",
                                                    "{} (package of 6 treatments)")).format(money))
        elif Setting.GROUP in practice.settings and amount < 150:
            lines.append(f"{money} per group integration circle")
        else:
            lines.append(pick(practice, "session", ("{} per session", "Single session: {}",
                                                    "{} per ketamine session")).format(money))
    return lines


def insurance_text(practice: TruePractice) -> str:
    options = {
        "out_of_network_superbill": (
            "We are out-of-network with all insurers and provide a superbill you may submit for reimbursement.",
            "We do not bill insurance directly, but we can give you a superbill for out-of-network benefits.",
        ),
        "not_accepted": ("We do not accept insurance; payment is due at the time of service.",
                         "Insurance is not accepted. We take all major credit cards and HSA/FSA cards."),
        "accepted": ("We accept most major insurance plans for therapy sessions; ketamine itself is usually self-pay.",
                     "We are in network with several insurance plans; call us to check your coverage."),
    }
    return pick(practice, "insurance", options[practice.insurance]) if practice.insurance else ""


# Neutral prose that real pages carry around the facts: it names no state, route, setting or price, so it
# never changes what a page claims.
WHO_WE_HELP = (
    "People come to us after years of depression that medication alone has not lifted, with anxiety that "
    "narrows their lives, or with the long shadow of trauma. Ketamine can loosen rigid patterns for a while; "
    "therapy helps you use that window.",
    "Many of our clients have tried several antidepressants and years of talk therapy. Ketamine-assisted work "
    "offers a different door: a few hours of altered perspective, held by a clinician you trust, followed by "
    "the slower work of integration.",
    "We work with adults facing treatment-resistant depression, PTSD, anxiety, grief and burnout. Our approach "
    "is unhurried, collaborative and grounded in evidence.",
)
HOW_IT_WORKS = (
    ("Consultation", "A free 15-minute call to see whether ketamine treatment fits your needs and history."),
    ("Medical screening", "A review of your health, medications and blood pressure before any dose is "
                          "prescribed."),
    ("Preparation", "One or two sessions to set intentions, learn what to expect and plan for support."),
    ("Medicine session", "The dosing session itself, with monitoring throughout and time to rest afterwards."),
    ("Integration", "Follow-up sessions to make sense of the experience and carry insights into daily life."),
)


def how_it_works(practice: TruePractice) -> str:
    steps = HOW_IT_WORKS if practice.therapy_included is not False else HOW_IT_WORKS[:2] + HOW_IT_WORKS[3:4]
    return "<ol class=\"steps\">" + "".join(
        f"<li><strong>{escape(title)}</strong> {escape(text)}</li>" for title, text in steps) + "</ol>"


def phone_display(e164: str | None) -> str:
    if not e164:
        return ""
    digits = e164.removeprefix("+1")
    return f"({digits[:3]}) {digits[3:6]}-{digits[6:]}"


def slug(name: str) -> str:
    kept = "".join(ch.lower() if ch.isalnum() else "-" for ch in name if ch.isalnum() or ch in " -")
    return "-".join(part for part in kept.split("-") if part)


def split_site_name(clinician: TrueClinician) -> tuple[str, str]:
    """('Dr. Jane Roe', 'LPC, NCC') from the site's 'Dr. Jane Roe, LPC, NCC'."""
    name, _, post = clinician.site_name.partition(", ")
    return name, post


def title_line(clinician: TrueClinician) -> str:
    """Credentials the site shows as a title rather than after the name, e.g. 'Licensed Psychologist'."""
    return ", ".join(c for c in clinician.credentials if c not in clinician.site_name)


def license_lines(clinician: TrueClinician) -> list[str]:
    if not clinician.site_license_numbers:
        return []
    return [f"{r.title}, {state_name(r.state)} license #{r.number}" for r in clinician.records if r.kind == "license"]


def location_lines(practice: TruePractice) -> list[str]:
    return [f"{loc.street}, {loc.city}, {loc.state} {loc.zip}" for loc in practice.locations]


def area_lines(practice: TruePractice) -> list[str]:
    lines = []
    if practice.cities_served:
        lines.append(f"We welcome clients from {join_words(practice.cities_served)} and nearby towns.")
    if practice.counties_served:
        lines.append(f"Serving {join_words(practice.counties_served)} counties.")
    return lines


def faq_items(practice: TruePractice) -> list[tuple[str, str]]:
    items = [] if practice.facts_page else [("Do you offer telehealth?", states_parenthetical(practice))]
    items += [
        ("How is ketamine given?", f"{routes_text(practice)} {settings_text(practice)}".strip()),
        ("Is therapy part of treatment?", therapy_text(practice)),
    ]
    if practice.insurance:
        items.append(("Do you take insurance?", insurance_text(practice)))
    return items


def pdf_lines(practice: TruePractice) -> list[str]:
    text = [
        practice.name, "New Client Intake Packet and Fee Schedule", "",
        *location_lines(practice), f"Phone {phone_display(practice.phone)}  Email {practice.email or ''}", "",
        states_parenthetical(practice), routes_text(practice), therapy_text(practice), "", "Fees:",
        *price_lines(practice), insurance_text(practice), "", "Our clinicians:",
        *(c.site_name for c in practice.clinicians),
    ]
    return [wrapped for line in text for wrapped in (textwrap.wrap(line, 90) or [""])]


# --- one site's pages ---------------------------------------------------------------------------------


@dataclass
class Page:
    kind: str  # home, team, services, locations, fees, contact, faq, bio, private
    path: str
    title: str
    body: str  # inner HTML (already escaped)
    head: str = ""  # extra <head> markup, e.g. JSON-LD


def p(text: str, cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<p{attr}>{escape(text)}</p>" if text else ""


def ul(lines: list[str], cls: str = "") -> str:
    attr = f' class="{cls}"' if cls else ""
    return f"<ul{attr}>" + "".join(f"<li>{escape(line)}</li>" for line in lines) + "</ul>"


def link(href: str, text: str, rel: str = "") -> str:
    rel_attr = f' rel="{rel}"' if rel else ""
    return f'<a href="{escape(href)}"{rel_attr}>{escape(text)}</a>'


def json_ld(data: dict) -> str:
    # Escape <, > and & so crawled-looking text can never close the script element.
    raw = json.dumps(data, indent=1).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{raw}</script>'


class SiteRenderer:
    """Builds one practice's pages in one style; subclasses change the markup, not the facts."""

    style = "base"
    paths = {"home": "/", "team": "/team", "services": "/ketamine-therapy", "locations": "/locations",
             "fees": "/fees", "contact": "/contact", "faq": "/faq"}
    bio_path = "/team/{slug}"
    has_faq = True
    nav_labels = {"home": "Home", "team": "Our Team", "services": "Ketamine Therapy", "locations": "Locations",
                  "fees": "Fees", "contact": "Contact", "faq": "FAQ"}

    def __init__(self, practice: TruePractice):
        self.practice = practice
        if practice.facts_page:  # the locations page becomes the one page with the places, under the menu label
            path = "/" + slug(practice.facts_page) + ("/" if self.paths["locations"].endswith("/") else "")
            self.paths = {**self.paths, "locations": path}
            self.nav_labels = {**self.nav_labels, "locations": practice.facts_page}

    # -- markup hooks (overridden per style) --
    def document(self, page: Page, nav: str, footer: str) -> str:
        return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{escape(page.title)}"
                f"</title>{page.head}</head><body><header>{nav}</header><main>{page.body}</main>"
                f"<footer>{footer}</footer></body></html>")

    def section(self, heading: str, inner: str) -> str:
        return f"<section><h2>{escape(heading)}</h2>{inner}</section>"

    def person_card(self, clinician: TrueClinician) -> str:
        bio = (p(title_line(clinician), "title") + p(clinician.bio)
               + "".join(p(line) for line in license_lines(clinician)))
        return f"<div class=\"person\"><h3>{self.person_link(clinician)}</h3>{bio}</div>"

    def team_block(self) -> str:
        return "".join(self.person_card(c) for c in self.practice.clinicians)

    def faq_block(self) -> str:
        return "".join(f"<h3>{escape(q)}</h3>{p(a)}" for q, a in faq_items(self.practice))

    def footer(self) -> str:
        practice = self.practice
        lines = [practice.name, *location_lines(practice), phone_display(practice.phone), states_footer(practice)]
        if practice.facts_page:
            lines = [practice.name, phone_display(practice.phone)]
        return "".join(p(line) for line in lines if line)

    def states_main(self) -> str:
        return states_parenthetical(self.practice)

    def home_head(self) -> str:
        return ""

    def bio_head(self, clinician: TrueClinician) -> str:
        return ""

    # -- shared page content --
    def person_link(self, clinician: TrueClinician) -> str:
        if clinician.bio_page:
            return link(self.bio_path.format(slug=slug(clinician.name)), clinician.site_name)
        return escape(clinician.site_name)

    def nav(self) -> str:
        items = [link(self.paths[k], self.nav_labels[k]) for k in self.paths if k != "faq" or self.has_faq]
        for private in self.practice.robots_disallow:
            items.append(link(private, "Client portal"))
        return "<nav>" + " ".join(items) + "</nav>"

    def outbound_links(self) -> str:
        practice = self.practice
        links = []
        if practice.booking_url:
            links.append(link(practice.booking_url, "Book a free consultation"))
        if practice.prescriber_site:
            links.append(link(practice.prescriber_site, f"Our prescribing partner: {practice.medical_partner}"))
        if practice.pdf:
            links.append(link("/files/intake-packet.pdf", "Download our intake packet and fee schedule (PDF)"))
        return "".join(f"<p>{item}</p>" for item in links)

    def pages(self) -> list[Page]:
        practice = self.practice
        ct_line = "Our clinicians are licensed by the CT Dept. of Public Health." if any(
            a.state == "CT" for a in practice.states) else ""
        places_here = not practice.facts_page  # else only the facts page says where and how the practice sees clients
        places = self.section("Where we practice", ul(location_lines(practice), "addresses")
                              + "".join(p(line) for line in area_lines(practice))
                              + p(states_abbreviated(practice)))
        if practice.facts_page:
            places = self.section(practice.facts_page, p(practice.about) + ul(location_lines(practice), "addresses")
                                  + "".join(p(line) for line in area_lines(practice))
                                  + p(states_abbreviated(practice)) + p(states_sentences(practice)) + p(ct_line))
        pages = [
            Page("home", self.paths["home"], practice.name,
                 f"<h1>{escape(practice.name)}</h1>"
                 + (p(practice.about) + p(pick(practice, "who", WHO_WE_HELP)) + p(self.states_main()) + p(ct_line)
                    if places_here else p(pick(practice, "who", WHO_WE_HELP)))
                 + p(therapy_text(practice)) + self.outbound_links(), head=self.home_head()),
            Page("team", self.paths["team"], f"Our Team | {practice.name}",
                 self.section("Meet our clinicians", self.team_block())),
            Page("services", self.paths["services"], f"Ketamine Therapy | {practice.name}",
                 self.section("Ketamine treatment", p(routes_text(practice)) + p(settings_text(practice))
                              + p(therapy_text(practice)) + (p(states_sentences(practice)) if places_here else ""))
                 + self.section("How it works", how_it_works(practice))),
            Page("locations", self.paths["locations"], f"{practice.facts_page or 'Locations'} | {practice.name}",
                 places),
            Page("fees", self.paths["fees"], f"Fees | {practice.name}",
                 self.section("Fees", ul(price_lines(practice), "prices") + p(insurance_text(practice)))
                 + self.outbound_links()),
            Page("contact", self.paths["contact"], f"Contact | {practice.name}",
                 self.section("Contact us", p(f"Call {phone_display(practice.phone)}")
                              + (f'<p>Email {link("mailto:" + practice.email, practice.email)}</p>'
                                 if practice.email else "") + (ul(location_lines(practice)) if places_here else ""))),
        ]
        if self.has_faq:
            pages.append(Page("faq", self.paths["faq"], f"FAQ | {practice.name}",
                              self.section("Frequently asked questions", self.faq_block())))
        for clinician in practice.clinicians:
            if clinician.bio_page:
                pages.append(self.bio_page(clinician))
        for private in practice.robots_disallow:
            pages.append(Page("private", private, f"Client portal | {practice.name}",
                              p("Client portal: sign in to see your documents.")))
        return pages

    def bio_page(self, clinician: TrueClinician) -> Page:
        name, post = split_site_name(clinician)
        if clinician.bio_credentials is not None:  # the bio page contradicts the team page
            post = ", ".join(clinician.bio_credentials)
        heading = f"{name}, {post}" if post else name
        body = (f"<article class=\"bio\"><h1>{escape(heading)}</h1>" + p(title_line(clinician), "title")
                + p(clinician.bio)
                + "".join(p(line) for line in license_lines(clinician)) + "</article>")
        return Page("bio", self.bio_path.format(slug=slug(clinician.name)), f"{heading} | {self.practice.name}",
                    body, head=self.bio_head(clinician))

    def render(self) -> Site:
        nav, footer = self.nav(), self.footer()
        site: Site = {}
        for page in self.pages():
            site[page.path] = (HTML, self.document(page, nav, footer).encode("utf-8"))
        return site


class SquarespaceSite(SiteRenderer):
    style = "squarespace"
    paths = {"home": "/", "team": "/about", "services": "/ketamine-assisted-therapy", "locations": "/locations",
             "fees": "/fees-and-insurance", "contact": "/contact", "faq": "/faq"}
    bio_path = "/about/{slug}"

    def document(self, page, nav, footer):
        return (f"<!doctype html><html><head><meta charset=\"utf-8\"><title>{escape(page.title)}</title>"
                f"<meta name=\"generator\" content=\"Squarespace\">{page.head}</head>"
                f"<body class=\"sqs-site\"><header class=\"header\"><div class=\"header-nav\">{nav}</div></header>"
                f"<main id=\"page\"><article class=\"sections\"><section class=\"page-section\">"
                f"<div class=\"content-wrapper\"><div class=\"sqs-block html-block\"><div class=\"sqs-block-content\">"
                f"{page.body}</div></div></div></section></article></main>"
                f"<footer class=\"sections\" id=\"footer-sections\"><div class=\"sqs-block-content\">{footer}"
                f"</div></footer></body></html>")

    def faq_block(self):
        items = "".join(
            f"<li class=\"accordion-item\"><h4><button class=\"accordion-item__click-target\" aria-expanded=\"false\">"
            f"<span class=\"accordion-item__title\">{escape(q)}</span></button></h4>"
            f"<div class=\"accordion-item__dropdown\"><div class=\"accordion-item__description\">{p(a)}</div>"
            f"</div></li>"
            for q, a in faq_items(self.practice))
        return f"<ul class=\"accordion-items-container\">{items}</ul>"


class WixSite(SiteRenderer):
    style = "wix"
    paths = {"home": "/", "team": "/team", "services": "/services", "locations": "/locations",
             "fees": "/pricing", "contact": "/contact-us", "faq": "/faq"}
    bio_path = "/team-members/{slug}"
    nav_labels = {**SiteRenderer.nav_labels, "team": "Team", "services": "Services", "fees": "Pricing"}

    @staticmethod
    def _nest(inner: str, depth: int, tag: str = "comp") -> str:
        for level in range(depth):
            inner = f"<div id=\"{tag}-k{level}x{depth}\" class=\"wixui-{tag} _{level}aZ9q\"><div>{inner}</div></div>"
        return inner

    def document(self, page, nav, footer):
        body = self._nest(f"<div data-testid=\"richTextElement\" class=\"wixui-rich-text\">{page.body}</div>", 4)
        return (f"<!DOCTYPE html><html lang=\"en\"><head><meta charset='utf-8'>"
                f"<meta name=\"generator\" content=\"Wix.com Website Builder\"><title>{escape(page.title)}</title>"
                f"{page.head}</head><body><div id=\"SITE_CONTAINER\"><div id=\"main_MF\"><div id=\"SITE_HEADER\">"
                f"{self._nest(nav, 2, 'header')}</div><main id=\"PAGES_CONTAINER\">{body}</main>"
                f"<footer id=\"SITE_FOOTER\">{self._nest(footer, 3, 'footer')}</footer></div></div></body></html>")

    def section(self, heading, inner):
        return (f"<h2 class=\"font_2 wixui-rich-text__text\"><span style=\"font-weight:bold;\">{escape(heading)}"
                f"</span></h2>{self._nest(inner, 2, 'section')}")

    def person_card(self, clinician):
        name, post = split_site_name(clinician)
        title = self.person_link(clinician) if clinician.bio_page else escape(name)
        card = (f"<p class=\"font_5\"><span><span>{title}</span></span></p>"
                f"<p class=\"font_8\"><span style=\"letter-spacing:0.1em\">{escape(post)}</span></p>"
                + p(title_line(clinician), "font_8")
                + p(clinician.bio, "font_9") + "".join(p(line, "font_9") for line in license_lines(clinician)))
        return self._nest(card, 3, "repeater")

    def faq_block(self):
        return "".join(
            f"<div role=\"button\" aria-expanded=\"false\" class=\"faq-question\"><span>{escape(q)}</span></div>"
            f"<div class=\"faq-answer\" hidden=\"\">{p(a)}</div>" for q, a in faq_items(self.practice))

    def states_main(self):
        return states_sentences(self.practice)


class WordPressSite(SiteRenderer):
    style = "wordpress"
    paths = {"home": "/", "team": "/our-team/", "services": "/ketamine-assisted-psychotherapy/",
             "locations": "/locations/", "fees": "/fees/", "contact": "/contact/", "faq": "/faq/"}
    bio_path = "/our-team/{slug}/"

    def document(self, page, nav, footer):
        return (f"<!DOCTYPE html><html lang=\"en-US\"><head><meta charset=\"UTF-8\"><title>{escape(page.title)}"
                f"</title><meta name=\"generator\" content=\"WordPress 6.6.2\">"
                f"<link rel=\"stylesheet\" href=\"/wp-content/themes/astra/style.css\">{page.head}</head>"
                f"<body class=\"page-template-default page\"><div id=\"page\" class=\"site\">"
                f"<header id=\"masthead\" class=\"site-header\"><p class=\"site-title\">{escape(self.practice.name)}"
                f"</p><nav id=\"site-navigation\" class=\"main-navigation\">{nav}</nav></header>"
                f"<div id=\"content\" class=\"site-content\"><article class=\"page type-page status-publish\">"
                f"<div class=\"entry-content\">{page.body}</div></article></div>"
                f"<footer id=\"colophon\" class=\"site-footer\"><aside class=\"widget-area\">"
                f"<section class=\"widget widget_text\">{footer}</section></aside></footer></div></body></html>")

    def pages(self):
        pages = super().pages()
        # A blog post whose byline carries the author's credentials.
        author = self.practice.clinicians[0] if self.practice.clinicians else None
        if author is not None:
            pages.append(Page(
                "blog", "/blog/what-to-expect-in-kap/", f"What to expect in KAP | {self.practice.name}",
                f"<article class=\"post\"><h1 class=\"entry-title\">What to expect in ketamine-assisted "
                f"psychotherapy</h1><div class=\"entry-meta\"><span class=\"byline\">By <span class=\"author vcard\">"
                f"{escape(author.site_name)}</span></span> <time datetime=\"2026-03-02\">March 2, 2026</time></div>"
                + p("Most clients meet with their therapist for two preparation sessions before the first dose.")
                + p(settings_text(self.practice)) + "</article>"))
        return pages

    def nav(self):
        return super().nav() + " " + link("/blog/what-to-expect-in-kap/", "Blog")

    def faq_block(self):
        return "".join(f"<details class=\"wp-block-details\"><summary>{escape(q)}</summary>{p(a)}</details>"
                       for q, a in faq_items(self.practice))

    def states_main(self):
        return states_abbreviated(self.practice)


class JsonLdSite(SiteRenderer):
    """Plain modern markup with schema.org JSON-LD (MedicalClinic with employees; Physician/Person bios)."""

    style = "jsonld"
    paths = {"home": "/", "team": "/providers", "services": "/treatments/ketamine", "locations": "/locations",
             "fees": "/pricing", "contact": "/contact", "faq": "/faq"}
    bio_path = "/providers/{slug}"
    nav_labels = {**SiteRenderer.nav_labels, "team": "Providers", "services": "Treatments", "fees": "Pricing"}

    def _person(self, clinician: TrueClinician) -> dict:
        name, post = split_site_name(clinician)
        kind = "Physician" if clinician.role == Role.PRESCRIBER and any(
            c in ("MD", "DO") for c in clinician.credentials) else "Person"
        data = {"@type": kind, "name": name.removeprefix("Dr. "), "honorificSuffix": post}
        if clinician.bio_page:
            data["url"] = f"{self.practice.url.rstrip('/')}{self.bio_path.format(slug=slug(clinician.name))}"
        return data

    def home_head(self):
        practice = self.practice
        loc = practice.locations[0] if practice.locations else None
        data = {
            "@context": "https://schema.org", "@type": "MedicalClinic", "name": practice.name, "url": practice.url,
            "telephone": practice.phone, "email": practice.email,
            "areaServed": [{"@type": "State", "name": state_name(a.state)} for a in practice.states],
            "employee": [self._person(c) for c in practice.clinicians],
        }
        if loc:
            data["address"] = {"@type": "PostalAddress", "streetAddress": loc.street, "addressLocality": loc.city,
                               "addressRegion": loc.state, "postalCode": loc.zip, "addressCountry": "US"}
        return json_ld(data)

    def bio_head(self, clinician):
        data = {"@context": "https://schema.org", **self._person(clinician),
                "worksFor": {"@type": "MedicalClinic", "name": self.practice.name, "url": self.practice.url}}
        return json_ld(data)

    def faq_block(self):
        data = {"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
            {"@type": "Question", "name": q, "acceptedAnswer": {"@type": "Answer", "text": a}}
            for q, a in faq_items(self.practice)]}
        return json_ld(data) + "".join(
            f"<div class=\"faq\"><button class=\"faq-toggle\">{escape(q)}</button><div class=\"faq-body\">{p(a)}"
            f"</div></div>" for q, a in faq_items(self.practice))

    def team_block(self):
        cards = "".join(
            f"<li class=\"provider\"><span class=\"provider-name\">{self.person_link(c)}</span>"
            f"<span class=\"provider-role\">{escape(self._role_label(c))}</span>{p(title_line(c), 'title')}</li>"
            for c in self.practice.clinicians)
        return f"<ul class=\"provider-grid\">{cards}</ul>"

    @staticmethod
    def _role_label(clinician: TrueClinician) -> str:
        return {"prescriber": "Prescribing clinician", "nurse": "Nursing"}.get(clinician.role, "Therapist")

    def states_main(self):
        return states_sentences(self.practice)


class MicrodataSite(SiteRenderer):
    """Markup annotated with schema.org microdata (MedicalBusiness, PostalAddress, Person)."""

    style = "microdata"
    paths = {"home": "/", "team": "/about-us", "services": "/ketamine", "locations": "/office",
             "fees": "/rates", "contact": "/contact", "faq": "/questions"}
    bio_path = "/clinicians/{slug}"
    has_faq = False

    def document(self, page, nav, footer):
        return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{escape(page.title)}</title>"
                f"{page.head}</head><body><div itemscope itemtype=\"https://schema.org/MedicalBusiness\">"
                f"<header>{nav}<meta itemprop=\"name\" content=\"{escape(self.practice.name)}\"></header>"
                f"<main>{page.body}</main><footer>{footer}</footer></div></body></html>")

    def person_card(self, clinician):
        name, post = split_site_name(clinician)
        shown = (link(self.bio_path.format(slug=slug(clinician.name)), name) if clinician.bio_page else escape(name))
        return (f"<div itemprop=\"employee\" itemscope itemtype=\"https://schema.org/Person\" class=\"staff\">"
                f"<h3><span itemprop=\"name\">{shown}</span>, <span itemprop=\"honorificSuffix\">{escape(post)}"
                f"</span></h3>" + p(title_line(clinician), "title")
                + f"<p itemprop=\"description\">{escape(clinician.bio)}</p>"
                + "".join(p(line) for line in license_lines(clinician)) + "</div>")

    def footer(self):
        practice = self.practice
        addresses = "".join(
            f"<div itemprop=\"address\" itemscope itemtype=\"https://schema.org/PostalAddress\">"
            f"<span itemprop=\"streetAddress\">{escape(loc.street)}</span>, "
            f"<span itemprop=\"addressLocality\">{escape(loc.city)}</span>, "
            f"<span itemprop=\"addressRegion\">{escape(loc.state)}</span> "
            f"<span itemprop=\"postalCode\">{escape(loc.zip)}</span></div>" for loc in practice.locations)
        return (addresses + f"<p>Tel: <span itemprop=\"telephone\">{escape(phone_display(practice.phone))}</span></p>"
                + p(states_footer(practice)))

    def states_main(self):
        return states_parenthetical(self.practice)


class HandmadeSite(SiteRenderer):
    """An old hand-written site: tables, <font>, credentials and states in the footer."""

    style = "handmade"
    paths = {"home": "/index.html", "team": "/staff.html", "services": "/ketamine.html",
             "locations": "/directions.html", "fees": "/fees.html", "contact": "/contact.html", "faq": "/faq.html"}
    bio_path = "/staff/{slug}.html"
    has_faq = False

    def render(self):
        site = super().render()
        site["/"] = site["/index.html"]  # the server's root serves the index page
        return site

    def document(self, page, nav, footer):
        return (f"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
                f"<title>{escape(page.title)}</title>{page.head}</head><body bgcolor=\"#fdfbf5\">"
                f"<table width=\"760\" align=\"center\" border=\"0\"><tr><td><font face=\"Georgia\" size=\"5\">"
                f"{escape(self.practice.name)}</font></td></tr><tr><td>{nav}</td></tr>"
                f"<tr><td><font face=\"Verdana\" size=\"2\">{page.body}</font></td></tr>"
                f"<tr><td><hr><font size=\"1\">{footer}</font></td></tr></table></body></html>")

    def section(self, heading, inner):
        return f"<b>{escape(heading)}</b><br>{inner}"

    def nav(self):
        items = [link(self.paths[k], self.nav_labels[k].upper()) for k in self.paths if k != "faq"]
        items += [link(private, "CLIENT PORTAL") for private in self.practice.robots_disallow]
        return " | ".join(items)

    def team_block(self):
        rows = "".join(
            f"<tr><td valign=\"top\"><b>{self.person_link(c)}</b><br>{escape(title_line(c))}</td><td>{escape(c.bio)}"
            + "".join(f"<br>{escape(line)}" for line in license_lines(c)) + "</td></tr>"
            for c in self.practice.clinicians)
        return f"<table cellpadding=\"4\">{rows}</table>"

    def footer(self):
        practice = self.practice
        staff = "; ".join(c.site_name for c in practice.clinicians)
        return (p(f"{practice.name} - {' / '.join(location_lines(practice))} - {phone_display(practice.phone)}")
                + p(f"Staff: {staff}") + p(states_parenthetical(practice)))

    def states_main(self):
        return states_sentences(self.practice)


STYLES: dict[str, type[SiteRenderer]] = {
    cls.style: cls for cls in (SquarespaceSite, WixSite, WordPressSite, JsonLdSite, MicrodataSite, HandmadeSite)
}


# --- whole sites --------------------------------------------------------------------------------------


def _robots(practice: TruePractice) -> str | None:
    if not practice.robots_disallow and not practice.sitemap:
        return None  # like many small sites: no robots.txt at all (404)
    lines = ["User-agent: *", *(f"Disallow: {path}" for path in practice.robots_disallow)]
    if not practice.robots_disallow:
        lines.append("Allow: /")
    if practice.sitemap:
        lines += ["", f"Sitemap: {practice.url}sitemap.xml"]
    return "\n".join(lines) + "\n"


def _sitemap(practice: TruePractice, paths: list[str]) -> str:
    base = practice.url.rstrip("/")
    urls = "".join(f"<url><loc>{escape(base + path)}</loc><lastmod>2026-11-01</lastmod></url>" for path in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n')


def render_site(practice: TruePractice) -> Site:
    """All files of one practice's website: {path: (content type, body)}; paths may carry a query string."""
    renderer = STYLES[practice.template](practice)
    site = renderer.render()
    if practice.pdf:
        site["/files/intake-packet.pdf"] = (PDF, build_pdf(f"{practice.name} intake packet", pdf_lines(practice)))
    robots = _robots(practice)
    if robots is not None:
        site["/robots.txt"] = (TEXT, robots.encode("utf-8"))
    if practice.sitemap:
        listed = [path for path, (ctype, _) in site.items()
                  if ctype == HTML and not any(path.startswith(d) for d in practice.robots_disallow)]
        site["/sitemap.xml"] = (XML, _sitemap(practice, sorted(listed)).encode("utf-8"))
    return site


def listing_page_count(world: World) -> int:
    return max(1, -(-len(world.practices) // LISTING_PAGE_SIZE))


def listing_page_path(number: int) -> str:
    return f"/practices?page={number}"


def render_listing(world: World) -> Site:
    """The paginated directory on ``world.listing_host``: ~10 practices a page, each linking its website."""
    pages = listing_page_count(world)
    site: Site = {}
    for number in range(1, pages + 1):
        chunk = world.practices[(number - 1) * LISTING_PAGE_SIZE: number * LISTING_PAGE_SIZE]
        rows = "".join(
            f"<li class=\"listing\"><h2>{escape(pr.name)}</h2>"
            f"<p class=\"where\">{escape(', '.join(f'{loc.city}, {loc.state}' for loc in pr.locations[:1]))}</p>"
            f"<p>{link(pr.url, 'Visit website')}</p></li>" for pr in chunk)
        pager = []
        if number > 1:
            pager.append(link(listing_page_path(number - 1), "Previous", rel="prev"))
        if number < pages:
            pager.append(link(listing_page_path(number + 1), "Next", rel="next"))
        body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>KAP practices, page {number} | KAPmap"
                f"</title></head><body><h1>Ketamine-assisted therapy practices</h1><p>Page {number} of {pages}</p>"
                f"<ol class=\"results\">{rows}</ol><nav class=\"pager\">{' '.join(pager)}</nav></body></html>")
        site[listing_page_path(number)] = (HTML, body.encode("utf-8"))
    site["/"] = (HTML, (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>KAPmap directory</title></head>"
                        f"<body><h1>KAPmap</h1><p>{link(listing_page_path(1), 'Browse all practices')}</p>"
                        f"</body></html>").encode())
    site["/robots.txt"] = (TEXT, b"User-agent: *\nAllow: /\n")
    return site


def render_world(world: World) -> dict[str, Site]:
    """Every host of the sample web: {host: site}."""
    hosts = {practice.host: render_site(practice) for practice in world.practices}
    hosts[world.listing_host] = render_listing(world)
    return hosts

