// Autograd engine entry points and the thread-local mode scopes (grad, inference, autocast).
#include "common.h"

#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/variable.h>

namespace mts {

static std::vector<at::Tensor> tensorArray(Napi::Env e, const Napi::Value& v, const char* what, bool allowNull) {
  std::vector<at::Tensor> out;
  if (v.IsUndefined() || v.IsNull()) return out;
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of Tensors");
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value x = a.Get(i);
    if (allowNull && (x.IsNull() || x.IsUndefined())) out.emplace_back();
    else out.push_back(getTensor(e, x, what));
  }
  return out;
}

static Napi::Value SetRequiresGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "requiresGrad_", [&]() -> Napi::Value {
    getTensor(info.Env(), info[0], "requiresGrad_").set_requires_grad(info[1].ToBoolean());
    return info.Env().Undefined();
  });
}

static Napi::Value Grad(const Napi::CallbackInfo& info) {
  return guarded(info, "grad", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    const at::Tensor& g = getTensor(e, info[0], "grad").grad();
    if (!g.defined()) return e.Null();
    return Napi::Number::New(e, putTensor(e, g));
  });
}

static Napi::Value SetGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "setGrad", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor& t = getTensor(e, info[0], "setGrad");
    if (info[1].IsNull() || info[1].IsUndefined()) t.mutable_grad() = at::Tensor();
    else t.mutable_grad() = getTensor(e, info[1], "setGrad grad");
    return e.Undefined();
  });
}

// [isLeaf, gradFn name or null, retainsGrad]
static Napi::Value GradInfo(const Napi::CallbackInfo& info) {
  return guarded(info, "gradInfo", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    const at::Tensor& t = getTensor(e, info[0], "gradInfo");
    auto a = Napi::Array::New(e, 3);
    a.Set(0u, Napi::Boolean::New(e, t.is_leaf()));
    const auto& fn = t.grad_fn();
    a.Set(1u, fn ? Napi::Value(Napi::String::New(e, fn->name())) : e.Null());
    a.Set(2u, Napi::Boolean::New(e, t.retains_grad()));
    return a;
  });
}

static Napi::Value RetainGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "retainGrad", [&]() -> Napi::Value {
    getTensor(info.Env(), info[0], "retainGrad").retain_grad();
    return info.Env().Undefined();
  });
}

// backward(tensors, grads|null, retainGraph, createGraph, inputs|null)
static Napi::Value Backward(const Napi::CallbackInfo& info) {
  return guarded(info, "backward", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto outs = tensorArray(e, info[0], "backward tensors", false);
    auto grads = tensorArray(e, info[1], "backward grad_tensors", true);
    c10::optional<bool> retain;
    if (info[2].IsBoolean()) retain = info[2].As<Napi::Boolean>().Value();
    bool create = info[3].ToBoolean();
    auto inputs = tensorArray(e, info[4], "backward inputs", false);
    torch::autograd::backward(outs, grads, retain, create, inputs);
    return e.Undefined();
  });
}

// grad(outputs, inputs, gradOutputs|null, retainGraph, createGraph, allowUnused) -> (handle|null)[]
static Napi::Value AutogradGrad(const Napi::CallbackInfo& info) {
  return guarded(info, "autograd.grad", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto outs = tensorArray(e, info[0], "grad outputs", false);
    auto ins = tensorArray(e, info[1], "grad inputs", false);
    auto gos = tensorArray(e, info[2], "grad grad_outputs", true);
    c10::optional<bool> retain;
    if (info[3].IsBoolean()) retain = info[3].As<Napi::Boolean>().Value();
    bool create = info[4].ToBoolean();
    bool allowUnused = info[5].ToBoolean();
    auto res = torch::autograd::grad(outs, ins, gos, retain, create, allowUnused);
    auto a = Napi::Array::New(e, res.size());
    for (size_t i = 0; i < res.size(); i++)
      a.Set(static_cast<uint32_t>(i), res[i].defined() ? Napi::Value(Napi::Number::New(e, putTensor(e, res[i]))) : e.Null());
    return a;
  });
}

// setGradEnabled(bool) -> previous state
static Napi::Value SetGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = at::GradMode::is_enabled();
  at::GradMode::set_enabled(info[0].ToBoolean());
  return Napi::Boolean::New(info.Env(), prev);
}

static Napi::Value IsGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), at::GradMode::is_enabled());
}

// Inference mode is an RAII guard in libtorch; JS scopes push and pop guards (always LIFO, as
// the TS wrapper pops in a finally block).
static Napi::Value InferenceEnter(const Napi::CallbackInfo& info) {
  env(info.Env()).inferenceStack.push_back(std::make_unique<c10::InferenceMode>(info[0].ToBoolean()));
  return info.Env().Undefined();
}

static Napi::Value InferenceExit(const Napi::CallbackInfo& info) {
  auto& st = env(info.Env()).inferenceStack;
  if (!st.empty()) st.pop_back();
  return info.Env().Undefined();
}

static Napi::Value IsInferenceMode(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}

// autocastEnter(deviceType, dtype|null, enabled): the scope that torch.autocast opens.
static Napi::Value AutocastEnter(const Napi::CallbackInfo& info) {
  return guarded(info, "autocast", [&]() -> Napi::Value {
    Env& s = env(info.Env());
    std::string dev = info[0].As<Napi::String>().Utf8Value();
    bool enabled = info[2].ToBoolean();
    if (dev != "cpu" && dev != "cuda") throw std::invalid_argument("autocast: deviceType must be 'cpu' or 'cuda', found '" + dev + "'");
    s.autocastStack.push_back({at::autocast::is_cpu_enabled(), at::autocast::is_enabled(),
                               at::autocast::get_autocast_cpu_dtype(), at::autocast::get_autocast_gpu_dtype()});
    if (dev == "cpu") {
      at::ScalarType dt = info[1].IsString() ? dtypeFromName(info[1].As<Napi::String>().Utf8Value()) : at::kBFloat16;
      if (enabled && dt != at::kBFloat16)
        throw std::invalid_argument("autocast: CPU autocast supports only bfloat16 in this libtorch");
      at::autocast::set_autocast_cpu_dtype(dt);
      at::autocast::set_cpu_enabled(enabled);
    } else {
      at::ScalarType dt = info[1].IsString() ? dtypeFromName(info[1].As<Napi::String>().Utf8Value()) : at::kHalf;
      at::autocast::set_autocast_gpu_dtype(dt);
      at::autocast::set_enabled(enabled);
    }
    at::autocast::increment_nesting();
    return info.Env().Undefined();
  });
}

static Napi::Value AutocastExit(const Napi::CallbackInfo& info) {
  Env& s = env(info.Env());
  if (s.autocastStack.empty()) return info.Env().Undefined();
  auto st = s.autocastStack.back();
  s.autocastStack.pop_back();
  // Leaving the outermost scope drops the cast cache, as torch.autocast's __exit__ does.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  at::autocast::set_cpu_enabled(st.cpuEnabled);
  at::autocast::set_enabled(st.gpuEnabled);
  at::autocast::set_autocast_cpu_dtype(st.cpuDtype);
  at::autocast::set_autocast_gpu_dtype(st.gpuDtype);
  return info.Env().Undefined();
}

static Napi::Value AutocastState(const Napi::CallbackInfo& info) {
  Napi::Env e = info.Env();
  auto o = Napi::Object::New(e);
  o.Set("cpu", at::autocast::is_cpu_enabled());
  o.Set("cuda", at::autocast::is_enabled());
  o.Set("cpuDtype", dtypeName(at::autocast::get_autocast_cpu_dtype()));
  o.Set("cudaDtype", dtypeName(at::autocast::get_autocast_gpu_dtype()));
  return o;
}

void initAutograd(Napi::Env e, Napi::Object x) {
  x.Set("setRequiresGrad", Napi::Function::New(e, SetRequiresGrad));
  x.Set("grad", Napi::Function::New(e, Grad));
  x.Set("setGrad", Napi::Function::New(e, SetGrad));
  x.Set("gradInfo", Napi::Function::New(e, GradInfo));
  x.Set("retainGrad", Napi::Function::New(e, RetainGrad));
  x.Set("backward", Napi::Function::New(e, Backward));
  x.Set("autogradGrad", Napi::Function::New(e, AutogradGrad));
  x.Set("setGradEnabled", Napi::Function::New(e, SetGradEnabled));
  x.Set("isGradEnabled", Napi::Function::New(e, IsGradEnabled));
  x.Set("inferenceEnter", Napi::Function::New(e, InferenceEnter));
  x.Set("inferenceExit", Napi::Function::New(e, InferenceExit));
  x.Set("isInferenceMode", Napi::Function::New(e, IsInferenceMode));
  x.Set("autocastEnter", Napi::Function::New(e, AutocastEnter));
  x.Set("autocastExit", Napi::Function::New(e, AutocastExit));
  x.Set("autocastState", Napi::Function::New(e, AutocastState));
}

}  // namespace mts
