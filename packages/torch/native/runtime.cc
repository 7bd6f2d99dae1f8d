// Process-level settings and facts: seeds, threads, build configuration, CUDA queries.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/api/include/torch/version.h>

#include <ATen/CPUGeneratorImpl.h>

#include <malloc.h>
#include <mutex>
#include <thread>

// The caching allocator's statistics need the CUDA toolkit's headers besides libtorch's (c10/cuda
// includes cuda_runtime_api.h); install.mjs puts $CUDA_HOME/include on CPATH for a CUDA build.
#if defined(MONAI_TS_CUDA) && __has_include(<cuda_runtime_api.h>)
#define MONAI_TS_CUDA_STATS 1
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAFunctions.h>
#endif

namespace mts {

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guarded(info, "manualSeed", [&]() -> Napi::Value {
    uint64_t seed = seedFromJs(info[0], "seed");
    {
      auto gen = at::detail::getDefaultCPUGenerator();
      std::lock_guard<std::mutex> lock(gen.mutex());
      gen.set_current_seed(seed);
    }
    if (at::globalContext().hasCUDA()) {
      for (int i = 0; i < at::detail::getCUDAHooks().getNumGPUs(); i++) {
        auto gen = at::detail::getCUDAHooks().getDefaultCUDAGenerator(i);
        std::lock_guard<std::mutex> lock(gen.mutex());
        gen.set_current_seed(seed);
      }
    }
    return info.Env().Undefined();
  });
}

static Napi::Value InitialSeed(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  return Napi::BigInt::New(info.Env(), static_cast<uint64_t>(gen.current_seed()));
}

static Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  return guarded(info, "setNumThreads", [&]() -> Napi::Value {
    int n = info[0].As<Napi::Number>().Int32Value();
    if (n < 1) throw std::invalid_argument("setNumThreads: expected a positive thread count, found " + std::to_string(n));
    at::set_num_threads(n);
    return info.Env().Undefined();
  });
}

static Napi::Value GetNumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::get_num_threads());
}

static Napi::Value Config(const Napi::CallbackInfo& info) {
  Napi::Env e = info.Env();
  auto o = Napi::Object::New(e);
  o.Set("libtorch", TORCH_VERSION);
  o.Set("numThreads", at::get_num_threads());
  o.Set("numInteropThreads", at::get_num_interop_threads());
  o.Set("hardwareConcurrency", static_cast<double>(std::thread::hardware_concurrency()));
  o.Set("mkldnn", at::hasMKLDNN());
  o.Set("mkldnnEnabled", at::globalContext().userEnabledMkldnn());
  o.Set("mkl", at::hasMKL());
  o.Set("openmp", at::hasOpenMP());
  o.Set("cuda", at::globalContext().hasCUDA());
  o.Set("cudaDeviceCount", at::globalContext().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
  o.Set("parallelInfo", at::get_parallel_info());
  o.Set("buildConfig", at::show_config());
  return o;
}

// Returns pooled blocks and glibc's free memory to the system; the bytes unmapped from the pool.
static Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  size_t n = emptyCpuCache();
  malloc_trim(0);
  return Napi::Number::New(info.Env(), static_cast<double>(n));
}

static Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0);
}

static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::globalContext().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}

static Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  return guarded(info, "cuda.synchronize", [&]() -> Napi::Value {
    if (!at::globalContext().hasCUDA()) throw DeviceUnavailable("CUDA is not available in this libtorch build");
    int64_t dev = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : 0;
    at::detail::getCUDAHooks().deviceSynchronize(dev);
    return info.Env().Undefined();
  });
}

// cudaMemoryStats(device, reset, fnName) -> [allocated, peak allocated, reserved, peak reserved] bytes of the
// CUDA caching allocator (all pools, as torch.cuda.memory_stats' "all" counters); device -1 is the
// current one. With reset, the peaks restart from the current values first (reset_peak_memory_stats).
static Napi::Value CudaMemoryStats(const Napi::CallbackInfo& info) {
  std::string op = "torch.cuda." + (info[2].IsString() ? info[2].As<Napi::String>().Utf8Value() : std::string("memoryStats"));
  return guarded(info, op.c_str(), [&]() -> Napi::Value {
    if (!at::globalContext().hasCUDA()) throw DeviceUnavailable("CUDA is not available in this libtorch build");
    if (at::detail::getCUDAHooks().getNumGPUs() == 0) throw DeviceUnavailable("CUDA is not available: no CUDA device found");
#ifdef MONAI_TS_CUDA_STATS
    int n = at::detail::getCUDAHooks().getNumGPUs();
    int dev = info[0].IsNumber() ? info[0].As<Napi::Number>().Int32Value() : -1;
    if (dev < 0) dev = c10::cuda::current_device();
    if (dev >= n) throw std::invalid_argument("device cuda:" + std::to_string(dev) + " does not exist (" + std::to_string(n) + " CUDA devices)");
    namespace alloc = c10::cuda::CUDACachingAllocator;
    if (info[1].ToBoolean()) alloc::resetPeakStats(dev);
    auto s = alloc::getDeviceStats(dev);
    constexpr size_t all = 0;  // StatType::AGGREGATE
    Napi::Array out = Napi::Array::New(info.Env(), 4);
    out.Set(0u, static_cast<double>(s.allocated_bytes[all].current));
    out.Set(1u, static_cast<double>(s.allocated_bytes[all].peak));
    out.Set(2u, static_cast<double>(s.reserved_bytes[all].current));
    out.Set(3u, static_cast<double>(s.reserved_bytes[all].peak));
    return out;
#else
    throw DeviceUnavailable("CUDA memory statistics need the addon built with the CUDA toolkit's headers (set CUDA_HOME and run npm run build:native)");
#endif
  });
}

at::Generator& getGenerator(Napi::Env e, const Napi::Value& v) {
  auto& gs = env(e).generators;
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0) || d >= gs.size() || !gs[static_cast<size_t>(d)])
    throw std::invalid_argument("expected a live torch.Generator (was it disposed?)");
  return *gs[static_cast<size_t>(d)];
}

// generatorNew(device) -> id. CPU generators only: CUDA ones need the CUDA runtime's headers.
static Napi::Value GeneratorNew(const Napi::CallbackInfo& info) {
  return guarded(info, "Generator", [&]() -> Napi::Value {
    std::string dev = info[0].IsString() ? info[0].As<Napi::String>().Utf8Value() : "cpu";
    if (deviceFromString(dev, false).type() != at::kCPU) throw std::invalid_argument("Generator: only 'cpu' generators are supported, found '" + dev + "'");
    auto& gs = env(info.Env()).generators;
    gs.emplace_back(at::detail::createCPUGenerator());
    return Napi::Number::New(info.Env(), static_cast<double>(gs.size() - 1));
  });
}

// generatorOp(id, 'seed'|'manualSeed'|'initialSeed'|'getState'|'setState'|'free', arg?)
static Napi::Value GeneratorOp(const Napi::CallbackInfo& info) {
  return guarded(info, "Generator", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    std::string what = info[1].As<Napi::String>().Utf8Value();
    if (what == "free") {
      auto& gs = env(e).generators;
      double d = info[0].As<Napi::Number>().DoubleValue();
      if (d >= 0 && d < gs.size()) gs[static_cast<size_t>(d)].reset();
      return e.Undefined();
    }
    at::Generator& g = getGenerator(e, info[0]);
    std::lock_guard<std::mutex> lock(g.mutex());
    if (what == "manualSeed") {
      g.set_current_seed(seedFromJs(info[2], "seed"));
      return e.Undefined();
    }
    if (what == "initialSeed") return Napi::BigInt::New(e, static_cast<uint64_t>(g.current_seed()));
    if (what == "seed") return Napi::BigInt::New(e, static_cast<uint64_t>(g.seed()));
    if (what == "getState") return Napi::Number::New(e, putTensor(e, at::Tensor(g.get_state())));
    if (what == "setState") {
      g.set_state(getTensor(e, info[2], "Generator.setState"));
      return e.Undefined();
    }
    throw std::invalid_argument("Generator: unknown operation " + what);
  });
}

void initRuntime(Napi::Env e, Napi::Object x) {
  // Debian's libtorch starts with one intra-op thread; use the machine's cores as PyTorch's wheels do.
  // With the OpenMP backend the setting is per thread, so every worker thread that loads us sets it.
  unsigned n = std::thread::hardware_concurrency();
  if (n > 0 && !getenv("OMP_NUM_THREADS")) at::set_num_threads(static_cast<int>(n));
  x.Set("manualSeed", Napi::Function::New(e, ManualSeed));
  x.Set("generatorNew", Napi::Function::New(e, GeneratorNew));
  x.Set("generatorOp", Napi::Function::New(e, GeneratorOp));
  x.Set("initialSeed", Napi::Function::New(e, InitialSeed));
  x.Set("setNumThreads", Napi::Function::New(e, SetNumThreads));
  x.Set("getNumThreads", Napi::Function::New(e, GetNumThreads));
  x.Set("config", Napi::Function::New(e, Config));
  x.Set("emptyCache", Napi::Function::New(e, EmptyCache));
  x.Set("cudaIsAvailable", Napi::Function::New(e, CudaIsAvailable));
  x.Set("cudaDeviceCount", Napi::Function::New(e, CudaDeviceCount));
  x.Set("cudaSynchronize", Napi::Function::New(e, CudaSynchronize));
  x.Set("cudaMemoryStats", Napi::Function::New(e, CudaMemoryStats));
}

}  // namespace mts
