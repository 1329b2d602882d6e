"""Sample posts for the last six demo blogs (fixed content written for curator's demo)."""

from __future__ import annotations

from curator.demo.posts_a import DemoPost

POSTS_B: dict[str, list[DemoPost]] = {
    "policy-in-public": [
        ("Open policy making: drafting in a shared document", "openness", ("open policy", "drafting"),
         "We drafted a policy paper in a document anyone in the sector could comment on. 300 "
         "comments later, here is what we kept and what we did not."),
        ("Consultation responses are data too", "openness", ("consultation", "analysis"),
         "How we published every consultation response (with consent) alongside our summary, "
         "so people can check our reading of them."),
        ("Policy labs: a field guide for busy officials", "improvement", ("policy lab", "design"),
         "A short guide to running a policy lab session in two hours, with a template agenda "
         "and the questions that unlock a stuck room."),
        ("Using user research to test a policy idea", "improvement", ("user research", "policy"),
         "We tested an early policy idea with twelve people it would affect. Three of our "
         "assumptions did not survive the first interview."),
        ("Why ministers like a prototype", "improvement", ("prototyping", "ministers"),
         "A clickable prototype did more in a ten-minute ministerial briefing than a 20-page "
         "submission. Some notes on showing, not telling."),
        ("Citizens' assemblies: what we learned from running one", "openness", ("deliberation", "engagement"),
         "Forty randomly selected residents, four weekends and a recommendation nobody expected. "
         "Notes for anyone planning their first assembly."),
        ("Writing a blog post in government: the approvals maze", "other", ("blogging", "approvals"),
         "Seven approvers and three weeks for a 600-word post. How we got it down to two "
         "approvers and three days."),
        ("Mapping who we forget to consult", "openness", ("inclusion", "consultation"),
         "A simple stakeholder map showed we keep consulting the same twenty organisations. "
         "What we did to reach beyond them."),
        ("Leaving the civil service: a thank-you note", "other", ("career", "reflection"),
         "After eleven years I am moving to local government. What I learned, who taught me, and "
         "why I am still an optimist."),
    ],
    "blue-light-digital": [
        ("Replacing paper incident forms on the appliance", "improvement", ("forms", "mobile"),
         "Crews now complete incident forms on rugged tablets. We spent more time on offline "
         "mode than on anything else, and it was worth it."),
        ("Home fire safety visits: redesigning the booking", "improvement", ("service design", "booking"),
         "Most people booking a safety visit are doing it for a parent. Designing for the person "
         "booking, not the person visited, changed everything."),
        ("Power BI dashboards station managers will open", "tools", ("power bi", "dashboards"),
         "We cut our dashboards from twenty-three to four. The ones that survived answer a "
         "question a station manager asks every Monday."),
        ("Publishing response times openly", "openness", ("performance", "transparency"),
         "Response times by area are now published monthly with a plain-English explanation of "
         "what affects them. The local paper was fairer than we feared."),
        ("Digital skills for on-call firefighters", "improvement", ("skills", "training"),
         "On-call crews have day jobs and little time. Ten-minute learning bites delivered on the "
         "drill night worked better than any e-learning module."),
        ("Trialling drones for incident mapping", "tools", ("drones", "mapping"),
         "A six-month drone trial for large incidents: the kit, the training, the airspace rules "
         "and the images that changed a tactical decision."),
        ("Wellbeing after difficult shouts", "other", ("wellbeing", "trauma support"),
         "Not a digital post, but an important one: how our peer support scheme works and why "
         "we talk about it in public."),
        ("Microsoft Forms for station audits: good enough?", "tools", ("microsoft forms", "audits"),
         "We moved station audits from paper to Microsoft Forms. It is not perfect, but it was "
         "live in a week and costs nothing extra."),
        ("Show and tell: the new rota app", "openness", ("show and tell", "rota"),
         "Slides and a recording from our open show and tell of the new rota app, including the "
         "questions from crews we could not answer on the day."),
    ],
    "housing-notes": [
        ("Repairs reporting: from phone queue to photo", "improvement", ("repairs", "service design"),
         "Tenants can now report a repair with a photo. Diagnosing right first time went up, and "
         "so did the number of repairs completed in one visit."),
        ("Tenant panels online and in person", "openness", ("tenant engagement", "governance"),
         "Our tenant scrutiny panel now meets in a hybrid format. Attendance has doubled, and the "
         "panel's reports are published in full."),
        ("Damp and mould: listening before fixing", "improvement", ("damp", "user research"),
         "We interviewed thirty households about damp. The fix was not only technical: people "
         "needed to be believed the first time they called."),
        ("Using Excel's Power Query to tame the repairs backlog", "tools", ("excel", "power query"),
         "A step-by-step walkthrough of the Power Query steps that turned six exports into one "
         "backlog view, without buying anything new."),
        ("Publishing our complaints and what we changed", "openness", ("complaints", "transparency"),
         "Every quarter we now publish complaint themes and one change we made because of them. "
         "This quarter: clearer letters about rent increases."),
        ("Digital inclusion is a housing issue", "other", ("digital inclusion", "housing"),
         "A third of our tenants have no home broadband. Some thoughts on what that means for "
         "'digital by default' services."),
        ("Chatbots for tenancy questions: we said no (for now)", "tools", ("chatbots", "ai"),
         "We evaluated three chatbot products for tenancy questions. Here is why we decided to "
         "fix our FAQs first."),
        ("Co-designing the new tenant portal", "improvement", ("co-design", "portal"),
         "Twelve tenants, six sessions, and a portal design we are proud of. Their top request: "
         "see my rent balance without logging in twice."),
        ("What I learned at my first housing unconference", "other", ("unconference", "events"),
         "Sessions on retrofit, data standards and burnout. A round-up of the day and the "
         "people I want to keep talking to."),
    ],
    "data-cafe": [
        ("Data maturity without the maturity model", "improvement", ("data maturity", "strategy"),
         "Maturity models rank you; they rarely help you. A lighter approach: three questions "
         "per team, asked every six months."),
        ("Open data for bus stops: a story in three spreadsheets", "openness", ("open data", "transport"),
         "Bus stop data from three operators, merged, checked and published. The hardest part "
         "was agreeing which stop is which."),
        ("A gentle introduction to DuckDB for analysts", "tools", ("duckdb", "sql"),
         "Query a CSV with SQL in seconds, on a council laptop, without a server. A starter "
         "guide with examples from our housing data."),
        ("Dashboards nobody opens", "improvement", ("dashboards", "user research"),
         "We checked the view counts of every dashboard we publish. Half were opened fewer than "
         "five times last year. What we did next."),
        ("Data ethics panels: lessons from our first year", "openness", ("data ethics", "governance"),
         "Our data ethics panel includes two residents. Their questions have been the most "
         "useful part of every review."),
        ("Notebooks for reproducible reporting", "tools", ("jupyter", "reproducibility"),
         "Moving our monthly performance report from copy-and-paste to a notebook: fewer "
         "errors, and the method is finally written down."),
        ("The café is closing; the data community is not", "other", ("community", "events"),
         "Our monthly data café meet-up loses its venue. Where we go next, and an invitation to "
         "anyone who wants to host."),
        ("Small multiples & other charts that explain themselves", "tools", ("data visualisation", "charts"),
         "A short gallery of chart types that work for public audiences, with the accessible "
         "colour palettes we use."),
        ("Publishing our data standards as a living document", "openness", ("data standards", "working in the open"),
         "Our data standards now live in a public repository where anyone can suggest changes. "
         "Two other authorities have already reused them."),
    ],
    "research-roundtable": [
        ("Recruiting research participants who are not 'the usual'", "improvement", ("recruitment", "inclusion"),
         "Libraries, food banks and barbers' shops: where we found participants who never answer "
         "online surveys, and how we paid them fairly."),
        ("Research ops for a team of one", "improvement", ("research ops", "consent"),
         "Consent forms, a participant database and a repository, all set up by one researcher "
         "with no budget. Templates included."),
        ("Diary studies with people living in temporary accommodation", "improvement", ("diary study", "homelessness"),
         "A three-week diary study with families in temporary accommodation, done with care. "
         "What we learned about the letters we send."),
        ("Synthesising research with sticky notes and Dovetail", "tools", ("dovetail", "synthesis"),
         "Our hybrid approach to synthesis: sticky notes in the room, Dovetail for the record. "
         "Why we stopped trying to choose one."),
        ("Playing back research to councillors", "openness", ("playback", "democracy"),
         "We showed councillors short clips from resident interviews (with consent). It changed "
         "the conversation about the parking permit service."),
        ("Accessibility testing with disabled residents", "improvement", ("accessibility", "testing"),
         "Automated checks catch a third of the problems. Testing with disabled residents caught "
         "the rest. How we set up a paid panel."),
        ("Why I stopped saying 'users'", "other", ("language", "reflection"),
         "Residents, tenants, patients, people. A short reflection on the words we use and "
         "what they make us forget."),
        ("Sharing our research repository across councils", "openness", ("research repository", "sharing"),
         "Four councils now share one research repository. Less duplicated research, and a lot "
         "of agreement about what residents need."),
        ("Guerrilla testing in the town centre", "improvement", ("guerrilla testing", "prototyping"),
         "A tablet, a prototype and a voucher for a coffee. What twenty minutes outside the "
         "shopping centre taught us about our new form."),
    ],
    "small-charity": [
        ("Choosing a CRM when you have no IT team", "tools", ("crm", "charities"),
         "We compared four CRMs for a charity with three staff and sixty volunteers. Our "
         "criteria, our scores and what we picked."),
        ("Funders & the 'digital transformation' question", "other", ("funding", "strategy"),
         "Funders keep asking about our digital transformation. A note on what small charities "
         "actually need: time, training and a decent laptop."),
        ("Running an online open day for volunteers", "openness", ("volunteering", "engagement"),
         "An online open day brought in twenty new volunteers. The running order, the tools and "
         "what we would change."),
        ("Zapier recipes that save us a day a week", "tools", ("zapier", "automation"),
         "Five small automations between our forms, spreadsheet and email tool. Together they "
         "save a day a week of copy and paste."),
        ("Co-producing services with the people who use them", "improvement", ("co-production", "lived experience"),
         "Our advice service was redesigned by a group of people who had used it. Their changes "
         "were small, specific and transformative."),
        ("Digital safeguarding for community groups", "other", ("safeguarding", "online safety"),
         "A plain-language guide to keeping people safe in online groups, video calls and "
         "messaging apps."),
        ("Publishing our impact report as a web page, not a PDF", "openness", ("impact", "accessibility"),
         "This year's impact report is an accessible web page. More people read it, and we can "
         "update it when the numbers change."),
        ("Free & cheap tools for charity comms", "tools", ("tools", "charities"),
         "The free and discounted tools we lean on for design, video and email, and the "
         "limits we hit with each."),
        ("Testing our helpline's web chat with callers", "improvement", ("web chat", "helpline"),
         "Callers told us web chat felt less frightening than phoning. The pilot, the training "
         "and what happened to call volumes."),
        ("Notes from a regional charity digital meet-up", "other", ("events", "community"),
         "A day of short talks and long conversations. The three ideas I am stealing for our "
         "own work this winter."),
    ],
}
