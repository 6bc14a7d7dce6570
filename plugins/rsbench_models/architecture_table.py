"""Print the architecture table of the built-in neural models (blocks and parameter counts).

Run ``python -m rsbench_models.architecture_table``; ``docs/architectures.md`` holds its
output. Counts are trainable parameters of the network as built for a task without
prior features (:func:`rsbench_models.neural.n_params`); nothing is trained. With
``--speed`` a column of training throughput is added: sequences per second over a few
AdamW steps of batch 128 at 230 bp on this machine's CPU, with torch's current thread
count (set ``OMP_NUM_THREADS``) — a relative cost, not a benchmark.
"""

from __future__ import annotations

import sys
import time

import torch
from torch import nn

from regshift_bench import plugins
from rsbench_models.legnet import DREAM_CONFIG, LegNet
from rsbench_models.neural import n_params

#: Models in table order, with a short description of their blocks.
ROWS: tuple[tuple[str, str], ...] = (
    ("cnn", "conv stem k=9 + 4 residual SE blocks (64 ch, pool 2) → mean+max pool → Gaussian head"),
    ("bilstm", "conv stem + 2 residual blocks → BiLSTM 64/direction → mean+max pool → Gaussian head"),
    ("transformer", "conv stem + 2 residual blocks → 2 encoder layers, 4 heads → Gaussian head"),
    ("legnet", "stem 64 k=11 → EffNet+SE stages 80, 96, 112, 128 (k=9, pool 2) → mapper, mean pool → Gaussian head"),
    ("dream_cnn", "bhi (k=9,15; 320) → legnet core 128,128,64,64,64,64 (k=7) → autosome final"),
    ("dream_rnn", "bhi (k=9,15; 320) → bilstm core (320/direction + k=9,15 convs) → autosome final"),
    ("dream_attn", "legnet stem (256, k=7) → attention core (4 conformer blocks, 8 heads) → autosome final"),
)


def rows() -> list[tuple[str, str, int]]:
    """(model, blocks, parameters) for every row of :data:`ROWS`, plus LegNet's DREAM schedule."""
    registry = plugins.current().registry
    out = []
    with torch.random.fork_rng():
        for name, blocks in ROWS:
            out.append((name, blocks, n_params(registry.create("model", name).build(0))))
        dream = LegNet(**DREAM_CONFIG)
        out.append(
            (
                "legnet(DREAM_CONFIG)",
                "stem 256 k=7 → stages 128,128,64,64,64,64 (k=7, no pool) → mapper, mean pool → Gaussian head",
                n_params(dream.build(0)),
            )
        )
    return out


def train_throughput(net: nn.Module, steps: int = 3, batch: int = 128, length: int = 230) -> float:
    """Training sequences per second of ``net`` (after one warm-up step), random one-hot input."""
    gen = torch.Generator().manual_seed(0)
    x = nn.functional.one_hot(torch.randint(0, 4, (batch, length), generator=gen), 4)
    x = x.transpose(1, 2).float()
    mask = torch.ones(batch, 1, length)
    opt = torch.optim.AdamW(net.parameters())
    net.train()
    for step in range(steps + 1):
        if step == 1:
            start = time.perf_counter()
        mean, logvar = net(x, mask)
        opt.zero_grad()
        (mean.square().mean() + logvar.mean()).backward()
        opt.step()
    return steps * batch / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> None:
    speed = "--speed" in (sys.argv[1:] if argv is None else argv)
    registry = plugins.current().registry
    print("| model | blocks | parameters |" + (" train seq/s |" if speed else ""))
    print("|---|---|---:|" + ("---:|" if speed else ""))
    for name, blocks, count in rows():
        cell = ""
        if speed:
            model = LegNet(**DREAM_CONFIG) if name.startswith("legnet(") else registry.create("model", name)
            with torch.random.fork_rng():
                cell = f" {train_throughput(model.build(0)):.0f} |"
        print(f"| `{name}` | {blocks} | {count:,} |{cell}")


if __name__ == "__main__":
    main()
