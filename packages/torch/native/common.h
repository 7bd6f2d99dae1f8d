// Shared declarations of the @monai-ts/torch addon.
#pragma once

#include <napi.h>
#include <ATen/ATen.h>
#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/core/stack.h>
#include <c10/core/InferenceMode.h>

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace torch {
namespace jit {
struct Module;
}
}  // namespace torch

namespace mts {

// How one schema argument is converted from JS.
enum class Base : uint8_t {
  Tensor, TensorList, OptTensorList, Int, IntList, Float, FloatList, Bool, BoolList, Scalar,
  Str, ScalarType, Layout, Device, MemoryFormat, Generator
};

struct ArgSpec {
  Base base;
  bool optional;
  int n;  // fixed list length (int[3]) or -1
  std::string name;
  const c10::optional<c10::IValue>* def;  // points into the registered schema, which lives forever
};

struct OpSpec {
  std::vector<ArgSpec> args;
  std::string unsupported;  // why this op cannot be called from JS, or empty
};

// One registered operator, looked up once and called many times.
struct OpEntry {
  c10::OperatorHandle handle;
  std::string name;    // "aten::add.Tensor"
  std::string schema;  // printed schema, for error messages
  OpSpec spec;
  // A faster kernel with the same results for some calls (ops.cc): runs on the argument stack and
  // returns true when it took the call, false to leave it to the dispatcher.
  bool (*fastPath)(torch::jit::Stack&) = nullptr;
};

// What a typed array sharing a tensor's storage holds (tensors.cc).
// It counts as one more holder of the storage in Env::storageReports while it holds it.
struct SharedView {
  c10::Storage storage;
  const c10::StorageImpl* held;  // the key it holds in storageReports, or null once released
};

// V8 is told about each CPU storage once per thread, however many handles and shared views hold it:
// reporting every handle's whole storage made views and aliases of one large tensor (a network's
// activations, the windows of a sliding-window output) count it many times over and start a full
// garbage collection again and again. The weak reference keeps the StorageImpl's address from being
// reused by another storage while its entry exists (a tensor whose storage is swapped by set_).
struct StorageReport {
  c10::weak_intrusive_ptr<c10::StorageImpl> weak{c10::intrusive_ptr<c10::StorageImpl>()};
  int64_t holders = 0;  // live handles and shared views on this storage
  int64_t bytes = 0;    // what was reported for it (its largest size seen)
};

// Per-thread (per Node environment) state. Nothing here is shared between threads.
struct Env {
  // Tensor handle table. A handle packs slot index and a generation counter so a stale handle
  // (used after dispose) is detected instead of silently naming a newer tensor.
  std::vector<at::Tensor> slots;
  std::vector<uint32_t> generation;
  std::vector<const c10::StorageImpl*> held;  // the storageReports key this slot holds, or null
  std::vector<uint32_t> freeList;
  size_t live = 0;
  int64_t pendingExternal = 0;  // bytes not yet reported to V8 (batched)
  int deferExternal = 0;        // > 0: hold pendingExternal until the batch ends (deferExternal())
  int64_t externalBytes = 0;    // bytes of all held storages, reported or pending
  std::unordered_map<const c10::StorageImpl*, StorageReport> storageReports;

  std::unordered_multimap<void*, SharedView*> sharedViews;  // live shared views by data pointer

  std::vector<OpEntry> ops;
  torch::jit::Stack stack;  // reused by every op call
  std::vector<c10::optional<at::Generator>> generators;  // torch.Generator objects, by id
  std::unordered_map<std::string, int> opIndex;

  std::vector<std::unique_ptr<c10::InferenceMode>> inferenceStack;
  struct AutocastState {
    bool cpuEnabled, gpuEnabled;
    at::ScalarType cpuDtype, gpuDtype;
  };
  std::vector<AutocastState> autocastStack;

  // TorchScript modules (jit.cc); shared_ptr keeps torch::jit headers out of this file.
  std::vector<std::shared_ptr<torch::jit::Module>> scriptModules;

  Napi::FunctionReference tensorErrorCtor;  // TorchError class from JS, set by setErrorClass
};

Env& env(Napi::Env e);

// Handles: slot index in the low 22 bits, an 8-bit generation above. Handles stay below 2^30,
// V8's small-integer range, so returning one allocates nothing on the JS heap.
constexpr double kSlotSpan = 4194304.0;  // 2^22
constexpr uint32_t kGenerations = 256;
double putTensor(Napi::Env e, at::Tensor t);
at::Tensor& getTensor(Napi::Env e, const Napi::Value& v, const char* what);
at::Tensor& getTensorByHandle(Napi::Env e, double h, const char* what);
void freeHandle(Napi::Env e, double h);
// The same with the thread's Env already at hand (each env() lookup is an N-API call; the hot
// paths of callOp and free look it up once).
double putTensor(Napi::Env e, Env& s, at::Tensor t);
at::Tensor& getTensorByHandle(Env& s, double h, const char* what);
void freeHandle(Napi::Env e, Env& s, double h);
void flushExternal(Napi::Env e);
// Counts one more holder of the tensor's CPU storage (reporting it to V8 when it is the first) and
// returns the key to release, or null when there is nothing to report.
const c10::StorageImpl* holdStorage(Napi::Env e, Env& s, const at::Tensor& t);
void releaseStorage(Napi::Env e, Env& s, const c10::StorageImpl* key);
void releaseShared(Napi::Env e, void* data, SharedView* k);
// Faults in, in one call, a large block of the caching allocator that is about to be written whole
// (file reads); false when `p` is not the start of such a block or the kernel cannot.
bool populatePages(void* p);

// Errors: every entry point wraps its body so that no C++ exception crosses N-API.
[[noreturn]] void throwTorch(Napi::Env e, const std::string& op, const std::string& schema,
                             const std::string& msg);
std::string cleanMessage(const std::string& what);

template <typename F>
Napi::Value guarded(const Napi::CallbackInfo& info, const char* op, F&& fn) {
  try {
    return fn();
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& err) {
    throwTorch(info.Env(), op, "", cleanMessage(err.what_without_backtrace()));
  } catch (const std::exception& err) {
    throwTorch(info.Env(), op, "", err.what());
  }
}

// Dtype names as in PyTorch ("float32", "int64", ...).
at::ScalarType dtypeFromName(const std::string& name);
const char* dtypeName(at::ScalarType t);
// Parses 'cpu', 'cuda:1', ...; with checkAvailable, also requires the device's backend in this build.
at::Device deviceFromString(const std::string& s, bool checkAvailable = true);
// Throws the one-line "CUDA is not available in this libtorch build" (naming what was asked for)
// when a device is not in this build, instead of libtorch's multi-line dispatcher message.
void checkDeviceAvailable(const at::Device& d, const std::string& asked);
struct DeviceUnavailable : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A BigInt as int64 (or, for seeds, as uint64 with negatives wrapped as Python does). napi's
// conversions wrap out-of-range values silently; these throw a RangeError-style message naming
// `what` and the value instead.
int64_t bigintToInt64(const Napi::Value& v, const std::string& what);
uint64_t seedFromJs(const Napi::Value& v, const std::string& what);

void initTensors(Napi::Env e, Napi::Object exports);
void initOps(Napi::Env e, Napi::Object exports);
void initAutograd(Napi::Env e, Napi::Object exports);
void initRuntime(Napi::Env e, Napi::Object exports);
void initJit(Napi::Env e, Napi::Object exports);
void installCachingAllocator();
size_t emptyCpuCache();
size_t cachedCpuBytes();
at::Generator& getGenerator(Napi::Env e, const Napi::Value& v);

}  // namespace mts
