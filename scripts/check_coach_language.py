"""Measure the coach's language check (``reciprocity.guide.language``) on English lines
from the shared datasets and on short foreign drafts written for this check.

English: GoEmotions dev comments and DailyDialog validation turns (read only, to measure;
nothing is fitted). Foreign: the lines of :data:`FOREIGN`, written for this project.
``SURE`` (0.7) was chosen on these same lines, so the figures describe the choice, not a
held-out test. Usage::

    .venv/bin/python scripts/check_coach_language.py [--shared ../shared/datasets]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from reciprocity.guide.language import foreign_language

FOREIGN = {
    "German": [
        "Du hörst mir nie zu", "Du bist immer so egoistisch", "Du rufst mich nie an",
        "Warum antwortest du nicht?", "Immer muss ich alles alleine machen",
        "Du hast meinen Geburtstag vergessen", "Nie fragst du, wie es mir geht",
        "Du kommst immer zu spät",
    ],
    "French": [
        "Tu ne m'écoutes jamais", "Tu es toujours en retard",
        "Tu ne réponds jamais à mes messages", "Tu ne me demandes jamais comment je vais",
        "C'est toujours de ta faute", "Tu as encore oublié mon anniversaire",
        "Tu m'appelles seulement quand tu as besoin de quelque chose",
    ],
    "Spanish": [
        "Nunca me escuchas", "Siempre llegas tarde", "No me llamas nunca",
        "Nunca me preguntas cómo estoy", "Siempre es culpa tuya",
        "Olvidaste mi cumpleaños otra vez", "Solo me llamas cuando necesitas algo",
    ],
    "Italian": ["Non mi ascolti mai", "Arrivi sempre in ritardo", "Non mi chiami mai"],
    "Dutch": ["Je hebt nooit tijd voor mij", "Je luistert nooit naar me"],
    "Portuguese": ["Você nunca me escuta", "Você sempre chega atrasado"],
    "Russian": ["Ты никогда меня не слушаешь"],
    "Swedish": ["Du lyssnar aldrig på mig"],
    "Polish": ["Nigdy mnie nie słuchasz"],
    "Turkish": ["Beni hiç dinlemiyorsun", "Sen hep geç kalıyorsun"],
}  # fmt: skip


def _english(shared: Path) -> list[str]:
    lines = [
        row.split("\t")[0]
        for row in (shared / "goemotions" / "dev.tsv").read_text("utf-8").splitlines()
    ]
    dialogues = (shared / "dailydialog" / "validation" / "dialogues.txt").read_text("utf-8")
    lines += [turn.strip() for row in dialogues.splitlines() for turn in row.split("__eou__")]
    return [line for line in lines if line]


def main() -> None:
    """Print how many English lines are called foreign, and how many foreign ones are named."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = Path(__file__).resolve().parents[2] / "shared" / "datasets"
    parser.add_argument("--shared", type=Path, default=default)
    shared = parser.parse_args().shared
    english = _english(shared)
    wrong = [(line, name) for line in english if (name := foreign_language(line))]
    print(f"English lines called foreign: {len(wrong)} of {len(english)}")
    for line, name in wrong[:10]:
        print(f"  {name}: {line}")
    drafts = [(text, name) for name, texts in FOREIGN.items() for text in texts]
    named = sum(foreign_language(text) == name for text, name in drafts)
    print(f"Foreign drafts named correctly: {named} of {len(drafts)}")
    for text, name in drafts:
        if (found := foreign_language(text)) != name:
            print(f"  {text!r}: {found or 'English'} (is {name})")


if __name__ == "__main__":
    main()
