// np.interp(x, xp, fp) in one pass: for each x the segment of increasing xp holding it (binary search
// started from the guess an evenly spaced xp gives), then numpy's formula and edge rules, in float64.
// Used by HistogramNormalize, where whole-tensor ops took about ten passes over the image; with it
// histogramCounts, np.histogram's counting for given edges in one pass.
#include "common.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace mts {

namespace {

// numpy's arr_interp for one value: fp[0] below xp[0], fp[-1] above xp[-1] and at it, fp[j] on a knot,
// else slope * (x - xp[j]) + fp[j] (from the other end when that is NaN), NaN for NaN.
inline double interpOne(double v, const double* xp, const double* fp, const double* slope, int64_t n, double guessScale) {
  if (std::isnan(v)) return v;
  if (v < xp[0]) return fp[0];
  if (v > xp[n - 1]) return fp[n - 1];
  // largest j with xp[j] <= v, from a guess (exact for evenly spaced xp, corrected by search otherwise)
  int64_t j = static_cast<int64_t>((v - xp[0]) * guessScale);
  if (j < 0) j = 0;
  if (j > n - 1) j = n - 1;
  if (xp[j] > v) {
    int64_t lo = 0, hi = j;  // xp[lo] <= v < xp[hi]
    while (hi - lo > 1) {
      int64_t mid = lo + (hi - lo) / 2;
      if (xp[mid] <= v) lo = mid;
      else hi = mid;
    }
    j = lo;
  } else if (j + 1 < n && xp[j + 1] <= v) {
    int64_t lo = j + 1, hi = n;  // xp[lo] <= v, v < xp[hi] (hi = n: past the end)
    while (hi - lo > 1) {
      int64_t mid = lo + (hi - lo) / 2;
      if (xp[mid] <= v) lo = mid;
      else hi = mid;
    }
    j = lo;
  }
  if (j == n - 1 || xp[j] == v) return fp[j];
  double r = slope[j] * (v - xp[j]) + fp[j];
  if (std::isnan(r)) {
    r = slope[j] * (v - xp[j + 1]) + fp[j + 1];
    if (std::isnan(r) && fp[j] == fp[j + 1]) r = fp[j];
  }
  return r;
}

template <typename T>
void interpAll(const T* x, double* out, int64_t count, const double* xp, const double* fp, const double* slope, int64_t n) {
  double scale = n > 1 && xp[n - 1] > xp[0] ? static_cast<double>(n - 1) / (xp[n - 1] - xp[0]) : 0;
  at::parallel_for(0, count, 16384, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; i++) out[i] = interpOne(static_cast<double>(x[i]), xp, fp, slope, n, scale);
  });
}

// interp(x, xp, fp) -> float64 handle, x's shape and device.
Napi::Value Interp(const Napi::CallbackInfo& info) {
  return guarded(info, "interp", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor x = getTensor(e, info[0], "interp (x)");
    at::Tensor xp = getTensor(e, info[1], "interp (xp)").to(at::kCPU, at::kDouble).contiguous();
    at::Tensor fp = getTensor(e, info[2], "interp (fp)").to(at::kCPU, at::kDouble).contiguous();
    if (xp.dim() != 1 || fp.dim() != 1) throw std::invalid_argument("xp and fp must be 1-D, found " + std::to_string(xp.dim()) + "-D and " + std::to_string(fp.dim()) + "-D");
    int64_t n = xp.numel();
    if (n == 0 || fp.numel() != n) throw std::invalid_argument("xp and fp must have the same non-zero length, found " + std::to_string(n) + " and " + std::to_string(fp.numel()));
    if (x.is_complex() || fp.is_complex()) throw std::invalid_argument("complex input is not supported");
    at::Device dev = x.device();
    at::Tensor xc = x.to(at::kCPU);
    if (xc.scalar_type() != at::kFloat) xc = xc.to(at::kDouble);
    xc = xc.contiguous();
    const double* xpp = xp.data_ptr<double>();
    const double* fpp = fp.data_ptr<double>();
    std::vector<double> slope(n > 1 ? n - 1 : 1, 0.0);
    for (int64_t k = 0; k + 1 < n; k++) slope[k] = (fpp[k + 1] - fpp[k]) / (xpp[k + 1] - xpp[k]);
    at::Tensor out = at::empty(xc.sizes(), xc.options().dtype(at::kDouble));
    double* op = out.data_ptr<double>();
    if (xc.scalar_type() == at::kFloat) interpAll(xc.data_ptr<float>(), op, xc.numel(), xpp, fpp, slope.data(), n);
    else interpAll(xc.data_ptr<double>(), op, xc.numel(), xpp, fpp, slope.data(), n);
    return Napi::Number::New(e, putTensor(e, dev.is_cpu() ? out : out.to(dev)));
  });
}

template <typename T>
void countSlice(const T* v, int64_t i0, int64_t i1, const double* e, int64_t bins, double scale, int64_t* c) {
  const double lo = e[0], hi = e[bins];
  for (int64_t i = i0; i < i1; i++) {
    double x = static_cast<double>(v[i]);
    if (!(x >= lo && x <= hi)) continue;  // outside the range (and NaN): not counted, as numpy
    int64_t k = static_cast<int64_t>((x - lo) * scale);
    if (k > bins - 1) k = bins - 1;
    if (k < 0) k = 0;
    while (k > 0 && x < e[k]) k--;
    while (k < bins - 1 && x >= e[k + 1]) k++;
    c[k]++;
  }
}

template <typename T>
void countBins(const T* v, int64_t count, const double* e, int64_t bins, double* out) {
  const double scale = e[bins] > e[0] ? static_cast<double>(bins) / (e[bins] - e[0]) : 0;
  // one task per slice, each with its own counts (summed after), whatever threads run them
  const int64_t tasks = std::max<int64_t>(1, std::min<int64_t>(at::get_num_threads(), count / 65536));
  std::vector<std::vector<int64_t>> local(tasks, std::vector<int64_t>(bins, 0));
  at::parallel_for(0, tasks, 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++)
      countSlice(v, count * t / tasks, count * (t + 1) / tasks, e, bins, scale, local[t].data());
  });
  for (int64_t k = 0; k < bins; k++) {
    int64_t s = 0;
    for (auto& c : local) s += c[k];
    out[k] = static_cast<double>(s);
  }
}

// histogramCounts(values, edges) -> float64 counts (edges.numel() - 1 bins) by numpy's rule:
// edges[k] <= v < edges[k + 1], the last bin closed, values outside [edges[0], edges[-1]] not counted.
// Values and edges are compared exactly (both widened to float64).
Napi::Value HistogramCounts(const Napi::CallbackInfo& info) {
  return guarded(info, "histogramCounts", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor v = getTensor(e, info[0], "histogramCounts (values)");
    at::Tensor edges = getTensor(e, info[1], "histogramCounts (edges)").to(at::kCPU, at::kDouble).contiguous();
    if (edges.dim() != 1 || edges.numel() < 2) throw std::invalid_argument("edges must be 1-D with at least 2 values, found shape " + std::to_string(edges.dim()) + "-D of " + std::to_string(edges.numel()));
    if (v.is_complex()) throw std::invalid_argument("complex input is not supported");
    at::Device dev = v.device();
    at::Tensor vc = v.to(at::kCPU);
    if (vc.scalar_type() != at::kFloat) vc = vc.to(at::kDouble);
    vc = vc.contiguous();
    int64_t bins = edges.numel() - 1;
    at::Tensor out = at::empty({bins}, edges.options());
    if (vc.scalar_type() == at::kFloat) countBins(vc.data_ptr<float>(), vc.numel(), edges.data_ptr<double>(), bins, out.data_ptr<double>());
    else countBins(vc.data_ptr<double>(), vc.numel(), edges.data_ptr<double>(), bins, out.data_ptr<double>());
    return Napi::Number::New(e, putTensor(e, dev.is_cpu() ? out : out.to(dev)));
  });
}

}  // namespace

void initInterp(Napi::Env e, Napi::Object x) {
  x.Set("interp", Napi::Function::New(e, Interp));
  x.Set("histogramCounts", Napi::Function::New(e, HistogramCounts));
}

}  // namespace mts
