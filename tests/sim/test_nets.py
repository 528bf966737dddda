"""The flat, batched MLP equals torch.nn layers with the same weights."""

from __future__ import annotations

import pytest
import torch

from sim.nets import MLPProblem, MLPSpec, forward, init_params


def _as_module(spec: MLPSpec, flat: torch.Tensor) -> torch.nn.Sequential:
    layers, offset = [], 0
    for li, (i, o) in enumerate(spec.layers):
        lin = torch.nn.Linear(i, o, dtype=flat.dtype)
        with torch.no_grad():
            lin.weight.copy_(flat[offset: offset + o * i].view(o, i))
            offset += o * i
            lin.bias.copy_(flat[offset: offset + o])
            offset += o
        layers.append(lin)
        if li < len(spec.layers) - 1:
            layers.append(torch.nn.LeakyReLU(0.01))
    return torch.nn.Sequential(*layers)


def test_function_fit_network_has_1741_parameters():
    # the video counts "4 hidden layers" as 4 hidden-to-hidden layers: 5 hidden layers of 20 units
    assert MLPSpec((1, 20, 20, 20, 20, 20, 1), "leaky_relu").n_params == 1741


def test_single_and_population_forward_equal_nn_modules():
    spec = MLPSpec((1, 20, 20, 20, 20, 1), "leaky_relu")
    g = torch.Generator().manual_seed(0)
    pop = torch.stack([init_params(spec, g, torch.float64) for _ in range(5)])
    x = torch.linspace(-3, 3, 17, dtype=torch.float64).unsqueeze(1)
    batched = forward(spec, pop, x)
    for k in range(5):
        expected = _as_module(spec, pop[k])(x)
        torch.testing.assert_close(batched[k], expected)
        torch.testing.assert_close(forward(spec, pop[k], x), expected)


def test_population_loss_equals_individual_losses_and_is_differentiable():
    spec = MLPSpec((2, 8, 3), "tanh")
    g = torch.Generator().manual_seed(1)
    x, y = torch.randn(30, 2, generator=g), torch.randn(30, 3, generator=g)
    problem = MLPProblem(spec, x, y, chunk=3)
    pop = torch.stack([init_params(spec, g) for _ in range(7)])
    torch.testing.assert_close(problem.loss(pop), torch.stack([problem.loss(p) for p in pop]))
    p = pop[0].clone().requires_grad_(True)
    problem.loss(p).backward()
    assert p.grad is not None and p.grad.abs().sum() > 0


@pytest.mark.parametrize("kind", ["mlp", "coordnet"])
def test_one_initialisation_for_both_network_kinds_is_nn_linears(kind):
    """Every layer's weights and biases lie in ±1/√fan_in and fill it (torch.nn.Linear's default),
    for the 1-D MLPs and the image coordinate networks alike."""
    from sim.coordnet import CoordNetSpec

    spec = MLPSpec((1, 64, 64, 1)) if kind == "mlp" else CoordNetSpec(width=64, depth=2, channels=3, n_fourier=8)
    p = init_params(spec, torch.Generator().manual_seed(0), torch.float64)
    assert p.numel() == sum(i * o + o for i, o in spec.layers)
    offset = 0
    for i, o in spec.layers:
        block = p[offset: offset + i * o + o]
        offset += i * o + o
        bound = 1 / i**0.5
        assert float(block.abs().max()) <= bound
        if block.numel() >= 64:
            assert float(block.abs().max()) > 0.8 * bound
