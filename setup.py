"""Everything else is in pyproject.toml; this only compiles the message catalogues into a built package.

`pip install .` (production) copies the package from a clean checkout, where the compiled `.mo`
files do not exist (they are build output, gitignored): compile them before the files are copied.
"""
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


def compile_catalogues(root: Path) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in sorted(root.glob("ejan/translations/*/LC_MESSAGES/messages.po")):
        with po.open("rb") as source:
            catalog = read_po(source, locale=po.parent.parent.name)
        with po.with_suffix(".mo").open("wb") as target:
            write_mo(target, catalog)


class BuildWithCatalogues(build_py):
    def run(self):
        compile_catalogues(Path(__file__).resolve().parent)
        super().run()


setup(cmdclass={"build_py": BuildWithCatalogues})
