"""Print the architecture table of the built-in neural models (blocks and parameter counts).

Run ``python -m rsbench_models.architecture_table``; ``docs/architectures.md`` holds its
output. Counts are trainable parameters of the network as built for a task without
prior features (:func:`rsbench_models.neural.n_params`); nothing is trained.
"""

from __future__ import annotations

import torch

from regshift_bench import plugins
from rsbench_models.legnet import DREAM_CONFIG, LegNet
from rsbench_models.neural import n_params

#: Models in table order, with a short description of their blocks.
ROWS: tuple[tuple[str, str], ...] = (
    ("cnn", "conv stem k=9 + 4 residual SE blocks (64 ch, pool 2) → mean+max pool → "
            "Gaussian head"),
    ("bilstm", "conv stem + 2 residual blocks → BiLSTM 64/direction → mean+max pool → "
               "Gaussian head"),
    ("transformer", "conv stem + 2 residual blocks → 2 encoder layers, 4 heads → "
                    "Gaussian head"),
    ("legnet", "stem 64 k=11 → EffNet+SE stages 80, 96, 112, 128 (k=9, pool 2) → mapper, "
               "mean pool → Gaussian head"),
    ("dream_cnn", "bhi (k=9,15; 320) → legnet core 128,128,64,64,64,64 (k=7) → autosome final"),
    ("dream_rnn", "bhi (k=9,15; 320) → bilstm core (320/direction + k=9,15 convs) → "
                  "autosome final"),
    ("dream_attn", "legnet stem (256, k=7) → attention core (4 conformer blocks, 8 heads) → "
                   "autosome final"),
)


def rows() -> list[tuple[str, str, int]]:
    """(model, blocks, parameters) for every row of :data:`ROWS`, plus LegNet's DREAM schedule."""
    registry = plugins.current().registry
    out = []
    with torch.random.fork_rng():
        for name, blocks in ROWS:
            out.append((name, blocks, n_params(registry.create("model", name).build(0))))
        dream = LegNet(**DREAM_CONFIG)
        out.append(("legnet(DREAM_CONFIG)", "stem 256 k=7 → stages 128,128,64,64,64,64 (k=7, no "
                    "pool) → mapper, mean pool → Gaussian head", n_params(dream.build(0))))
    return out


def main() -> None:
    print("| model | blocks | parameters |")
    print("|---|---|---:|")
    for name, blocks, count in rows():
        print(f"| `{name}` | {blocks} | {count:,} |")


if __name__ == "__main__":
    main()
