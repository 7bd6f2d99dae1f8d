// Bulk draws of numpy's legacy RandomState (MT19937 and the legacy distributions), for the TypeScript
// RandomState in monai-ts: it keeps single draws in JS and hands sized draws here, passing its state
// in and getting it back, so scalar and bulk draws interleave into one stream.
//
// The stream must equal numpy's bit for bit on the same machine, so the Gaussian uses the C library's
// log and sqrt, as numpy's legacy_gauss does (glibc's log is not always correctly rounded, and numpy's
// draws carry its rounding). The JS path calls the same log through libmLog below.
#include "common.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <cstring>
#include <vector>

namespace mts {

namespace {

constexpr int N = 624;
constexpr int M = 397;

inline uint32_t temper(uint32_t y) {
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680u;
  y ^= (y << 15) & 0xefc60000u;
  y ^= y >> 18;
  return y;
}

struct Mt {
  uint32_t* key;
  int pos;
  bool hasGauss;
  double gauss;

  void twist() {
    constexpr uint32_t UPPER = 0x80000000u, LOWER = 0x7fffffffu, A = 0x9908b0dfu;
    int kk = 0;
    for (; kk < N - M; kk++) {
      uint32_t y = (key[kk] & UPPER) | (key[kk + 1] & LOWER);
      key[kk] = key[kk + M] ^ (y >> 1) ^ ((y & 1u) ? A : 0u);
    }
    for (; kk < N - 1; kk++) {
      uint32_t y = (key[kk] & UPPER) | (key[kk + 1] & LOWER);
      key[kk] = key[kk + (M - N)] ^ (y >> 1) ^ ((y & 1u) ? A : 0u);
    }
    uint32_t y = (key[N - 1] & UPPER) | (key[0] & LOWER);
    key[N - 1] = key[M - 1] ^ (y >> 1) ^ ((y & 1u) ? A : 0u);
    pos = 0;
  }
  uint32_t next32() {
    if (pos >= N) twist();
    return temper(key[pos++]);
  }
  double nextDouble() {
    uint32_t a = next32() >> 5, b = next32() >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
  }
};

// numpy's legacy_gauss: polar method, the second value cached for the next call.
double gauss(Mt& s) {
  if (s.hasGauss) {
    s.hasGauss = false;
    double g = s.gauss;
    s.gauss = 0;
    return g;
  }
  double x1, x2, r2;
  do {
    x1 = 2 * s.nextDouble() - 1;
    x2 = 2 * s.nextDouble() - 1;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1 || r2 == 0);
  double f = std::sqrt(-2 * std::log(r2) / r2);
  s.gauss = f * x1;
  s.hasGauss = true;
  return f * x2;
}

// [0, rng] by masked rejection (numpy's bounded uint64 draw, masked form); rng < 2^53.
double bounded(Mt& s, uint64_t rng) {
  if (rng == 0) return 0;
  if (rng <= 0xffffffffull) {
    if (rng == 0xffffffffull) return s.next32();
    uint32_t r = static_cast<uint32_t>(rng), mask = r;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    uint32_t v;
    do v = s.next32() & mask;
    while (v > r);
    return v;
  }
  uint64_t mask = rng;
  mask |= mask >> 1;
  mask |= mask >> 2;
  mask |= mask >> 4;
  mask |= mask >> 8;
  mask |= mask >> 16;
  mask |= mask >> 32;
  uint64_t v;
  do {
    uint64_t hi = s.next32();
    v = ((hi << 32) | s.next32()) & mask;
  } while (v > rng);
  return static_cast<double>(v);
}


// The raw (untempered) MT words ahead of a state without advancing it: block 0 is the state's key,
// block t + 1 the key after one more twist. A state that has consumed up to some word is then just
// (the block holding that word, the index after it).
struct Lookahead {
  std::vector<uint32_t> words;
  int64_t start;  // global index of the state's next word (its pos within block 0)
  explicit Lookahead(const Mt& s) : words(s.key, s.key + N), start(s.pos) {}
  void ensure(int64_t count) {  // words [start, start + count) available
    while (static_cast<int64_t>(words.size()) < start + count) {
      size_t at = words.size();
      words.resize(at + N);
      std::memcpy(words.data() + at, words.data() + at - N, N * sizeof(uint32_t));
      Mt t{words.data() + at, 0, false, 0};
      t.twist();
    }
  }
  // Leaves `s` as sequential draws would after consuming words [start, start + used).
  void commit(Mt& s, int64_t used) const {
    if (used == 0) return;
    int64_t g = start + used - 1, block = g / N;
    if (block > 0) std::memcpy(s.key, words.data() + block * N, N * sizeof(uint32_t));
    s.pos = static_cast<int>(g % N) + 1;
  }
};

// n normals (loc a, scale b) into out, as n calls of gauss() would give and leaving the same state.
// Small counts go one by one. Large ones in chunks: the polar method's attempts (4 words each, two
// uniforms and r2) are independent once the words are known, so the words are generated ahead
// (twists only, sequential and cheap), tempered and tested in parallel, the first accepted attempts
// picked in stream order, and their logs (the costly part) computed in parallel; the state is then
// set to just after the last attempt used.
template <typename T>
void fillNormal(Mt& s, double a, double b, T* out, int64_t n) {
  int64_t i = 0;
  if (n > 0 && s.hasGauss) out[i++] = static_cast<T>(a + b * gauss(s));
  if (n - i < 4096) {
    for (; i < n; i++) out[i] = static_cast<T>(a + b * gauss(s));
    return;
  }
  constexpr int64_t kChunk = 1 << 16;  // pairs per chunk
  std::vector<double> x1s, x2s, r2s;
  std::vector<int64_t> picked;
  while (i < n) {
    const int64_t pairs = std::min<int64_t>(kChunk, (n - i + 1) / 2);
    Lookahead la(s);
    picked.clear();
    int64_t tried = 0;  // attempts tested so far
    while (static_cast<int64_t>(picked.size()) < pairs) {
      // acceptance is pi/4: ask for 1.3x the missing pairs, plus a margin
      int64_t more = (pairs - static_cast<int64_t>(picked.size())) * 13 / 10 + 64;
      la.ensure(4 * (tried + more));
      x1s.resize(tried + more);
      x2s.resize(tried + more);
      r2s.resize(tried + more);
      const uint32_t* w = la.words.data() + la.start;
      at::parallel_for(tried, tried + more, 8192, [&](int64_t t0, int64_t t1) {
        for (int64_t t = t0; t < t1; t++) {
          const uint32_t* q = w + 4 * t;
          double d1 = ((temper(q[0]) >> 5) * 67108864.0 + (temper(q[1]) >> 6)) / 9007199254740992.0;
          double d2 = ((temper(q[2]) >> 5) * 67108864.0 + (temper(q[3]) >> 6)) / 9007199254740992.0;
          double x1 = 2 * d1 - 1, x2 = 2 * d2 - 1;
          x1s[t] = x1;
          x2s[t] = x2;
          r2s[t] = x1 * x1 + x2 * x2;
        }
      });
      for (int64_t t = tried; t < tried + more && static_cast<int64_t>(picked.size()) < pairs; t++)
        if (!(r2s[t] >= 1 || r2s[t] == 0)) picked.push_back(t);
      tried += more;
    }
    la.commit(s, 4 * (picked.back() + 1));
    // pair k gives out[i + 2k] = f*x2 and out[i + 2k + 1] = f*x1; past the end, f*x1 is the cache
    const int64_t base = i, full = std::min(pairs, (n - base) / 2);
    at::parallel_for(0, full, 4096, [&](int64_t k0, int64_t k1) {
      for (int64_t k = k0; k < k1; k++) {
        int64_t t = picked[k];
        double r2 = r2s[t];
        double f = std::sqrt(-2 * std::log(r2) / r2);
        out[base + 2 * k] = static_cast<T>(a + b * (f * x2s[t]));
        out[base + 2 * k + 1] = static_cast<T>(a + b * (f * x1s[t]));
      }
    });
    i += 2 * full;
    if (full < pairs) {  // one value left: the last pair's second value stays cached
      int64_t t = picked[full];
      double f = std::sqrt(-2 * std::log(r2s[t]) / r2s[t]);
      out[i++] = static_cast<T>(a + b * (f * x2s[t]));
      s.gauss = f * x1s[t];
      s.hasGauss = true;
    }
  }
}

enum Kind { kRandom = 0, kUniform = 1, kNormal = 2, kRandint = 3 };

// Draws n values of `kind` (a, b: uniform low and range, normal loc and scale, randint low and rng) into out.
template <typename T>
void fill(Mt& s, int kind, double a, double b, T* out, int64_t n) {
  switch (kind) {
    case kRandom:
      for (int64_t i = 0; i < n; i++) out[i] = static_cast<T>(s.nextDouble());
      break;
    case kUniform:
      for (int64_t i = 0; i < n; i++) out[i] = static_cast<T>(a + b * s.nextDouble());
      break;
    case kNormal:
      fillNormal(s, a, b, out, n);
      break;
    case kRandint: {
      uint64_t rng = static_cast<uint64_t>(b);
      for (int64_t i = 0; i < n; i++) out[i] = static_cast<T>(a + bounded(s, rng));
      break;
    }
    default:
      throw std::invalid_argument("unknown distribution " + std::to_string(kind));
  }
}

// legacyRandom(kind, key: Uint32Array(624), st: Float64Array [pos, hasGauss, gauss], a, b,
//              out: Float64Array | Float32Array | null, shape: number[] | null, dtype: string | null)
// Fills `out`, or returns a new CPU tensor of `shape` and `dtype` (float64 or float32); the state is
// read from and written back to key and st.
Napi::Value LegacyRandom(const Napi::CallbackInfo& info) {
  return guarded(info, "legacyRandom", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    int kind = info[0].As<Napi::Number>().Int32Value();
    auto key = info[1].As<Napi::Uint32Array>();
    auto st = info[2].As<Napi::Float64Array>();
    if (key.ElementLength() != N || st.ElementLength() != 3) throw std::invalid_argument("expected a 624-word key and a 3-value state");
    double a = info[3].As<Napi::Number>().DoubleValue(), b = info[4].As<Napi::Number>().DoubleValue();
    double pos = st[0];
    if (!(pos >= 0 && pos <= N)) throw std::invalid_argument("state position out of range");
    Mt s{key.Data(), static_cast<int>(pos), st[1] != 0, st[2]};
    Napi::Value result = e.Undefined();
    if (info[5].IsTypedArray()) {
      auto ta = info[5].As<Napi::TypedArray>();
      if (ta.TypedArrayType() == napi_float64_array) {
        auto o = ta.As<Napi::Float64Array>();
        fill(s, kind, a, b, o.Data(), static_cast<int64_t>(o.ElementLength()));
      } else if (ta.TypedArrayType() == napi_float32_array) {
        auto o = ta.As<Napi::Float32Array>();
        fill(s, kind, a, b, o.Data(), static_cast<int64_t>(o.ElementLength()));
      } else {
        throw std::invalid_argument("out must be a Float64Array or a Float32Array");
      }
    } else {
      auto arr = info[6].As<Napi::Array>();
      std::vector<int64_t> shape(arr.Length());
      for (uint32_t i = 0; i < arr.Length(); i++) shape[i] = arr.Get(i).As<Napi::Number>().Int64Value();
      at::ScalarType dt = dtypeFromName(info[7].As<Napi::String>().Utf8Value());
      at::Tensor t = at::empty(shape, at::TensorOptions().dtype(dt));
      if (dt == at::kDouble) fill(s, kind, a, b, t.data_ptr<double>(), t.numel());
      else if (dt == at::kFloat) fill(s, kind, a, b, t.data_ptr<float>(), t.numel());
      else throw std::invalid_argument(std::string("dtype must be float64 or float32, found ") + dtypeName(dt));
      result = Napi::Number::New(e, putTensor(e, t));
    }
    st[0] = s.pos;
    st[1] = s.hasGauss ? 1 : 0;
    st[2] = s.gauss;
    return result;
  });
}

// libmLog(x): the C library's log, for the JS RandomState's scalar Gaussian draws (numpy calls it).
Napi::Value LibmLog(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), std::log(info[0].As<Napi::Number>().DoubleValue()));
}

}  // namespace

void initRandomState(Napi::Env e, Napi::Object x) {
  x.Set("legacyRandom", Napi::Function::New(e, LegacyRandom));
  x.Set("libmLog", Napi::Function::New(e, LibmLog));
}

}  // namespace mts
