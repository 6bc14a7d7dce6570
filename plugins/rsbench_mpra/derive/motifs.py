"""Motif PWMs: JASPAR 2024 TRANSFAC files converted to MEME, HOCOMOCO v12 gzipped.

The JASPAR 2022 MEME file and the three JASPAR 2024 TRANSFAC files are the
dataset's own files, copied unchanged. Derived:

``JASPAR2024_CORE_{vertebrates,fungi,insects}_non-redundant.meme``
    Each TRANSFAC record (``AC``, ``ID``, count rows after ``PO``/``P0``, ended by
    ``//``) becomes a MEME motif: uniform background, each count row divided by its
    sum and written with six decimals, ``nsites`` = the largest row sum (six significant
    digits), and a
    ``URL https://jaspar.elixir.no/matrix/<AC>`` line. Records keep file order.
``HOCOMOCO_v12_H12CORE.meme.gz``
    gReLU's HOCOMOCO v12 CORE MEME file, gzipped (level 9, zero timestamp).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rsbench_mpra.derive.tables import original, require, write_gz, write_text

_RSAT = "rsa-tools/motif_databases/dfc2555cef693d399a1d08d89fb0304719646e19/JASPAR/Jaspar_2024"
_HOCOMOCO = "Genentech/gReLU/286a706def5fc520b4a3560a023ee480d07ba928/src/grelu/resources/meme/H12CORE_meme_format.meme"
TAXA = ("vertebrates", "fungi", "insects")
_TRANSFAC_SHA = {
    "vertebrates": ("0196cf785599aab1a64cc78dc0a087dfefae932bd3b75053caedfab1c52ddd4e", 447831),
    "fungi": ("b3203c906ee947d14978e562bd8fd7da0ed44b5a3da670cb91cefb419f02896b", 72887),
    "insects": ("1f42c611618974719c6a56b22455936aa2c41cf9fe3370f3679729d173f92b1f", 133869),
}


def transfac_name(taxon: str) -> str:
    """File name of the JASPAR 2024 TRANSFAC file of ``taxon``."""
    return f"JASPAR2024_CORE_{taxon}_non-redundant_pfms_transfac.txt"


SOURCES = (
    *(original(f"{_RSAT}/{transfac_name(t)}", *_TRANSFAC_SHA[t]) for t in TAXA),
    original(_HOCOMOCO, "dd380406bc82a70bc045e26c1e615bca368b9a281f987caa12a8a5a408bd104a", 1619600),
)
TRANSFAC_URLS = {t: s.url for t, s in zip(TAXA, SOURCES)}

_HEADER = (
    "MEME version 4\n\nALPHABET= ACGT\n\nstrands: + -\n\nBackground letter frequencies\nA 0.25 C 0.25 G 0.25 T 0.25\n\n"
)


@dataclass
class CountMatrix:
    """One TRANSFAC record: accession, name and its count rows (length x ACGT)."""

    accession: str
    name: str = ""
    rows: list[list[float]] = field(default_factory=list)


def read_transfac(text: str) -> list[CountMatrix]:
    """The count matrices of a JASPAR TRANSFAC file, in file order."""
    records, current, in_matrix = [], None, False
    for line in text.splitlines():
        if line.startswith("AC "):
            current, in_matrix = CountMatrix(line[3:].strip()), False
        elif current is None:
            continue
        elif line.startswith("ID "):
            current.name = line[3:].strip()
        elif line.startswith(("PO", "P0")):
            in_matrix = True
        elif in_matrix and line[:2].isdigit():
            current.rows.append([float(x) for x in line.split()[1:5]])
        elif line.startswith("XX"):
            in_matrix = False
        elif line.startswith("//"):
            require(bool(current.rows), f"TRANSFAC record {current.accession} has no counts")
            records.append(current)
            current = None
    return records


def to_meme(matrices: list[CountMatrix]) -> str:
    """MEME text of ``matrices``: probabilities to six decimals, JASPAR URL per motif."""
    out = [_HEADER]
    for m in matrices:
        sums = [sum(row) for row in m.rows]
        # Six significant digits: some JASPAR count rows sum to 1000.0000000000005.
        out.append(
            f"MOTIF {m.accession} {m.name}\nletter-probability matrix: alength= 4 "
            f"w= {len(m.rows)} nsites= {max(sums):g} E= 0\n"
        )
        for row, total in zip(m.rows, sums):
            out.append(" " + "  ".join(f"{v / total:.6f}" for v in row) + "\n")
        out.append(f"URL https://jaspar.elixir.no/matrix/{m.accession}\n\n")
    return "".join(out)


def meme_name(taxon: str) -> str:
    """File name of the MEME conversion for ``taxon``."""
    return f"JASPAR2024_CORE_{taxon}_non-redundant.meme"


def derive(sources: Mapping[str, Path], out: Path) -> None:
    """Write the three JASPAR 2024 MEME files and the gzipped HOCOMOCO file."""
    for taxon in TAXA:
        text = Path(sources[transfac_name(taxon)]).read_text()
        write_text(to_meme(read_transfac(text)), out / meme_name(taxon))
    write_gz(Path(sources["H12CORE_meme_format.meme"]).read_bytes(), out / "HOCOMOCO_v12_H12CORE.meme.gz")
