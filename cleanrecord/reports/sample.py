"""Write the sample reports of the README: `python -m cleanrecord.reports.sample [DIR]` (default docs/).

The full example (reports/example.py: all 38 domains, every record kind) typeset by the report's own
renderer, unsigned (a signature belongs to one deployment's key), and its first page as a PNG drawn
with pypdfium2 (a development dependency, as for the tests); the same in English (sample-report-en).
"""

import os
import sys
from pathlib import Path


def main(out: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanrecord.settings")
    import django

    django.setup()
    # Only after django.setup(): this runs as a script (python -m), with no settings before main().
    import pypdfium2
    from django.utils.translation import gettext

    from .example import full_example_snapshot
    from .languages import ENGLISH, english_labels
    from .render import render_pdf

    out.mkdir(parents=True, exist_ok=True)
    os.umask(0o022)  # files for the repository, readable by all
    chinese = full_example_snapshot()
    english = {**chinese, "language": ENGLISH, "labels": english_labels(chinese)}
    for name, snapshot in (("sample-report", chinese), ("sample-report-en", english)):
        pdf = render_pdf(snapshot)
        (out / f"{name}.pdf").write_bytes(pdf)
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            # 150 dpi; a 128-colour palette keeps the picture sharp at a third of the size.
            image = page.render(scale=150 / 72).to_pil().quantize(colors=128)
            image.save(out / f"{name}-page1.png", optimize=True)
            page.close()
            print(gettext("%(pdf)s（%(pages)s 页）, %(png)s")
                  % {"pdf": out / f"{name}.pdf", "pages": len(document), "png": out / f"{name}-page1.png"})
        finally:
            document.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs"))
