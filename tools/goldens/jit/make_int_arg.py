"""TorchScript fixture with int and int[] arguments, for packages/torch/test/bigint.test.ts
(BigInt arguments to a scripted method). Run: /usr/bin/python3 tools/goldens/jit/make_int_arg.py"""
import os
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'packages', 'torch', 'test', 'fixtures', 'jit')


class IntArg(torch.nn.Module):
    def forward(self, x: torch.Tensor, n: int) -> torch.Tensor:
        return x + n

    @torch.jit.export
    def shift(self, x: torch.Tensor, shifts: list[int]) -> torch.Tensor:
        return torch.roll(x, shifts, [0])


torch.jit.script(IntArg()).save(os.path.join(OUT, 'int_arg.pt'))
