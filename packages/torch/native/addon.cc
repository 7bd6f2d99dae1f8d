// Module entry: per-thread environment, tensor handle table, errors and dtype names.
#include "common.h"

#include <malloc.h>
#include <cmath>
#include <cstring>
#include <mutex>

namespace mts {

Env& env(Napi::Env e) { return *e.GetInstanceData<Env>(); }

double putTensor(Napi::Env e, at::Tensor t) { return putTensor(e, env(e), std::move(t)); }

double putTensor(Napi::Env e, Env& s, at::Tensor t) {
  uint32_t slot;
  if (!s.freeList.empty()) {
    slot = s.freeList.back();
    s.freeList.pop_back();
  } else {
    slot = static_cast<uint32_t>(s.slots.size());
    if (slot >= kSlotSpan) throw std::runtime_error("too many live tensors (4194304); dispose tensors or use torch.tidy");
    s.slots.emplace_back();
    s.generation.push_back(0);
    s.held.push_back(nullptr);
  }
  s.held[slot] = holdStorage(e, s, t);
  s.slots[slot] = std::move(t);
  s.live++;
  return static_cast<double>(s.generation[slot]) * kSlotSpan + slot;
}

static void maybeFlush(Napi::Env e, Env& s) {
  if (s.deferExternal == 0 && (s.pendingExternal > (1 << 20) || s.pendingExternal < -(1 << 20))) flushExternal(e);
}

const c10::StorageImpl* holdStorage(Napi::Env e, Env& s, const at::Tensor& t) {
  if (!t.defined() || !t.has_storage() || !t.device().is_cpu()) return nullptr;
  const c10::Storage& st = t.storage();
  const c10::StorageImpl* key = st.unsafeGetStorageImpl();
  if (!key) return nullptr;
  auto it = s.storageReports.try_emplace(key).first;
  StorageReport& r = it->second;
  if (r.holders++ == 0) r.weak = st.getWeakStorageImpl();
  // A storage can grow in place (resize_, out= ops): report the growth, once.
  int64_t bytes = static_cast<int64_t>(st.nbytes());
  if (bytes > r.bytes) {
    s.pendingExternal += bytes - r.bytes;
    s.externalBytes += bytes - r.bytes;
    r.bytes = bytes;
    maybeFlush(e, s);
  }
  return key;
}

void releaseStorage(Napi::Env e, Env& s, const c10::StorageImpl* key) {
  if (!key) return;
  auto it = s.storageReports.find(key);
  if (it == s.storageReports.end() || --it->second.holders > 0) return;
  s.pendingExternal -= it->second.bytes;
  s.externalBytes -= it->second.bytes;
  s.storageReports.erase(it);
  maybeFlush(e, s);
}

void flushExternal(Napi::Env e) {
  Env& s = env(e);
  if (s.pendingExternal != 0) {
    Napi::MemoryManagement::AdjustExternalMemory(e, s.pendingExternal);
    s.pendingExternal = 0;
  }
}

static bool decode(Env& s, double h, uint32_t& slot) {
  if (!(h >= 0 && h < kSlotSpan * kGenerations)) return false;
  uint32_t v = static_cast<uint32_t>(h);
  if (static_cast<double>(v) != h) return false;
  slot = v & (static_cast<uint32_t>(kSlotSpan) - 1);
  uint32_t gen = v >> 22;
  return slot < s.slots.size() && s.generation[slot] == gen && s.slots[slot].defined();
}

at::Tensor& getTensorByHandle(Napi::Env e, double h, const char* what) { return getTensorByHandle(env(e), h, what); }

at::Tensor& getTensorByHandle(Env& s, double h, const char* what) {
  uint32_t slot;
  if (!decode(s, h, slot))
    throw std::invalid_argument(std::string(what) + ": expected a live Tensor (was it disposed, or made in another thread?)");
  return s.slots[slot];
}

at::Tensor& getTensor(Napi::Env e, const Napi::Value& v, const char* what) {
  if (!v.IsNumber())
    throw std::invalid_argument(std::string(what) + ": expected a live Tensor (was it disposed, or made in another thread?)");
  return getTensorByHandle(e, v.As<Napi::Number>().DoubleValue(), what);
}

void freeHandle(Napi::Env e, double h) { freeHandle(e, env(e), h); }

void freeHandle(Napi::Env e, Env& s, double h) {
  uint32_t slot;
  if (!decode(s, h, slot)) return;  // already freed: dispose is idempotent
  s.slots[slot] = at::Tensor();
  s.generation[slot] = (s.generation[slot] + 1) % kGenerations;
  const c10::StorageImpl* key = s.held[slot];
  s.held[slot] = nullptr;
  s.freeList.push_back(slot);
  s.live--;
  releaseStorage(e, s, key);
}

std::string cleanMessage(const std::string& what) {
  // libtorch appends "Exception raised from ..." context lines that mean nothing to a JS user.
  std::string m = what;
  auto p = m.find("\nException raised from");
  if (p != std::string::npos) m = m.substr(0, p);
  // "Could not run 'aten::x' with arguments from the 'CUDA' backend." is followed by a page listing
  // every backend and kernel: keep the first sentence.
  if (m.rfind("Could not run '", 0) == 0) {
    auto end = m.find("backend.");
    if (end != std::string::npos) m = m.substr(0, end + 8);
  }
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void throwTorch(Napi::Env e, const std::string& op, const std::string& schema, const std::string& msg) {
  Env& s = env(e);
  if (!s.tensorErrorCtor.IsEmpty()) {
    Napi::Value err = s.tensorErrorCtor.New({Napi::String::New(e, msg), Napi::String::New(e, op),
                                             Napi::String::New(e, schema)});
    throw Napi::Error(e, err);
  }
  throw Napi::Error::New(e, op + ": " + msg);
}

struct DtypeName {
  const char* name;
  at::ScalarType type;
};
static const DtypeName kDtypes[] = {
    {"float32", at::kFloat},   {"float64", at::kDouble}, {"float16", at::kHalf},  {"bfloat16", at::kBFloat16},
    {"uint8", at::kByte},      {"int8", at::kChar},      {"int16", at::kShort},   {"int32", at::kInt},
    {"int64", at::kLong},      {"bool", at::kBool},      {"complex64", at::kComplexFloat},
    {"complex128", at::kComplexDouble},
    // PyTorch's aliases
    {"float", at::kFloat},     {"double", at::kDouble},  {"half", at::kHalf},     {"short", at::kShort},
    {"int", at::kInt},         {"long", at::kLong},
};

at::ScalarType dtypeFromName(const std::string& name) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.type;
  throw std::invalid_argument("unknown dtype '" + name +
                              "' (expected float32, float64, float16, bfloat16, uint8, int8, int16, int32, int64, bool, complex64 or complex128)");
}

const char* dtypeName(at::ScalarType t) {
  for (const auto& d : kDtypes)
    if (d.type == t) return d.name;
  return c10::toString(t);
}

at::Device deviceFromString(const std::string& s, bool checkAvailable) {
  at::Device d = at::kCPU;
  try {
    d = at::Device(s);
  } catch (const c10::Error&) {
    throw std::invalid_argument("invalid device '" + s + "' (expected 'cpu' or 'cuda:N')");
  }
  if (checkAvailable) checkDeviceAvailable(d, s);
  return d;
}

void checkDeviceAvailable(const at::Device& d, const std::string& asked) {
  if (d.is_cuda() && !at::globalContext().hasCUDA())
    throw DeviceUnavailable("CUDA is not available in this libtorch build (device '" + asked + "' was asked for)");
}

[[noreturn]] static void bigintRange(const Napi::Value& v, const std::string& what, const char* range) {
  throw std::range_error(what + " " + v.ToString().Utf8Value() + "n is out of range (" + range + ")");
}

int64_t bigintToInt64(const Napi::Value& v, const std::string& what) {
  bool lossless = false;
  int64_t x = v.As<Napi::BigInt>().Int64Value(&lossless);
  if (!lossless) bigintRange(v, what, "int64: -9223372036854775808n to 9223372036854775807n");
  return x;
}

uint64_t seedFromJs(const Napi::Value& v, const std::string& what) {
  const char* range = "a seed is an integer from -9223372036854775808 to 18446744073709551615";
  if (v.IsBigInt()) {
    bool lossless = false;
    uint64_t u = v.As<Napi::BigInt>().Uint64Value(&lossless);
    if (lossless) return u;
    int64_t i = v.As<Napi::BigInt>().Int64Value(&lossless);
    if (lossless) return static_cast<uint64_t>(i);  // negative: wraps as torch.manual_seed(-1) does
    bigintRange(v, what, range);
  }
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : std::nan("");
  if (!(d == std::trunc(d) && d >= -9223372036854775808.0 && d < 18446744073709551616.0))
    throw std::range_error(what + ": expected an integer, found " + v.ToString().Utf8Value() + " (" + range + ")");
  return d < 0 ? static_cast<uint64_t>(static_cast<int64_t>(d)) : static_cast<uint64_t>(d);
}

static Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  env(info.Env()).tensorErrorCtor = Napi::Persistent(info[0].As<Napi::Function>());
  return info.Env().Undefined();
}

void initImgproc(Napi::Env e, Napi::Object exports);  // imgproc.cc
void initRandomState(Napi::Env e, Napi::Object exports);  // random_state.cc
void initInterp(Napi::Env e, Napi::Object exports);       // interp.cc
void initDistributed(Napi::Env e, Napi::Object exports);  // distributed.cc
void initOptim(Napi::Env e, Napi::Object exports);        // optim.cc

static std::once_flag mallocOnce;

static Napi::Object Init(Napi::Env e, Napi::Object exports) {
  // glibc's dynamic mmap threshold lets repeated multi-megabyte tensors fragment the heap. Fix it
  // at glibc's own dynamic maximum (32 MiB), with the trim threshold glibc pairs with it (twice
  // that). Larger blocks go to the caching allocator (allocator.cc). glibc's MALLOC_*_ environment
  // variables, when set, take precedence.
  std::call_once(mallocOnce, [] {
    if (!getenv("MALLOC_MMAP_THRESHOLD_")) mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    if (!getenv("MALLOC_TRIM_THRESHOLD_")) mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    // No fastbins: every small op allocates and frees a TensorImpl, a StorageImpl and an aligned
    // data block, and a free that merges into the top chunk then consolidates all fastbins
    // (malloc_consolidate was 5% of a tiny op). tcache still serves repeated small sizes.
    const char* tun = getenv("GLIBC_TUNABLES");
    if (!tun || !strstr(tun, "mxfast")) mallopt(M_MXFAST, 0);
    // Keep 256 MiB of freed heap mapped when trimming (glibc keeps 128 KiB): a training step frees
    // more than the trim threshold of activations at its end, glibc handed them back to the kernel and
    // the next step faulted every page in again. The spleen recipe's 5 epochs took 470-510k page
    // faults against 128-133k with the pad (3.7-4.2 s of system time against 1.5-1.7, at the same peak
    // RSS), and page faults are slow in VMs. Only touched pages stay; peak memory does not grow.
    if (!getenv("MALLOC_TOP_PAD_") && (!tun || !strstr(tun, "top_pad"))) mallopt(M_TOP_PAD, 256 * 1024 * 1024);
  });
  installCachingAllocator();
  e.SetInstanceData<Env>(new Env());
  exports.Set("setErrorClass", Napi::Function::New(e, SetErrorClass));
  initTensors(e, exports);
  initOps(e, exports);
  initAutograd(e, exports);
  initRuntime(e, exports);
  initJit(e, exports);
  initImgproc(e, exports);
  initOptim(e, exports);
  initRandomState(e, exports);
  initInterp(e, exports);
  initDistributed(e, exports);
  return exports;
}

}  // namespace mts

static Napi::Object InitModule(Napi::Env e, Napi::Object exports) { return mts::Init(e, exports); }
NODE_API_MODULE(torch_native, InitModule)
