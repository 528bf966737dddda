"""Target functions typed by users ("sin(3*x)", "abs(x) - 0.5"), parsed with a whitelist.

The expression is parsed with `ast` and walked node by node; only numbers, the variables
`x`/`y`, the constants `pi`/`e`, arithmetic operators and the functions in FUNCTIONS are
accepted. Nothing is ever passed to `eval`, so `__import__('os')` is just an unknown name.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable
from typing import Annotated

import torch
from pydantic import AfterValidator

from sim import pyparse
from sim.errors import ConfigError

FUNCTIONS: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sin": torch.sin, "cos": torch.cos, "tan": torch.tan, "tanh": torch.tanh,
    "exp": torch.exp, "log": torch.log, "sqrt": torch.sqrt, "abs": torch.abs,
    "sign": torch.sign, "floor": torch.floor, "sigmoid": torch.sigmoid, "relu": torch.relu,
}
CONSTANTS = {"pi": math.pi, "e": math.e}
MAX_LENGTH = 200
_BINOPS = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.Pow: operator.pow, ast.Mod: operator.mod,
}

Expr = Callable[..., torch.Tensor]


def parse_expression(text: str, variables: tuple[str, ...] = ("x",), field: str = "target") -> Expr:
    """Return a function of torch tensors for `text`, or raise ConfigError naming the field."""
    allowed = f"numbers, {', '.join(variables)}, pi, e, + - * / ** %, and {', '.join(sorted(FUNCTIONS))}"
    if not isinstance(text, str) or not text.strip():
        raise ConfigError(f"{field}: expected an expression such as 'sin(3*x)'")
    if len(text) > MAX_LENGTH:
        raise ConfigError(f"{field}: expression longer than {MAX_LENGTH} characters")
    try:
        tree = pyparse.parse(text.strip(), mode="eval")
    except SyntaxError:
        raise ConfigError(f"{field}: {text!r} is not a valid expression (allowed: {allowed})") from None

    def build(node: ast.AST) -> Callable[[dict[str, torch.Tensor]], torch.Tensor | float]:
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            value = float(node.value)
            return lambda env: value
        if isinstance(node, ast.Name) and node.id in variables:
            name = node.id
            return lambda env: env[name]
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            value = CONSTANTS[node.id]
            return lambda env: value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            inner, sign = build(node.operand), -1.0 if isinstance(node.op, ast.USub) else 1.0
            return lambda env: sign * inner(env)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            op, left, right = _BINOPS[type(node.op)], build(node.left), build(node.right)
            return lambda env: op(left(env), right(env))
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in FUNCTIONS
                and len(node.args) == 1 and not node.keywords):
            fn, arg = FUNCTIONS[node.func.id], build(node.args[0])
            return lambda env: fn(torch.as_tensor(arg(env), dtype=torch.float64))
        what = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
        raise ConfigError(f"{field}: {what!r} is not allowed in {text!r} (allowed: {allowed})")

    root = build(tree.body)

    def evaluate(*values: torch.Tensor) -> torch.Tensor:
        env = dict(zip(variables, values, strict=True))
        out = root(env)
        return torch.as_tensor(out, dtype=values[0].dtype).expand_as(values[0]).clone()

    probe = torch.linspace(-1.0, 1.0, 5, dtype=torch.float64)
    try:
        evaluate(*([probe] * len(variables)))
    except (ArithmeticError, RuntimeError, TypeError) as exc:
        raise ConfigError(f"{field}: {text!r} cannot be evaluated ({exc})") from None
    return evaluate


def expression_field(variables: tuple[str, ...] = ("x",)):
    """A config field holding an expression, checked when the config is validated (so a bad one is
    reported with the config file and the field's key, before anything is simulated)."""
    def check(text: str) -> str:
        try:
            parse_expression(text, variables, field="expression")
        except ConfigError as exc:
            raise ValueError(str(exc).removeprefix("expression: ")) from None
        return text

    return Annotated[str, AfterValidator(check)]


Expression = expression_field()
"""An expression in x: `target: Expression = "sin(3*x)"`."""
