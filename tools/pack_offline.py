"""Pack the offline copy of the site into one reproducible zip archive.

    python tools/pack_offline.py site-offline site-offline.zip

Entries are sorted, dated SOURCE_DATE_EPOCH and carry fixed permissions, so the same folder
always gives the same bytes. The archive holds one folder, ``dlref-offline/``: unpack it and open
``dlref-offline/index.html`` in a browser.
"""

from __future__ import annotations

import os
import sys
import time
import zipfile
from pathlib import Path

FOLDER = "dlref-offline"


def temporary(archive: Path) -> Path:
    """Where the archive is written before it replaces the last one: ``site-offline.zip.tmp``,
    which .gitignore ignores like the archive (`make test` hashes every file git sees while this
    runs: tools/build_sites.py source_files_digest)."""
    return archive.with_name(archive.name + ".tmp")


def pack(site: Path, archive: Path) -> int:
    if not (site / "index.html").is_file():
        raise SystemExit(f"{site} has no index.html: build it with `make offline`")
    epoch = int(os.environ.get("SOURCE_DATE_EPOCH", "1767225600"))
    date = time.gmtime(max(epoch, 315532800))[:6]  # zip dates start in 1980
    files = sorted(p for p in site.rglob("*") if p.is_file())
    tmp = temporary(archive)
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for path in files:
            info = zipfile.ZipInfo(f"{FOLDER}/{path.relative_to(site).as_posix()}", date)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=9)
    tmp.replace(archive)
    return len(files)


def main() -> None:
    site, archive = Path(sys.argv[1]), Path(sys.argv[2])
    n = pack(site, archive)
    print(
        f"{archive}: {n} files, {archive.stat().st_size / 1e6:.1f} MB;"
        f" unpack, then open {FOLDER}/index.html"
    )


if __name__ == "__main__":
    main()
