"""Sample posts for the first six demo blogs (fixed content written for curator's demo).

Each post is (title, theme the author would expect, tags, summary). The theme is the answer key for
the demo's classifier figures; the feeds never carry it.
"""

from __future__ import annotations

DemoPost = tuple[str, str, tuple[str, ...], str]

POSTS_A: dict[str, list[DemoPost]] = {
    "townhall-notes": [
        ("Weeknotes 41: the bin calendar finally ships", "improvement", ("weeknotes", "waste"),
         "After three rounds of testing with residents, the new bin collection calendar is live. "
         "Calls to the contact centre about missed collections fell by a third in the first week."),
        ("Why we publish our roadmap (even the messy bits)", "openness", ("roadmap", "working in the open"),
         "Our digital roadmap is now a public page that anyone can comment on. Councillors were "
         "nervous at first; residents mostly asked sensible questions about timescales."),
        ("Weeknotes 42: procurement, patience and a very long spreadsheet", "other", ("weeknotes",),
         "A week mostly spent on a framework call-off. Some thoughts on why buying things takes "
         "so long and what small councils can do about it."),
        ("Trying Miro for our service blueprint workshop", "tools", ("miro", "workshops"),
         "We ran a remote service blueprint session with twelve people from four teams. What "
         "worked, what didn't, and the template we ended up with."),
        ("What residents told us about council tax reminders", "improvement", ("user research", "council tax"),
         "Five interviews and a pop-up stall in the market hall. People want fewer letters, "
         "clearer dates and one number to ring."),
        ("Weeknotes 43: show and tell season", "openness", ("weeknotes", "show and tell"),
         "We held our first open show and tell for staff and members. Forty people came, three "
         "asked to join the next sprint review."),
        ("A small plea for plain English in committee reports", "other", ("writing", "plain english"),
         "Committee papers are public documents. If a resident cannot follow them, we have not "
         "really published them at all."),
        ("Retiring our oldest web form", "improvement", ("forms", "legacy"),
         "The pest control form dates from 2009 and nobody knew who owned it. How we found out, "
         "who we asked, and what replaced it."),
        ("Weeknotes 44: a quiet week & a loud kettle", "other", ("weeknotes",),
         "Leave, sickness and a broken kettle made for a quiet week. Still: two releases, one "
         "retro, and a lot of tea made the old-fashioned way."),
    ],
    "open-by-default": [
        ("Publishing our spending data every week, not every month", "openness", ("open data", "spending"),
         "We moved spending-over-£500 publication to a weekly cycle. The pipeline was the easy "
         "part; agreeing what counts as a correction took longer."),
        ("Five questions to ask before you open a dataset", "openness", ("open data", "guidance"),
         "Who owns it, who is in it, who will use it, how often it changes and who answers the "
         "emails. A checklist we now use before anything goes on the portal."),
        ("Working in the open when the news is bad", "openness", ("working in the open", "blogging"),
         "Our project missed its milestone. We blogged about it anyway, and the response was "
         "kinder and more useful than we expected."),
        ("An open register of algorithms used by our partners", "openness", ("algorithms", "transparency"),
         "We have started a public register of the automated tools our partner councils use, "
         "following the national algorithmic transparency standard."),
        ("CSV is a love language", "tools", ("csv", "data"),
         "A short defence of the humble CSV file, with some tips for publishing files that "
         "open cleanly in every spreadsheet."),
        ("Freedom of information requests as user research", "openness", ("foi", "user research"),
         "We analysed two years of FOI requests to find out what people actually want from our "
         "data. The answer: bus stops, bins and planning."),
        ("Running a data surgery in a community centre", "openness", ("engagement", "data"),
         "Once a month we set up in a community centre and help anyone who turns up with a data "
         "question. Last month: allotment waiting lists."),
        ("Bilingual open data: doing it properly", "openness", ("welsh language", "open data"),
         "Column headings, metadata and licences all need Welsh and English versions. Lessons "
         "from publishing fully bilingual datasets."),
        ("Reflections on a year of open by default", "other", ("reflection",),
         "Twelve months in, a look back at what changed, what did not, and what we would tell "
         "another partnership thinking of doing the same."),
    ],
    "service-sketches": [
        ("Mapping the outpatient letter journey", "improvement", ("service design", "journey mapping"),
         "We followed one outpatient letter from clinic to doormat. It touched nine systems and "
         "two printers, one of them in another county."),
        ("Service design in the NHS is mostly listening", "improvement", ("service design", "nhs"),
         "Notes from a talk I gave to new designers joining the health board: why the best "
         "tool we have is a notebook and a quiet corner on a ward."),
        ("Prototyping a discharge checklist with ward staff", "improvement", ("prototyping", "wards"),
         "A paper prototype, three nurses, and a night shift. How we co-designed a discharge "
         "checklist that people actually use."),
        ("What a good appointment reminder looks like", "improvement", ("sms", "content design"),
         "We tested six versions of an appointment text message. The winner was the shortest "
         "one, with the date first and the place second."),
        ("Sketchnoting for people who say they can't draw", "tools", ("sketchnotes", "drawing"),
         "Boxes, arrows and stick people will get you a long way. A beginner's kit for visual "
         "note-taking in meetings."),
        ("Making patient feedback visible on the ward", "openness", ("feedback", "engagement"),
         "'You said, we did' boards are back on three wards, with feedback from patients and "
         "what changed as a result."),
        ("Lean, but kind: improvement without the jargon", "improvement", ("lean", "quality improvement"),
         "Quality improvement methods are useful; the language around them often isn't. How we "
         "rewrote our improvement toolkit in plain words."),
        ("A day with the district nursing team", "improvement", ("shadowing", "community health"),
         "Shadowing a district nurse for a day taught me more about our scheduling system than "
         "any requirements document."),
        ("The [draft] label that lived for five years", "other", ("content", "governance"),
         "A page marked [draft] had been live since 2020. A gentle story about ownership, "
         "review dates and why every page needs a named person."),
    ],
    "comms-desk": [
        ("How we ran a consultation people actually answered", "openness", ("consultation", "engagement"),
         "Shorter questions, a paper version in every library and a stall at the Saturday market. "
         "Responses went up fourfold on the last budget consultation."),
        ("Writing for social media during a flood warning", "other", ("emergency comms", "social media"),
         "What we learned posting updates through three days of flood warnings: timing, tone "
         "and when to stop posting jokes."),
        ("Live-streaming council meetings on a shoestring", "openness", ("democracy", "video"),
         "One camera, one laptop and a lot of gaffer tape. How we made every full council "
         "meeting watchable, and what the viewing figures told us."),
        ("Canva templates for the whole council", "tools", ("canva", "design"),
         "We built a set of shared Canva templates so services stop inventing their own posters. "
         "Brand consistency went up; requests to our team went down."),
        ("The press release is not dead, but it is tired", "other", ("media relations",),
         "Local papers have fewer reporters than ever. Some thoughts on what still works when "
         "you need to tell people something important."),
        ("Measuring engagement without vanity metrics", "improvement", ("measurement", "evaluation"),
         "Likes are not outcomes. A simple framework we use to link comms activity to whether "
         "people did the thing we asked."),
        ("Accessible social posts: alt text, hashtags & emoji", "improvement", ("accessibility", "social media"),
         "CamelCase hashtags, alt text on every image and going easy on the emoji. A one-page "
         "guide we now share with every team that posts."),
        ("Scheduling tools compared for a small comms team", "tools", ("scheduling", "social media"),
         "We trialled three scheduling tools for a month each. A comparison of what mattered for "
         "a team of four covering seven accounts."),
        ("Talking to residents who never read the council magazine", "openness", ("engagement", "research"),
         "We knocked on doors in two estates to ask how people hear about council news. The "
         "answers were WhatsApp groups, the school gate and the chippy."),
    ],
    "parish-pump": [
        ("Our first hybrid parish council meeting", "openness", ("hybrid meetings", "democracy"),
         "A borrowed speakerphone, a laptop and eleven residents on screen. What went wrong, what "
         "went right and the kit list for next time."),
        ("Putting the parish minutes online in a searchable way", "openness", ("minutes", "transparency"),
         "Forty years of scanned minutes are now searchable. A volunteer, a free OCR tool and a "
         "great deal of patience."),
        ("A parish clerk's guide to password managers", "tools", ("security", "passwords"),
         "Shared inboxes and sticky notes are not a security policy. How we moved the council onto "
         "a password manager without losing anyone's access."),
        ("What the village survey told us about broadband", "improvement", ("survey", "connectivity"),
         "Two hundred responses from a village of nine hundred. Broadband came top, just ahead "
         "of speeding on the main road."),
        ("Digital skills sessions in the village hall", "improvement", ("digital inclusion", "skills"),
         "Tea, biscuits and help with online banking. The sessions we run on the first Tuesday "
         "of each month, and who comes."),
        ("The parish website rebuild: small, cheap, accessible", "tools", ("website", "accessibility"),
         "We replaced a 2012 website with a simple static site that passes accessibility checks. "
         "Costs, choices and the one plugin we kept."),
        ("Allotments, spreadsheets and a waiting list nobody trusted", "improvement", ("allotments", "process"),
         "Publishing the allotment waiting list (anonymised) ended a decade of rumours. A short "
         "story about fairness and a shared spreadsheet."),
        ("Clerks need communities too", "other", ("community of practice", "peer support"),
         "Parish clerks often work alone. A note on the online group some of us set up to swap "
         "templates and moan about VAT."),
    ],
    "library-lab": [
        ("Lending laptops: six months of the device library", "improvement", ("digital inclusion", "lending"),
         "We have lent 140 laptops and tablets since spring. Who borrowed them, what for, and "
         "the surprising number that came back with thank-you notes."),
        ("Trying Airtable for our events programme", "tools", ("airtable", "events"),
         "Replacing four spreadsheets with one Airtable base for library events. Good for "
         "views and forms; less good when the free tier runs out."),
        ("Raspberry Pi coding clubs: the kit list", "tools", ("raspberry pi", "coding clubs"),
         "Everything we bought to run coding clubs in three branches, what broke and what we "
         "would buy again."),
        ("Self-service kiosks: what borrowers really think", "improvement", ("user research", "kiosks"),
         "We watched people use our self-service kiosks for a week. Most problems came from one "
         "confusing button label."),
        ("Open source catalogue search, one year on", "tools", ("open source", "catalogue"),
         "Moving our catalogue search to an open source discovery layer: the savings, the "
         "community and the bugs we fixed and sent back upstream."),
        ("Using Trello to run a volunteer rota", "tools", ("trello", "volunteers"),
         "Forty volunteers, six branches, one Trello board. The card template and the automation "
         "rules that keep it running."),
        ("A 3D printer in every branch? Not yet", "tools", ("makerspace", "3d printing"),
         "Our pilot makerspace taught us that staff time, not kit, is the real cost. Notes before "
         "anyone asks us to scale it up."),
        ("Reading groups on WhatsApp", "other", ("reading groups", "community"),
         "Two reading groups moved to WhatsApp during a refurbishment and never moved back. "
         "What we have learned about running them well."),
        ("Publishing our branch visitor numbers as open data", "openness", ("open data", "libraries"),
         "Daily visitor counts for every branch are now published. Local groups have already "
         "used them to argue for longer opening hours."),
    ],
}
