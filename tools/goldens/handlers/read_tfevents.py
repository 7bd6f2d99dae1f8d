"""Reads TensorBoard event files (monai-ts's or anyone's) and prints their scalars, images, histograms and
texts as JSON.

Usage: /usr/bin/python3 tools/goldens/handlers/read_tfevents.py <event file or log dir> [...]

With tensorboard installed it reads through tensorboard's EventAccumulator; otherwise (Debian 12 has no
tensorboard package) through the small record + protobuf parser below, which checks every CRC32C. Images
are decoded with Pillow when it is there (size, frames, mean grey level).
"""
import io
import json
import os
import struct
import sys

try:
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # type: ignore
except ImportError:
    EventAccumulator = None

try:
    from PIL import Image
except ImportError:
    Image = None


def _table():
    t = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_T = _table()


def masked_crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _T[(c ^ b) & 0xFF] ^ (c >> 8)
    c ^= 0xFFFFFFFF
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def records(path):
    with open(path, "rb") as f:
        buf = f.read()
    pos = 0
    while pos + 12 <= len(buf):
        header = buf[pos : pos + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", buf[pos + 8 : pos + 12])
        if hcrc != masked_crc32c(header):
            raise ValueError(f"{path}: length CRC mismatch at byte {pos}")
        if pos + 12 + length + 4 > len(buf):
            print(f"warning: {path}: truncated last record at byte {pos}", file=sys.stderr)
            return
        data = buf[pos + 12 : pos + 12 + length]
        (dcrc,) = struct.unpack("<I", buf[pos + 12 + length : pos + 16 + length])
        if dcrc != masked_crc32c(data):
            raise ValueError(f"{path}: data CRC mismatch at byte {pos}")
        yield data
        pos += 16 + length


def fields(buf):
    """(field number, wire type, value) of a protobuf message: varints as int, fixed as bytes, lengths as bytes."""
    pos = 0

    def varint():
        nonlocal pos
        shift = result = 0
        while True:
            b = buf[pos]
            pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                return result
            shift += 7

    while pos < len(buf):
        key = varint()
        num, wire = key >> 3, key & 7
        if wire == 0:
            yield num, wire, varint()
        elif wire == 1:
            yield num, wire, buf[pos : pos + 8]
            pos += 8
        elif wire == 2:
            n = varint()
            yield num, wire, buf[pos : pos + n]
            pos += n
        elif wire == 5:
            yield num, wire, buf[pos : pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")


def doubles(items):
    out = []
    for wire, v in items:
        out += list(struct.unpack(f"<{len(v) // 8}d", v)) if wire == 2 else [struct.unpack("<d", v)[0]]
    return out


def parse_value(buf):
    val = {"tag": ""}
    for num, wire, v in fields(buf):
        if num == 1:
            val["tag"] = v.decode("utf-8")
        elif num == 2:
            val["simple_value"] = struct.unpack("<f", v)[0]
        elif num == 4:
            im = {"height": 0, "width": 0, "colorspace": 0}
            for n2, _, v2 in fields(v):
                if n2 in (1, 2, 3):
                    im[{1: "height", 2: "width", 3: "colorspace"}[n2]] = v2
                elif n2 == 4:
                    im["encoded"] = v2
            val["image"] = im
        elif num == 5:
            h, rep = {}, {6: [], 7: []}
            for n2, w2, v2 in fields(v):
                if n2 in rep:
                    rep[n2].append((w2, v2))
                else:
                    h[{1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}[n2]] = struct.unpack("<d", v2)[0]
            h["bucket_limit"], h["bucket"] = doubles(rep[6]), doubles(rep[7])
            val["histo"] = h
        elif num == 8:
            t = {"string_val": []}
            for n2, _, v2 in fields(v):
                if n2 == 1:
                    t["dtype"] = v2
                elif n2 == 8:
                    t["string_val"].append(v2.decode("utf-8"))
            val["tensor"] = t
        elif num == 9:
            for n2, _, v2 in fields(v):
                if n2 == 1:
                    for n3, _, v3 in fields(v2):
                        if n3 == 1:
                            val["plugin"] = v3.decode("utf-8")
    return val


def parse_event(buf):
    ev = {"wall_time": 0.0, "step": 0, "values": []}
    for num, wire, v in fields(buf):
        if num == 1:
            ev["wall_time"] = struct.unpack("<d", v)[0]
        elif num == 2:
            ev["step"] = v - (1 << 64) if v >= 1 << 63 else v
        elif num == 3:
            ev["file_version"] = v.decode("utf-8")
        elif num == 5:
            ev["values"] = [parse_value(v2) for n2, _, v2 in fields(v) if n2 == 1]
    return ev


def describe_image(im):
    d = {"height": im["height"], "width": im["width"], "colorspace": im["colorspace"], "bytes": len(im["encoded"])}
    enc = im["encoded"]
    d["format"] = "png" if enc[:4] == b"\x89PNG" else "gif" if enc[:3] == b"GIF" else "unknown"
    if Image is not None:
        pic = Image.open(io.BytesIO(enc))
        frames, total, count = 0, 0, 0
        try:
            while True:
                px = list(pic.convert("L").getdata())
                total += sum(px)
                count += len(px)
                frames += 1
                pic.seek(pic.tell() + 1)
        except EOFError:
            pass
        d.update({"decoded_size": list(pic.size), "frames": frames, "mean_grey": round(total / max(count, 1), 4)})
    return d


def read_file(path, out):
    for i, rec in enumerate(records(path)):
        ev = parse_event(rec)
        if i == 0 and "file_version" in ev:
            out["file_versions"].append(ev["file_version"])
        for val in ev["values"]:
            tag, step = val["tag"], ev["step"]
            if "simple_value" in val:
                out["scalars"].setdefault(tag, []).append([step, val["simple_value"]])
            elif "image" in val:
                out["images"].setdefault(tag, []).append({"step": step, **describe_image(val["image"])})
            elif "histo" in val:
                h = val["histo"]
                out["histograms"].setdefault(tag, []).append({"step": step, "min": h.get("min", 0.0), "max": h.get("max", 0.0), "num": h.get("num", 0.0),
                                                              "sum": h.get("sum", 0.0), "buckets": len(h["bucket"]), "count": sum(h["bucket"])})
            elif "tensor" in val and val.get("plugin") == "text":
                out["texts"].setdefault(tag, []).append([step, val["tensor"]["string_val"]])


def read_with_accumulator(path, out):
    acc = EventAccumulator(path, size_guidance={"scalars": 0, "images": 0, "histograms": 0, "tensors": 0})
    acc.Reload()
    tags = acc.Tags()
    for t in tags.get("scalars", []):
        out["scalars"][t] = [[e.step, e.value] for e in acc.Scalars(t)]
    for t in tags.get("images", []):
        out["images"][t] = [{"step": e.step, **describe_image({"height": e.height, "width": e.width, "colorspace": 0, "encoded": e.encoded_image_string})} for e in acc.Images(t)]
    for t in tags.get("histograms", []):
        out["histograms"][t] = [{"step": e.step, "min": e.histogram_value.min, "max": e.histogram_value.max, "num": e.histogram_value.num,
                                 "sum": e.histogram_value.sum, "buckets": len(e.histogram_value.bucket), "count": sum(e.histogram_value.bucket)} for e in acc.Histograms(t)]


def main(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                files += [os.path.join(root, n) for n in sorted(names) if "tfevents" in n]
        else:
            files.append(p)
    result = {"reader": "EventAccumulator" if EventAccumulator else "pure-python", "files": {}}
    for f in files:
        out = {"file_versions": [], "scalars": {}, "images": {}, "histograms": {}, "texts": {}}
        if EventAccumulator is not None:
            read_with_accumulator(f, out)
        else:
            read_file(f, out)
        result["files"][f] = out
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: read_tfevents.py <event file or log dir> [...]")
    main(sys.argv[1:])
