"""Goldens for monai-ts's SummaryWriter and img2tensorboard: framed event records built by torch 1.13's own
torch/utils/tensorboard/summary.py (scalar, text, histogram, image) and MONAI 1.4's img2tensorboard
(animated GIFs), serialized by google.protobuf with TensorBoard's message definitions (tb_protos.py:
tensorboard itself is not packaged for Debian 12) and framed with CRC32C.

Run:  PYTHONPATH=/work/pysrc/monai:/work/pysrc/ignite:/work/pysrc/einops /usr/bin/python3 \
        tools/goldens/handlers/make_tfevents_golden.py
Writes tools/goldens/handlers/tfevents_golden.json.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tb_protos as pb  # noqa: E402

summary = pb.install_stub_modules()  # torch's summary.py on the stub tensorboard modules

from monai.visualize import img2tensorboard  # noqa: E402  (its optional Summary import now finds the stub)

# torch's SummaryWriter.default_bins
v = 1e-12
pos, neg = [], []
while v < 1e20:
    pos.append(v)
    neg.append(-v)
    v *= 1.1
DEFAULT_BINS = neg[::-1] + [0] + pos


def event(wall_time, step=None, **what):
    e = pb.Event(wall_time=wall_time, **what)
    if step is not None:
        e.step = int(step)
    return pb.frame_record(e.SerializeToString()).hex()


rng = np.random.RandomState(1234)
out = {"default_bins_len": len(DEFAULT_BINS), "default_bins_head": DEFAULT_BINS[:3], "default_bins_tail": DEFAULT_BINS[-3:], "cases": []}


def case(name, record_hex, **inputs):
    out["cases"].append({"name": name, "record": record_hex, **inputs})


case("file_version", event(1700000000.25, file_version="brain.Event:2"))
case("purge_session_start", event(1700000000.5, 5, session_log=pb.SessionLog(status=pb.SessionLog.START)), step=5, wall_time=1700000000.5)
case("scalar", event(1700000001.5, 7, summary=summary.scalar("loss", 0.25)), tag="loss", value=0.25, step=7, wall_time=1700000001.5)
case("scalar_zero_step0", event(1700000002.0, 0, summary=summary.scalar("zero", 0.0)), tag="zero", value=0.0, step=0, wall_time=1700000002.0)
case("scalar_float32_rounding", event(1700000003.0, 123456789, summary=summary.scalar("a/b", 0.1)), tag="a/b", value=0.1, step=123456789, wall_time=1700000003.0)
case("text", event(1700000004.0, 3, summary=summary.text("note", "h\u00e9llo \u2713")), tag="note", text="h\u00e9llo \u2713", step=3, wall_time=1700000004.0)

values = rng.standard_normal(200) * 3.0
values[:3] = [0.0, 1e-13, -2.5]
case("histogram_default_bins", event(1700000005.0, 2, summary=summary.histogram("h", values, DEFAULT_BINS)), tag="h", values=values.tolist(), step=2, wall_time=1700000005.0)
case("histogram_10_bins", event(1700000006.0, 2, summary=summary.histogram("h10", values, 10)), tag="h10", values=values.tolist(), bins=10, step=2, wall_time=1700000006.0)
case("histogram_max_bins", event(1700000007.0, 2, summary=summary.histogram("hm", values, DEFAULT_BINS, max_bins=64)), tag="hm", values=values.tolist(), max_bins=64, step=2, wall_time=1700000007.0)
ints = np.array([1, 1, 2, 3, 5, 8, 13], dtype=np.float64)
case("histogram_edges", event(1700000008.0, 1, summary=summary.histogram("he", ints, [0, 2, 4, 8, 13])), tag="he", values=ints.tolist(), edges=[0, 2, 4, 8, 13], step=1, wall_time=1700000008.0)

chw = rng.rand(3, 4, 5).astype(np.float32)
case("image_chw", event(1700000009.0, 4, summary=summary.image("img", chw, dataformats="CHW")), tag="img", image=chw.tolist(), dataformats="CHW", step=4, wall_time=1700000009.0)
hw = rng.rand(6, 3).astype(np.float32)
case("image_hw", event(1700000010.0, 5, summary=summary.image("gray", hw, dataformats="HW")), tag="gray", image=hw.tolist(), dataformats="HW", step=5, wall_time=1700000010.0)
hwc = (rng.rand(2, 3, 4) * 255).astype(np.uint8)
case("image_hwc_uint8_rgba", event(1700000011.0, 6, summary=summary.image("rgba", hwc, dataformats="HWC")), tag="rgba", image=hwc.tolist(), dtype="uint8", dataformats="HWC", step=6, wall_time=1700000011.0)
nchw = rng.rand(3, 1, 2, 3).astype(np.float32)
case("images_nchw_grid", event(1700000012.0, 7, summary=summary.image("grid", nchw, dataformats="NCHW")), tag="grid", image=nchw.tolist(), dataformats="NCHW", step=7, wall_time=1700000012.0)

# MONAI's animated GIF of a CHWD volume already in [0, 255] (what plot_2d_or_3d_image hands it)
vol = (rng.rand(2, 5, 4, 3) * 255).astype(np.float32)
gifs = img2tensorboard.make_animated_gif_summary("vol_HWD", vol, max_out=2, frame_dim=-3)
case("gif_summaries", "", image=vol.tolist(), max_out=2, frame_dim=-3,
     gifs=[{"tag": s.value[0].tag, "height": s.value[0].image.height, "width": s.value[0].image.width,
            "colorspace": s.value[0].image.colorspace, "gif": s.value[0].image.encoded_image_string.hex()} for s in gifs])


# plot_2d_or_3d_image's tags and the image layouts it hands the writer (a recording writer)
class Recorder:
    def __init__(self):
        self.calls = []

    def add_image(self, tag, img, step, dataformats="CHW"):
        self.calls.append({"kind": "image", "tag": tag, "step": step, "dataformats": dataformats, "shape": list(np.shape(img)),
                           "data": np.asarray(img, dtype=np.float64).ravel().tolist()})

    def _get_file_writer(self):
        rec = self

        class FW:
            def add_summary(self, s, step):
                for val in s.value:
                    rec.calls.append({"kind": "gif", "tag": val.tag, "step": step, "gif": val.image.encoded_image_string.hex()})

        return FW()


plots = []
for name, shape, kw in [("2d", (2, 1, 4, 5), {}), ("3d_channels", (1, 3, 4, 5), {"max_channels": 2}), ("rgb", (1, 3, 4, 5), {"max_channels": 3}),
                        ("volume", (1, 2, 4, 3, 5), {"max_channels": 2}), ("volume_frame_dim", (1, 1, 4, 3, 5), {"frame_dim": 4, "tag": "lbl"})]:
    data = rng.rand(*shape).astype(np.float32)
    r = Recorder()
    img2tensorboard.plot_2d_or_3d_image(data, 9, r, **kw)
    plots.append({"name": name, "data": data.tolist(), "options": kw, "calls": r.calls})
out["plots"] = plots

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "tfevents_golden.json")
with open(path, "w") as f:
    json.dump(out, f, separators=(",", ":"))
print(f"wrote {path} ({os.path.getsize(path)} bytes, {len(out['cases'])} cases, {len(plots)} plots)")
