"""The demo's phrase banks: every line written for this project, grouped by what it does.

Keys are the names scenes ask for (:mod:`reciprocity.demo.scenes`); each :class:`Bank` says
which acts its lines carry, so the demo doubles as a labelled set: a later stage can check
that it finds distress where the script put distress. Lines are casual British English chat.
"""

from __future__ import annotations

from reciprocity.demo.phrases import Bank, PairBank

BANKS: dict[str, Bank] = {
    # --- openers, small talk -------------------------------------------------------------
    "greet": Bank((), ("hey", "hiya", "hey you", "morning!", "evening 🙂", "hello hello", "hi")),
    "check_in": Bank(
        ("check_in", "question"),
        (
            "how are you doing?",
            "how's your week been?",
            "how are things?",
            "you ok? haven't heard from you in a bit",
            "how's everything going with {life_area}?",
            "how are you holding up?",
            "how was your weekend?",
            "all good with you?",
            "how's {life_area} treating you?",
            "how are you feeling today?",
        ),
    ),
    "status_fine": Bank(
        ("disclosure",),
        (
            "all good here, just busy with {life_area}",
            "not bad! work's been hectic but fine",
            "pretty good actually, went to {place} at the weekend",
            "fine, bit tired",
            "yeah ok, same old",
            "good thanks, just got back from {place}",
            "can't complain. been {chore} all day",
            "alright, bit knackered from {hobby}",
        ),
        depth=1,
    ),
    "news_small": Bank(
        ("disclosure",),
        (
            "just got back from {place}",
            "made {food} tonight, turned out pretty well",
            "finally started watching {show}",
            "went to {place} with {friend} yesterday",
            "it's {weather} here today",
            "spent the whole afternoon {chore}",
            "we're thinking of going to {place} in {month}",
            "I've started {hobby} again",
            "look at this {link}",
            "found this, thought of you {link}",
        ),
        depth=1,
    ),
    "opinion": Bank(
        ("disclosure",),
        (
            "honestly I think {show} got better after the first season",
            "I reckon {place} is a bit overrated",
            "I'm starting to think I should look for a new job",
            "not sure {plan} is worth it tbh",
            "I think I need to get out of the city more",
            "I've decided I'm done with late nights for a while",
            "I think I'd be happier somewhere smaller, you know?",
        ),
        depth=2,
    ),
    "status_short": Bank(
        ("disclosure",),
        ("yeah fine", "ok", "alright", "busy", "fine thanks", "not bad", "same old"),
        depth=1,
    ),
    "minimal": Bank(
        (),
        (
            "yeah",
            "ha",
            "nice",
            "cool",
            "ok",
            "lol",
            "yep",
            "maybe",
            "true",
            "👍",
            "haha yeah",
            "ah ok",
            "mm",
            "sure",
        ),
    ),
    "laugh": Bank((), ("hahaha", "😂😂", "lol stop", "dying", "that's brilliant", "haha classic")),
    "invite": Bank(
        ("request", "question"),
        (
            "want to get {food} {when}?",
            "are you free {day} evening? fancy {activity}?",
            "{activity} this weekend?",
            "shall we do {activity} {when}?",
            "fancy a walk {when}?",
            "come over for dinner {when}?",
            "we should do {activity} soon, when are you free?",
        ),
    ),
    "accept": Bank(
        ("accept",),
        (
            "yes! I'm in",
            "sounds good, what time?",
            "go on then",
            "perfect, see you there",
            "yes please",
            "deal",
            "love that, {time} works",
            "yes!! been wanting to do that",
        ),
    ),
    "decline": Bank(
        ("decline",),
        (
            "can't this week, sorry",
            "I'll have to skip this one",
            "not sure I can, I'll let you know",
            "maybe another time?",
            "I'm wiped, can we do next week?",
            "probably not sorry, got stuff on",
        ),
    ),
    "plan_time": Bank(
        (),
        (
            "shall we say {time}?",
            "{time} at mine?",
            "meet there at {time}?",
            "how about {time}?",
            "great, I'll send you the details",
        ),
    ),
    "plan_ok": Bank((), ("perfect", "👍", "works for me", "see you then!", "great")),
    "bye": Bank((), ("night!", "speak soon", "see you {when}", "ok talk later", "sleep well")),
    "favour_yes": Bank(
        ("accept",),
        (
            "yes of course",
            "sure, when do you need it?",
            "no problem, I can do {day}",
            "happy to, just tell me when",
        ),
    ),
    "gossip_reply": Bank((), ("oh dear", "ha, really?", "oof", "yikes", "hm, that's not great")),
    "request_favour": Bank(
        ("request", "question"),
        (
            "could you do me a favour and {favour}?",
            "any chance you could {favour}?",
            "can you {favour}? I'll owe you one",
            "random one but could you {favour}?",
        ),
    ),
    "thanks": Bank(
        ("gratitude",),
        (
            "thank you!!",
            "thanks so much",
            "you're a star, thank you",
            "thank you, really appreciate it",
            "cheers, that helps a lot",
            "ah thanks, that's kind",
        ),
    ),
    "apology": Bank(
        ("apology",),
        (
            "sorry for the slow reply!",
            "sorry, been all over the place this week",
            "sorry I missed your call",
            "sorry, only just seen this",
            "sorry for going quiet",
        ),
    ),
    "no_worries": Bank(
        (),
        ("no worries!", "all good, another time", "ah shame, no worries", "ok no problem"),
    ),
    "thanks_heard": Bank(
        ("gratitude",),
        (
            "thank you for hearing me, that means a lot",
            "thanks. I really appreciate you saying that",
        ),
    ),
    "nudge": Bank(
        ("question",),
        (
            "hey, did you see my message?",
            "just checking you got my last message?",
            "hello? 🙂",
            "you alive?",
        ),
    ),
    # --- good news and the answers to it --------------------------------------------------
    "good_news": Bank(
        ("good_news", "disclosure"),
        (
            "I got the job!!",
            "guess what, I passed {exam} 🎉",
            "we got the flat!!",
            "I finally {achievement}",
            "just heard I'm getting promoted",
            "my short story got accepted for the anthology!",
            "results came back and I did way better than I thought",
            "they offered me the role!! starting in {month}",
        ),
        depth=2,
    ),
    "celebrate": Bank(
        ("celebrate",),
        (
            "that's amazing!! congratulations 🎉",
            "NO WAY. so happy for you",
            "so proud of you, you worked so hard for this",
            "congrats!! we have to celebrate",
            "yesss, you totally deserve it",
            "this is huge!! how are you feeling?",
            "amazing news, tell me everything",
            "well done!! that's brilliant",
        ),
    ),
    "passive_ack": Bank((), ("nice", "oh cool", "good for you", "nice one 👍", "ah good")),
    # --- hard times and support -------------------------------------------------------------
    "distress": Bank(
        ("distress", "disclosure"),
        (
            "I'm having a really rough day",
            "honestly I'm not doing great",
            "I feel like everything is falling apart right now",
            "I'm so anxious about {worry} I can't sleep",
            "I just can't stop crying today",
            "I feel so alone with all of this",
            "I'm exhausted, I don't think I can keep doing this",
            "everything feels like too much at the moment",
            "I'm really struggling with {worry}",
            "had a panic attack on the way to work",
            "I feel sick with worry about {worry}",
        ),
        depth=3,
        down=True,
    ),
    "vent": Bank(
        ("complaint_without_solution", "disclosure"),
        (
            "{person} did it again, took credit for my work in the meeting",
            "the landlord still hasn't fixed the heating. it's been three weeks",
            "{person} cancelled on me AGAIN",
            "nothing I do is ever good enough for them",
            "today was a disaster from start to finish",
            "why does everything always go wrong at once",
        ),
        depth=2,
        down=True,
    ),
    "gossip": Bank(
        ("gossip",),
        (
            "{person} is so fake, only ever calls when they want something",
            "don't tell anyone but {person} has been slagging everyone off again",
            "honestly {person} is the most selfish person I know",
        ),
        down=True,
    ),
    "support_seek": Bank(
        ("support_seek", "question"),
        (
            "can I call you?",
            "are you free to talk? I really need someone",
            "I don't know what to do, what would you do?",
            "can you help me think this through?",
            "sorry, can I vent for a sec?",
            "do you have a minute? I'm not ok",
        ),
        down=True,
    ),
    "support_emotional": Bank(
        ("support_emotional",),
        (
            "I'm so sorry, that sounds really hard",
            "I'm here, take your time",
            "that's not your fault, you know that right?",
            "sending a massive hug",
            "you're not on your own with this",
            "it makes total sense you feel like that",
            "I'm proud of you for getting through today",
            "that sounds exhausting, I'm sorry you're dealing with it",
            "I'm always here for you, you know that",
        ),
        down=True,
    ),
    "support_practical": Bank(
        ("support_practical",),
        (
            "do you want me to come over?",
            "I can drive you on {day} if that helps",
            "maybe write down what you want to say before you talk to them?",
            "have you thought about talking to HR about it?",
            "I can send you the number of the counsellor I saw",
            "want me to bring food round later?",
            "try to get some sleep and we'll make a plan tomorrow",
        ),
    ),
    "support_question": Bank(
        ("question", "check_in"),
        (
            "what happened?",
            "do you want to talk about it?",
            "how are you feeling now?",
            "did you manage to sleep at all?",
            "is there anything I can do?",
        ),
    ),
    "weak_support": Bank(
        ("support_emotional",),
        ("ah that sucks", "oh no", "hope it gets better", "ugh sorry"),
        down=True,
    ),
    "feel_better": Bank(
        ("gratitude", "disclosure"),
        (
            "thank you, I feel a bit better",
            "thanks for listening, honestly",
            "you always know what to say",
            "I don't know what I'd do without you",
            "ok. thank you for being there",
        ),
        depth=3,
        down=True,
    ),
    "sam_hard": Bank(
        ("distress", "disclosure"),
        (
            "I've had a hard week too honestly, really worried about {worry}",
            "my {family} is in hospital again, I'm pretty shaken",
            "I'm not in a great place at the moment tbh",
            "I've been feeling really low lately",
            "can I be honest? I'm finding things really hard right now",
        ),
        depth=3,
        down=True,
    ),
    "deflect": Bank(
        (),
        (
            "oh no. anyway can I tell you what happened today?",
            "that sucks. so about {person}...",
            "hm",
            "ugh same. anyway",
            "oh right. did you see what I sent?",
            "yeah. listen, I need your advice on something",
        ),
        down=True,
    ),
    "i_statement": Bank(
        ("i_statement", "disclosure"),
        (
            "can I say something? I feel a bit hurt when I'm always the one reaching out. "
            "I'd really like it if you checked in on me sometimes too",
        ),
        depth=3,
        down=True,
    ),
    "repair": Bank(
        ("apology",),
        ("oh. sorry, you're right. I'll try to be better at it",),
        down=True,
    ),
    "moving_to_telegram": Bank(
        ("request",),
        ("btw I'm on Telegram now, can we chat there instead? my WhatsApp keeps crashing",),
    ),
    # --- the pub-quiz group: Jordan answers Sam warmly, Alex talks only to Jordan --------------
    "quiz_yes_warm": Bank(
        ("accept", "gratitude"),
        (
            "count me in! thanks for rounding us up again Sam",
            "yes!! wouldn't miss it. Sam you're a star for organising",
            "in! thanks Sam, the week needed this",
            "always 🙌 thanks for booking it Sam",
            "yes please, Sam I'll get the first round",
        ),
    ),
    "quiz_news": Bank(
        ("good_news", "disclosure"),
        (
            "we came third last week!! first time on the board",
            "the quizmaster says we're top of the league this month",
            "I finally won the picture round bet, pay up everyone 😄",
        ),
        depth=2,
    ),
    "quiz_to_jordan": Bank(
        ("question",),
        (
            "@Jordan are you driving or shall we get the bus?",
            "Jordan did you ever find out the answer to that flag question?",
            "@Jordan can you save me a seat near the heater?",
            "Jordan can you bring the pen that works this time?",
        ),
    ),
    "quiz_to_alex": Bank(
        ("question",),
        (
            "Alex are you coming too? there's room",
            "@Alex you in this week?",
            "Alex we could use your music round brain, coming?",
        ),
    ),
    "quiz_jordan_to_alex": Bank(
        (),
        ("yep, leaving at {time}", "will do", "ha, no idea still", "deal"),
    ),
}

#: Questions with answers that fit them (asked with ``Scene.ask``).
PAIRS: dict[str, PairBank] = {
    "ask_about": PairBank(
        ("question",),
        (
            (
                "what are you up to this weekend?",
                (
                    "nothing much, probably staying in",
                    "going to {place} on Saturday",
                    "not sure yet",
                    "seeing {friend}, should be fun",
                ),
            ),
            (
                "did you end up going to {place}?",
                ("yeah, it was good", "no, ran out of time", "not yet, maybe next week"),
            ),
            (
                "have you seen {show} yet?",
                ("not yet", "yeah, loved it", "watched one episode, not sure about it"),
            ),
            (
                "how's the new {new_thing}?",
                ("yeah good", "still getting used to it", "love it honestly"),
            ),
            (
                "any plans for {holiday}?",
                ("not really", "might go to {place}", "haven't thought about it yet"),
            ),
            (
                "what did you think of {show}?",
                ("it was ok", "loved it", "bit slow honestly"),
            ),
            (
                "are you still doing {hobby}?",
                ("on and off", "yeah, twice a week", "gave up lol"),
            ),
            (
                "how's your {family} doing?",
                ("better, thanks", "same really", "ok I think"),
            ),
            (
                "what time do you finish tomorrow?",
                ("about 6", "late, like 8", "not sure yet"),
            ),
            (
                "how did {event} go?",
                ("fine I think", "ok, glad it's over", "better than expected"),
            ),
        ),
    ),
    "celebrate_more": PairBank(
        ("question",),
        (
            (
                "how are you feeling about it?",
                ("honestly still buzzing", "can't quite believe it", "excited and a bit scared"),
            ),
            (
                "are you celebrating tonight?",
                ("yes! cake at least 😂", "might get a takeaway", "going out with {friend}"),
            ),
            (
                "we need to mark this, drinks on {day}? my treat",
                ("go on then!", "yes please!!", "deal 🥂"),
            ),
            (
                "tell me everything! how did it happen?",
                ("will tell you properly when I see you!", "long story, but it just worked out"),
            ),
        ),
        answer_acts=("disclosure",),
        answer_depth=2,
    ),
}
