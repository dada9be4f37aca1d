"""``import`` of SMS, iMessage and email from the command line: the user's own messages are
known without ``--me`` (SMS, iMessage) or by the addresses given to it (email), and all
three end up as one "me"."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from typer.testing import CliRunner

from reciprocity.cli import app

FIXTURES = Path(__file__).parent.parent / "fixtures"
sys.path.insert(0, str(Path(__file__).parent.parent / "ingest"))

import imessage_fixture  # noqa: E402

runner = CliRunner()


def run(db: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout + result.stderr


def test_sms_imessage_and_email_need_no_name_and_share_one_me(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    code, said = run(db, "import", str(FIXTURES / "sms" / "backup.xml"))
    assert code == 0, said
    assert "7 new messages" in said
    chat_db = imessage_fixture.write(tmp_path / "chat.db")
    code, said = run(db, "import", str(chat_db), "--me", "Sam")  # ignored: the file knows
    assert code == 0, said
    mbox = str(FIXTURES / "email" / "inbox.mbox")
    code, said = run(db, "import", mbox, "--me", "sam@home.example, sam@work.example")
    assert code == 0, said
    code, said = run(db, "import", mbox)
    assert code == 0, said
    assert "nothing new" in said, said
    code, said = run(db, "people", "--json")
    assert code == 0, said
    people = json.loads(said)
    names = {p["person"] for p in people["people"]}
    # a "Name <number>" handle is the person called by the name (store.linking)
    assert {"Mira Okafor", "Alex Kim", "Jonas Berg"} <= names
    assert not any(n.startswith(("Me", "sam@", "Sam Lee")) for n in names)
