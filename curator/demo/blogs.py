"""The demo's sample blogs: who writes them, where they work, and how their feed is published.

Every blog and person here is invented for curator's demo; the voice imitates the UK public-sector
practitioner community (weeknotes, show-and-tells, working in the open). Posts live in
`curator.demo.posts_a` / `posts_b`, keyed by blog slug.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoBlog:
    slug: str
    title: str
    person: str
    org: str
    category: str
    theme: str | None = None  # the OPML default theme hint, when the blog sticks to one theme
    fmt: str = "rss"  # rss | atom
    description: str = ""


BLOGS: tuple[DemoBlog, ...] = (
    DemoBlog("townhall-notes", "Notes from the Town Hall", "Priya Natarajan",
             "Calderbrook Borough Council", "Local government",
             description="Weeknotes from a digital lead in a district council."),
    DemoBlog("open-by-default", "Open by Default", "Gareth Pryce",
             "Valleys Data Partnership", "Data", theme="openness", fmt="atom",
             description="Open data, transparency and working in the open in Wales."),
    DemoBlog("service-sketches", "Service Sketches", "Morag Kinnaird", "Eastfield Health Board",
             "Health", theme="improvement",
             description="A service designer sketches her way through the NHS."),
    DemoBlog("comms-desk", "The Comms Desk", "Dan Oyelaran", "Northmoor County Council",
             "Communications",
             description="Notes on public-sector communications and engagement."),
    DemoBlog("parish-pump", "The Digital Parish Pump", "Helen Marsh", "Ashby Magna Parish Council",
             "Local government", fmt="atom",
             description="A parish clerk learning digital one meeting at a time."),
    DemoBlog("library-lab", "Library Lab", "Sam Okafor", "Riverside Libraries", "Libraries",
             theme="tools", description="Trying new tools so our readers do not have to."),
    DemoBlog("policy-in-public", "Policy in Public", "Ruth Adeyemi",
             "Department for Local Futures", "Central government",
             description="Open policy making, one consultation at a time."),
    DemoBlog("blue-light-digital", "Blue Light Digital", "Callum Reid",
             "Highfell Fire and Rescue Service", "Emergency services",
             description="Digital change in a fire and rescue service."),
    DemoBlog("housing-notes", "Housing Notes", "Aisha Begum", "Brookvale Housing Association",
             "Housing", description="Tenant-centred digital in social housing."),
    DemoBlog("data-cafe", "Data Café", "Tomasz Nowak", "Westmarch Combined Authority", "Data",
             fmt="atom", description="Small data, good coffee, open questions."),
    DemoBlog("research-roundtable", "Research Roundtable", "Jo Whitfield",
             "Harbourside City Council", "Local government", theme="improvement",
             description="User research in a city council, warts and all."),
    DemoBlog("small-charity", "Small Charity, Big Internet", "Niamh O'Connor",
             "Community Voices Network", "Voluntary sector",
             description="Digital for small charities & community groups <on a budget>."),
)
