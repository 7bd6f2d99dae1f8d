"""Loads a UNet trained and saved by monai-ts (write_trained_unet.ts) into MONAI 1.4's own UNet with
load_state_dict(strict=True) and compares MONAI's eval output with the one monai-ts saved.

    npx tsx tools/goldens/networks/write_trained_unet.ts /tmp/ts_trained_unet.pt
    PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 tools/goldens/networks/check_roundtrip.py /tmp/ts_trained_unet.pt

Exits non-zero when the state dict does not load strictly or the outputs differ by more than
1e-4 relative to the output's largest magnitude."""
import sys

import torch
from monai.networks.nets import UNet

path = sys.argv[1] if len(sys.argv) > 1 else '/tmp/ts_trained_unet.pt'
saved = torch.load(path)
net = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(4, 8, 16), strides=(2, 2), num_res_units=2, norm='batch')
result = net.load_state_dict(saved['state_dict'], strict=True)
net.eval()
with torch.no_grad():
    out = net(saved['input'])
ref = saved['output']
diff = (out - ref).abs().max().item()
scale = ref.abs().max().item()
print(f'load_state_dict(strict=True): {result}; {len(saved["state_dict"])} entries')
print(f'output {tuple(out.shape)}: max |MONAI - monai-ts| = {diff:.3e}, max |output| = {scale:.3e}, relative {diff / scale:.3e}')
sys.exit(0 if diff <= 1e-4 * scale else 1)
