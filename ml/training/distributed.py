"""Training on several processes: ``torchrun --nproc_per_node=N glyphpad-ml train ...``.

torchrun starts one process per GPU (or per CPU group) and tells each its rank through environment
variables (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR/PORT or a rendezvous endpoint across machines).
Each process holds the whole training set, draws the same epoch of samples from the same seed and
takes every N-th of them (a distributed sampler over the weighted draw), and
DistributedDataParallel averages the gradients, so every rank ends with the same weights. Rank 0
alone prints progress and writes checkpoints, weights, the card and metrics. Without torchrun the
world is one process and nothing here does anything.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class World:
    rank: int = 0
    size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.size > 1


SINGLE_PROCESS = World()


def join_world(device_choice: str) -> tuple[World, str]:
    """Join the process group torchrun set up (gloo on the CPU, NCCL on CUDA); returns the world and
    the device this rank trains on (its own GPU, cuda:LOCAL_RANK, when training on CUDA)."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    if size <= 1:
        return World(), device_choice
    world = World(rank=int(os.environ["RANK"]), size=size, local_rank=int(os.environ.get("LOCAL_RANK", "0")))
    use_cuda = device_choice.startswith("cuda") or (device_choice == "auto" and torch.cuda.is_available())
    if use_cuda:
        torch.cuda.set_device(world.local_rank)
        device_choice = f"cuda:{world.local_rank}"
    if not dist.is_initialized():
        dist.init_process_group(backend="nccl" if use_cuda else "gloo")
    return world, device_choice


def wait_for_every_rank(world: World) -> None:
    """A barrier: the ranks leave together. A rank that destroyed its process group and exited while
    rank 0 was still evaluating and writing sometimes aborted in gloo's threads ("terminate called
    without an active exception"), failing the whole torchrun."""
    if world.distributed:
        dist.barrier()


def leave_world() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def end_rank(world: World) -> None:
    """Under torchrun, end this rank's process now: every rank has finished (`wait_for_every_rank`) and
    rank 0 has written and said everything. Tearing gloo down (destroy_process_group, or the interpreter's
    exit with its threads and their work still held) now and then aborted a rank after a finished run
    ("terminate called without an active exception", SIGABRT: CI, once in dozens of runs, even after the
    barrier), and torchrun then failed the run. A process that ends here skips that teardown; without
    torchrun nothing happens."""
    if not world.distributed:
        return
    for stream in (sys.stdout, sys.stderr):
        # A reader gone (| head) or a stream closed: nothing more to say there, and the process ends still.
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(0)


def wrap(model: nn.Module, world: World, device: torch.device) -> nn.Module:
    """DistributedDataParallel around the model when there is more than one rank."""
    if not world.distributed:
        return model
    return nn.parallel.DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)


def unwrap(model: nn.Module) -> nn.Module:
    inner = model.module if isinstance(model, nn.parallel.DistributedDataParallel) else model
    assert isinstance(inner, nn.Module)
    return inner


def weight_checksums(model: nn.Module, world: World) -> list[float]:
    """A checksum of the weights from every rank (rank order): equal when the ranks agree."""
    total = sum(
        float(p.detach().double().abs().sum()) + 1e-3 * float(p.detach().double().sum())
        for p in unwrap(model).parameters()
    )
    if not world.distributed:
        return [total]
    gathered: list[float] = [0.0] * world.size
    dist.all_gather_object(gathered, total)
    return gathered
