"""Write the development and test parts of a real-page folder (see directory/extraction/realsplit.py) as two
folders in score.py's layout, so the scorer can be run on each: python scripts/realpages_split.py SRC OUT."""

import json
import shutil
import sys
from pathlib import Path

from directory.extraction.realsplit import DEV, TEST, real_split


def main(source: Path, out: Path) -> None:
    for part in (DEV, TEST):
        (out / part / "pages").mkdir(parents=True, exist_ok=True)
        (out / part / "labels.jsonl").write_text("")
    for line in (source / "labels.jsonl").read_text().splitlines():
        label = json.loads(line)
        part = out / real_split(label["url"])
        shutil.copy(source / "pages" / f"{label['id']}.txt", part / "pages")
        with (part / "labels.jsonl").open("a") as handle:
            handle.write(line + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
