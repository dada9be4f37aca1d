"""What happens in each relationship's conversations: one script per shape.

Each script's ``write(scene, start)`` decides who opens the session and what they talk about,
with probabilities that give the relationship its shape (see :mod:`reciprocity.demo.expected`
for the figures they are meant to produce). Scripts keep a little state where a real person
would (an unanswered message gets a nudge next time).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reciprocity.demo.simulate import Scene

ME = "Sam"


@dataclass
class OneSided:
    """Alex: Sam reaches out, asks, invites; Alex answers late and briefly, rarely asks back."""

    other: str = "Alex"
    unanswered: bool = False

    def write(self, s: Scene, start: datetime) -> None:
        """Fill one session."""
        a = self.other
        if self.unanswered:
            self.unanswered = False
            s.say(ME, "nudge")
            if s.maybe(0.4):
                s.say(a, "apology")
            s.say(a, s.rng.choice(("status_short", "minimal")))
            if s.maybe(0.5):
                s.say(ME, "news_small")
            return
        if s.maybe(0.12):
            self._alex_starts(s)
            return
        r = s.rng.random()
        if r < 0.45:
            self._catch_up(s)
        elif r < 0.70:
            self._invite(s)
        elif r < 0.85:
            s.say(ME, "news_small")
            if s.maybe(0.4):
                s.media(ME, "image")
            if s.maybe(0.55):
                s.say(a, s.rng.choice(("minimal", "laugh")))
        elif r < 0.93:
            s.say(ME, "good_news")
            roll = s.rng.random()
            if roll < 0.7:
                s.say(a, "passive_ack")
            elif roll < 0.85:
                s.say(a, "celebrate")
        else:
            s.say(ME, "sam_hard")
            roll = s.rng.random()
            if roll < 0.6:
                s.say(a, "weak_support")
            elif roll < 0.85:
                s.say(a, "minimal")

    def talk(self, s: Scene, start: datetime) -> None:
        """The day Sam says how it feels (an "I" statement); Alex apologises, little changes."""
        s.say(ME, "check_in")
        s.say(self.other, "status_fine")
        s.say(ME, "i_statement")
        s.say(self.other, "repair")
        s.say(ME, "thanks_heard")

    def _alex_starts(self, s: Scene) -> None:
        a = self.other
        r = s.rng.random()
        if r < 0.4:
            s.say(a, "request_favour")
            s.say(ME, "favour_yes")
            s.say(a, "thanks")
        elif r < 0.7:
            s.media(a, s.rng.choice(("image", "video", "gif")))
            s.say(ME, "laugh")
            s.ask(ME, a if s.maybe(0.6) else None)
        else:
            s.say(a, "news_small")
            s.ask(ME, a)
            s.say(ME, "news_small")

    def _catch_up(self, s: Scene) -> None:
        a = self.other
        if s.maybe(0.6):
            s.say(ME, "greet")
        s.say(ME, "check_in")
        if s.maybe(0.25):
            self.unanswered = True
            return
        s.say(a, s.rng.choice(("status_fine", "status_short", "status_short", "minimal")))
        if s.maybe(0.1):
            s.say(a, "check_in")
            s.say(ME, "status_fine")
            s.say(ME, "news_small")
            return
        s.say(ME, s.rng.choice(("news_small", "opinion")), lines=2 if s.maybe(0.2) else 1)
        if s.maybe(0.3):
            s.ask(ME, None)
            return
        s.ask(ME, a)
        if s.maybe(0.6):
            # Sam acknowledges the short answer; Alex lets the conversation drop there.
            s.say(ME, s.rng.choice(("laugh", "bye", "minimal")))

    def _invite(self, s: Scene) -> None:
        a = self.other
        s.say(ME, "invite")
        if s.maybe(0.15):
            self.unanswered = True
            return
        if s.maybe(0.55):
            s.say(a, "decline")
            s.say(ME, "no_worries")
        else:
            s.say(a, "accept")
            s.say(ME, "plan_time")
            if s.maybe(0.6):
                s.say(a, "plan_ok")


@dataclass
class Balanced:
    """Jordan: either one starts, both ask, both share good news and celebrate the other's."""

    other: str = "Jordan"
    calls_from: datetime | None = None
    # Good news and hard times take turns, so "both ways" holds at any sample size.
    news_turn: int = 0
    hard_turn: int = 0
    # Sessions each has started; whoever is behind usually starts the next one, as friends
    # who keep things even do (and so the demo stays balanced whatever the seed).
    my_starts: int = 0
    their_starts: int = 0

    def write(self, s: Scene, start: datetime) -> None:
        """Fill one session."""
        if self.my_starts != self.their_starts and s.maybe(0.6):
            me_first = self.my_starts < self.their_starts
        else:
            me_first = s.maybe(0.5)
        x, y = (ME, self.other) if me_first else (self.other, ME)
        calls = self.calls_from is not None and start >= self.calls_from
        r = s.rng.random()
        if 0.56 <= r < 0.72:
            x, y = self._turn(self.news_turn)
            self.news_turn += 1
        elif 0.72 <= r < 0.82:
            x, y = self._turn(self.hard_turn)
            self.hard_turn += 1
        if x == ME:
            self.my_starts += 1
        else:
            self.their_starts += 1
        if r < 0.38:
            self._catch_up(s, x, y)
        elif r < 0.56:
            s.say(x, "invite")
            if s.maybe(0.75):
                s.say(y, "accept")
                s.say(x, "plan_time")
                s.say(y, "plan_ok")
            else:
                s.say(y, "decline")
                s.say(x, "no_worries")
        elif r < 0.72:
            news = s.say(x, "good_news")
            s.say(y, "celebrate", to=news)
            s.ask(y, x, "celebrate_more")
            if s.maybe(0.5):
                s.say(x, "thanks")
        elif r < 0.82:
            first = s.say(x, s.rng.choice(("distress", "vent")))
            if calls and s.maybe(0.4):
                s.say(x, "support_seek")
                s.call(y, seconds=s.rng.randrange(300, 2700))
                s.say(x, "feel_better")
                s.say(y, "support_emotional")
                return
            s.say(y, "support_question", to=first)
            s.say(x, "distress")
            s.say(y, "support_emotional")
            if s.maybe(0.5):
                s.say(y, "support_practical")
            s.say(x, "feel_better")
        elif r < 0.92:
            if s.maybe(0.6):
                s.media(x, s.rng.choice(("image", "sticker", "gif", "video")))
            else:
                s.say(x, "news_small")
            s.say(y, "laugh")
            if s.maybe(0.5):
                s.say(x, "laugh")
        else:
            ask = s.say(x, "request_favour")
            if s.maybe(0.8):
                s.say(y, "favour_yes", to=ask)
                s.say(x, "thanks")
            else:
                s.say(y, "decline", to=ask)
                s.say(x, "no_worries")

    def _turn(self, n: int) -> tuple[str, str]:
        return (ME, self.other) if n % 2 == 0 else (self.other, ME)

    def _catch_up(self, s: Scene, x: str, y: str) -> None:
        if s.maybe(0.5):
            s.say(x, "greet")
        s.say(x, "check_in")
        s.say(y, "status_fine")
        if s.maybe(0.8):
            s.say(y, "check_in")
            s.say(x, s.rng.choice(("status_fine", "news_small", "opinion")))
        s.ask(y, x)
        if s.maybe(0.4):
            s.ask(x, y)
        if s.maybe(0.3):
            s.say(y, "bye")

    def move(self, s: Scene, start: datetime) -> None:
        """The last WhatsApp session: Jordan asks to move the chat to Telegram."""
        s.say(self.other, "moving_to_telegram")
        s.say(ME, "accept")


@dataclass
class Leaning:
    """Riley: leans on Sam in hard times; Sam supports; Riley seldom asks or supports back."""

    other: str = "Riley"

    def write(self, s: Scene, start: datetime) -> None:
        """Fill one session."""
        if s.maybe(0.65):
            self._riley_starts(s)
        else:
            self._sam_starts(s)

    def _riley_starts(self, s: Scene) -> None:
        r = s.rng.random()
        if r < 0.5:
            self._vent(s)
        elif r < 0.7:
            if s.maybe(0.35):
                news = s.say(self.other, "good_news")
                s.say(ME, "celebrate", to=news)
                s.ask(ME, self.other, "celebrate_more")
            else:
                s.say(self.other, "news_small")
                s.ask(ME, self.other)
        elif r < 0.85:
            s.say(self.other, "invite")
            if s.maybe(0.8):
                s.say(ME, "accept")
                s.say(self.other, "plan_time")
                s.say(ME, "plan_ok")
            else:
                s.say(ME, "decline")
        else:
            s.say(self.other, "gossip")
            s.say(ME, "gossip_reply")
            if s.maybe(0.5):
                s.media(self.other, "image")

    def _vent(self, s: Scene) -> None:
        r = self.other
        if s.maybe(0.25):
            s.call(r)
            s.say(r, "support_seek")
        first = s.say(r, "distress", lines=s.rng.choice((1, 1, 2, 3)))
        if s.maybe(0.4):
            s.say(r, "vent")
        if s.maybe(0.4):
            s.say(r, "support_seek")
        s.say(ME, "support_question", to=first)
        if s.maybe(0.3):
            s.media(r, "audio")
        s.say(r, s.rng.choice(("distress", "vent")), lines=s.rng.choice((1, 2)))
        s.say(ME, "support_emotional")
        if s.maybe(0.5):
            s.say(ME, "support_practical")
        if s.maybe(0.6):
            s.say(r, "feel_better")
            if s.maybe(0.75):
                s.say(ME, "support_emotional")

    def _sam_starts(self, s: Scene) -> None:
        r = self.other
        roll = s.rng.random()
        if roll < 0.55:
            s.say(ME, "check_in")
            if s.maybe(0.6):
                s.say(r, "distress", lines=s.rng.choice((1, 2)))
                s.say(ME, "support_emotional")
                if s.maybe(0.4):
                    s.say(ME, "support_practical")
                s.say(r, "feel_better")
            else:
                s.say(r, "status_fine")
                if s.maybe(0.1):
                    s.say(r, "check_in")
                    s.say(ME, "status_fine")
        elif roll < 0.8:
            hard = s.say(ME, "sam_hard")
            answer = s.rng.random()
            if answer < 0.7:
                s.say(r, "deflect")
                s.say(r, "distress")
                s.say(ME, "support_emotional", to=hard)
            elif answer < 0.85:
                s.say(r, "weak_support")
        else:
            s.say(ME, "good_news")
            answer = s.rng.random()
            if answer < 0.6:
                s.say(r, "passive_ack")
            elif answer < 0.85:
                s.say(r, "deflect")
            else:
                s.say(r, "celebrate")


@dataclass
class ParentChild:
    """Kai, Sam's teenager: family logistics, and a child who looks after the parent's mood."""

    other: str = "Kai"

    def write(self, s: Scene, start: datetime) -> None:
        """Fill one session."""
        if s.maybe(0.55):
            self._parent_starts(s)
        else:
            self._child_starts(s)

    def _parent_starts(self, s: Scene) -> None:
        k = self.other
        r = s.rng.random()
        if r < 0.45:
            s.say(ME, "parent_logistics")
            if s.maybe(0.85):
                s.say(k, "child_ack")
        elif r < 0.7:
            s.ask(ME, k, "parent_ask")
            if s.maybe(0.3):
                s.say(ME, "parent_bye")
        else:
            s.say(ME, "parent_confide", lines=s.rng.choice((1, 1, 2)))
            if s.maybe(0.4):
                s.say(k, "child_check")
            s.say(k, "child_comfort")
            if s.maybe(0.4):
                s.say(k, "child_practical")
            s.say(ME, "parent_thanks")
            if s.maybe(0.3):
                s.say(k, "child_comfort")

    def _child_starts(self, s: Scene) -> None:
        k = self.other
        r = s.rng.random()
        if r < 0.35:
            s.say(k, "child_request")
            s.say(ME, "parent_yes" if s.maybe(0.75) else "parent_no")
            s.say(k, "child_ack")
        elif r < 0.7:
            s.say(k, "child_check")
            if s.maybe(0.75):
                s.say(ME, "parent_confide_answer")
                s.say(k, "child_comfort")
                if s.maybe(0.4):
                    s.say(k, "child_practical")
                s.say(ME, "parent_thanks")
            else:
                s.say(ME, "status_fine")
                s.say(k, "child_comfort")
        elif r < 0.85:
            s.say(k, "child_good_news")
            s.say(ME, "parent_celebrate")
            s.say(k, "child_thanks")
        else:
            s.say(k, "child_update")
            s.say(ME, "parent_bye")


@dataclass
class QuizGroup:
    """The pub-quiz group (Sam, Alex, Jordan): a weekly round of who's coming.

    Jordan answers Sam, warmly and by name, and celebrates Sam's news; Alex writes in the
    group but only ever to Jordan (by name, right after Jordan), never answering Sam: the
    two shapes the group analysis must tell apart."""

    members: tuple[str, str] = ("Alex", "Jordan")

    def write(self, s: Scene, start: datetime) -> None:
        """Fill one session."""
        alex, jordan = self.members
        s.say(ME, "invite")
        s.say(jordan, "quiz_yes_warm")
        if s.maybe(0.6):
            # Alex speaks only after Jordan, and to Jordan.
            s.say(alex, "quiz_to_jordan")
            s.say(jordan, "quiz_jordan_to_alex")
            if s.maybe(0.5):
                s.say(ME, "quiz_to_alex")  # Sam asks Alex; Alex does not answer
        s.say(ME, "plan_time")
        if s.maybe(0.5):
            s.say(jordan, "plan_ok")
        if s.maybe(0.3):
            s.say(ME, "quiz_news")
            s.say(jordan, "celebrate")
        if s.maybe(0.3):
            s.media(jordan, "image")
