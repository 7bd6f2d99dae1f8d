// Generic operator call: any ATen operator by name through the dispatcher's boxed path, with
// JS arguments converted by the operator's schema and results converted back.
#include "common.h"

#include <cmath>
#include <sstream>

namespace mts {

namespace {

bool baseOf(const c10::TypePtr& real, Base& out) {
  using K = c10::TypeKind;
  switch (real->kind()) {
    case K::TensorType: out = Base::Tensor; return true;
    case K::IntType: case K::SymIntType: out = Base::Int; return true;
    case K::FloatType: out = Base::Float; return true;
    case K::BoolType: out = Base::Bool; return true;
    case K::NumberType: out = Base::Scalar; return true;
    case K::StringType: out = Base::Str; return true;
    case K::ScalarTypeType: out = Base::ScalarType; return true;
    case K::LayoutType: out = Base::Layout; return true;
    case K::DeviceObjType: out = Base::Device; return true;
    case K::MemoryFormatType: out = Base::MemoryFormat; return true;
    case K::GeneratorType: out = Base::Generator; return true;
    case K::ListType: {
      auto el = real->castRaw<c10::ListType>()->getElementType();
      switch (el->kind()) {
        case K::TensorType: out = Base::TensorList; return true;
        case K::IntType: case K::SymIntType: out = Base::IntList; return true;
        case K::FloatType: out = Base::FloatList; return true;
        case K::BoolType: out = Base::BoolList; return true;
        case K::OptionalType:
          if (el->castRaw<c10::OptionalType>()->getElementType()->kind() == K::TensorType) {
            out = Base::OptTensorList;
            return true;
          }
          return false;
        default: return false;
      }
    }
    default: return false;
  }
}

OpSpec compile(const c10::FunctionSchema& schema) {
  OpSpec c;
  for (const auto& a : schema.arguments()) {
    c10::TypePtr real = a.real_type();
    bool opt = false;
    if (real->kind() == c10::TypeKind::OptionalType) {
      opt = true;
      real = real->castRaw<c10::OptionalType>()->getElementType();
    }
    ArgSpec spec{Base::Tensor, opt, a.N() ? *a.N() : -1, a.name(), &a.default_value()};
    if (!baseOf(real, spec.base)) {
      c.unsupported = "argument '" + a.name() + "' has type " + a.real_type()->str();
      return c;
    }
    c.args.push_back(std::move(spec));
  }
  for (const auto& r : schema.returns()) {
    auto k = r.type()->kind();
    bool ok = k == c10::TypeKind::TensorType || k == c10::TypeKind::IntType || k == c10::TypeKind::FloatType ||
              k == c10::TypeKind::BoolType || k == c10::TypeKind::NumberType || k == c10::TypeKind::ScalarTypeType ||
              k == c10::TypeKind::StringType || k == c10::TypeKind::SymIntType || k == c10::TypeKind::ListType ||
              k == c10::TypeKind::OptionalType || k == c10::TypeKind::NoneType;
    if (!ok) {
      c.unsupported = "return type " + r.type()->str();
      return c;
    }
  }
  return c;
}

[[noreturn]] void argError(const ArgSpec& a, const std::string& expected, const Napi::Value& v) {
  std::string found;
  if (v.IsUndefined()) found = "undefined";
  else if (v.IsNull()) found = "null";
  else if (v.IsString()) found = "string '" + v.As<Napi::String>().Utf8Value() + "'";
  else if (v.IsArray()) found = "an array";
  else found = v.ToString().Utf8Value();
  throw std::invalid_argument("argument '" + a.name + "': expected " + expected + ", found " + found);
}

int64_t toInt(const ArgSpec& a, const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    if (d == std::trunc(d)) {
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<int64_t>(d);
      throw std::range_error("argument '" + a.name + "': " + v.ToString().Utf8Value() +
                             " is out of range (int64: -9223372036854775808 to 9223372036854775807; larger integers are not exact as JS numbers)");
    }
  } else if (v.IsBoolean()) {
    return v.As<Napi::Boolean>().Value() ? 1 : 0;
  } else if (v.IsBigInt()) {
    return bigintToInt64(v, "argument '" + a.name + "':");
  }
  argError(a, "an integer", v);
}

double toFloat(const ArgSpec& a, const Napi::Value& v) {
  if (v.IsNumber()) return v.As<Napi::Number>().DoubleValue();
  argError(a, "a number", v);
}

at::Scalar toScalar(const ArgSpec& a, const Napi::Value& v) {
  if (v.IsNumber()) {
    double d = v.As<Napi::Number>().DoubleValue();
    // JS has one number type: integral values are ints, as a Python literal "2" would be.
    if (std::isfinite(d) && d == std::trunc(d) && std::fabs(d) < 9007199254740992.0) return at::Scalar(static_cast<int64_t>(d));
    return at::Scalar(d);
  }
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (v.IsBigInt()) return at::Scalar(bigintToInt64(v, "argument '" + a.name + "':"));
  argError(a, "a number or boolean", v);
}

at::Tensor toTensor(Napi::Env e, const ArgSpec& a, const Napi::Value& v) {
  if (v.IsNumber()) return getTensor(e, v, a.name.c_str());
  // A scalar in a Tensor position arrives boxed as [value]; it becomes a "wrapped number" tensor,
  // which takes part in type promotion the way a Python scalar does.
  if (v.IsArray()) {
    auto arr = v.As<Napi::Array>();
    if (arr.Length() == 1) {
      at::Tensor t = at::scalar_to_tensor(toScalar(a, arr.Get(0u)));
      t.unsafeGetTensorImpl()->set_wrapped_number(true);
      return t;
    }
  }
  argError(a, "a Tensor", v);
}

const char* kMemoryFormats[] = {"contiguous", "preserve", "channels_last", "channels_last_3d"};

c10::IValue convert(Napi::Env e, const ArgSpec& a, const Napi::Value& v) {
  switch (a.base) {
    case Base::Tensor: return toTensor(e, a, v);
    case Base::Int: return toInt(a, v);
    case Base::Float: return toFloat(a, v);
    case Base::Bool:
      if (v.IsBoolean()) return v.As<Napi::Boolean>().Value();
      argError(a, "a boolean", v);
    case Base::Scalar: return toScalar(a, v);
    case Base::Str:
      if (v.IsString()) return v.As<Napi::String>().Utf8Value();
      argError(a, "a string", v);
    case Base::ScalarType:
      if (v.IsString()) return static_cast<int64_t>(dtypeFromName(v.As<Napi::String>().Utf8Value()));
      argError(a, "a dtype name such as 'float32'", v);
    case Base::Layout:
      if (v.IsString() && v.As<Napi::String>().Utf8Value() == "strided") return static_cast<int64_t>(at::kStrided);
      argError(a, "'strided'", v);
    case Base::Device:
      if (v.IsString()) return deviceFromString(v.As<Napi::String>().Utf8Value());
      argError(a, "a device such as 'cpu' or 'cuda:0'", v);
    case Base::MemoryFormat:
      if (v.IsString()) {
        std::string s = v.As<Napi::String>().Utf8Value();
        const at::MemoryFormat fmts[] = {at::MemoryFormat::Contiguous, at::MemoryFormat::Preserve,
                                         at::MemoryFormat::ChannelsLast, at::MemoryFormat::ChannelsLast3d};
        for (int i = 0; i < 4; i++)
          if (s == kMemoryFormats[i]) return static_cast<int64_t>(fmts[i]);
      }
      argError(a, "'contiguous', 'preserve', 'channels_last' or 'channels_last_3d'", v);
    case Base::Generator:
      if (v.IsNumber()) return getGenerator(e, v);
      argError(a, "a torch.Generator or null", v);
    case Base::IntList: {
      c10::List<int64_t> l;
      if (v.IsNumber() || v.IsBigInt()) {
        // A single int stands for every element of a fixed-size list (stride=2 -> [2, 2, 2]).
        int64_t x = toInt(a, v);
        int n = a.n > 0 ? a.n : 1;
        l.reserve(n);
        for (int i = 0; i < n; i++) l.push_back(x);
        return l;
      }
      if (!v.IsArray()) argError(a, "an integer or an array of integers", v);
      auto arr = v.As<Napi::Array>();
      l.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) l.push_back(toInt(a, arr.Get(i)));
      return l;
    }
    case Base::FloatList: {
      c10::List<double> l;
      if (v.IsNumber()) {
        int n = a.n > 0 ? a.n : 1;
        for (int i = 0; i < n; i++) l.push_back(toFloat(a, v));
        return l;
      }
      if (!v.IsArray()) argError(a, "an array of numbers", v);
      auto arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++) l.push_back(toFloat(a, arr.Get(i)));
      return l;
    }
    case Base::BoolList: {
      c10::List<bool> l;
      if (!v.IsArray()) argError(a, "an array of booleans", v);
      auto arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value x = arr.Get(i);
        if (!x.IsBoolean()) argError(a, "an array of booleans", v);
        l.push_back(x.As<Napi::Boolean>().Value());
      }
      return l;
    }
    case Base::TensorList: {
      c10::List<at::Tensor> l;
      if (!v.IsArray()) argError(a, "an array of Tensors", v);
      auto arr = v.As<Napi::Array>();
      l.reserve(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) l.push_back(toTensor(e, a, arr.Get(i)));
      return l;
    }
    case Base::OptTensorList: {
      c10::List<c10::optional<at::Tensor>> l;
      if (!v.IsArray()) argError(a, "an array of Tensors or nulls", v);
      auto arr = v.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); i++) {
        Napi::Value x = arr.Get(i);
        if (x.IsNull() || x.IsUndefined()) l.push_back(c10::nullopt);
        else l.push_back(toTensor(e, a, x));
      }
      return l;
    }
  }
  argError(a, "a supported value", v);
}

Napi::Value fromIValue(Napi::Env e, const c10::IValue& v) {
  if (v.isTensor()) {
    const at::Tensor& t = v.toTensor();
    if (!t.defined()) return e.Null();
    return Napi::Number::New(e, putTensor(e, t));
  }
  if (v.isNone()) return e.Null();
  if (v.isBool()) return Napi::Boolean::New(e, v.toBool());
  if (v.isInt()) return Napi::Number::New(e, static_cast<double>(v.toInt()));
  if (v.isDouble()) return Napi::Number::New(e, v.toDouble());
  if (v.isString()) return Napi::String::New(e, v.toStringRef());
  if (v.isTensorList()) {
    auto l = v.toTensorList();
    auto a = Napi::Array::New(e, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(static_cast<uint32_t>(i), Napi::Number::New(e, putTensor(e, l.get(i))));
    return a;
  }
  if (v.isList()) {
    auto l = v.toListRef();
    auto a = Napi::Array::New(e, l.size());
    for (size_t i = 0; i < l.size(); i++) a.Set(static_cast<uint32_t>(i), fromIValue(e, l[i]));
    return a;
  }
  if (v.isTuple()) {
    const auto& el = v.toTupleRef().elements();
    auto a = Napi::Array::New(e, el.size());
    for (size_t i = 0; i < el.size(); i++) a.Set(static_cast<uint32_t>(i), fromIValue(e, el[i]));
    return a;
  }
  if (v.isComplexDouble()) {
    auto c = v.toComplexDouble();
    auto a = Napi::Array::New(e, 2);
    a.Set(0u, Napi::Number::New(e, c.real()));
    a.Set(1u, Napi::Number::New(e, c.imag()));
    return a;
  }
  throw std::runtime_error(std::string("cannot convert a result of kind ") + v.tagKind() + " to JS");
}

std::string schemaString(const c10::OperatorHandle& h) {
  std::ostringstream ss;
  ss << h.schema();
  return ss.str();
}

// argmax/argmin along a dim: libtorch 1.13's CPU kernel reduces a non-innermost dim element by element
// (25 ms for a [1, 2, 61, 49, 50] segmentation output, against 0.8 ms for max), while max/min along a dim
// return the same indices (the first extreme, NaN counting as the extreme) through the fast reduction.
// Checked equal over dtypes, dims, ties and NaNs (test/ops/argmax_fast.test.ts). Bool, which argmax
// rejects and max accepts, and empty tensors keep the plain op and its errors.
template <bool Max>
bool argExtremeAlongDim(torch::jit::Stack& stack) {
  if (stack.size() != 3 || !stack[0].isTensor() || !stack[1].isInt() || !stack[2].isBool()) return false;
  const at::Tensor& self = stack[0].toTensor();
  if (!self.defined() || !self.is_cpu() || self.is_sparse() || self.is_quantized() || self.numel() == 0) return false;
  if (self.scalar_type() == at::kBool || self.is_complex()) return false;
  int64_t dim = stack[1].toInt();
  int64_t nd = std::max<int64_t>(self.dim(), 1);
  if (dim < -nd || dim >= nd) return false;
  bool keepdim = stack[2].toBool();
  at::Tensor indices;
  {
    at::NoGradGuard noGrad;
    indices = std::get<1>(Max ? at::max(self, dim, keepdim) : at::min(self, dim, keepdim));
  }
  stack.clear();
  stack.emplace_back(std::move(indices));
  return true;
}

}  // namespace

// lookupOp(name, overload) -> op id for callOp. Throws TorchError when no such operator exists.
static Napi::Value LookupOp(const Napi::CallbackInfo& info) {
  return guarded(info, "lookupOp", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    Env& s = env(e);
    std::string name = info[0].As<Napi::String>().Utf8Value();
    std::string overload = info.Length() > 1 && info[1].IsString() ? info[1].As<Napi::String>().Utf8Value() : "";
    if (name.find("::") == std::string::npos) name = "aten::" + name;
    std::string key = overload.empty() ? name : name + "." + overload;
    auto it = s.opIndex.find(key);
    if (it != s.opIndex.end()) return Napi::Number::New(e, it->second);
    auto h = c10::Dispatcher::singleton().findSchema({name, overload});
    if (!h) throw std::invalid_argument("no operator " + key + " in this libtorch");
    OpEntry entry{*h, key, schemaString(*h), compile(h->schema())};
    if (key == "aten::argmax") entry.fastPath = argExtremeAlongDim<true>;
    else if (key == "aten::argmin") entry.fastPath = argExtremeAlongDim<false>;
    if (!entry.spec.unsupported.empty())
      throw std::invalid_argument("operator " + key + " cannot be called from JS: " + entry.spec.unsupported);
    s.ops.push_back(std::move(entry));
    int id = static_cast<int>(s.ops.size() - 1);
    s.opIndex[key] = id;
    return Napi::Number::New(e, id);
  });
}

// callOp(id, ...args): arguments in schema order; undefined takes the schema default.
// Returns a handle, a value, null, or an array for several results. This is the hot path of
// every op, so it uses the C N-API directly and handles Tensor arguments without wrappers.
static napi_value CallOp(napi_env raw, napi_callback_info cb) {
  constexpr size_t kInline = 8;
  size_t argc = kInline;
  napi_value inlineArgs[kInline];
  std::vector<napi_value> heapArgs;
  napi_value* argv = inlineArgs;
  napi_get_cb_info(raw, cb, &argc, inlineArgs, nullptr, nullptr);
  if (argc > kInline) {
    heapArgs.resize(argc);
    napi_get_cb_info(raw, cb, &argc, heapArgs.data(), nullptr, nullptr);
    argv = heapArgs.data();
  }
  Napi::Env e(raw);
  Env& s = env(e);
  const OpEntry* op = nullptr;
  try {
    double idv = -1;
    if (argc < 1 || napi_get_value_double(raw, argv[0], &idv) != napi_ok || idv < 0 || idv >= s.ops.size())
      throwTorch(e, "callOp", "", "unknown operator id");
    op = &s.ops[static_cast<size_t>(idv)];
    const auto& args = op->spec.args;
    size_t given = argc - 1;
    if (given > args.size())
      throw std::invalid_argument("takes " + std::to_string(args.size()) + " arguments, " + std::to_string(given) + " given");
    // One stack per thread, reused: calls never nest (no JS runs inside a call).
    torch::jit::Stack& stack = s.stack;
    stack.clear();
    for (size_t i = 0; i < args.size(); i++) {
      const ArgSpec& a = args[i];
      if (a.base == Base::Tensor && i < given) {
        // Fast path: a handle. Anything else (null, undefined, a boxed scalar) takes the general path.
        double h;
        if (napi_get_value_double(raw, argv[i + 1], &h) == napi_ok) {
          stack.emplace_back(getTensorByHandle(s, h, a.name.c_str()));
          continue;
        }
      }
      napi_valuetype vt = napi_undefined;
      if (i < given) napi_typeof(raw, argv[i + 1], &vt);
      if (vt == napi_undefined) {
        if (*a.def) stack.push_back(**a.def);
        else if (a.optional) stack.emplace_back();
        else throw std::invalid_argument("missing required argument '" + a.name + "'");
      } else if (vt == napi_null) {
        if (!a.optional) throw std::invalid_argument("argument '" + a.name + "' may not be null");
        stack.emplace_back();
      } else {
        stack.push_back(convert(e, a, Napi::Value(raw, argv[i + 1])));
      }
    }
    if (!op->fastPath || !op->fastPath(stack)) op->handle.callBoxed(&stack);
    napi_value result;
    if (stack.empty()) {
      result = e.Undefined();
    } else if (stack.size() == 1) {
      if (stack[0].isTensor() && stack[0].toTensor().defined()) {
        napi_create_int32(raw, static_cast<int32_t>(putTensor(e, s, std::move(stack[0]).toTensor())), &result);
      } else {
        result = fromIValue(e, stack[0]);
      }
    } else {
      auto out = Napi::Array::New(e, stack.size());
      for (size_t i = 0; i < stack.size(); i++) out.Set(static_cast<uint32_t>(i), fromIValue(e, stack[i]));
      result = out;
    }
    stack.clear();
    return result;
  } catch (const Napi::Error& err) {
    s.stack.clear();
    err.ThrowAsJavaScriptException();
  } catch (const DeviceUnavailable& err) {
    // One line: the schema says nothing about a missing backend.
    s.stack.clear();
    try {
      throwTorch(e, op ? op->name : "callOp", "", err.what());
    } catch (const Napi::Error& jsErr) {
      jsErr.ThrowAsJavaScriptException();
    }
  } catch (const c10::Error& err) {
    s.stack.clear();
    try {
      throwTorch(e, op ? op->name : "callOp", op ? op->schema : "", cleanMessage(err.what_without_backtrace()));
    } catch (const Napi::Error& jsErr) {
      jsErr.ThrowAsJavaScriptException();
    }
  } catch (const std::exception& err) {
    s.stack.clear();
    try {
      throwTorch(e, op ? op->name : "callOp", op ? op->schema : "", err.what());
    } catch (const Napi::Error& jsErr) {
      jsErr.ThrowAsJavaScriptException();
    }
  }
  return nullptr;
}

// listOps() -> every registered operator with its schema as structured data, for the generator.
static Napi::Value ListOps(const Napi::CallbackInfo& info) {
  return guarded(info, "listOps", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto names = c10::Dispatcher::singleton().getAllOpNames();
    auto out = Napi::Array::New(e);
    uint32_t k = 0;
    for (const auto& n : names) {
      auto h = c10::Dispatcher::singleton().findSchema(n);
      if (!h) continue;
      const auto& sc = h->schema();
      auto o = Napi::Object::New(e);
      o.Set("name", n.name);
      o.Set("overload", n.overload_name);
      o.Set("schema", schemaString(*h));
      auto spec = compile(sc);
      o.Set("unsupported", spec.unsupported);
      auto args = Napi::Array::New(e);
      uint32_t i = 0;
      for (const auto& a : sc.arguments()) {
        auto ao = Napi::Object::New(e);
        ao.Set("name", a.name());
        ao.Set("type", a.real_type()->str());
        ao.Set("kwargOnly", a.kwarg_only());
        ao.Set("hasDefault", a.default_value().has_value());
        if (a.default_value()) {
          std::ostringstream ds;
          ds << *a.default_value();
          ao.Set("default", ds.str());
        }
        if (a.N()) ao.Set("N", *a.N());
        if (a.alias_info()) ao.Set("write", a.alias_info()->isWrite());
        args.Set(i++, ao);
      }
      o.Set("args", args);
      auto rets = Napi::Array::New(e);
      i = 0;
      for (const auto& r : sc.returns()) {
        auto ro = Napi::Object::New(e);
        ro.Set("name", r.name());
        ro.Set("type", r.type()->str());
        if (r.alias_info()) ro.Set("write", r.alias_info()->isWrite());
        rets.Set(i++, ro);
      }
      o.Set("returns", rets);
      out.Set(k++, o);
    }
    return out;
  });
}

void initOps(Napi::Env e, Napi::Object x) {
  x.Set("lookupOp", Napi::Function::New(e, LookupOp));
  napi_value fn;
  napi_create_function(e, "callOp", NAPI_AUTO_LENGTH, CallOp, nullptr, &fn);
  x.Set("callOp", Napi::Value(e, fn));
  x.Set("listOps", Napi::Function::New(e, ListOps));
}

}  // namespace mts
