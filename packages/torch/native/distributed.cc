// torch.distributed over libtorch's c10d: stores (TCP, file, prefix), ProcessGroupGloo, its
// collectives as Work objects, and the Reducer behind DistributedDataParallel. Every collective is
// c10d's own; this file only converts arguments, results and errors.
//
// Stores, process groups, works and reducers reach JS as Napi::External boxes holding c10d's
// intrusive pointers, so a dropped JS object releases its C++ object when collected; process groups
// and reducers can also be released at once (destroyProcessGroup, DDP dispose).
#ifndef USE_DISTRIBUTED
#define USE_DISTRIBUTED 1
#endif
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "common.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>
#include <torch/csrc/autograd/custom_function.h>

#include <chrono>
#include <cstdlib>
#include <mutex>

namespace mts {
namespace {

using ms = std::chrono::milliseconds;

struct StoreBox {
  c10::intrusive_ptr<c10d::Store> store;
};

struct GroupBox {
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
  int rank;
  int size;
  std::string backend;
};

struct WorkBox {
  c10::intrusive_ptr<c10d::Work> work;
  std::string what;  // "allReduce (rank 0 of 2)": prefixed to errors
};

struct ReducerBox {
  std::unique_ptr<c10d::Reducer> reducer;
  c10::intrusive_ptr<c10d::ProcessGroup> pg;
};

template <typename T>
Napi::Value box(Napi::Env e, T* p) {
  return Napi::External<T>::New(e, p, [](Napi::Env, T* q) { delete q; });
}

template <typename T>
T& unbox(const Napi::Value& v, const char* what) {
  if (!v.IsExternal()) throw std::invalid_argument(std::string(what) + ": expected a native handle");
  T* p = v.As<Napi::External<T>>().Data();
  if (!p) throw std::invalid_argument(std::string(what) + ": native handle is empty");
  return *p;
}

c10d::Store& storeOf(const Napi::Value& v, const char* what) {
  auto& b = unbox<StoreBox>(v, what);
  if (!b.store) throw std::invalid_argument(std::string(what) + ": the store was released");
  return *b.store;
}

GroupBox& groupOf(const Napi::Value& v, const char* what) {
  auto& b = unbox<GroupBox>(v, what);
  if (!b.pg) throw std::invalid_argument(std::string(what) + ": the process group was destroyed");
  return b;
}

std::string str(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }
int64_t i64(const Napi::Value& v) { return static_cast<int64_t>(v.As<Napi::Number>().DoubleValue()); }

std::vector<uint8_t> bytesOf(const Napi::Value& v) {
  if (v.IsString()) {
    std::string s = str(v);
    return std::vector<uint8_t>(s.begin(), s.end());
  }
  if (v.IsTypedArray()) {
    auto a = v.As<Napi::TypedArray>();
    auto* p = static_cast<uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset();
    return std::vector<uint8_t>(p, p + a.ByteLength());
  }
  throw std::invalid_argument("store value: expected a string or a Uint8Array");
}

std::vector<std::string> strings(const Napi::Value& v, const char* what) {
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of strings");
  auto a = v.As<Napi::Array>();
  std::vector<std::string> out;
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(str(a.Get(i)));
  return out;
}

std::vector<at::Tensor> tensors(Napi::Env e, const Napi::Value& v, const char* what) {
  std::vector<at::Tensor> out;
  if (v.IsNull() || v.IsUndefined()) return out;
  if (!v.IsArray()) throw std::invalid_argument(std::string(what) + ": expected an array of Tensors");
  auto a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) out.push_back(getTensor(e, a.Get(i), what));
  return out;
}

// Errors of an operation on a group name the operation, the rank and the world size.
std::string where(const char* op, const GroupBox& g) {
  return std::string(op) + " (rank " + std::to_string(g.rank) + " of " + std::to_string(g.size) + ")";
}

template <typename F>
Napi::Value onGroup(const Napi::CallbackInfo& info, const char* op, F&& fn) {
  std::string label = op;
  try {
    GroupBox& g = groupOf(info[0], op);
    label = where(op, g);
    return fn(g, label);
  } catch (const Napi::Error&) {
    throw;
  } catch (const c10::Error& err) {
    throwTorch(info.Env(), label, "", cleanMessage(err.what_without_backtrace()));
  } catch (const std::exception& err) {
    throwTorch(info.Env(), label, "", err.what());
  }
}

Napi::Value workOf(Napi::Env e, c10::intrusive_ptr<c10d::Work> w, const std::string& label) {
  return box(e, new WorkBox{std::move(w), label});
}

c10d::ReduceOp reduceOp(const Napi::Value& v) {
  std::string s = str(v);
  if (s == "sum") return c10d::ReduceOp::SUM;
  if (s == "product") return c10d::ReduceOp::PRODUCT;
  if (s == "min") return c10d::ReduceOp::MIN;
  if (s == "max") return c10d::ReduceOp::MAX;
  if (s == "avg") return c10d::ReduceOp::AVG;
  if (s == "band") return c10d::ReduceOp::BAND;
  if (s == "bor") return c10d::ReduceOp::BOR;
  if (s == "bxor") return c10d::ReduceOp::BXOR;
  throw std::invalid_argument("unknown reduce op '" + s + "' (expected sum, product, min, max, avg, band, bor or bxor)");
}

// ------------------------------------------------------------------------------------- stores

// tcpStore(host, port, isServer, worldSize|null, timeoutMs, waitWorkers, multiTenant)
Napi::Value TcpStore(const Napi::CallbackInfo& info) {
  return guarded(info, "TCPStore", [&]() -> Napi::Value {
    c10d::TCPStoreOptions o;
    std::string host = str(info[0]);
    int64_t port = i64(info[1]);
    if (port < 0 || port > 65535) throw std::invalid_argument("port must be 0..65535, found " + std::to_string(port));
    o.port = static_cast<uint16_t>(port);
    o.isServer = info[2].ToBoolean();
    if (info[3].IsNumber()) o.numWorkers = static_cast<size_t>(i64(info[3]));
    o.timeout = ms(i64(info[4]));
    o.waitWorkers = info[5].ToBoolean();
    o.multiTenant = info[6].ToBoolean();
    auto s = c10::make_intrusive<c10d::TCPStore>(host, o);
    Napi::Env e = info.Env();
    auto out = Napi::Object::New(e);
    out.Set("store", box(e, new StoreBox{s}));
    out.Set("port", Napi::Number::New(e, s->getPort()));
    return out;
  });
}

Napi::Value FileStore(const Napi::CallbackInfo& info) {
  return guarded(info, "FileStore", [&]() -> Napi::Value {
    auto s = c10::make_intrusive<c10d::FileStore>(str(info[0]), static_cast<int>(i64(info[1])));
    return box(info.Env(), new StoreBox{s});
  });
}

Napi::Value PrefixStore(const Napi::CallbackInfo& info) {
  return guarded(info, "PrefixStore", [&]() -> Napi::Value {
    auto& base = unbox<StoreBox>(info[1], "PrefixStore store");
    auto s = c10::make_intrusive<c10d::PrefixStore>(str(info[0]), base.store);
    return box(info.Env(), new StoreBox{s});
  });
}

// storeOp(store, op, ...args)
Napi::Value StoreOp(const Napi::CallbackInfo& info) {
  std::string op = info[1].IsString() ? str(info[1]) : "?";
  std::string label = "Store." + op;
  return guarded(info, label.c_str(), [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    c10d::Store& s = storeOf(info[0], label.c_str());
    if (op == "set") {
      s.set(str(info[2]), bytesOf(info[3]));
      return e.Undefined();
    }
    if (op == "get") {
      auto v = s.get(str(info[2]));
      return Napi::Buffer<uint8_t>::Copy(e, v.data(), v.size());
    }
    if (op == "add") return Napi::Number::New(e, static_cast<double>(s.add(str(info[2]), i64(info[3]))));
    if (op == "compareSet") {
      auto v = s.compareSet(str(info[2]), bytesOf(info[3]), bytesOf(info[4]));
      return Napi::Buffer<uint8_t>::Copy(e, v.data(), v.size());
    }
    if (op == "deleteKey") return Napi::Boolean::New(e, s.deleteKey(str(info[2])));
    if (op == "check") return Napi::Boolean::New(e, s.check(strings(info[2], label.c_str())));
    if (op == "numKeys") return Napi::Number::New(e, static_cast<double>(s.getNumKeys()));
    if (op == "wait") {
      auto keys = strings(info[2], label.c_str());
      if (info[3].IsNumber()) s.wait(keys, ms(i64(info[3])));
      else s.wait(keys);
      return e.Undefined();
    }
    if (op == "setTimeout") {
      s.setTimeout(ms(i64(info[2])));
      return e.Undefined();
    }
    if (op == "getTimeout") return Napi::Number::New(e, static_cast<double>(s.getTimeout().count()));
    throw std::invalid_argument("unknown store operation '" + op + "'");
  });
}

// ------------------------------------------------------------------------------ process groups

// The Gloo device torch's Python binding makes: GLOO_SOCKET_IFNAME's interface(s) when set, else
// the address the host name resolves to (or loopback when that cannot be bound).
std::vector<std::shared_ptr<::gloo::transport::Device>> glooDevices() {
  std::vector<std::shared_ptr<::gloo::transport::Device>> out;
  const char* ifn = std::getenv("GLOO_SOCKET_IFNAME");
  if (ifn && *ifn) {
    std::string all = ifn;
    size_t start = 0;
    while (start <= all.size()) {
      size_t end = all.find(',', start);
      if (end == std::string::npos) end = all.size();
      if (end > start) out.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(all.substr(start, end - start)));
      start = end + 1;
    }
  } else {
    out.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
  }
  return out;
}

// newGloo(store, rank, size, timeoutMs): blocks until every rank has connected (or the timeout).
Napi::Value NewGloo(const Napi::CallbackInfo& info) {
  int rank = info[1].IsNumber() ? static_cast<int>(i64(info[1])) : -1;
  int size = info[2].IsNumber() ? static_cast<int>(i64(info[2])) : -1;
  std::string label = "ProcessGroupGloo (rank " + std::to_string(rank) + " of " + std::to_string(size) + ")";
  return guarded(info, label.c_str(), [&]() -> Napi::Value {
    auto& sb = unbox<StoreBox>(info[0], "ProcessGroupGloo store");
    auto opts = c10d::ProcessGroupGloo::Options::create(ms(i64(info[3])));
    opts->devices = glooDevices();
    opts->threads = static_cast<int>(opts->devices.size() * 2);
    auto pg = c10::make_intrusive<c10d::ProcessGroupGloo>(sb.store, rank, size, opts);
    return box(info.Env(), new GroupBox{pg, rank, size, "gloo"});
  });
}

// As init_process_group and new_group do after their store barrier (not before: a Python rank 0
// publishes the number only once every rank has checked in): rank 0 publishes a sequence number
// through the store, the others wait for it.
Napi::Value GroupSetSequence(const Napi::CallbackInfo& info) {
  return onGroup(info, "setSequenceNumberForGroup", [&](GroupBox& g, const std::string&) -> Napi::Value {
    g.pg->setSequenceNumberForGroup();
    return info.Env().Undefined();
  });
}

Napi::Value GroupRelease(const Napi::CallbackInfo& info) {
  auto& b = unbox<GroupBox>(info[0], "destroyProcessGroup");
  b.pg.reset();
  return info.Env().Undefined();
}

Napi::Value AllReduce(const Napi::CallbackInfo& info) {
  return onGroup(info, "allReduce", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> t{getTensor(info.Env(), info[1], "allReduce tensor")};
    c10d::AllreduceOptions o;
    o.reduceOp = reduceOp(info[2]);
    return workOf(info.Env(), g.pg->allreduce(t, o), label);
  });
}

Napi::Value Broadcast(const Napi::CallbackInfo& info) {
  return onGroup(info, "broadcast", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> t{getTensor(info.Env(), info[1], "broadcast tensor")};
    c10d::BroadcastOptions o;
    o.rootRank = i64(info[2]);
    return workOf(info.Env(), g.pg->broadcast(t, o), label);
  });
}

Napi::Value Reduce(const Napi::CallbackInfo& info) {
  return onGroup(info, "reduce", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> t{getTensor(info.Env(), info[1], "reduce tensor")};
    c10d::ReduceOptions o;
    o.rootRank = i64(info[2]);
    o.reduceOp = reduceOp(info[3]);
    return workOf(info.Env(), g.pg->reduce(t, o), label);
  });
}

// allGather(group, outputs[], input)
Napi::Value AllGather(const Napi::CallbackInfo& info) {
  return onGroup(info, "allGather", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<std::vector<at::Tensor>> out{tensors(info.Env(), info[1], "allGather tensorList")};
    std::vector<at::Tensor> in{getTensor(info.Env(), info[2], "allGather tensor")};
    return workOf(info.Env(), g.pg->allgather(out, in), label);
  });
}

// gather(group, outputs[]|null, input, root): outputs only on the root.
Napi::Value Gather(const Napi::CallbackInfo& info) {
  return onGroup(info, "gather", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<std::vector<at::Tensor>> out;
    auto list = tensors(info.Env(), info[1], "gather gatherList");
    if (!list.empty()) out.push_back(std::move(list));
    std::vector<at::Tensor> in{getTensor(info.Env(), info[2], "gather tensor")};
    c10d::GatherOptions o;
    o.rootRank = i64(info[3]);
    return workOf(info.Env(), g.pg->gather(out, in, o), label);
  });
}

// scatter(group, output, inputs[]|null, root): inputs only on the root.
Napi::Value Scatter(const Napi::CallbackInfo& info) {
  return onGroup(info, "scatter", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> out{getTensor(info.Env(), info[1], "scatter tensor")};
    std::vector<std::vector<at::Tensor>> in;
    auto list = tensors(info.Env(), info[2], "scatter scatterList");
    if (!list.empty()) in.push_back(std::move(list));
    c10d::ScatterOptions o;
    o.rootRank = i64(info[3]);
    return workOf(info.Env(), g.pg->scatter(out, in, o), label);
  });
}

// reduceScatter(group, output, inputs[], op)
Napi::Value ReduceScatter(const Napi::CallbackInfo& info) {
  return onGroup(info, "reduceScatter", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> out{getTensor(info.Env(), info[1], "reduceScatter output")};
    std::vector<std::vector<at::Tensor>> in{tensors(info.Env(), info[2], "reduceScatter inputList")};
    c10d::ReduceScatterOptions o;
    o.reduceOp = reduceOp(info[3]);
    return workOf(info.Env(), g.pg->reduce_scatter(out, in, o), label);
  });
}

Napi::Value Barrier(const Napi::CallbackInfo& info) {
  return onGroup(info, "barrier", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    return workOf(info.Env(), g.pg->barrier(), label);
  });
}

// send(group, tensor, dst, tag) / recv(group, tensor, src|-1, tag)
Napi::Value Send(const Napi::CallbackInfo& info) {
  return onGroup(info, "send", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> t{getTensor(info.Env(), info[1], "send tensor")};
    return workOf(info.Env(), g.pg->send(t, static_cast<int>(i64(info[2])), static_cast<int>(i64(info[3]))), label);
  });
}

Napi::Value Recv(const Napi::CallbackInfo& info) {
  return onGroup(info, "recv", [&](GroupBox& g, const std::string& label) -> Napi::Value {
    std::vector<at::Tensor> t{getTensor(info.Env(), info[1], "recv tensor")};
    int src = static_cast<int>(i64(info[2]));
    int tag = static_cast<int>(i64(info[3]));
    auto w = src < 0 ? g.pg->recvAnysource(t, tag) : g.pg->recv(t, src, tag);
    return workOf(info.Env(), w, label);
  });
}

// broadcastCoalesced(group, tensors[], bufferBytes, src): DDP's parameter and buffer broadcast,
// a few flat broadcasts instead of one per tensor. Copies into leaves that require grad.
Napi::Value BroadcastCoalesced(const Napi::CallbackInfo& info) {
  return onGroup(info, "broadcastCoalesced", [&](GroupBox& g, const std::string&) -> Napi::Value {
    auto ts = tensors(info.Env(), info[1], "broadcastCoalesced tensors");
    at::NoGradGuard noGrad;
    c10d::broadcast_coalesced(g.pg, ts, static_cast<size_t>(i64(info[2])), static_cast<int>(i64(info[3])));
    return info.Env().Undefined();
  });
}

// ------------------------------------------------------------------------- differentiable sum

// Groups by address for the backward of DiffAllReduce (autograd's saved data holds plain values);
// weak, so a destroyed group is reported instead of kept alive by a graph.
std::mutex groupsMutex;
std::unordered_map<int64_t, c10::weak_intrusive_ptr<c10d::ProcessGroup>> groupsByAddress;

void sumAcross(c10d::ProcessGroup& pg, at::Tensor& t) {
  std::vector<at::Tensor> v{t};
  pg.allreduce(v)->wait();
}

// allReduce(sum) whose gradient is the allReduce(sum) of the incoming gradient: what SyncBatchNorm
// needs so that each rank's input receives the gradient of every rank's loss through the shared
// statistics. Forward and backward block until the collective is done.
struct DiffAllReduce : public torch::autograd::Function<DiffAllReduce> {
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, const at::Tensor& x, int64_t pgAddress) {
    ctx->saved_data["pg"] = pgAddress;
    at::Tensor out = x.contiguous().clone();
    c10::intrusive_ptr<c10d::ProcessGroup> pg;
    {
      std::lock_guard<std::mutex> lock(groupsMutex);
      pg = groupsByAddress.at(pgAddress).lock();
    }
    sumAcross(*pg, out);
    return out;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx, torch::autograd::variable_list grads) {
    c10::intrusive_ptr<c10d::ProcessGroup> pg;
    {
      std::lock_guard<std::mutex> lock(groupsMutex);
      auto it = groupsByAddress.find(ctx->saved_data["pg"].toInt());
      if (it != groupsByAddress.end()) pg = it->second.lock();
    }
    if (!pg) throw std::runtime_error("allReduce backward: the process group was destroyed before backward");
    at::Tensor g = grads[0].contiguous().clone();
    sumAcross(*pg, g);
    return {g, at::Tensor()};
  }
};

// diffAllReduce(group, tensor) -> new tensor
Napi::Value DiffAllReduceJs(const Napi::CallbackInfo& info) {
  return onGroup(info, "allReduce (differentiable)", [&](GroupBox& g, const std::string&) -> Napi::Value {
    Napi::Env e = info.Env();
    const at::Tensor& x = getTensor(e, info[1], "allReduce tensor");
    auto address = reinterpret_cast<int64_t>(g.pg.get());
    {
      std::lock_guard<std::mutex> lock(groupsMutex);
      groupsByAddress.insert_or_assign(address, c10::weak_intrusive_ptr<c10d::ProcessGroup>(g.pg));
    }
    return Napi::Number::New(e, putTensor(e, DiffAllReduce::apply(x, address)));
  });
}

// ------------------------------------------------------------------------------------- works

std::string workError(const WorkBox& w, std::exception_ptr p) {
  try {
    std::rethrow_exception(p);
  } catch (const c10::Error& err) {
    return w.what + ": " + cleanMessage(err.what_without_backtrace());
  } catch (const std::exception& err) {
    return w.what + ": " + err.what();
  } catch (...) {
    return w.what + ": unknown error";
  }
}

// waitSync(work, timeoutMs|null): blocks this thread until the work is done.
Napi::Value WorkWaitSync(const Napi::CallbackInfo& info) {
  auto& w = unbox<WorkBox>(info[0], "Work.waitSync");
  try {
    bool done = info[1].IsNumber() ? w.work->wait(ms(i64(info[1]))) : w.work->wait();
    return Napi::Boolean::New(info.Env(), done);
  } catch (...) {
    throwTorch(info.Env(), w.what, "", workError(w, std::current_exception()).substr(w.what.size() + 2));
  }
}

// Waits on a libuv pool thread so the event loop keeps running.
class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env e, c10::intrusive_ptr<c10d::Work> work, std::string what)
      : Napi::AsyncWorker(e), box_{std::move(work), std::move(what)}, deferred_(Napi::Promise::Deferred::New(e)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      box_.work->wait();
    } catch (...) {
      msg_ = workError(box_, std::current_exception());
      SetError(msg_);
    }
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error&) override {
    Napi::Env e = Env();
    Napi::Value err;
    std::string tail = msg_.substr(std::min(msg_.size(), box_.what.size() + 2));
    mts::Env& st = mts::env(e);
    if (!st.tensorErrorCtor.IsEmpty())
      err = st.tensorErrorCtor.New({Napi::String::New(e, tail), Napi::String::New(e, box_.what), Napi::String::New(e, "")});
    else
      err = Napi::Error::New(e, msg_).Value();
    deferred_.Reject(err);
  }

 private:
  WorkBox box_;
  Napi::Promise::Deferred deferred_;
  std::string msg_;
};

Napi::Value WorkWait(const Napi::CallbackInfo& info) {
  auto& w = unbox<WorkBox>(info[0], "Work.wait");
  auto* worker = new WaitWorker(info.Env(), w.work, w.what);
  auto p = worker->promise();
  worker->Queue();
  return p;
}

Napi::Value WorkIsCompleted(const Napi::CallbackInfo& info) {
  auto& w = unbox<WorkBox>(info[0], "Work.isCompleted");
  return Napi::Boolean::New(info.Env(), w.work->isCompleted());
}

// [completed, success, error message or null, source rank or -1]
Napi::Value WorkState(const Napi::CallbackInfo& info) {
  Napi::Env e = info.Env();
  auto& w = unbox<WorkBox>(info[0], "Work.state");
  bool done = w.work->isCompleted();
  auto a = Napi::Array::New(e, 4);
  a.Set(0u, Napi::Boolean::New(e, done));
  bool ok = done && w.work->isSuccess();
  a.Set(1u, Napi::Boolean::New(e, ok));
  a.Set(2u, done && !ok ? Napi::Value(Napi::String::New(e, workError(w, w.work->exception()))) : e.Null());
  int src = -1;
  try {
    src = w.work->sourceRank();
  } catch (...) {
  }
  a.Set(3u, Napi::Number::New(e, src));
  return a;
}

// ----------------------------------------------------------------------------------- reducer

// reducerNew(group, params[], bucketCapBytes, findUnused, firstBucketBytes): buckets assigned as
// DistributedDataParallel does (by size, in reverse parameter order so the last layers' gradients,
// ready first in backward, are reduced first).
Napi::Value ReducerNew(const Napi::CallbackInfo& info) {
  return onGroup(info, "DistributedDataParallel", [&](GroupBox& g, const std::string&) -> Napi::Value {
    auto params = tensors(info.Env(), info[1], "DistributedDataParallel parameters");
    auto cap = static_cast<size_t>(i64(info[2]));
    bool findUnused = info[3].ToBoolean();
    auto first = static_cast<size_t>(i64(info[4]));
    std::vector<bool> sparse(params.size(), false);
    c10d::verify_params_across_processes(g.pg, params, c10::nullopt);
    auto assigned = c10d::compute_bucket_assignment_by_size(params, {first, cap}, sparse);
    auto buckets = std::get<0>(assigned);
    auto limits = std::get<1>(assigned);
    std::reverse(buckets.begin(), buckets.end());
    std::reverse(limits.begin(), limits.end());
    auto r = std::make_unique<c10d::Reducer>(params, buckets, limits, g.pg, sparse, static_cast<int64_t>(cap), findUnused,
                                             false, std::unordered_map<size_t, std::string>(), static_cast<int64_t>(first));
    return box(info.Env(), new ReducerBox{std::move(r), g.pg});
  });
}

ReducerBox& reducerOf(const Napi::Value& v, const char* what) {
  auto& b = unbox<ReducerBox>(v, what);
  if (!b.reducer) throw std::invalid_argument(std::string(what) + ": the DistributedDataParallel reducer was released");
  return b;
}

// reducerOp(reducer, op, outputs[]?)
Napi::Value ReducerOp(const Napi::CallbackInfo& info) {
  std::string op = info[1].IsString() ? str(info[1]) : "?";
  std::string label = "DistributedDataParallel." + op;
  return guarded(info, label.c_str(), [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    auto& b = unbox<ReducerBox>(info[0], label.c_str());
    if (op == "release") {
      b.reducer.reset();
      b.pg.reset();
      return e.Undefined();
    }
    auto& r = *reducerOf(info[0], label.c_str()).reducer;
    if (op == "prepareForward") {
      r.prepare_for_forward();
      return e.Undefined();
    }
    if (op == "rebuildBuckets") return Napi::Boolean::New(e, r.rebuild_buckets());
    if (op == "prepareForBackward") {
      r.prepare_for_backward(tensors(e, info[2], label.c_str()));
      return e.Undefined();
    }
    throw std::invalid_argument("unknown reducer operation '" + op + "'");
  });
}

}  // namespace

void initDistributed(Napi::Env e, Napi::Object x) {
  auto d = Napi::Object::New(e);
  d.Set("tcpStore", Napi::Function::New(e, TcpStore));
  d.Set("fileStore", Napi::Function::New(e, FileStore));
  d.Set("prefixStore", Napi::Function::New(e, PrefixStore));
  d.Set("storeOp", Napi::Function::New(e, StoreOp));
  d.Set("newGloo", Napi::Function::New(e, NewGloo));
  d.Set("groupSetSequence", Napi::Function::New(e, GroupSetSequence));
  d.Set("groupRelease", Napi::Function::New(e, GroupRelease));
  d.Set("allReduce", Napi::Function::New(e, AllReduce));
  d.Set("broadcast", Napi::Function::New(e, Broadcast));
  d.Set("reduce", Napi::Function::New(e, Reduce));
  d.Set("allGather", Napi::Function::New(e, AllGather));
  d.Set("gather", Napi::Function::New(e, Gather));
  d.Set("scatter", Napi::Function::New(e, Scatter));
  d.Set("reduceScatter", Napi::Function::New(e, ReduceScatter));
  d.Set("barrier", Napi::Function::New(e, Barrier));
  d.Set("send", Napi::Function::New(e, Send));
  d.Set("recv", Napi::Function::New(e, Recv));
  d.Set("diffAllReduce", Napi::Function::New(e, DiffAllReduceJs));
  d.Set("broadcastCoalesced", Napi::Function::New(e, BroadcastCoalesced));
  d.Set("workWaitSync", Napi::Function::New(e, WorkWaitSync));
  d.Set("workWait", Napi::Function::New(e, WorkWait));
  d.Set("workIsCompleted", Napi::Function::New(e, WorkIsCompleted));
  d.Set("workState", Napi::Function::New(e, WorkState));
  d.Set("reducerNew", Napi::Function::New(e, ReducerNew));
  d.Set("reducerOp", Napi::Function::New(e, ReducerOp));
  x.Set("distributed", d);
}

}  // namespace mts
