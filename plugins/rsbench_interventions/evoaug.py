"""EvoAug: evolution-inspired augmentations of training sequences, then fine-tuning.

Lee, Toneyan, Koo et al. (2023), "EvoAug: improving generalization and
interpretability of genomic deep neural networks with evolution-inspired data
augmentations", Genome Biology 24:105 (and EvoAug2). Each training sequence gets
between one and ``max_augs`` augmentations drawn without replacement from the list
below (``hard=True``: exactly ``max_augs``), applied in the list's order; the model
is then fine-tuned on the unperturbed data. Sequences keep their length ``L``:

* mutation: a fraction ``mut_frac`` of positions set to a random base (it may
  equal the old one, as in EvoAug);
* insertion: a random segment of length in ``[0, insert_max]`` inserted at a random
  position; EvoAug pads the batch with random DNA to ``L + insert_max`` — here the
  result is cut back to ``L`` by trimming both ends equally (a fixed-length model);
* deletion: a segment of length in ``[0, delete_max]`` removed and the sequence
  padded with random DNA, split between both ends (as in EvoAug);
* translocation: a circular shift by a random amount in ``[-shift_max, shift_max]``;
* inversion: a random segment of length in ``[0, invert_max]`` replaced by its
  reverse complement;
* reverse complement of the whole sequence with probability ``rc_prob``.

Implemented here on integer codes (the ``evoaug2`` package needs PyTorch Lightning).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from regshift_bench.api import Intervention

AUGMENTATIONS = ("mutation", "insertion", "deletion", "translocation", "inversion", "rc")
_COMPLEMENT = np.array([3, 2, 1, 0, 4], dtype=np.uint8)


def mutate(seq: np.ndarray, frac: float, rng: np.random.Generator) -> np.ndarray:
    """``round(frac·L)`` distinct positions set to uniform random bases; shape (L,)."""
    out = seq.copy()
    n = int(round(frac * len(seq)))
    pos = rng.choice(len(seq), size=n, replace=False)
    out[pos] = rng.integers(0, 4, size=n)
    return out


def insert(seq: np.ndarray, max_len: int, rng: np.random.Generator) -> np.ndarray:
    """A random segment inserted at a random position, trimmed back to L from both ends."""
    n = int(rng.integers(0, max_len + 1))
    at = int(rng.integers(0, len(seq) + 1))
    longer = np.concatenate([seq[:at], rng.integers(0, 4, n).astype(np.uint8), seq[at:]])
    left = n // 2
    return longer[left : left + len(seq)]


def delete(seq: np.ndarray, max_len: int, rng: np.random.Generator) -> np.ndarray:
    """A segment removed; random DNA pads both ends back to L."""
    n = int(rng.integers(0, min(max_len, len(seq) - 1) + 1))
    at = int(rng.integers(0, len(seq) - n + 1))
    kept = np.concatenate([seq[:at], seq[at + n :]])
    left = n // 2
    pad = rng.integers(0, 4, n).astype(np.uint8)
    return np.concatenate([pad[:left], kept, pad[left:]])


def translocate(seq: np.ndarray, max_shift: int, rng: np.random.Generator) -> np.ndarray:
    """A circular shift by a random amount in [-max_shift, max_shift]."""
    return np.roll(seq, int(rng.integers(-max_shift, max_shift + 1)))


def invert(seq: np.ndarray, max_len: int, rng: np.random.Generator) -> np.ndarray:
    """A random segment replaced by its reverse complement."""
    n = int(rng.integers(0, min(max_len, len(seq)) + 1))
    at = int(rng.integers(0, len(seq) - n + 1))
    out = seq.copy()
    out[at : at + n] = _COMPLEMENT[seq[at : at + n][::-1]]
    return out


def reverse_complement(seq: np.ndarray) -> np.ndarray:
    """The reverse complement of the whole sequence (N stays N)."""
    return _COMPLEMENT[seq[::-1]]


class EvoAug(Intervention):
    """EvoAug augmentation during training, then fine-tuning on unperturbed data (train).

    Parameters
    ----------
    max_augs : int
        Most augmentations per sequence (EvoAug's ``max_augs_per_seq``).
    hard : bool
        Exactly ``max_augs`` per sequence (EvoAug's ``hard_aug``).
    mut_frac, insert_max, delete_max, shift_max, invert_max, rc_prob
        The augmentations' settings (module docstring); EvoAug's defaults scaled to
        200-bp sequences.
    finetune_epochs : int
        Epochs on the unperturbed training data after augmented training.
    """

    stage: ClassVar[str] = "train"

    def __init__(
        self,
        max_augs: int = 2,
        hard: bool = True,
        mut_frac: float = 0.05,
        insert_max: int = 20,
        delete_max: int = 20,
        shift_max: int = 20,
        invert_max: int = 20,
        rc_prob: float = 0.5,
        finetune_epochs: int = 5,
    ) -> None:
        self.max_augs = max_augs
        self.hard = hard
        self.mut_frac = mut_frac
        self.insert_max = insert_max
        self.delete_max = delete_max
        self.shift_max = shift_max
        self.invert_max = invert_max
        self.rc_prob = rc_prob
        self.finetune_epochs = finetune_epochs

    def _one(self, name: str, seq: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        if name == "mutation":
            return mutate(seq, self.mut_frac, rng)
        if name == "insertion":
            return insert(seq, self.insert_max, rng)
        if name == "deletion":
            return delete(seq, self.delete_max, rng)
        if name == "translocation":
            return translocate(seq, self.shift_max, rng)
        if name == "inversion":
            return invert(seq, self.invert_max, rng)
        return reverse_complement(seq) if rng.random() < self.rc_prob else seq

    def augment(self, seqs: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """Augment each row of codes (B, L) uint8; returns (B, L) uint8."""
        out = np.empty_like(np.asarray(seqs, dtype=np.uint8))
        top = max(1, min(int(self.max_augs), len(AUGMENTATIONS)))
        for i, seq in enumerate(np.asarray(seqs, dtype=np.uint8)):
            count = top if self.hard else int(rng.integers(1, top + 1))
            chosen = sorted(rng.choice(len(AUGMENTATIONS), size=count, replace=False))
            for j in chosen:
                seq = self._one(AUGMENTATIONS[j], seq, rng)
            out[i] = seq
        return out
