"""The default roundup sections, with descriptions and seed phrases for the zero-shot classifier.

Written for the kind of posts a public-sector practitioners' network shares: UK local government and
public-sector digital, comms and social media, open data and civic tech blogs. The seeds are the
vocabulary of each theme, not titles of any particular post. Users edit them with `themes edit`.
"""

from __future__ import annotations

DEFAULT_THEMES: list[dict[str, object]] = [
    {
        "slug": "openness",
        "name": "Openness and engagement",
        "description": (
            "Open data, transparency and accountability, freedom of information, open government; "
            "engaging and listening to residents and citizens, consultation, participation, "
            "co-production, democracy, councillors and elections, hyperlocal news and community "
            "voice, civic participation and digital inclusion."
        ),
        "seeds": [
            "open data", "opendata", "data release", "publish data", "publishing data", "dataset",
            "datasets", "data store", "datastore", "data.gov.uk", "linked data", "spending data",
            "spending over 500", "transparency", "transparent", "accountability", "accountable",
            "freedom of information", "foi", "foi request", "open government", "open by default",
            "open policy", "right to know", "public data", "data journalism", "armchair auditor",
            "engagement", "engage", "public engagement", "community engagement", "citizen engagement",
            "online engagement", "digital engagement", "consultation", "consult", "public consultation",
            "participation", "participate", "participatory", "participatory budgeting",
            "co-production", "coproduction", "co-design", "citizen", "citizens", "resident",
            "residents", "community", "communities", "neighbourhood", "hyperlocal", "local people",
            "public voice", "have your say", "listening", "conversation with", "democracy",
            "democratic", "e-democracy", "edemocracy", "digital democracy", "councillor",
            "councillors", "elected member", "elected members", "member of parliament", "mp",
            "election", "elections", "voting", "voter", "vote", "petition", "e-petition",
            "council meeting", "scrutiny", "decision making", "localism", "big society",
            "civic", "civic society", "civil society", "voluntary sector", "volunteer",
            "empower", "empowerment", "young people", "youth", "digital inclusion",
            "digital exclusion", "inclusion", "accessibility", "trust", "public trust",
            "crowdsourcing", "crowdsource", "deliberation", "citizen journalism", "local news",
            "local democracy", "open meeting", "public meeting", "open up", "openness",
            "feedback from residents", "complaint", "complaints", "ward",
        ],
    },
    {
        "slug": "improvement",
        "name": "Improvement and innovation",
        "description": (
            "Improving public services and how organisations work: innovation, transformation, "
            "digital strategy and policy, service design and user research, agile practice, "
            "leadership, culture change, skills and training, budgets and savings, risk, "
            "measurement, lessons learned and professional practice."
        ),
        "seeds": [
            "improvement", "improve", "improving", "service improvement", "innovation", "innovate",
            "innovative", "transformation", "transform", "digital transformation", "change",
            "culture change", "organisational change", "culture", "strategy", "digital strategy",
            "web strategy", "channel strategy", "channel shift", "digital by default", "policy",
            "social media policy", "guidance", "guidelines", "governance", "leadership", "leader",
            "leaders", "manager", "managers", "management", "chief executive", "senior", "skills",
            "digital skills", "training", "learning", "learn", "lessons", "lessons learned",
            "practice", "good practice", "best practice", "professional", "profession",
            "service design", "design thinking", "user research", "user needs", "user-centred",
            "user centred", "customer", "customer service", "customer experience", "agile",
            "lean", "systems thinking", "prototype", "prototyping", "experiment", "pilot",
            "efficiency", "efficient", "savings", "save money", "cuts", "budget", "austerity",
            "cost", "costs", "value for money", "procurement", "business case", "risk",
            "risk averse", "measure", "measurement", "metrics", "evaluation", "evidence",
            "performance", "outcome", "outcomes", "redesign", "reform", "public service reform",
            "shared services", "collaboration", "collaborate", "partnership", "working together",
            "workforce", "staff", "employees", "organisation", "organisations", "team", "teams",
            "internal communications", "comms team", "communications team", "reputation",
            "crisis communications", "emergency planning", "business continuity", "resilience",
            "capability", "silo", "silos", "bureaucracy", "permission", "barriers",  "mindset", "future of", "behaviour change", "nudge", "gds",
            "government digital service", "digital service", "digital services", "public services",
            "local government digital", "website redesign", "content strategy", "plain english",
            "reflection", "reflections", "what i learned", "lessons from", "future council",
        ],
    },
    {
        "slug": "tools",
        "name": "Cool tools",
        "description": (
            "A specific tool, app, platform, website or technology and how to use it: social media "
            "platforms, software, open source, mapping, video and webcasting, mobile apps, plugins, "
            "how-to guides, tips and reviews of a product."
        ),
        "seeds": [
            "tool", "tools", "toolkit", "app", "apps", "application", "mobile app", "platform",
            "software", "open source", "plugin", "widget", "dashboard", "website", "web site",
            "site", "cms", "wordpress", "drupal", "blogger", "tumblr", "wiki", "twitter", "tweet",
            "tweets", "tweeting", "hashtag", "twitter chat", "facebook", "facebook page",
            "youtube", "video", "videos", "vine", "instagram", "snapchat", "pinterest", "flickr",
            "linkedin", "google", "google maps", "google plus", "google+", "google analytics",
            "yammer", "slack", "trello", "hootsuite", "tweetdeck", "storify", "audioboo",
            "soundcloud", "podcast", "periscope", "livestream", "live stream", "live streaming",
            "webcast", "webcasting", "broadcast", "whatsapp", "skype", "ipad", "iphone",
            "android", "smartphone", "mobile", "tablet", "sms", "text message", "qr code",
            "qr codes", "rss", "feed reader", "email newsletter", "mailchimp", "chatbot", "bot",
            "api", "apis", "mashup", "map", "maps", "mapping", "gis", "openstreetmap",
            "spreadsheet", "excel", "github", "code", "coding", "developer", "hack", "hack day",
            "hackathon", "mysociety", "writetothem", "theyworkforyou", "online tool",
            "how to", "how-to", "tips", "top tips", "tutorial", "guide to", "step by step",
            "review", "launch", "launched", "beta", "alpha", "new site", "search", "analytics",
            "cloud", "technology", "tech", "digital tool", "gadget", "free tool",
            "social network", "social networking", "online forum", "forum", "chat", "live chat",
            "crowdmap", "ushahidi", "wearable", "internet of things", "3d printing", "drone",
        ],
    },
    {
        "slug": "other",
        "name": "...and",
        "description": (
            "Everything else: personal news, careers and jobs, leaving and starting roles, events "
            "and unconferences announced, awards, humour, link roundups, book reviews and "
            "general musings."
        ),
        "seeds": [
            "job", "jobs", "career", "careers", "hire", "hiring", "recruit", "recruitment",
            "vacancy", "vacancies", "cv", "interview", "redundancy", "redundant", "new job",
            "new role", "leaving", "farewell", "goodbye", "moving on", "next chapter", "pleased to",
            "announce", "announcement", "personal", "holiday", "christmas", "new year",
            "birthday", "anniversary", "years ago", "my year", "week notes", "weeknotes",
            "humour", "funny", "joke", "jokes", "laugh", "spoof", "fun", "cake", "music",
            "football", "family", "book", "books", "reading list", "links", "link roundup",
            "roundup", "round-up", "weekly", "this week", "best of", "favourite", "award",
            "awards", "winner", "shortlist", "shortlisted", "nominated",
            "congratulations", "thank you", "thanks", "event", "events", "unconference",
            "conference", "camp", "barcamp", "govcamp", "tickets", "sign up",
            "save the date", "meetup", "workshop", "speakers", "speaking", "guest post",
            "guest blog", "blogging", "blogger", "blog", "writing", "write", "welcome",
            "introduction", "hello", "rant", "musings", "random",
            "public sector job", "salary", "pay", "pension", "retire", "freelance",
        ],
    },
]

DEFAULT_SLUGS = [str(t["slug"]) for t in DEFAULT_THEMES]
FALLBACK_SLUG = "other"
