"""TensorBoard's Event/Summary protobuf messages built at run time with google.protobuf (python3-protobuf).

Debian 12 packages neither tensorboard nor tensorboardX, so their generated *_pb2 modules are absent. The
messages here carry the same names, field numbers, types and proto3 syntax as tensorboard/compat/proto
(event.proto, summary.proto, tensor.proto, tensor_shape.proto, types.proto) and the text plugin's
plugin_data.proto, for the fields torch.utils.tensorboard.summary uses. `install_stub_modules()` registers
them under tensorboard's module names so torch's own summary.py can be imported and run unchanged.
"""
import importlib.util
import os
import sys
import types

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def _field(msg, name, number, ftype, label=F.LABEL_OPTIONAL, type_name=None, oneof=None):
    f = msg.field.add(name=name, number=number, type=ftype, label=label)
    if type_name:
        f.type_name = type_name
    if oneof is not None:
        f.oneof_index = oneof
    return f


def _build():
    fd = descriptor_pb2.FileDescriptorProto(name="tb_subset.proto", package="tensorboard", syntax="proto3")

    dt = fd.enum_type.add(name="DataType")
    for name, num in [("DT_INVALID", 0), ("DT_FLOAT", 1), ("DT_DOUBLE", 2), ("DT_INT32", 3), ("DT_STRING", 7)]:
        dt.value.add(name=name, number=num)

    shape = fd.message_type.add(name="TensorShapeProto")
    dim = shape.nested_type.add(name="Dim")
    _field(dim, "size", 1, F.TYPE_INT64)
    _field(dim, "name", 2, F.TYPE_STRING)
    _field(shape, "dim", 2, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".tensorboard.TensorShapeProto.Dim")
    _field(shape, "unknown_rank", 3, F.TYPE_BOOL)

    tensor = fd.message_type.add(name="TensorProto")
    _field(tensor, "dtype", 1, F.TYPE_ENUM, type_name=".tensorboard.DataType")
    _field(tensor, "tensor_shape", 2, F.TYPE_MESSAGE, type_name=".tensorboard.TensorShapeProto")
    _field(tensor, "version_number", 3, F.TYPE_INT32)
    _field(tensor, "tensor_content", 4, F.TYPE_BYTES)
    _field(tensor, "float_val", 5, F.TYPE_FLOAT, F.LABEL_REPEATED)
    _field(tensor, "double_val", 6, F.TYPE_DOUBLE, F.LABEL_REPEATED)
    _field(tensor, "int_val", 7, F.TYPE_INT32, F.LABEL_REPEATED)
    _field(tensor, "string_val", 8, F.TYPE_BYTES, F.LABEL_REPEATED)

    hist = fd.message_type.add(name="HistogramProto")
    for i, n in enumerate(["min", "max", "num", "sum", "sum_squares"], start=1):
        _field(hist, n, i, F.TYPE_DOUBLE)
    _field(hist, "bucket_limit", 6, F.TYPE_DOUBLE, F.LABEL_REPEATED)
    _field(hist, "bucket", 7, F.TYPE_DOUBLE, F.LABEL_REPEATED)

    meta = fd.message_type.add(name="SummaryMetadata")
    pd = meta.nested_type.add(name="PluginData")
    _field(pd, "plugin_name", 1, F.TYPE_STRING)
    _field(pd, "content", 2, F.TYPE_BYTES)
    _field(meta, "plugin_data", 1, F.TYPE_MESSAGE, type_name=".tensorboard.SummaryMetadata.PluginData")
    _field(meta, "display_name", 2, F.TYPE_STRING)
    _field(meta, "summary_description", 3, F.TYPE_STRING)
    _field(meta, "data_class", 4, F.TYPE_INT32)

    summ = fd.message_type.add(name="Summary")
    img = summ.nested_type.add(name="Image")
    _field(img, "height", 1, F.TYPE_INT32)
    _field(img, "width", 2, F.TYPE_INT32)
    _field(img, "colorspace", 3, F.TYPE_INT32)
    _field(img, "encoded_image_string", 4, F.TYPE_BYTES)
    val = summ.nested_type.add(name="Value")
    val.oneof_decl.add(name="value")
    _field(val, "node_name", 7, F.TYPE_STRING)
    _field(val, "tag", 1, F.TYPE_STRING)
    _field(val, "metadata", 9, F.TYPE_MESSAGE, type_name=".tensorboard.SummaryMetadata")
    _field(val, "simple_value", 2, F.TYPE_FLOAT, oneof=0)
    _field(val, "obsolete_old_style_histogram", 3, F.TYPE_BYTES, oneof=0)
    _field(val, "image", 4, F.TYPE_MESSAGE, type_name=".tensorboard.Summary.Image", oneof=0)
    _field(val, "histo", 5, F.TYPE_MESSAGE, type_name=".tensorboard.HistogramProto", oneof=0)
    _field(val, "tensor", 8, F.TYPE_MESSAGE, type_name=".tensorboard.TensorProto", oneof=0)
    _field(summ, "value", 1, F.TYPE_MESSAGE, F.LABEL_REPEATED, ".tensorboard.Summary.Value")

    slog = fd.message_type.add(name="SessionLog")
    st = slog.enum_type.add(name="SessionStatus")
    for name, num in [("STATUS_UNSPECIFIED", 0), ("START", 1), ("STOP", 2), ("CHECKPOINT", 3)]:
        st.value.add(name=name, number=num)
    _field(slog, "status", 1, F.TYPE_ENUM, type_name=".tensorboard.SessionLog.SessionStatus")
    _field(slog, "checkpoint_path", 2, F.TYPE_STRING)
    _field(slog, "msg", 3, F.TYPE_STRING)

    ev = fd.message_type.add(name="Event")
    ev.oneof_decl.add(name="what")
    _field(ev, "wall_time", 1, F.TYPE_DOUBLE)
    _field(ev, "step", 2, F.TYPE_INT64)
    _field(ev, "file_version", 3, F.TYPE_STRING, oneof=0)
    _field(ev, "graph_def", 4, F.TYPE_BYTES, oneof=0)
    _field(ev, "summary", 5, F.TYPE_MESSAGE, type_name=".tensorboard.Summary", oneof=0)
    _field(ev, "session_log", 7, F.TYPE_MESSAGE, type_name=".tensorboard.SessionLog", oneof=0)

    text = fd.message_type.add(name="TextPluginData")
    _field(text, "version", 1, F.TYPE_INT32)

    pool = descriptor_pool.DescriptorPool()
    pool.Add(fd)
    get = lambda n: message_factory.GetMessageClass(pool.FindMessageTypeByName("tensorboard." + n)) if hasattr(message_factory, "GetMessageClass") else message_factory.MessageFactory(pool).GetPrototype(pool.FindMessageTypeByName("tensorboard." + n))
    msgs = {n: get(n) for n in ["Event", "SessionLog", "Summary", "SummaryMetadata", "HistogramProto", "TensorProto", "TensorShapeProto", "TextPluginData"]}
    # dynamic classes do not carry their nested types as attributes as generated ones do
    for outer, inner in [("Summary", "Value"), ("Summary", "Image"), ("SummaryMetadata", "PluginData"), ("TensorShapeProto", "Dim")]:
        setattr(msgs[outer], inner, get(outer + "." + inner))
    msgs["SessionLog"].START = 1
    return msgs


MESSAGES = _build()
Event = MESSAGES["Event"]
Summary = MESSAGES["Summary"]
SummaryMetadata = MESSAGES["SummaryMetadata"]
HistogramProto = MESSAGES["HistogramProto"]
TensorProto = MESSAGES["TensorProto"]
TensorShapeProto = MESSAGES["TensorShapeProto"]
TextPluginData = MESSAGES["TextPluginData"]
SessionLog = MESSAGES["SessionLog"]


def install_stub_modules():
    """Registers the messages under tensorboard's module names and returns torch's summary.py as a module."""

    def mod(name, **attrs):
        m = types.ModuleType(name)
        m.__dict__.update(attrs)
        sys.modules[name] = m
        return m

    class _Unused:  # pr-curve and custom-scalar messages that summary.py imports but these goldens never use
        pass

    mod("tensorboard", __version__="2.11")
    mod("tensorboard.compat")
    mod("tensorboard.compat.proto")
    mod("tensorboard.compat.proto.summary_pb2", HistogramProto=HistogramProto, Summary=Summary, SummaryMetadata=SummaryMetadata)
    mod("tensorboard.compat.proto.tensor_pb2", TensorProto=TensorProto)
    mod("tensorboard.compat.proto.tensor_shape_pb2", TensorShapeProto=TensorShapeProto)
    mod("tensorboard.plugins")
    mod("tensorboard.plugins.custom_scalar")
    mod("tensorboard.plugins.custom_scalar.layout_pb2", Layout=_Unused, Category=_Unused, Chart=_Unused)
    mod("tensorboard.plugins.pr_curve")
    mod("tensorboard.plugins.pr_curve.plugin_data_pb2", PrCurvePluginData=_Unused)
    mod("tensorboard.plugins.text")
    mod("tensorboard.plugins.text.plugin_data_pb2", TextPluginData=TextPluginData)

    import torch.utils  # noqa: F401  (the real package; its tensorboard/__init__ is never run)

    tb_dir = os.path.join(os.path.dirname(torch.utils.__file__), "tensorboard")
    pkg = mod("torch_tb_summary_pkg")
    pkg.__path__ = [tb_dir]
    spec = importlib.util.spec_from_file_location("torch_tb_summary_pkg.summary", os.path.join(tb_dir, "summary.py"))
    summary = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = summary
    spec.loader.exec_module(summary)
    # torch 1.13 calls np.greater(counts, 0, dtype=np.int32), which Debian 12's numpy rejects; same result
    import numpy as np

    class _NumpyCompat(types.ModuleType):
        def __getattr__(self, name):
            return getattr(np, name)

        @staticmethod
        def greater(a, b, dtype=None):
            r = np.greater(a, b)
            return r.astype(dtype) if dtype is not None else r

    summary.np = _NumpyCompat("numpy_compat")
    return summary


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # the CRC-32C check value


def masked_crc32c(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def frame_record(data):
    import struct

    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", masked_crc32c(header)) + data + struct.pack("<I", masked_crc32c(data))
