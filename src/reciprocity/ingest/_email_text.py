"""What a person wrote in an email, without what they quoted, forwarded or signed.

Replies carry the message they answer (``> `` lines, or everything after an "On … wrote:"
line in one of many languages, or after Outlook's "Original Message" header), forwards
carry someone else's message, and signatures repeat under every mail. Counting any of it
as the sender's words would double every conversation, so :func:`own_words` keeps only the
new text. HTML-only mail is turned into plain text with the standard library's HTML
parser (no markup survives, nothing in it is fetched or run).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# The verb of an attribution line ("On 3 June 2024, Alex <a@x> wrote:") in the languages
# mail programs write; the line must also hold a digit or an "@" (a date or an address),
# so that "Then she wrote:" in a person's own text is kept.
_WROTE = re.compile(
    r"\b(wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|написал[аи]?|"
    r"napisał[a]?|skrev|yazdı|kirjoitti|írta|napsal[a]?|έγραψε|كتب|写道|のメッセージ)"
    r"[^\n]{0,80}:\s*$",
    re.IGNORECASE,
)
_ORIGINAL = re.compile(
    r"^\s*-{2,}\s*(original message|ursprüngliche nachricht|message d'origine|"
    r"mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|"
    r"исходное сообщение|oryginalna wiadomość)\s*-{2,}\s*$",
    re.IGNORECASE,
)
_FORWARD = re.compile(
    r"^\s*(-{2,}\s*(forwarded message|weitergeleitete nachricht|message transféré|"
    r"mensaje reenviado|messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|"
    r"пересылаемое сообщение|przekazana wiadomość)\s*-{2,}|begin forwarded message:|"
    r"anfang der weitergeleiteten nachricht:|début du message réexpédié\s?:|"
    r"inicio del mensaje reenviado:)\s*$",
    re.IGNORECASE,
)
# Outlook writes the answered mail's headers without any marker line before them.
_HEADER_FROM = re.compile(r"^\s*\*?(from|von|de|da|van|от|od|från|fra)\*?:\s", re.IGNORECASE)
_HEADER_SENT = re.compile(
    r"^\s*\*?(sent|date|gesendet|datum|envoyé|enviado|inviato|verzonden|отправлено|"
    r"wysłano|skickat|sendt|data)\*?:\s",
    re.IGNORECASE,
)

FORWARDED = "<forwarded message>"


def own_words(text: str) -> tuple[str, bool]:
    """The new text of a mail body, and whether a forwarded message was cut from it.

    >>> own_words("Yes, see you then.\\n\\nOn Mon, 3 Jun 2024, Alex <a@x.org> wrote:\\n> Lunch?")
    ('Yes, see you then.', False)
    >>> own_words("Thanks!\\n-- \\nSam Lee\\nPhone 555")
    ('Thanks!', False)
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    forwarded = False
    for i, line in enumerate(lines):
        if line in ("-- ", "--", "__"):
            break  # the signature delimiter
        if _FORWARD.match(line):
            forwarded = True
            break
        if _ORIGINAL.match(line) or _attribution(line, lines[i + 1 : i + 2]):
            break
        if _HEADER_FROM.match(line) and any(_HEADER_SENT.match(n) for n in lines[i + 1 : i + 5]):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip(), forwarded


def _attribution(line: str, following: list[str]) -> bool:
    """Whether ``line`` (or it and the next, when the mail program wrapped it) says who
    wrote the quoted message that follows."""
    for candidate in (line, " ".join([line, *following])):
        if len(candidate) < 300 and _WROTE.search(candidate):
            return any(c.isdigit() or c == "@" for c in candidate)
    return False


class _Text(HTMLParser):
    """Collects the text of an HTML document, leaving out scripts, styles and quotes."""

    _SKIP = frozenset({"script", "style", "head", "title", "blockquote"})
    _VOID = frozenset(
        {"br", "img", "hr", "meta", "input", "wbr", "link", "area", "base", "col", "source"}
    )
    _BREAK = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._VOID:
            if tag == "br" and not self.skipping:
                self.parts.append("\n")
            return
        classes = " ".join(v or "" for k, v in attrs if k == "class")
        if self.skipping:
            self.skipping += 1  # inside a skipped element, count its children to find its end
        elif tag in self._SKIP or "gmail_quote" in classes or "gmail_signature" in classes:
            self.skipping = 1
            self.parts.append("\n")
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._VOID:
            return
        if self.skipping:
            self.skipping -= 1
            if not self.skipping:
                self.parts.append("\n")
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_text(html: str) -> str:
    """The visible text of an HTML mail body (quotes and signatures Gmail marks left out).

    >>> html_text("<p>Hi <b>Sam</b></p><blockquote>old</blockquote><script>x()</script>")
    'Hi Sam'
    """
    parser = _Text()
    parser.feed(html)
    parser.close()
    text = "".join(parser.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
