// Process-level settings and facts: seeds, threads, build configuration, CUDA queries.
#include "common.h"

#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <torch/csrc/api/include/torch/version.h>

#include <thread>

namespace mts {

static Napi::Value ManualSeed(const Napi::CallbackInfo& info) {
  return guarded(info, "manualSeed", [&]() -> Napi::Value {
    bool lossless = true;
    uint64_t seed = info[0].IsBigInt() ? info[0].As<Napi::BigInt>().Uint64Value(&lossless)
                                       : static_cast<uint64_t>(info[0].As<Napi::Number>().Int64Value());
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

static Napi::Value CudaIsAvailable(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::globalContext().hasCUDA() && at::detail::getCUDAHooks().getNumGPUs() > 0);
}

static Napi::Value CudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::globalContext().hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}

static Napi::Value CudaSynchronize(const Napi::CallbackInfo& info) {
  return guarded(info, "cuda.synchronize", [&]() -> Napi::Value {
    if (!at::globalContext().hasCUDA()) throw std::invalid_argument("cuda.synchronize: this libtorch has no CUDA");
    int64_t dev = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().Int64Value() : 0;
    at::detail::getCUDAHooks().deviceSynchronize(dev);
    return info.Env().Undefined();
  });
}

void initRuntime(Napi::Env e, Napi::Object x) {
  // Debian's libtorch starts with one intra-op thread; use the machine's cores as PyTorch's wheels do.
  // With the OpenMP backend the setting is per thread, so every worker thread that loads us sets it.
  unsigned n = std::thread::hardware_concurrency();
  if (n > 0 && !getenv("OMP_NUM_THREADS")) at::set_num_threads(static_cast<int>(n));
  x.Set("manualSeed", Napi::Function::New(e, ManualSeed));
  x.Set("initialSeed", Napi::Function::New(e, InitialSeed));
  x.Set("setNumThreads", Napi::Function::New(e, SetNumThreads));
  x.Set("getNumThreads", Napi::Function::New(e, GetNumThreads));
  x.Set("config", Napi::Function::New(e, Config));
  x.Set("cudaIsAvailable", Napi::Function::New(e, CudaIsAvailable));
  x.Set("cudaDeviceCount", Napi::Function::New(e, CudaDeviceCount));
  x.Set("cudaSynchronize", Napi::Function::New(e, CudaSynchronize));
}

}  // namespace mts
