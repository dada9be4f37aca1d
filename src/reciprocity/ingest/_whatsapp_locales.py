"""What WhatsApp writes in each language: one table per language, data only.

A phone exports its chats in the language it is set to: the placeholders for media left
out, the deleted and edited markers, missed calls, the notices it writes itself, and the
file name. :mod:`._whatsapp_patterns` joins every table into the few patterns the parser
runs (so a new language is one more :class:`Locale` here); :func:`language_of` tells an
export's language from its file name and placeholders, which is the hint for the date
order when no date in the file settles it (every language here but English writes the
day first, whatever the phone's region).

The wording was read from public parsers and examples of real exports (whatstk,
chat-analytics' attachment list, whats_json's localised strings, and the many small
scripts people wrote for their own language); phrases differ between Android (``<...>``
placeholders) and iPhone (``<kind> omitted``), and between app versions, so a language
may list several.

Android's note after an attached file's name (``attached``) in Turkish ("dosya ekli"),
Russian ("файл добавлен"), Indonesian ("file terlampir") and its second Spanish spelling
("archivo adjuntado") come from the list whats_json (starkdmi/whats_json,
``lib/src/patterns.dart``) collected from WhatsApp for Android's own strings (the
``email_file_attached`` key); the Russian one is also in a real Android export among its
test chats (``test/data/languages/russian_android.txt``: ``Alex.vcf (файл добавлен)``),
and Turkish parsers people wrote for their own chats look for "(dosya ekli)" too. Not
"файл прикреплен", which no export shows.

The 12-hour clock's words (``halves``) are only those that the AM/PM pattern does not read
already: German "vorm."/"nachm.". Spanish "a. m."/"p. m." (with a space or a narrow
no-break space) is read by that pattern; no language here was found to write other words
after the time: Turkish parsers look for "ÖÖ"/"ÖS", but in an iPhone export's header
before the time, a layout the header pattern does not read and no export here shows, so
they are not added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Locale:
    """One language's wording in WhatsApp's text exports.

    ``media``: Android's placeholder for a file left out, written between ``<`` and ``>``.
    ``omitted``: iPhone's placeholder per kind of file (``image omitted``). ``documents``:
    iPhone's placeholder after a document's name (``Report.pdf • 3 pages document
    omitted``). ``attached``: Android's note after a file's name in an export with media
    (``IMG-...jpg (file attached)``). ``calls``: missed calls. ``deleted``: deleted
    messages, the sender's and one's own. ``edited``: the marker after an edited message.
    ``notices``: how the notices the app writes itself begin (the encryption notice).
    ``titles``: how the export's file name begins before the chat's name.
    ``halves``: the words a 12-hour clock writes after the time for the morning and for
    the afternoon, where they are not AM/PM (German ``vorm.``, ``nachm.``).
    ``dayfirst``: the date order its phones write (None: it depends on the region).
    """

    code: str
    name: str
    dayfirst: bool | None
    media: tuple[str, ...] = ()
    omitted: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    attached: tuple[str, ...] = ()
    calls: tuple[str, ...] = ()
    deleted: tuple[str, ...] = ()
    edited: tuple[str, ...] = ()
    notices: tuple[str, ...] = ()
    titles: tuple[str, ...] = ()
    halves: tuple[str, str] | None = None


LOCALES: tuple[Locale, ...] = (
    Locale(
        "en",
        "English",
        None,
        media=("Media omitted",),
        omitted=(
            "image omitted",
            "video omitted",
            "audio omitted",
            "sticker omitted",
            "GIF omitted",
            "Contact card omitted",
            "video note omitted",
            "live location shared",
        ),
        documents=("document omitted",),
        attached=("file attached",),
        calls=(
            "Missed voice call",
            "Missed video call",
            "Missed group voice call",
            "Missed group video call",
        ),
        deleted=("This message was deleted", "You deleted this message"),
        edited=("This message was edited",),
        notices=(
            "Messages and calls are end-to-end encrypted",
            "Messages to this group are now secured with end-to-end encryption",
        ),
        titles=("WhatsApp Chat with ", "WhatsApp Chat - ", "WhatsApp Chat – ", "WhatsApp Chat — "),
    ),
    Locale(
        "de",
        "German",
        True,
        media=("Medien ausgeschlossen", "Medien weggelassen", "Medien ausgelassen"),
        omitted=(
            "Bild weggelassen",
            "Video weggelassen",
            "Audio weggelassen",
            "Sticker weggelassen",
            "GIF weggelassen",
            "Kontaktkarte weggelassen",
            "Kontaktkarte ausgelassen",
        ),
        documents=("Dokument weggelassen",),
        attached=("Datei angehängt",),
        calls=(
            "Verpasster Sprachanruf",
            "Verpasster Videoanruf",
            "Verpasster Gruppen-Sprachanruf",
            "Verpasster Gruppen-Videoanruf",
        ),
        deleted=("Diese Nachricht wurde gelöscht", "Du hast diese Nachricht gelöscht"),
        edited=("Diese Nachricht wurde bearbeitet",),
        notices=(
            "Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt",
            "Nachrichten an diese Gruppe sind jetzt mit Ende-zu-Ende-Verschlüsselung",
        ),
        titles=("WhatsApp Chat mit ", "WhatsApp-Chat mit "),
        halves=("vorm.", "nachm."),
    ),
    Locale(
        "fr",
        "French",
        True,
        media=("Médias omis", "Fichier omis", "Média omis"),
        omitted=(
            "image absente",
            "vidéo absente",
            "audio omis",
            "sticker omis",
            "GIF retiré",
            "Fiche contact manquante",
        ),
        documents=("document manquant", "document omis"),
        attached=("fichier joint",),
        calls=("Appel vocal manqué", "Appel vidéo manqué"),
        deleted=("Ce message a été supprimé", "Vous avez supprimé ce message"),
        edited=("Ce message a été modifié",),
        notices=("Les messages et les appels sont chiffrés de bout en bout",),
        titles=("Discussion WhatsApp avec ",),
    ),
    Locale(
        "es",
        "Spanish",
        True,
        media=("Multimedia omitido", "Archivo omitido", "Medios omitidos"),
        omitted=(
            "imagen omitida",
            "video omitido",
            "audio omitido",
            "sticker omitido",
            "GIF omitido",
            "Tarjeta de contacto omitida",
        ),
        documents=("documento omitido",),
        attached=("archivo adjunto", "archivo adjuntado"),
        calls=("Llamada perdida", "Llamada de voz perdida", "Videollamada perdida"),
        deleted=(
            "Se eliminó este mensaje",
            "Eliminaste este mensaje",
            "Este mensaje fue eliminado",
        ),
        edited=("Se editó este mensaje.", "Se editó este mensaje"),
        notices=(
            "Los mensajes y las llamadas están cifrados de extremo a extremo",
            "Los mensajes y llamadas están cifrados de extremo a extremo",
        ),
        titles=("Chat de WhatsApp con ",),
    ),
    Locale(
        "pt",
        "Portuguese",
        True,
        media=("Mídia oculta", "Mídia omitida", "Multimédia omitido", "Ficheiro não revelado"),
        omitted=(
            "imagem ocultada",
            "vídeo ocultado",
            "áudio ocultado",
            "figurinha omitida",
            "GIF omitido",
            "Cartão do contato omitido",
            "imagem não revelada",
            "vídeo não revelado",
            "sticker não revelado",
            "Contacto não revelado",
        ),
        documents=("documento omitido", "documento não revelado"),
        attached=("arquivo anexado", "ficheiro anexado"),
        calls=("Chamada de voz perdida", "Chamada de vídeo perdida", "Videochamada perdida"),
        deleted=(
            "Mensagem apagada",
            "Esta mensagem foi apagada",
            "Você apagou esta mensagem",
            "Apagou esta mensagem",
        ),
        edited=("Esta mensagem foi editada", "Mensagem editada"),
        notices=(
            "As mensagens e as chamadas são protegidas com a criptografia de ponta a ponta",
            "As mensagens e as ligações são protegidas com a criptografia de ponta a ponta",
            "As mensagens e as chamadas estão protegidas com encriptação ponto a ponto",
        ),
        titles=("Conversa do WhatsApp com ", "Conversa no WhatsApp com "),
    ),
    Locale(
        "it",
        "Italian",
        True,
        media=("Media omessi", "Media omesso"),
        omitted=(
            "immagine omessa",
            "video omesso",
            "audio omesso",
            "sticker omesso",
            "sticker non incluso",
            "GIF esclusa",
            "Scheda contatto omessa",
        ),
        documents=("documento omesso",),
        attached=("file allegato",),
        calls=("Chiamata vocale persa", "Videochiamata persa"),
        deleted=("Questo messaggio è stato eliminato", "Hai eliminato questo messaggio"),
        edited=("Questo messaggio è stato modificato",),
        notices=("I messaggi e le chiamate sono crittografati end-to-end",),
        titles=("Chat WhatsApp con ",),
    ),
    Locale(
        "nl",
        "Dutch",
        True,
        media=("Media weggelaten",),
        omitted=(
            "afbeelding weggelaten",
            "video weggelaten",
            "audio weggelaten",
            "sticker weggelaten",
            "GIF weggelaten",
            "Visitekaartje weggelaten",
        ),
        documents=("document weggelaten",),
        attached=("bestand bijgevoegd",),
        calls=(
            "Gemiste spraakoproep",
            "Gemiste video-oproep",
            "Gemist spraakgesprek",
            "Gemist videogesprek",
        ),
        deleted=(
            "Dit bericht is verwijderd",
            "Je hebt dit bericht verwijderd",
            "U hebt dit bericht verwijderd",
        ),
        edited=("Dit bericht is bewerkt",),
        notices=("Berichten en oproepen worden end-to-end versleuteld",),
        titles=("WhatsApp-chat met ",),
    ),
    Locale(
        "tr",
        "Turkish",
        True,
        media=("Medya dahil edilmedi", "Medya atlanmış"),
        omitted=(
            "görüntü dahil edilmedi",
            "video dahil edilmedi",
            "ses dahil edilmedi",
            "Çıkartma dahil edilmedi",
            "GIF dahil edilmedi",
            "Kişi kartı dahil edilmedi",
        ),
        documents=("belge dahil edilmedi",),
        attached=("dosya ekli",),
        calls=("Cevapsız sesli arama", "Cevapsız görüntülü arama"),
        deleted=("Bu mesaj silindi", "Bu mesajı sildiniz"),
        edited=("Bu mesaj düzenlendi",),
        notices=("Mesajlar ve aramalar uçtan uca şifrelidir",),
    ),
    Locale(
        "ru",
        "Russian",
        True,
        media=("Без медиафайлов", "Файл пропущен"),
        omitted=(
            "изображение отсутствует",
            "видео отсутствует",
            "аудиофайл отсутствует",
            "стикер не добавлен",
            "GIF отсутствует",
            "Карточка контакта отсутствует",
        ),
        documents=("документ отсутствует",),
        attached=("файл добавлен",),
        calls=("Пропущенный аудиозвонок", "Пропущенный видеозвонок"),
        deleted=(
            "Данное сообщение удалено",
            "Это сообщение удалено",
            "Вы удалили данное сообщение",
            "Вы удалили это сообщение",
        ),
        edited=("Сообщение изменено",),
        notices=("Сообщения и звонки защищены сквозным шифрованием",),
        titles=("Чат WhatsApp с ",),
    ),
    Locale(
        "id",
        "Indonesian",
        True,
        media=("Media tidak disertakan",),
        omitted=("gambar tidak disertakan", "video tidak disertakan"),
        attached=("file terlampir",),
        deleted=("Pesan ini telah dihapus", "Anda menghapus pesan ini"),
    ),
)

#: iPhone writes a shared location and a poll like its own events, in some languages.
SHARED = ("Location: ", "Standort: ", "Ubicación: ", "Localização: ", "Posizione: ")
POLLS = ("POLL", "UMFRAGE", "ENCUESTA")


#: The morning's and the afternoon's words of every language that has its own.
MORNING = tuple(locale.halves[0] for locale in LOCALES if locale.halves)
AFTERNOON = tuple(locale.halves[1] for locale in LOCALES if locale.halves)


def cased(phrases: tuple[str, ...]) -> tuple[str, ...]:
    """``phrases`` and each with its first letter's case swapped: apps and versions
    differ on it (``<Media omitted>``, ``<media omitted>``), and two literal spellings keep
    the patterns fast where a case-blind one would not."""
    out: list[str] = []
    for phrase in phrases:
        swapped = phrase[:1].swapcase() + phrase[1:]
        for spelling in (phrase, swapped):
            if spelling not in out:
                out.append(spelling)
    return tuple(out)


def every(field: str) -> tuple[str, ...]:
    """One field of every language's table, in table order (``every("deleted")``)."""
    out: list[str] = []
    for locale in LOCALES:
        for phrase in getattr(locale, field):
            if phrase not in out:
                out.append(phrase)
    return tuple(out)


def alternatives(phrases: tuple[str, ...]) -> str:
    """A regex alternation of ``phrases`` taken literally."""
    return "|".join(re.escape(p) for p in phrases)


def _own_pattern(locale: Locale) -> re.Pattern[str]:
    """What only this language's placeholders and notices look like, anchored at the text's
    start (a document's placeholder comes after its name)."""
    starts = cased(locale.omitted + locale.calls + locale.deleted + locale.notices + locale.edited)
    media = cased(locale.media)
    ends = cased(locale.documents + locale.attached)
    parts = []
    if media:
        parts.append(f"^<(?:{alternatives(media)})>")
    if starts:
        parts.append(f"^(?:{alternatives(starts)})")
    if ends:
        parts.append(f"(?:{alternatives(ends)})")
    return re.compile("|".join(parts))


_OWN = tuple((locale, _own_pattern(locale)) for locale in LOCALES)
_TITLES = tuple(
    (locale, re.compile(f"^(?:{alternatives(locale.titles)})", re.IGNORECASE))
    for locale in LOCALES
    if locale.titles
)


def by_code(code: str) -> Locale:
    """The table of the language with this code (``"de"``)."""
    for locale in LOCALES:
        if locale.code == code:
            return locale
    raise KeyError(code)


def language_of(names: list[str], texts: list[str]) -> Locale | None:
    """The language an export is in, told from its file names (the file, the zip member)
    and the texts of its placeholders and notices; None when nothing says.

    The file name counts for three placeholders: it names the language the phone was in
    when the chat was exported, which is what wrote the placeholders as well.

    >>> language_of(["WhatsApp Chat mit Alex.txt"], []).code
    'de'
    >>> language_of(["chat.txt"], ["<Без медиафайлов>", "hello"]).code
    'ru'
    """
    votes: dict[str, int] = {}
    for name in names:
        for locale, pattern in _TITLES:
            if pattern.match(name):
                votes[locale.code] = votes.get(locale.code, 0) + 3
    for text in texts:
        for locale, pattern in _OWN:
            if pattern.search(text):
                votes[locale.code] = votes.get(locale.code, 0) + 1
    if not votes:
        return None
    best = max(votes, key=lambda code: votes[code])
    return by_code(best)
