"""The built-in motif set: TF motifs from published consensus sites (no data needed)."""

from __future__ import annotations

from regshift_bench.motifs.core import MotifSet, from_iupac

# (name, IUPAC consensus, source). Consensus sites as published; see builtin_motifs().
_BUILTIN = (
    ("AP1", "TGASTCA", "Angel et al. 1987 Cell 49:729 (TPA response element)"),
    ("CREB", "TGACGTCA", "Montminy et al. 1986 PNAS 83:6682 (cAMP response element)"),
    ("SP1", "GGGGCGGGG", "Briggs et al. 1986 Science 234:47 (GC box)"),
    ("NFKB", "GGGRNTTTCC", "Sen & Baltimore 1986 Cell 46:705 (kappa B site)"),
    ("GATA", "WGATAR", "Ko & Engel 1993 Mol Cell Biol 13:4011; Merika & Orkin 1993"),
    ("ETS", "CCGGAAGT", "Wei et al. 2010 EMBO J 29:2147 (class I ETS site)"),
    ("CEBP", "TTGCGCAAT", "Osada et al. 1996 J Biol Chem 271:3891"),
    ("HNF1", "GTTAATNATTAAC", "Frain et al. 1989 Cell 59:145; Tronche et al. 1997 JMB"),
    ("HNF4", "CAAAGKYCA", "Fraser et al. 1998 Nucleic Acids Res 26:2702 (DR1 half-site pair)"),
    ("FOXA", "TGTTTAC", "Overdier et al. 1994 Mol Cell Biol 14:2755"),
    ("EBOX", "CACGTG", "Blackwell & Eisenman 1990 Science 250:1149 (MYC/MAX E-box)"),
    ("CTCF", "CCGCGNGGNGGCAG", "Kim et al. 2007 Cell 128:1231"),
    ("P53", "RRRCWWGYYYRRRCWWGYYY", "el-Deiry et al. 1992 Nat Genet 1:45"),
    ("YY1", "AAGATGGCGGC", "Hyde-DeRuyscher et al. 1995 Nucleic Acids Res 23:4457"),
    ("TATA", "TATAWAWR", "Bucher 1990 J Mol Biol 212:563"),
    ("NRF1", "GCGCATGCGC", "Virbasius et al. 1993 Genes Dev 7:2431"),
    ("SRF", "CCWWWWWWGG", "Pollock & Treisman 1990 Nucleic Acids Res 18:6197 (CArG box)"),
    ("NFY", "RRCCAATSR", "Dorn et al. 1987 Cell 50:863; Mantovani 1998 NAR (CCAAT box)"),
    ("GR", "AGAACANNNTGTTCT", "Beato 1989 Cell 56:335 (glucocorticoid response element)"),
    ("ER", "AGGTCANNNTGACCT", "Klein-Hitpass et al. 1986 Cell 46:1053 (estrogen response element)"),
    ("STAT", "TTCNNNGAA", "Darnell et al. 1994 Science 264:1415 (GAS element)"),
    ("IRF", "GAAANNGAAACT", "Levy et al. 1988 Genes Dev 2:383 (ISRE)"),
    ("MEF2", "CTAWWWWTAG", "Gossett et al. 1989 Mol Cell Biol 9:5022"),
    ("REST", "TTCAGCACCATGGACAGCGCC", "Schoenherr et al. 1996 Proc Natl Acad Sci 93:9881 (NRSE)"),
    ("E2F", "TTTSGCGC", "Chittenden et al. 1991 Cell 65:1073"),
    ("PU1", "AAAGAGGAAGTG", "Klemsz et al. 1990 Cell 61:113"),
)


def builtin_motifs(specificity: float = 0.85) -> MotifSet:
    """A built-in set of 26 TF motifs from published consensus sites.

    Each motif is ``from_iupac(name, consensus, specificity)``; the consensus and its
    source paper are in the table ``_BUILTIN`` of this module, e.g. AP-1 ``TGASTCA``
    (Angel et al. 1987), CREB ``TGACGTCA`` (Montminy et al. 1986), SP1 ``GGGGCGGGG``
    (Briggs et al. 1986), NF-kB ``GGGRNTTTCC`` (Sen & Baltimore 1986), GATA ``WGATAR``
    (Ko & Engel 1993), ETS ``CCGGAAGT`` (Wei et al. 2010), C/EBP ``TTGCGCAAT``
    (Osada et al. 1996), HNF1 ``GTTAATNATTAAC`` (Frain et al. 1989), HNF4 ``CAAAGKYCA``
    (Fraser et al. 1998), FOXA ``TGTTTAC`` (Overdier et al. 1994), E-box ``CACGTG``
    (Blackwell & Eisenman 1990), CTCF ``CCGCGNGGNGGCAG`` (Kim et al. 2007), p53
    (el-Deiry et al. 1992), YY1 (Hyde-DeRuyscher et al. 1995), TATA ``TATAWAWR``
    (Bucher 1990), NRF1 ``GCGCATGCGC`` (Virbasius et al. 1993), and SRF, NF-Y, GR, ER,
    STAT, IRF, MEF2, REST, E2F, PU.1. Needs no data directory.
    """
    return MotifSet((from_iupac(n, c, specificity) for n, c, _ in _BUILTIN), source="builtin")
