// TorchScript: load modules saved by torch.jit.save and run their methods.
#include "common.h"

#include <cmath>

#include <torch/csrc/jit/api/module.h>
#include <torch/csrc/jit/serialization/import.h>

namespace mts {

namespace {

// Modules live in a per-thread table like tensors; JS holds the index.
std::vector<std::shared_ptr<torch::jit::Module>>& modules(Napi::Env e) { return env(e).scriptModules; }

torch::jit::Module& moduleArg(Napi::Env e, const Napi::Value& v) {
  auto& ms = modules(e);
  double d = v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1;
  if (!(d >= 0) || d >= ms.size() || !ms[static_cast<size_t>(d)])
    throw std::invalid_argument("expected a live ScriptModule (was it disposed?)");
  return *ms[static_cast<size_t>(d)];
}

[[noreturn]] void typeError(const std::string& where, const c10::TypePtr& t, const Napi::Value& v) {
  std::string found = v.IsArray() ? "an array" : v.IsObject() ? "an object" : v.ToString().Utf8Value();
  throw std::invalid_argument(where + ": expected " + t->str() + ", found " + found);
}

// JS value -> IValue of the declared type. Tensors arrive as handles (numbers) inside
// {__tensor: handle} markers so that plain numbers stay numbers.
c10::IValue toTyped(Napi::Env e, const Napi::Value& v, const c10::TypePtr& t, const std::string& where) {
  using K = c10::TypeKind;
  auto tensorOf = [&](const Napi::Value& x) -> c10::optional<at::Tensor> {
    if (x.IsObject() && !x.IsArray() && x.As<Napi::Object>().Has("__tensor"))
      return getTensor(e, x.As<Napi::Object>().Get("__tensor"), where.c_str());
    return c10::nullopt;
  };
  switch (t->kind()) {
    case K::TensorType: {
      auto tt = tensorOf(v);
      if (!tt) typeError(where, t, v);
      return *tt;
    }
    case K::OptionalType:
      if (v.IsNull() || v.IsUndefined()) return c10::IValue();
      return toTyped(e, v, t->castRaw<c10::OptionalType>()->getElementType(), where);
    case K::IntType: case K::SymIntType:
      if (v.IsBigInt()) return bigintToInt64(v, where + ":");
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        if (d == std::trunc(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<int64_t>(d);
      }
      typeError(where, t, v);
    case K::FloatType:
      if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
      typeError(where, t, v);
    case K::BoolType:
      if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
      typeError(where, t, v);
    case K::NumberType:
      if (v.IsBigInt()) return bigintToInt64(v, where + ":");
      if (v.IsNumber()) {
        double d = v.As<Napi::Number>().DoubleValue();
        if (d == std::trunc(d) && std::fabs(d) < 9e15) return static_cast<int64_t>(d);
        return d;
      }
      typeError(where, t, v);
    case K::StringType:
      if (v.IsString()) return v.As<Napi::String>().Utf8Value();
      typeError(where, t, v);
    case K::NoneType:
      return c10::IValue();
    case K::ListType: {
      if (!v.IsArray()) typeError(where, t, v);
      auto el = t->castRaw<c10::ListType>()->getElementType();
      c10::impl::GenericList list(el);
      auto a = v.As<Napi::Array>();
      for (uint32_t i = 0; i < a.Length(); i++) list.push_back(toTyped(e, a.Get(i), el, where + "[" + std::to_string(i) + "]"));
      return list;
    }
    case K::TupleType: {
      if (!v.IsArray()) typeError(where, t, v);
      const auto& els = t->castRaw<c10::TupleType>()->elements();
      auto a = v.As<Napi::Array>();
      if (a.Length() != els.size()) throw std::invalid_argument(where + ": expected a tuple of " + std::to_string(els.size()) + " values");
      std::vector<c10::IValue> items;
      for (uint32_t i = 0; i < els.size(); i++) items.push_back(toTyped(e, a.Get(i), els[i], where + "[" + std::to_string(i) + "]"));
      return c10::ivalue::Tuple::create(std::move(items));
    }
    case K::DictType: {
      auto dt = t->castRaw<c10::DictType>();
      if (!v.IsObject() || v.IsArray() || dt->getKeyType()->kind() != K::StringType) typeError(where, t, v);
      c10::impl::GenericDict dict(dt->getKeyType(), dt->getValueType());
      auto o = v.As<Napi::Object>();
      auto keys = o.GetPropertyNames();
      for (uint32_t i = 0; i < keys.Length(); i++) {
        std::string k = keys.Get(i).As<Napi::String>().Utf8Value();
        dict.insert(k, toTyped(e, o.Get(k), dt->getValueType(), where + "." + k));
      }
      return dict;
    }
    default:
      throw std::invalid_argument(where + ": arguments of type " + t->str() + " are not supported");
  }
}

// IValue -> JS, with tensors wrapped by the JS Tensor constructor passed in.
Napi::Value toJs(Napi::Env e, const c10::IValue& v, const Napi::Function& wrap) {
  if (v.isTensor()) {
    if (!v.toTensor().defined()) return e.Null();
    return wrap.Call({Napi::Number::New(e, putTensor(e, v.toTensor()))});
  }
  if (v.isNone()) return e.Null();
  if (v.isBool()) return Napi::Boolean::New(e, v.toBool());
  if (v.isInt()) return Napi::Number::New(e, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(e, v.toDouble());
  if (v.isString()) return Napi::String::New(e, v.toStringRef());
  if (v.isList()) {
    auto l = v.toListRef();
    auto a = Napi::Array::New(e, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(static_cast<uint32_t>(i), toJs(e, l[i], wrap));
    return a;
  }
  if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    auto a = Napi::Array::New(e, el.size());
    for (size_t i = 0; i < el.size(); i++) a.Set(static_cast<uint32_t>(i), toJs(e, el[i], wrap));
    return a;
  }
  if (v.isGenericDict()) {
    auto o = Napi::Object::New(e);
    for (const auto& kv : v.toGenericDict()) {
      std::string key = kv.key().isString() ? kv.key().toStringRef() : kv.key().isInt() ? std::to_string(kv.key().toInt()) : "?";
      o.Set(key, toJs(e, kv.value(), wrap));
    }
    return o;
  }
  throw std::runtime_error(std::string("cannot convert a TorchScript result of kind ") + v.tagKind());
}

}  // namespace

// jitLoad(path, device|null) -> module id
static Napi::Value JitLoad(const Napi::CallbackInfo& info) {
  return guarded(info, "jit.load", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    std::string path = info[0].As<Napi::String>().Utf8Value();
    c10::optional<at::Device> dev;
    if (info[1].IsString()) dev = deviceFromString(info[1].As<Napi::String>().Utf8Value());
    torch::jit::Module m;
    try {
      m = torch::jit::load(path, dev);
    } catch (const c10::Error& err) {
      throw std::invalid_argument("cannot load TorchScript module '" + path + "': " + cleanMessage(err.what_without_backtrace()));
    }
    auto& ms = modules(e);
    ms.push_back(std::make_shared<torch::jit::Module>(std::move(m)));
    return Napi::Number::New(e, static_cast<double>(ms.size() - 1));
  });
}

// jitRun(id, method, wrap, ...args) -> result
static Napi::Value JitRun(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto& m = moduleArg(e, info[0]);
    std::string name = info[1].As<Napi::String>().Utf8Value();
    auto wrap = info[2].As<Napi::Function>();
    auto method = m.find_method(name);
    if (!method) throw std::invalid_argument("ScriptModule has no method '" + name + "'");
    const auto& schema = method->function().getSchema();
    const auto& args = schema.arguments();  // args[0] is self
    std::vector<c10::IValue> stack;
    size_t given = info.Length() - 3;
    if (given > args.size() - 1)
      throw std::invalid_argument(name + "() takes " + std::to_string(args.size() - 1) + " arguments, " + std::to_string(given) + " given");
    for (size_t i = 1; i < args.size(); i++) {
      Napi::Value v = i - 1 < given ? info[i + 2] : e.Undefined();
      if (v.IsUndefined() && args[i].default_value()) stack.push_back(*args[i].default_value());
      else stack.push_back(toTyped(e, v, args[i].type(), name + "(" + args[i].name() + ")"));
    }
    c10::IValue out = (*method)(std::move(stack));
    return toJs(e, out, wrap);
  });
}

static Napi::Value JitTrain(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule.train", [&]() -> Napi::Value {
    moduleArg(info.Env(), info[0]).train(info[1].ToBoolean());
    return info.Env().Undefined();
  });
}

static Napi::Value JitIsTraining(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule.training", [&]() -> Napi::Value {
    return Napi::Boolean::New(info.Env(), moduleArg(info.Env(), info[0]).is_training());
  });
}

// jitNamed(id, 'parameters'|'buffers') -> [[name, handle], ...]
static Napi::Value JitNamed(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule.named", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto& m = moduleArg(e, info[0]);
    std::string what = info[1].As<Napi::String>().Utf8Value();
    auto out = Napi::Array::New(e);
    uint32_t i = 0;
    auto add = [&](const std::string& n, const at::Tensor& t) {
      auto pair = Napi::Array::New(e, 2);
      pair.Set(0u, Napi::String::New(e, n));
      pair.Set(1u, Napi::Number::New(e, putTensor(e, t)));
      out.Set(i++, pair);
    };
    if (what == "parameters") for (const auto& p : m.named_parameters(true)) add(p.name, p.value);
    else for (const auto& b : m.named_buffers(true)) add(b.name, b.value);
    return out;
  });
}

static Napi::Value JitMethods(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule.methods", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto out = Napi::Array::New(e);
    uint32_t i = 0;
    for (const auto& m : moduleArg(e, info[0]).get_methods()) out.Set(i++, Napi::String::New(e, m.name()));
    return out;
  });
}

static Napi::Value JitTo(const Napi::CallbackInfo& info) {
  return guarded(info, "ScriptModule.to", [&]() -> Napi::Value {
    auto& m = moduleArg(info.Env(), info[0]);
    if (info[1].IsString()) {
      std::string s = info[1].As<Napi::String>().Utf8Value();
      bool isDtype = true;
      at::ScalarType st;
      try {
        st = dtypeFromName(s);
      } catch (const std::invalid_argument&) {
        isDtype = false;
      }
      if (isDtype) m.to(st);
      else m.to(deviceFromString(s));
    }
    return info.Env().Undefined();
  });
}

static Napi::Value JitFree(const Napi::CallbackInfo& info) {
  auto& ms = modules(info.Env());
  double d = info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (d >= 0 && d < ms.size()) ms[static_cast<size_t>(d)].reset();
  return info.Env().Undefined();
}

void initJit(Napi::Env e, Napi::Object x) {
  x.Set("jitLoad", Napi::Function::New(e, JitLoad));
  x.Set("jitRun", Napi::Function::New(e, JitRun));
  x.Set("jitTrain", Napi::Function::New(e, JitTrain));
  x.Set("jitIsTraining", Napi::Function::New(e, JitIsTraining));
  x.Set("jitNamed", Napi::Function::New(e, JitNamed));
  x.Set("jitMethods", Napi::Function::New(e, JitMethods));
  x.Set("jitTo", Napi::Function::New(e, JitTo));
  x.Set("jitFree", Napi::Function::New(e, JitFree));
}

}  // namespace mts
