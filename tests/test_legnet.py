"""LegNet: the published channel schedules, their parameter counts, padding and recipe."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from regshift_bench.errors import RegshiftError
from rsbench_models.legnet import DREAM_CONFIG, LegNet, LegNetNet
from rsbench_models.neural import n_params


def _stage_params(c: int, c_out: int, kernel: int, se_hidden: int, resize: int = 4) -> int:
    """Parameters of one LegNet stage from the paper's description (closed form).

    EfficientNet block on C channels: 1x1 expansion to 4C (no bias) + BN, depthwise
    kernel over 4C (no bias) + BN, SE (Linear 4C -> h -> 4C, with biases), 1x1
    projection to C (no bias) + BN; then the LocalBlock Conv(2C -> C', kernel, no
    bias) + BN.
    """
    inner = resize * c
    expand = c * inner + 2 * inner
    depthwise = inner * kernel + 2 * inner
    se = inner * se_hidden + se_hidden + se_hidden * inner + inner
    project = inner * c + 2 * c
    local = 2 * c * c_out * kernel + 2 * c_out
    return expand + depthwise + se + project + local


def _published_dream_legnet_params() -> int:
    """LegNet as trained for DREAM 2022 (autosome-ru/LegNet, models/optimized/params.json).

    Input 6 channels (4 bases + reverse flag + singleton flag); stem Conv(6 -> 256, k=7,
    no bias) + BN; stages 256->128->128->64->64->64->64 with kernel 7 and SE hidden
    width (block input) // 4; mapper Conv1x1(64 -> 18 bins, with bias).
    """
    widths = [256, 128, 128, 64, 64, 64, 64]
    total = 6 * 256 * 7 + 2 * 256
    for c, c_out in zip(widths[:-1], widths[1:]):
        total += _stage_params(c, c_out, 7, c // 4)
    return total + 64 * 18 + 18


def test_dream_configuration_reproduces_the_published_parameter_count():
    net = LegNetNet({**LegNet(**DREAM_CONFIG).architecture()}, n_prior=0)
    body = n_params(net.stem) + n_params(net.core)
    published = _published_dream_legnet_params()
    assert published == 2_129_602  # the count of the published network (see docs)
    # Our body differs only in the input: 4 one-hot channels, no reverse / singleton
    # flags (2 x 256 x 7 stem weights fewer); the 18-bin mapper is replaced by our
    # mapper + Gaussian head.
    assert body == published - (2 * 256 * 7) - (64 * 18 + 18)


def test_default_is_the_mpra_legnet_configuration():
    model = LegNet()
    arch = model.architecture()
    assert (arch["stem_channels"], arch["stem_kernel"], arch["kernel_size"]) == (64, 11, 9)
    assert arch["block_channels"] == [80, 96, 112, 128] and arch["pool_sizes"] == [2, 2, 2, 2]
    assert (model.batch_size, model.lr, model.weight_decay, model.epochs) == (1024, 0.01, 0.1, 20)
    net = model.build(0)
    widths = [64, 80, 96, 112, 128]
    body = (
        4 * 64 * 11 + 2 * 64 + sum(_stage_params(c, c_out, 9, 4 * c // 4) for c, c_out in zip(widths[:-1], widths[1:]))
    )
    assert n_params(net.stem) + n_params(net.core) == body


def test_stages_pool_as_configured():
    net = LegNet().build(0).eval()
    x = torch.zeros(2, 4, 230)
    x[:, 0] = 1.0
    h, mask = net.core(net.stem(x), torch.ones(2, 1, 230))
    assert h.shape == (2, 128, 15) and mask.shape == (2, 1, 15)  # 230 / 2**4, ceil


def test_prediction_ignores_padding_width():
    torch.manual_seed(0)
    net = LegNet(**DREAM_CONFIG).build(0).eval()
    x = torch.zeros(3, 4, 30)
    x[torch.arange(3)[:, None], torch.randint(0, 4, (3, 30)), torch.arange(30)] = 1.0
    mask = torch.ones(3, 1, 30)
    wide = torch.cat([x, torch.zeros(3, 4, 9)], dim=2)
    wide_mask = torch.cat([mask, torch.zeros(3, 1, 9)], dim=2)
    with torch.no_grad():
        a, _ = net(x, mask)
        b, _ = net(wide, wide_mask)
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "params,cause",
    [
        ({"block_channels": [32, 32], "pool_sizes": [2]}, "one pool size per stage"),
        ({"kernel_size": 4}, "positive odd"),
        ({"filter_per_group": 3}, "does not divide"),
        ({"se_width": "outer"}, "se_width"),
    ],
)
def test_unbuildable_schedule_is_refused_in_one_line(params, cause):
    with pytest.raises(RegshiftError, match=cause) as info:
        LegNet.validate_params(params)
    assert "\n" not in str(info.value)
