"""The flat, batched MLP equals torch.nn layers with the same weights."""

from __future__ import annotations

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
