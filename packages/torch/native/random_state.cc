// Bulk draws of numpy's legacy RandomState (MT19937 and the legacy distributions), for the TypeScript
// RandomState in monai-ts: it keeps single draws in JS and hands sized draws here, passing its state
// in and getting it back, so scalar and bulk draws interleave into one stream.
//
// The stream must equal the JS path bit for bit. The Gaussian's log is therefore the same correctly
// rounded double-double log as packages/monai/src/utils/correctly_rounded_log.ts (same operations in
// the same order; built with -ffp-contract=off so no multiply-add is fused), not the C library's log,
// which rounds the wrong way for a few inputs in 10,000 and differs between glibc's FMA and non-FMA
// variants.
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

// ---- correctly rounded log (double-double), a line-for-line twin of correctly_rounded_log.ts
constexpr double SPLIT = 134217729.0;  // 2^27 + 1

void twoSum(double a, double b, double& s, double& e) {
  s = a + b;
  double bb = s - a;
  e = a - (s - bb) + (b - bb);
}
void twoProd(double a, double b, double& p, double& e) {
  p = a * b;
  double t = SPLIT * a;
  double ah = t - (t - a), al = a - ah;
  t = SPLIT * b;
  double bh = t - (t - b), bl = b - bh;
  e = ah * bh - p + ah * bl + al * bh + al * bl;
}
void ddAdd(double ah, double al, double bh, double bl, double& oh, double& ol) {
  double t0, t1, t2, t3;
  twoSum(ah, bh, t0, t1);
  twoSum(al, bl, t2, t3);
  double s = t0, e = t1 + t2, h = s + e;
  e = e - (h - s);
  s = h;
  e += t3;
  h = s + e;
  oh = h;
  ol = e - (h - s);
}
void ddMul(double ah, double al, double bh, double bl, double& oh, double& ol) {
  double p, pe;
  twoProd(ah, bh, p, pe);
  double e = pe + (ah * bl + al * bh);
  double h = p + e;
  oh = h;
  ol = e - (h - p);
}
void ddDiv(double ah, double al, double bh, double bl, double& oh, double& ol) {
  double q1 = ah / bh, ph, pl, rh, rl;
  ddMul(q1, 0, bh, bl, ph, pl);
  ddAdd(ah, al, -ph, -pl, rh, rl);
  double q2 = rh / bh;
  ddMul(q2, 0, bh, bl, ph, pl);
  ddAdd(rh, rl, -ph, -pl, rh, rl);
  double q3 = rh / bh, sh, sl;
  twoSum(q1, q2, sh, sl);
  ddAdd(sh, sl, q3, 0, oh, ol);
}

constexpr double LN2_HI = 6.93147180559945286227e-1;
constexpr double LN2_LO = 2.31904681384629955842e-17;
constexpr int TABLE_LO = 90;

struct LogTable {
  double t[2 * (182 - TABLE_LO + 1)];
  double thirdHi, thirdLo;
  LogTable() {
    ddDiv(1, 0, 3, 0, thirdHi, thirdLo);
    for (int j = TABLE_LO; j <= 182; j++) {
      double sh, sl, zh, zl;
      ddDiv(j - 128, 0, j + 128, 0, sh, sl);
      // 2*atanh(s) by its series, 40 terms
      ddMul(sh, sl, sh, sl, zh, zl);
      double acch = 0, accl = 0, ph = sh, pl = sl;
      for (int n = 0; n < 40; n++) {
        double th, tl;
        ddDiv(ph, pl, 2 * n + 1, 0, th, tl);
        ddAdd(acch, accl, th, tl, acch, accl);
        ddMul(ph, pl, zh, zl, ph, pl);
      }
      t[2 * (j - TABLE_LO)] = 2 * acch;
      t[2 * (j - TABLE_LO) + 1] = 2 * accl;
    }
  }
};
const LogTable kLog;

// The arithmetic of the log after reduction: x = 2^k * m, m = c + u with c = j/128 (table entry Th + Tl).
// A template so that several logs can run side by side in vector lanes (V = kLanes doubles): every lane does
// exactly the scalar operations (IEEE per lane, nothing fused), so the results are the same bits.
template <typename V>
V crLogCore(V m, V c, V kd, V Th, V Tl) {
  V u = m - c;
  V c2 = 2 * c, dh = c2 + u, dbb = dh - c2;
  V dl = c2 - (dh - dbb) + (u - dbb);
  V sh = u / dh;
  V t = SPLIT * sh;
  V shh = t - (t - sh), shl = sh - shh;
  t = SPLIT * dh;
  V dhh = t - (t - dh), dhl = dh - dhh;
  V p = sh * dh;
  V pe = shh * dhh - p + shh * dhl + shl * dhh + shl * dhl;
  V sl = (u - p - pe - sh * dl) / dh;
  V zh = sh * sh;
  V ze = shh * shh - zh + 2 * shh * shl + shl * shl;
  V zl = ze + 2 * sh * sl;
  V tail = 1.0 / 7 + zh * (1.0 / 9 + zh * (1.0 / 11 + zh * (1.0 / 13 + zh / 15)));
  V tl = kLog.thirdLo + zh * (0.2 + zh * tail);
  const double TH = kLog.thirdHi;
  t = SPLIT * zh;
  V zhh = t - (t - zh), zhl = zh - zhh;
  const double thh = SPLIT * TH - (SPLIT * TH - TH), thl = TH - thh;
  V wh0 = zh * TH;
  V wl0 = zhh * thh - wh0 + zhh * thl + zhl * thh + zhl * thl + zh * tl + zl * TH;
  V wh = wh0 + wl0, wl = wl0 - (wh - wh0);
  t = SPLIT * wh;
  V whh = t - (t - wh), whl = wh - whh;
  V qh0 = sh * wh;
  V ql0 = shh * whh - qh0 + shh * whl + shl * whh + shl * whl + sh * wl + sl * wh;
  V ah = sh + qh0, bb = ah - sh;
  V al = sh - (ah - bb) + (qh0 - bb) + sl + ql0;
  V h = ah + al;
  al = al - (h - ah);
  ah = 2 * h;
  al *= 2;
  h = ah + Th;
  bb = h - ah;
  al = ah - (h - bb) + (Th - bb) + al + Tl;
  ah = h;
  // + k*ln2; for k = 0 every term is 0 and (ah, al) pass through unchanged
  const double lh = SPLIT * LN2_HI - (SPLIT * LN2_HI - LN2_HI), ll = LN2_HI - lh;
  V kh = kd * LN2_HI;
  V ke = kd * lh - kh + kd * ll + kd * LN2_LO;
  h = ah + kh;
  bb = h - ah;
  al = ah - (h - bb) + (kh - bb) + al + ke;
  ah = h;
  return ah + al;
}

// Splits a positive normal x into m in [sqrt(1/2), sqrt(2)), k, and the table point j.
inline void reduce(double x, double& m, double& kd, double& c, int& ti) {
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  int k = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  std::memcpy(&m, &bits, 8);
  if (m > 1.4142135623730951) {
    m *= 0.5;  // exact, as JS's m / 2
    k += 1;
  }
  int j = static_cast<int>(m * 128 + 0.5);  // positive: truncation is Math.round's floor
  c = j * 0.0078125;                        // j / 128, exact
  kd = k;
  ti = 2 * (j - TABLE_LO);
}

double crLog(double x) {
  if (!(x > 0) || x == INFINITY) return std::log(x);
  double kOff = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984.0;
    kOff = -54;
  }
  double m, kd, c;
  int ti;
  reduce(x, m, kd, c, ti);
  kd += kOff;
  const double* T = kLog.t;
  if (m == c && kd == 0) return T[ti] + T[ti + 1];
  return crLogCore<double>(m, c, kd, T[ti], T[ti + 1]);
}

// 8 lanes: on SSE2 each operation becomes 4 independent 2-wide ones, enough parallel work to hide
// the latency of the long dependent chain (4 lanes: about 25% slower; 16: register spills).
constexpr int kLanes = 8;
typedef double VL __attribute__((vector_size(8 * kLanes)));

// crLog of kLanes values at once (positive normal inputs; others take the scalar path).
void crLogLanes(const double* x, double* out) {
  VL m, kd, c, th, tl;
  const double* T = kLog.t;
  for (int l = 0; l < kLanes; l++) {
    if (!(x[l] >= 2.2250738585072014e-308 && x[l] < INFINITY)) {
      for (int q = 0; q < kLanes; q++) out[q] = crLog(x[q]);
      return;
    }
    double ml, kl, cl;
    int ti;
    reduce(x[l], ml, kl, cl, ti);
    m[l] = ml;
    kd[l] = kl;
    c[l] = cl;
    th[l] = T[ti];
    tl[l] = T[ti + 1];
  }
  VL r = crLogCore<VL>(m, c, kd, th, tl);
  for (int l = 0; l < kLanes; l++) out[l] = (m[l] == c[l] && kd[l] == 0) ? th[l] + tl[l] : r[l];
}

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
  double f = std::sqrt(-2 * crLog(r2) / r2);
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
      double r2[kLanes], logs[kLanes];
      for (int64_t k = k0; k < k1; k++) {
        int64_t lane = (k - k0) % kLanes;
        if (lane == 0) {
          int64_t m = std::min<int64_t>(kLanes, k1 - k);
          for (int64_t q = 0; q < m; q++) r2[q] = r2s[picked[k + q]];
          if (m == kLanes) crLogLanes(r2, logs);
          else for (int64_t q = 0; q < m; q++) logs[q] = crLog(r2[q]);
        }
        int64_t t = picked[k];
        double f = std::sqrt(-2 * logs[lane] / r2[lane]);
        out[base + 2 * k] = static_cast<T>(a + b * (f * x2s[t]));
        out[base + 2 * k + 1] = static_cast<T>(a + b * (f * x1s[t]));
      }
    });
    i += 2 * full;
    if (full < pairs) {  // one value left: the last pair's second value stays cached
      int64_t t = picked[full];
      double f = std::sqrt(-2 * crLog(r2s[t]) / r2s[t]);
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

}  // namespace

void initRandomState(Napi::Env e, Napi::Object x) { x.Set("legacyRandom", Napi::Function::New(e, LegacyRandom)); }

}  // namespace mts
