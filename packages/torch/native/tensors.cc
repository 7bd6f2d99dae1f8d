// Tensor handles: creation from and copies to typed arrays, metadata, release, and hand-over
// between threads of the process.
#include "common.h"

#include <atomic>
#include <cstring>
#include <mutex>
#include <unordered_set>

namespace mts {

// The JS typed array that holds each dtype's elements (float16/bfloat16 as raw 16-bit words).
static napi_typedarray_type arrayTypeFor(at::ScalarType t) {
  switch (t) {
    case at::kFloat: return napi_float32_array;
    case at::kDouble: return napi_float64_array;
    case at::kHalf: case at::kBFloat16: case at::kShort: return t == at::kShort ? napi_int16_array : napi_uint16_array;
    case at::kByte: case at::kBool: return napi_uint8_array;
    case at::kChar: return napi_int8_array;
    case at::kInt: return napi_int32_array;
    case at::kLong: return napi_bigint64_array;
    case at::kComplexFloat: return napi_float32_array;
    case at::kComplexDouble: return napi_float64_array;
    default: throw std::invalid_argument(std::string("dtype ") + c10::toString(t) + " has no typed array form");
  }
}

static std::vector<int64_t> shapeArg(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of sizes");
  auto a = v.As<Napi::Array>();
  std::vector<int64_t> out(a.Length());
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value x = a.Get(i);
    double d = x.IsNumber() ? x.As<Napi::Number>().DoubleValue() : -1;
    if (!(d >= 0) || d != static_cast<double>(static_cast<int64_t>(d)))
      throw std::invalid_argument(std::string(what) + ": sizes must be non-negative integers, found " + x.ToString().Utf8Value());
    out[i] = static_cast<int64_t>(d);
  }
  return out;
}

// Drops the storage held by a shared view (once) and forgets it.
void releaseShared(Napi::Env e, void* data, SharedView* k) {
  auto& views = env(e).sharedViews;
  auto range = views.equal_range(data);
  for (auto it = range.first; it != range.second; ++it)
    if (it->second == k) {
      views.erase(it);
      break;
    }
  if (k->storage.unsafeGetStorageImpl()) {
    releaseStorage(e, env(e), k->held);
    k->held = nullptr;
    k->storage = c10::Storage();
  }
}

// fromTypedArray(array, shape, dtype) -> handle. One copy into tensor-owned storage: the tensor
// must outlive the JS buffer and may move to other threads, so it cannot borrow JS memory.
static Napi::Value FromTypedArray(const Napi::CallbackInfo& info) {
  return guarded(info, "fromTypedArray", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    const uint8_t* src;
    size_t bytes;
    if (info[0].IsTypedArray()) {
      auto ta = info[0].As<Napi::TypedArray>();
      src = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
      bytes = ta.ByteLength();
    } else if (info[0].IsArrayBuffer()) {
      auto ab = info[0].As<Napi::ArrayBuffer>();
      src = static_cast<const uint8_t*>(ab.Data());
      bytes = ab.ByteLength();
    } else if (info[0].IsDataView()) {
      auto dv = info[0].As<Napi::DataView>();
      src = static_cast<const uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
      bytes = dv.ByteLength();
    } else {
      throw std::invalid_argument("fromTypedArray: expected a TypedArray, ArrayBuffer or DataView");
    }
    auto shape = shapeArg(info[1], "fromTypedArray shape");
    auto dtype = dtypeFromName(info[2].As<Napi::String>().Utf8Value());
    at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dtype));
    size_t need = t.nbytes();
    if (need != bytes)
      throw std::invalid_argument("fromTypedArray: shape [" + c10::Join(", ", shape) + "] of " + dtypeName(dtype) +
                                  " needs " + std::to_string(need) + " bytes, the array has " + std::to_string(bytes));
    if (need) std::memcpy(t.data_ptr(), src, need);
    return Napi::Number::New(e, putTensor(e, std::move(t)));
  });
}

// toTypedArray(handle, share) -> TypedArray of the tensor's elements in row-major order. With share,
// the array views the tensor's storage (kept alive by the array) instead of copying it; the view
// counts as one more holder of the storage, so V8 hears of the storage's bytes only when no handle
// already reported them. (A third argument, once "report", is accepted and ignored.)
static Napi::Value ToTypedArray(const Napi::CallbackInfo& info) {
  return guarded(info, "toTypedArray", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor t = getTensor(e, info[0], "toTypedArray");
    bool share = info.Length() > 1 && info[1].ToBoolean();
    at::Tensor c = t.detach();
    if (!c.device().is_cpu()) c = c.to(at::kCPU);
    // Tensors without strided storage (an efficient zero tensor, sparse or MKL-DNN layouts) have no
    // memory to view: reading their data_ptr() crashed the process. Materialise them first.
    if (c._is_zerotensor()) c = at::zeros(c.sizes(), c.options());
    else if (c.layout() != at::kStrided) c = c.to_dense();
    else if (!c.has_storage()) throw std::invalid_argument("this tensor has no storage to read (layout or subclass without data)");
    // A contiguous tensor at a storage offset (a narrow() of a large tensor) is shared in place:
    // data_ptr() already points at its first element.
    if (!c.is_contiguous() || c.is_conj() || c.is_neg()) c = c.resolve_conj().resolve_neg().contiguous();
    if (!share && c.storage_offset() != 0) c = c.clone();
    auto type = arrayTypeFor(c.scalar_type());
    size_t bytes = c.nbytes();
    size_t elems = c.scalar_type() == at::kComplexFloat || c.scalar_type() == at::kComplexDouble ? c.numel() * 2 : c.numel();
    // Over these sizes Node fails in ways that kill the process instead of throwing: V8 aborts on a
    // typed array longer than 2^32 elements, and Node 20 makes an external buffer through node::Buffer,
    // which above buffer.constants.MAX_LENGTH (4 GiB) runs the finalizer itself and fails, after which
    // node-addon-api deletes its finalizer data again (the double free that aborted loading a 4.1 GiB
    // NIfTI). Callers view larger tensors in parts (narrow() views are shared in place).
    constexpr size_t kMaxView = static_cast<size_t>(1) << 32;
    if (elems > kMaxView || (share && bytes > kMaxView))
      throw std::invalid_argument("a tensor of " + std::to_string(bytes) + " bytes (" + std::to_string(elems) +
                                  " elements) is larger than one JS typed array can view (4 GiB, 2^32 elements); view it in parts with narrow()");
    Napi::ArrayBuffer ab;
    if (share && bytes > 0) {
      // The view holds the storage until it is collected, or until detachView releases it at once
      // (node runs an external buffer's finalizer only at garbage collection, detached or not).
      Env& s = env(e);
      auto* keep = new SharedView{c.storage(), holdStorage(e, s, c)};
      s.sharedViews.emplace(c.data_ptr(), keep);
      ab = Napi::ArrayBuffer::New(
          e, c.data_ptr(), bytes,
          [](Napi::Env env, void* data, SharedView* k) {
            releaseShared(env, data, k);
            delete k;
          },
          keep);
    } else {
      ab = Napi::ArrayBuffer::New(e, bytes);
      if (bytes) std::memcpy(ab.Data(), c.data_ptr(), bytes);
    }
    napi_value out;
    NAPI_THROW_IF_FAILED(e, napi_create_typedarray(e, type, elems, ab, 0, &out), Napi::Value());
    return Napi::Value(e, out);
  });
}

// detachView(typedArray): releases a shared view's hold on its tensor storage now instead of at
// garbage collection, and detaches its buffer so that no JS code can reach the memory again.
static Napi::Value DetachView(const Napi::CallbackInfo& info) {
  return guarded(info, "detachView", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    Napi::ArrayBuffer ab;
    if (info[0].IsTypedArray()) ab = info[0].As<Napi::TypedArray>().ArrayBuffer();
    else if (info[0].IsArrayBuffer()) ab = info[0].As<Napi::ArrayBuffer>();
    else throw std::invalid_argument("detachView: expected a typed array made by data({ share: true })");
    void* data = ab.Data();
    if (data) {
      auto& views = env(e).sharedViews;
      auto range = views.equal_range(data);
      if (range.first != range.second) releaseShared(e, data, range.first->second);
    }
    NAPI_THROW_IF_FAILED(e, napi_detach_arraybuffer(e, ab), Napi::Value());
    return e.Undefined();
  });
}

// deferExternal(on): between deferExternal(true) and deferExternal(false) (nested), tensor bytes are
// reported to V8 once at the end instead of as they come: a loader making 24 tensors of 100 MB
// otherwise starts a garbage collection for each.
static Napi::Value DeferExternal(const Napi::CallbackInfo& info) {
  return guarded(info, "deferExternal", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    Env& s = env(e);
    if (info[0].ToBoolean()) {
      s.deferExternal++;
    } else if (s.deferExternal > 0 && --s.deferExternal == 0) {
      flushExternal(e);
    }
    return e.Undefined();
  });
}

// populatePages(handle): the tensor is about to be written whole (read from a file); fault its pages
// in at once when it is a large block of the caching allocator. Returns whether it was.
static Napi::Value PopulatePages(const Napi::CallbackInfo& info) {
  return guarded(info, "populatePages", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    const at::Tensor& t = getTensor(e, info[0], "populatePages");
    void* p = t.device().is_cpu() && t.has_storage() ? t.storage().data_ptr().get() : nullptr;
    bool done = p && populatePages(p);
    return Napi::Boolean::New(e, done);
  });
}

static napi_value Free(napi_env raw, napi_callback_info cb) {
  size_t argc = 8;
  napi_value argv[8];
  napi_get_cb_info(raw, cb, &argc, argv, nullptr, nullptr);
  Napi::Env e(raw);
  Env& s = env(e);
  for (size_t i = 0; i < argc && i < 8; i++) {
    double h;
    if (napi_get_value_double(raw, argv[i], &h) == napi_ok) freeHandle(e, s, h);
  }
  return nullptr;
}

// Releases the first n handles of a Float64Array (used by tidy), in one call.
static Napi::Value FreeMany(const Napi::CallbackInfo& info) {
  Napi::Env e = info.Env();
  if (!info[0].IsTypedArray()) return e.Undefined();
  auto a = info[0].As<Napi::Float64Array>();
  size_t n = info.Length() > 1 ? std::min<size_t>(info[1].As<Napi::Number>().Uint32Value(), a.ElementLength()) : a.ElementLength();
  Env& s = env(e);
  for (size_t i = 0; i < n; i++) freeHandle(e, s, a[i]);
  return e.Undefined();
}

// Live handles, the bytes of distinct storages they hold, and the bytes this thread has reported to
// V8 as external memory (each CPU storage held by a handle or shared view, once; what is still
// pending, batched or deferred, is not counted).
static Napi::Value Memory(const Napi::CallbackInfo& info) {
  Napi::Env e = info.Env();
  Env& s = env(e);
  std::unordered_set<const void*> seen;
  double bytes = 0;
  for (auto& t : s.slots) {
    if (!t.defined() || !t.has_storage()) continue;
    const void* key = t.storage().unsafeGetStorageImpl();
    if (seen.insert(key).second) bytes += static_cast<double>(t.storage().nbytes());
  }
  auto o = Napi::Object::New(e);
  o.Set("liveTensors", Napi::Number::New(e, static_cast<double>(s.live)));
  o.Set("bytes", Napi::Number::New(e, bytes));
  o.Set("cachedBytes", Napi::Number::New(e, static_cast<double>(cachedCpuBytes())));
  o.Set("externalBytes", Napi::Number::New(e, static_cast<double>(s.externalBytes - s.pendingExternal)));
  return o;
}

// Shape, dtype, device and requiresGrad in one call: [dtype, device, requiresGrad, ...sizes].
static Napi::Value Meta(const Napi::CallbackInfo& info) {
  return guarded(info, "meta", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    const at::Tensor& t = getTensor(e, info[0], "meta");
    auto sizes = t.sizes();
    auto a = Napi::Array::New(e, 3 + sizes.size());
    a.Set(0u, Napi::String::New(e, dtypeName(t.scalar_type())));
    a.Set(1u, Napi::String::New(e, t.device().str()));
    a.Set(2u, Napi::Boolean::New(e, t.requires_grad()));
    for (size_t i = 0; i < sizes.size(); i++) a.Set(static_cast<uint32_t>(3 + i), Napi::Number::New(e, static_cast<double>(sizes[i])));
    return a;
  });
}

static Napi::Array intsToJs(Napi::Env e, at::IntArrayRef v) {
  auto a = Napi::Array::New(e, v.size());
  for (size_t i = 0; i < v.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(e, static_cast<double>(v[i])));
  return a;
}

static Napi::Value Shape(const Napi::CallbackInfo& info) {
  return guarded(info, "shape", [&]() -> Napi::Value { return intsToJs(info.Env(), getTensor(info.Env(), info[0], "shape").sizes()); });
}

static Napi::Value Dtype(const Napi::CallbackInfo& info) {
  return guarded(info, "dtype", [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), dtypeName(getTensor(info.Env(), info[0], "dtype").scalar_type()));
  });
}

static Napi::Value Device(const Napi::CallbackInfo& info) {
  return guarded(info, "device", [&]() -> Napi::Value {
    return Napi::String::New(info.Env(), getTensor(info.Env(), info[0], "device").device().str());
  });
}

static Napi::Value Strides(const Napi::CallbackInfo& info) {
  return guarded(info, "stride", [&]() -> Napi::Value { return intsToJs(info.Env(), getTensor(info.Env(), info[0], "stride").strides()); });
}

static Napi::Value StorageOffset(const Napi::CallbackInfo& info) {
  return guarded(info, "storageOffset", [&]() -> Napi::Value {
    return Napi::Number::New(info.Env(), static_cast<double>(getTensor(info.Env(), info[0], "storageOffset").storage_offset()));
  });
}

// item(handle) -> number | boolean (int64 beyond 2^53 loses precision, as any JS number does).
static Napi::Value Item(const Napi::CallbackInfo& info) {
  return guarded(info, "item", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Scalar s = getTensor(e, info[0], "item").item();
    if (s.isBoolean()) return Napi::Boolean::New(e, s.toBool());
    if (s.isIntegral(false)) return Napi::Number::New(e, static_cast<double>(s.toLong()));
    if (s.isComplex()) throw std::invalid_argument("item: complex scalars have no JS number form; use toArray()");
    return Napi::Number::New(e, s.toDouble());
  });
}

// Handles another handle to the same tensor (shares storage and autograd identity).
static Napi::Value Alias(const Napi::CallbackInfo& info) {
  return guarded(info, "alias", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor t = getTensor(e, info[0], "alias");
    return Napi::Number::New(e, putTensor(e, std::move(t)));
  });
}

static Napi::Value SameTensor(const Napi::CallbackInfo& info) {
  return guarded(info, "sameTensor", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    return Napi::Boolean::New(e, getTensor(e, info[0], "a").unsafeGetTensorImpl() == getTensor(e, info[1], "b").unsafeGetTensorImpl());
  });
}

// Cross-thread hand-over: the tensor is parked in a process-wide table under a token that
// another thread adopts once. Storage is shared, nothing is copied.
static std::mutex parkedMutex;
static std::unordered_map<uint64_t, at::Tensor>& parked() {
  static auto* m = new std::unordered_map<uint64_t, at::Tensor>();
  return *m;
}
static std::atomic<uint64_t> nextToken{1};

static Napi::Value Share(const Napi::CallbackInfo& info) {
  return guarded(info, "share", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor t = getTensor(e, info[0], "share");
    uint64_t tok = nextToken++;
    std::lock_guard<std::mutex> lock(parkedMutex);
    parked()[tok] = t;
    return Napi::BigInt::New(e, tok);
  });
}

static Napi::Value Adopt(const Napi::CallbackInfo& info) {
  return guarded(info, "adopt", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    bool lossless;
    if (!info[0].IsBigInt()) throw std::invalid_argument("fromShared: expected the bigint token made by share()");
    uint64_t tok = info[0].As<Napi::BigInt>().Uint64Value(&lossless);
    // A BigInt beyond uint64 would wrap onto another token.
    if (!lossless) throw std::invalid_argument("fromShared: unknown or already adopted token " + info[0].ToString().Utf8Value() + "n");
    at::Tensor t;
    {
      std::lock_guard<std::mutex> lock(parkedMutex);
      auto it = parked().find(tok);
      if (it == parked().end()) throw std::invalid_argument("fromShared: unknown or already adopted token " + std::to_string(tok));
      t = std::move(it->second);
      parked().erase(it);
    }
    return Napi::Number::New(e, putTensor(e, std::move(t)));
  });
}

void initTensors(Napi::Env e, Napi::Object x) {
  x.Set("fromTypedArray", Napi::Function::New(e, FromTypedArray));
  x.Set("toTypedArray", Napi::Function::New(e, ToTypedArray));
  x.Set("detachView", Napi::Function::New(e, DetachView));
  x.Set("deferExternal", Napi::Function::New(e, DeferExternal));
  x.Set("populatePages", Napi::Function::New(e, PopulatePages));
  napi_value freeFn;
  napi_create_function(e, "free", NAPI_AUTO_LENGTH, Free, nullptr, &freeFn);
  x.Set("free", Napi::Value(e, freeFn));
  x.Set("freeMany", Napi::Function::New(e, FreeMany));
  x.Set("memory", Napi::Function::New(e, Memory));
  x.Set("meta", Napi::Function::New(e, Meta));
  x.Set("shape", Napi::Function::New(e, Shape));
  x.Set("dtype", Napi::Function::New(e, Dtype));
  x.Set("device", Napi::Function::New(e, Device));
  x.Set("stride", Napi::Function::New(e, Strides));
  x.Set("item", Napi::Function::New(e, Item));
  x.Set("storageOffset", Napi::Function::New(e, StorageOffset));
  x.Set("alias", Napi::Function::New(e, Alias));
  x.Set("sameTensor", Napi::Function::New(e, SameTensor));
  x.Set("share", Napi::Function::New(e, Share));
  x.Set("adopt", Napi::Function::New(e, Adopt));
}

}  // namespace mts
