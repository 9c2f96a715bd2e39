"""GRU and LSTM layers that give the input's gradient quickly, for explanations on the CPU.

Saliency asks how the answer changes with each input value, through every step of a recurrent layer.
Torch's CPU GRU and LSTM run each direction's step as a dozen small operations, and autograd walks
them back one by one: a batch-1 saliency of `letters_gru` (28 rows, two bidirectional layers) or of
the 64-point stroke GRU is nearly all the fixed cost of some 3,000 calls on vectors of 64-128 values
(4-5 us each in torch, about 1 us in NumPy).

Here each layer is a torch autograd Function (autograd joins it to the rest of the network: the
convolutions before it, the classifier after) whose steps run in NumPy: both directions in one batched
product a step, and in the backward pass everything that does not depend on the incoming gradient (the
gates' derivatives) computed for all steps at once, leaving a few calls a step. The same function and
input gradient as torch's layers to float32 rounding (tested). An explanation with torch's layers and
with these, interleaved on one thread of the 2-core development VM (a slow day): `letters_gru` 31.7 ->
7.7 ms, the stroke GRU 45.4 -> 8.5 ms, the CNN+GRU hybrids 7-8 -> 4-5 ms; `letters_lstm` only 8.4 ->
7.3 ms (torch runs an LSTM's forward pass fused on the CPU; what is saved is its backward).

Only for gradients with respect to the input: parameters must not ask for gradients (explanations never
train), the states start at zero, and the final states are not returned.
:func:`with_fast_input_gradients` swaps these layers into a copy of a model and checks on an example
that the copy answers as the original does, or gives the original back.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn
from torch.autograd.function import once_differentiable


def _stacked(rnn: nn.RNNBase, name: str, layer: int) -> np.ndarray:
    """One parameter of a layer with the directions stacked: D x ..., float32."""
    suffixes = ("", "_reverse") if rnn.bidirectional else ("",)
    return np.stack([getattr(rnn, f"{name}_l{layer}{suffix}").detach().numpy() for suffix in suffixes])


@dataclass(frozen=True)
class _LayerWeights:
    """A layer's parameters, directions stacked, in the layouts its products read."""

    w_ih: np.ndarray  # D x gates x inputs
    w_hh: np.ndarray  # D x gates x H
    w_ih_t: np.ndarray  # D x inputs x gates
    w_hh_t: np.ndarray  # D x H x gates
    b_ih: np.ndarray  # D x gates
    b_hh: np.ndarray


def _layer_weights(rnn: nn.RNNBase, layer: int) -> _LayerWeights:
    w_ih, w_hh = _stacked(rnn, "weight_ih", layer), _stacked(rnn, "weight_hh", layer)
    return _LayerWeights(
        w_ih, w_hh, np.ascontiguousarray(w_ih.transpose(0, 2, 1)), np.ascontiguousarray(w_hh.transpose(0, 2, 1)),
        _stacked(rnn, "bias_ih", layer), _stacked(rnn, "bias_hh", layer),
    )  # fmt: skip


def _sigmoid(values: np.ndarray) -> np.ndarray:
    """In place: 1 / (1 + e^-x), as 0.5 tanh(x / 2) + 0.5 (never overflows)."""
    values *= 0.5
    np.tanh(values, out=values)
    values *= 0.5
    values += 0.5
    return values


def _input_gates(x: np.ndarray, weights: _LayerWeights, biases: np.ndarray) -> np.ndarray:
    """B x T x C -> T x D x B x gates: every step's input product at once, each direction reading its way."""
    directions = len(weights.w_ih)
    inputs = np.stack([x, x[:, ::-1]][:directions])  # D x B x T x C
    gates = np.matmul(inputs, weights.w_ih_t[:, None]) + biases[:, None, None]
    return np.ascontiguousarray(gates.transpose(2, 0, 1, 3))


def _outputs(states: np.ndarray) -> np.ndarray:
    """T x D x B x H (each direction in its own reading order) -> B x T x (D*H) in the input's order."""
    in_order = np.concatenate([states[:, 0], states[::-1, 1]], axis=-1) if states.shape[1] == 2 else states[:, 0]
    # Always a copy: the states are kept for the backward pass, and the caller may change its output in place.
    return np.array(in_order.transpose(1, 0, 2), order="C", copy=True)


def _per_step_gradient(grad_output: np.ndarray, directions: int, hidden: int) -> np.ndarray:
    """B x T x (D*H) -> T x D x B x H: :func:`_outputs` undone."""
    grad = grad_output.transpose(1, 0, 2)
    parts = [grad[..., :hidden]]
    if directions == 2:
        parts.append(grad[::-1, :, hidden:])
    return np.stack(parts, axis=1)


def _input_gradient(grad_gates: np.ndarray, w_ih: np.ndarray) -> Tensor:
    """The input's gradient from the gates' (T x D x B x G): one product, directions put back in order."""
    per_direction = np.matmul(grad_gates.transpose(1, 2, 0, 3), w_ih[:, None])  # D x B x T x C
    grad = per_direction[0] + per_direction[1][:, ::-1] if len(per_direction) == 2 else per_direction[0]
    return torch.from_numpy(np.ascontiguousarray(grad))


def _numpy(tensor: Tensor) -> np.ndarray:
    return np.ascontiguousarray(tensor.detach().numpy(), dtype=np.float32)


class _GRULayer(torch.autograd.Function):
    """One (bi)directional GRU layer, batch first; its backward gives the input's gradient alone."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weights: _LayerWeights) -> Tensor:
        directions, gates, _ = weights.w_ih.shape
        hidden = gates // 3
        # The hidden side's reset and update biases are added where the input's are; the new gate's
        # hidden bias stays inside the reset gate's product, as in torch's GRU.
        biases = weights.b_ih.copy()
        biases[:, : 2 * hidden] += weights.b_hh[:, : 2 * hidden]
        input_gates = _input_gates(_numpy(x), weights, biases)
        input_reset_update = np.ascontiguousarray(input_gates[..., : 2 * hidden])  # each step's, in one block
        input_new = np.ascontiguousarray(input_gates[..., 2 * hidden :])
        w_hh_t, b_hidden_new = weights.w_hh_t, weights.b_hh[:, None, 2 * hidden :]
        matmul, tanh = np.matmul, np.tanh  # a few hundred small calls: every lookup saved shows
        h = np.zeros((directions, x.shape[0], hidden), dtype=np.float32)
        states, reset_updates, news, hidden_news = [h], [], [], []
        for step in range(len(input_new)):
            hidden_gates = matmul(h, w_hh_t)
            reset_update = input_reset_update[step] + hidden_gates[..., : 2 * hidden]
            _sigmoid(reset_update)
            hidden_new = hidden_gates[..., 2 * hidden :] + b_hidden_new
            new = reset_update[..., :hidden] * hidden_new
            new += input_new[step]
            tanh(new, out=new)
            h = h - new  # (h - new) * update + new, as torch's gru_cell computes it
            h *= reset_update[..., hidden:]
            h += new
            states.append(h)
            reset_updates.append(reset_update)
            news.append(new)
            hidden_news.append(hidden_new)
        all_states, gates_reset_update = np.stack(states), np.stack(reset_updates)
        ctx.weights = weights
        ctx.saved = (
            all_states[:-1], gates_reset_update[..., :hidden], gates_reset_update[..., hidden:], np.stack(news),
            np.stack(hidden_news),
        )  # fmt: skip
        return torch.from_numpy(_outputs(all_states[1:]))

    @staticmethod
    @once_differentiable  # the backward runs in NumPy: a second derivative would be silently missing
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, None]:
        weights: _LayerWeights = ctx.weights
        previous, reset, update, new, hidden_new = ctx.saved
        grad_states = _per_step_gradient(_numpy(grad_output), len(weights.w_ih), weights.w_hh.shape[2])
        # The gates' derivatives for every step at once: d(gate input) = d(new state) * factor.
        new_factor = (1 - update) * (1 - new * new)
        factors = np.stack(
            [new_factor * hidden_new * reset * (1 - reset), (previous - new) * update * (1 - update), new_factor], 3
        )  # T x D x B x 3 x H: the reset, update and new gates' inputs
        hidden_factors = factors.copy()
        hidden_factors[..., 2, :] *= reset  # the new gate sees the hidden state through the reset gate
        shape = (*grad_states.shape[1:3], -1)
        matmul, w_hh = np.matmul, weights.w_hh
        grad_h = np.zeros_like(grad_states[0])
        grads = []  # each step's d(state), last step first
        for step in range(len(grad_states) - 1, -1, -1):
            grad_h += grad_states[step]
            grads.append(grad_h)
            following = matmul((grad_h[:, :, None] * hidden_factors[step]).reshape(shape), w_hh)
            following += grad_h * update[step]
            grad_h = following
        grad_gates = (np.stack(grads[::-1])[:, :, :, None] * factors).reshape(*grad_states.shape[:3], -1)
        return _input_gradient(grad_gates, weights.w_ih), None


class _LSTMLayer(torch.autograd.Function):
    """One (bi)directional LSTM layer, batch first; its backward gives the input's gradient alone."""

    @staticmethod
    def forward(ctx: Any, x: Tensor, weights: _LayerWeights) -> Tensor:
        directions, gates, _ = weights.w_ih.shape
        hidden = gates // 4
        input_gates = _input_gates(_numpy(x), weights, weights.b_ih + weights.b_hh)
        h = np.zeros((directions, x.shape[0], hidden), dtype=np.float32)
        c = np.zeros_like(h)
        states, cells, activations, cell_tanhs = [], [c], [], []
        matmul, tanh, w_hh_t = np.matmul, np.tanh, weights.w_hh_t
        for step_gates in input_gates:
            activation = matmul(h, w_hh_t)
            activation += step_gates
            cell_gate = tanh(activation[..., 2 * hidden : 3 * hidden])
            _sigmoid(activation)  # input, forget, (cell: put back below), output
            activation[..., 2 * hidden : 3 * hidden] = cell_gate
            c = activation[..., hidden : 2 * hidden] * c
            c += activation[..., :hidden] * cell_gate
            cell_tanh = tanh(c)
            h = activation[..., 3 * hidden :] * cell_tanh
            states.append(h)
            cells.append(c)
            activations.append(activation)
            cell_tanhs.append(cell_tanh)
        ctx.weights = weights
        ctx.saved = (np.stack(cells[:-1]), np.stack(activations), np.stack(cell_tanhs))
        return torch.from_numpy(_outputs(np.stack(states)))

    @staticmethod
    @once_differentiable  # the backward runs in NumPy: a second derivative would be silently missing
    def backward(ctx: Any, grad_output: Tensor) -> tuple[Tensor | None, None]:
        weights: _LayerWeights = ctx.weights
        previous_cell, activation, cell_tanh = ctx.saved
        hidden = weights.w_hh.shape[2]
        grad_states = _per_step_gradient(_numpy(grad_output), len(weights.w_ih), hidden)
        i, f = activation[..., :hidden], activation[..., hidden : 2 * hidden]
        g, o = activation[..., 2 * hidden : 3 * hidden], activation[..., 3 * hidden :]
        # The gates' derivatives for every step at once: d(gate input) = d(cell) or d(state) * factor.
        through_cell = o * (1 - cell_tanh * cell_tanh)
        factors = np.stack([g * i * (1 - i), previous_cell * f * (1 - f), i * (1 - g * g), cell_tanh * o * (1 - o)], 3)
        grad_h = np.zeros_like(grad_states[0])
        grad_c = np.zeros_like(grad_h)
        grads = np.empty_like(factors)  # T x D x B x 4 x H: the input, forget, cell and output gates' inputs
        for step in range(len(grad_states) - 1, -1, -1):
            grad_h = grad_h + grad_states[step]
            grad_c = grad_c + grad_h * through_cell[step]
            np.multiply(grad_c[:, :, None], factors[step, :, :, :3], out=grads[step, :, :, :3])
            np.multiply(grad_h, factors[step, :, :, 3], out=grads[step, :, :, 3])
            grad_h = np.matmul(grads[step].reshape(*grad_h.shape[:2], -1), weights.w_hh)
            grad_c = grad_c * f[step]
        grads = grads.reshape(*grads.shape[:3], -1)
        return _input_gradient(grads, weights.w_ih), None


class FastInputGradientRNN(nn.Module):
    """A :func:`supported` nn.GRU or nn.LSTM as layers of the kind above. Its weights are copied when it is
    made (explanations never train); the final states are not given (None)."""

    def __init__(self, rnn: nn.GRU | nn.LSTM) -> None:
        super().__init__()
        if not supported(rnn):
            raise ValueError(f"{type(rnn).__name__} with these settings is not supported here")
        self.layer = _GRULayer if isinstance(rnn, nn.GRU) else _LSTMLayer
        self.hidden_size, self.num_layers, self.bidirectional = rnn.hidden_size, rnn.num_layers, rnn.bidirectional
        self.weights = [_layer_weights(rnn, layer) for layer in range(rnn.num_layers)]

    def forward(self, x: Tensor, hx: Tensor | None = None) -> tuple[Tensor, None]:
        if hx is not None:
            raise ValueError("the states start at zero here")
        for weights in self.weights:
            x = self.layer.apply(x, weights)  # dropout between layers: none, as in evaluation
        return x, None


def supported(rnn: nn.Module) -> bool:
    """Whether ``rnn`` is a layer these can stand in for: a frozen, evaluating, batch-first float32 GRU or
    LSTM on the CPU, with biases and no projection."""
    return (
        isinstance(rnn, nn.GRU | nn.LSTM)
        and rnn.batch_first
        and rnn.bias
        and getattr(rnn, "proj_size", 0) == 0
        and not rnn.training
        and not any(parameter.requires_grad for parameter in rnn.parameters())
        and all(parameter.dtype == torch.float32 and parameter.device.type == "cpu" for parameter in rnn.parameters())
    )


def with_fast_input_gradients(model: nn.Module, example: Tensor) -> nn.Module:
    """A copy of ``model`` whose GRU and LSTM layers are :class:`FastInputGradientRNN`, if it gives the
    same answer as ``model`` on ``example``; else ``model`` itself (nothing to replace, or a model that
    reads what these layers do not give, such as the final states)."""
    names = [name for name, module in model.named_modules() if supported(module)]
    if not names:
        return model
    fast = copy.deepcopy(model)
    for name in names:
        parent_name, _, child = name.rpartition(".")
        parent = fast.get_submodule(parent_name) if parent_name else fast
        setattr(parent, child, FastInputGradientRNN(getattr(parent, child)))
    try:
        with torch.no_grad():
            same = torch.allclose(fast(example), model(example), rtol=1e-4, atol=1e-5)
    except Exception:  # whatever the model does with a layer that is not torch's, it keeps its own
        return model
    return fast if same else model
