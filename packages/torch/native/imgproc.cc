// Image-processing kernels that libtorch has no operator for: the exact Euclidean distance transform
// (scipy.ndimage.distance_transform_edt), the chamfer distance transform (distance_transform_cdt) and
// connected-component labelling (skimage.measure.label).
// Both work on contiguous CPU buffers; inputs on another device are copied to the CPU and results
// copied back. Leading dimensions beyond the spatial ones are independent slices (a batch).
#include "common.h"

#include <ATen/Parallel.h>

#include <cmath>
#include <limits>
#include <type_traits>

namespace mts {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

struct Layout {
  std::vector<int64_t> sizes;    // spatial sizes
  std::vector<int64_t> strides;  // contiguous strides of the spatial dims
  int64_t slice = 1;             // voxels per slice
  int64_t slices = 1;            // number of slices (product of leading dims)
};

Layout layoutOf(const at::Tensor& t, int64_t spatialDims) {
  Layout l;
  int64_t nd = t.dim();
  l.sizes.assign(t.sizes().begin() + (nd - spatialDims), t.sizes().end());
  l.strides.assign(spatialDims, 1);
  for (int64_t a = spatialDims - 2; a >= 0; a--) l.strides[a] = l.strides[a + 1] * l.sizes[a + 1];
  for (auto s : l.sizes) l.slice *= s;
  for (int64_t a = 0; a < nd - spatialDims; a++) l.slices *= t.size(a);
  return l;
}

int64_t spatialDimsArg(const Napi::Value& v, int64_t ndim) {
  if (v.IsUndefined() || v.IsNull()) return ndim;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 1 && d <= static_cast<double>(ndim)) || d != std::trunc(d))
    throw std::invalid_argument("spatialDims must be an integer from 1 to the input's " +
                                std::to_string(ndim) + " dimensions, found " + v.ToString().Utf8Value());
  return static_cast<int64_t>(d);
}

// Scratch for one 1-D pass: the line's values, the envelope's parabola sites and boundaries.
struct LineScratch {
  std::vector<double> f, z;
  std::vector<int64_t> v, feat;
  explicit LineScratch(int64_t n) : f(n), z(n + 1), v(n), feat(n) {}
};

// One pass of Felzenszwalb and Huttenlocher's lower envelope of parabolas along a line of `n`
// voxels `stride` apart: d[q] <- min_p ((q - p) * w)^2 + d[p]. Infinite values (no background
// found yet) contribute no parabola. With `feat`, the nearest background voxel found so far
// (a linear index) follows the winning site.
void envelopeLine(double* d, int64_t* feat, int64_t n, int64_t stride, double w, LineScratch& s) {
  int64_t k = -1;
  for (int64_t q = 0; q < n; q++) {
    double fq = d[q * stride];
    s.f[q] = fq;
    if (feat) s.feat[q] = feat[q * stride];
    if (fq == kInf) continue;
    double xq = static_cast<double>(q) * w;
    double cut = -kInf;
    while (k >= 0) {
      int64_t p = s.v[k];
      double xp = static_cast<double>(p) * w;
      cut = ((fq + xq * xq) - (s.f[p] + xp * xp)) / (2.0 * (xq - xp));
      if (cut > s.z[k]) break;
      k--;
    }
    if (k < 0) cut = -kInf;
    k++;
    s.v[k] = q;
    s.z[k] = cut;
  }
  if (k < 0) return;  // no finite value on this line: it stays infinite
  int64_t top = k;
  s.z[top + 1] = kInf;
  k = 0;
  for (int64_t q = 0; q < n; q++) {
    double xq = static_cast<double>(q) * w;
    while (k < top && s.z[k + 1] < xq) k++;
    int64_t p = s.v[k];
    double dx = static_cast<double>(q - p) * w;
    d[q * stride] = dx * dx + s.f[p];
    if (feat) feat[q * stride] = s.feat[p];
  }
}

// Squared distances (and nearest background voxels) over every slice of `mask`, in place in `d`.
void squaredEdt(const bool* mask, double* d, int64_t* feat, const Layout& l, const std::vector<double>& sampling) {
  int64_t total = l.slice * l.slices;
  at::parallel_for(0, total, 1 << 16, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; i++) {
      d[i] = mask[i] ? kInf : 0.0;
      if (feat) feat[i] = mask[i] ? -1 : i;
    }
  });
  int64_t nd = static_cast<int64_t>(l.sizes.size());
  for (int64_t a = 0; a < nd; a++) {
    int64_t n = l.sizes[a], stride = l.strides[a];
    if (n <= 1) continue;
    if (stride == 1) {
      int64_t lines = total / n;
      at::parallel_for(0, lines, std::max<int64_t>(1, 4096 / n), [&](int64_t b, int64_t e) {
        LineScratch s(n);
        for (int64_t line = b; line < e; line++)
          envelopeLine(d + line * n, feat ? feat + line * n : nullptr, n, 1, sampling[a], s);
      });
      continue;
    }
    // Strided lines: copy a block of kBlock neighbouring lines into contiguous scratch (reading
    // whole cache lines), transform each there, and copy back.
    constexpr int64_t kBlock = 16;
    int64_t outer = total / (n * stride);
    int64_t blocksPerOuter = (stride + kBlock - 1) / kBlock;
    at::parallel_for(0, outer * blocksPerOuter, std::max<int64_t>(1, 4096 / (n * kBlock)), [&](int64_t b, int64_t e) {
      LineScratch s(n);
      std::vector<double> bd(n * kBlock);
      std::vector<int64_t> bf(feat ? n * kBlock : 0);
      for (int64_t blk = b; blk < e; blk++) {
        int64_t o = blk / blocksPerOuter, j0 = (blk % blocksPerOuter) * kBlock;
        int64_t w = std::min(kBlock, stride - j0);
        int64_t base = o * n * stride + j0;
        for (int64_t q = 0; q < n; q++)
          for (int64_t c = 0; c < w; c++) {
            bd[c * n + q] = d[base + q * stride + c];
            if (feat) bf[c * n + q] = feat[base + q * stride + c];
          }
        for (int64_t c = 0; c < w; c++) envelopeLine(bd.data() + c * n, feat ? bf.data() + c * n : nullptr, n, 1, sampling[a], s);
        for (int64_t q = 0; q < n; q++)
          for (int64_t c = 0; c < w; c++) {
            d[base + q * stride + c] = bd[c * n + q];
            if (feat) feat[base + q * stride + c] = bf[c * n + q];
          }
      }
    });
  }
}

std::vector<double> samplingArg(const Napi::Value& v, int64_t nd) {
  std::vector<double> s(nd, 1.0);
  if (v.IsUndefined() || v.IsNull()) return s;
  if (v.IsNumber()) {
    std::fill(s.begin(), s.end(), v.As<Napi::Number>().DoubleValue());
  } else {
    auto a = v.As<Napi::Array>();
    if (static_cast<int64_t>(a.Length()) != nd)
      throw std::invalid_argument("sampling must have one value per spatial dimension (" +
                                  std::to_string(nd) + "), found " + std::to_string(a.Length()));
    for (uint32_t i = 0; i < a.Length(); i++) s[i] = a.Get(i).As<Napi::Number>().DoubleValue();
  }
  for (double x : s)
    if (!(x > 0) || !std::isfinite(x))
      throw std::invalid_argument("sampling values must be positive and finite, found " +
                                  std::to_string(x));
  return s;
}

// A neighbour offset in a slice padded to 3 dims, and its linear step.
struct Off { int dz, dy, dx; int64_t lin; };

// The neighbours that precede a voxel in raster order and differ in at most `connectivity` axes (the
// half-neighbourhood of one raster sweep; the other half is its negation).
std::vector<Off> precedingOffsets(int64_t Y, int64_t X, int connectivity) {
  std::vector<Off> offs;
  for (int dz = -1; dz <= 0; dz++)
    for (int dy = -1; dy <= 1; dy++)
      for (int dx = -1; dx <= 1; dx++) {
        int nz = (dz != 0) + (dy != 0) + (dx != 0);
        bool before = dz < 0 || (dy < 0 || (dy == 0 && dx < 0));
        if (nz == 0 || nz > connectivity || !before) continue;
        offs.push_back({dz, dy, dx, (dz * Y + dy) * X + dx});
      }
  return offs;
}

// The slice sizes of `l` padded in front to 3 dims.
void paddedSizes(const Layout& l, int64_t sd, int64_t* sz) {
  sz[0] = sz[1] = sz[2] = 1;
  for (int64_t a = 0; a < sd; a++) sz[3 - sd + a] = l.sizes[a];
}

// Checks the image argument of the kernels below and returns its number of spatial dims (at most
// `maxDims` when positive).
int64_t spatialInput(const at::Tensor& in, const Napi::Value& spatialDims, int64_t maxDims) {
  if (in.dim() < 1) throw std::invalid_argument("expected a tensor of at least 1 dimension, found a scalar");
  if (in.is_complex()) throw std::invalid_argument("complex input is not supported");
  int64_t sd = spatialDimsArg(spatialDims, in.dim());
  if (maxDims > 0 && sd > maxDims)
    throw std::invalid_argument("at most " + std::to_string(maxDims) + " spatial dimensions are supported, found " + std::to_string(sd) +
                                " (pass spatialDims to treat leading dimensions as a batch)");
  return sd;
}

// distanceTransformEdt(h, spatialDims | null, sampling | null, returnDistances, returnIndices)
//   -> [distances handle | null, indices handle | null]
// Distances (float64) from each nonzero voxel to the nearest zero voxel. Indices (int64) have shape
// [...leading, spatialDims, ...spatial]: the coordinates of that nearest zero voxel. A slice with no
// zero voxel gets what scipy gives: distances and indices to the point (-1, 0, ..., 0).
Napi::Value DistanceTransformEdt(const Napi::CallbackInfo& info) {
  return guarded(info, "distanceTransformEdt", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor in = getTensor(e, info[0], "distanceTransformEdt");
    int64_t sd = spatialInput(in, info[1], 0);
    std::vector<double> sampling = samplingArg(info[2], sd);
    bool wantD = info[3].ToBoolean(), wantI = info[4].ToBoolean();
    if (!wantD && !wantI) throw std::invalid_argument("at least one of returnDistances and returnIndices must be true");
    at::Device dev = in.device();
    at::Tensor mask = in.to(at::kCPU).ne(0).contiguous();
    Layout l = layoutOf(mask, sd);
    at::Tensor d = at::empty(mask.sizes(), mask.options().dtype(at::kDouble));
    at::Tensor feat;
    if (wantI) feat = at::empty(mask.sizes(), mask.options().dtype(at::kLong));
    const bool* m = mask.data_ptr<bool>();
    double* dp = d.data_ptr<double>();
    int64_t* fp = wantI ? feat.data_ptr<int64_t>() : nullptr;
    if (mask.numel() > 0) {
      squaredEdt(m, dp, fp, l, sampling);
    }
    // Slices without background: scipy places the feature at (-1, 0, ..., 0).
    std::vector<char> noBackground(l.slices, 0);
    for (int64_t s = 0; s < l.slices && l.slice > 0; s++) noBackground[s] = dp[s * l.slice] == kInf;
    at::parallel_for(0, l.slices, 1, [&](int64_t b, int64_t en) {
      std::vector<int64_t> c(sd);
      for (int64_t s = b; s < en; s++) {
        double* ds = dp + s * l.slice;
        if (!noBackground[s]) {
          for (int64_t i = 0; i < l.slice; i++) ds[i] = std::sqrt(ds[i]);
          continue;
        }
        for (int64_t i = 0; i < l.slice; i++) {
          double acc = 0;
          for (int64_t a = 0; a < sd; a++) {
            int64_t ca = (i / l.strides[a]) % l.sizes[a];
            double dx = static_cast<double>(a == 0 ? ca + 1 : ca) * sampling[a];
            acc += dx * dx;
          }
          ds[i] = std::sqrt(acc);
        }
      }
    });
    Napi::Array out = Napi::Array::New(e, 2);
    out.Set(0u, e.Null());
    out.Set(1u, e.Null());
    if (wantI) {
      // [...leading, sd, ...spatial]
      std::vector<int64_t> shape(mask.sizes().begin(), mask.sizes().end() - sd);
      shape.push_back(sd);
      shape.insert(shape.end(), mask.sizes().end() - sd, mask.sizes().end());
      at::Tensor idx = at::empty(shape, mask.options().dtype(at::kLong));
      int64_t* ip = idx.data_ptr<int64_t>();
      at::parallel_for(0, l.slices, 1, [&](int64_t b, int64_t en) {
        for (int64_t s = b; s < en; s++) {
          const int64_t* fs = fp + s * l.slice;
          int64_t* is = ip + s * l.slice * sd;
          int64_t origin = s * l.slice;
          for (int64_t i = 0; i < l.slice; i++) {
            int64_t f = fs[i];
            for (int64_t a = 0; a < sd; a++) {
              int64_t ca = f < 0 ? (a == 0 ? -1 : 0) : ((f - origin) / l.strides[a]) % l.sizes[a];
              is[a * l.slice + i] = ca;
            }
          }
        }
      });
      out.Set(1u, Napi::Number::New(e, putTensor(e, dev.is_cpu() ? idx : idx.to(dev))));
    }
    if (wantD) out.Set(0u, Napi::Number::New(e, putTensor(e, dev.is_cpu() ? d : d.to(dev))));
    return out;
  });
}

// ---- connected components ----

// Union-find over voxel indices where every set's root is its smallest index (its first voxel in
// raster order), so the final numbering can follow raster order in one pass.
inline int64_t findRoot(int64_t* p, int64_t i) {
  while (p[i] != i) {
    p[i] = p[p[i]];
    i = p[i];
  }
  return i;
}

// Labels one slice (spatial sizes padded to 3 dims) into `lab`; returns the number of components.
template <typename T>
int64_t labelSlice(const T* x, int64_t* lab, const int64_t* sz, int connectivity, T background) {
  int64_t Z = sz[0], Y = sz[1], X = sz[2];
  const std::vector<Off> offs = precedingOffsets(Y, X, connectivity);
  for (int64_t z = 0, i = 0; z < Z; z++)
    for (int64_t y = 0; y < Y; y++)
      for (int64_t xx = 0; xx < X; xx++, i++) {
        T v = x[i];
        if (v == background) {
          lab[i] = -1;
          continue;
        }
        bool interior = z > 0 && y > 0 && y + 1 < Y && xx > 0 && xx + 1 < X;
        int64_t cur = -1;  // root of the component joined so far
        for (const Off& o : offs) {
          if (!interior && (z + o.dz < 0 || y + o.dy < 0 || y + o.dy >= Y || xx + o.dx < 0 || xx + o.dx >= X)) continue;
          int64_t j = i + o.lin;
          if (x[j] != v) continue;
          int64_t r = lab[j];
          if (r == cur) continue;
          r = findRoot(lab, r);
          if (cur < 0) {
            cur = r;
            lab[i] = r;
          } else if (r != cur) {
            if (r < cur) std::swap(r, cur);
            lab[r] = cur;  // the later root joins the earlier one
          }
        }
        if (cur < 0) lab[i] = i;
      }
  // Number the roots in raster order, in place. Every parent precedes its child, so by the time a
  // voxel is reached its parent's slot already holds the final label of their common root.
  int64_t n = Z * Y * X, next = 0;
  for (int64_t i = 0; i < n; i++) {
    int64_t p = lab[i];
    if (p < 0) lab[i] = 0;
    else if (p == i) lab[i] = ++next;
    else lab[i] = lab[p];
  }
  return next;
}

// connectedComponents(h, connectivity | null, spatialDims | null, background) -> [labels handle, counts[]]
// Labels (int64) of the components of equal-valued, non-background voxels, numbered from 1 per slice
// in raster order of each component's first voxel, as skimage.measure.label.
Napi::Value ConnectedComponents(const Napi::CallbackInfo& info) {
  return guarded(info, "connectedComponents", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor in = getTensor(e, info[0], "connectedComponents");
    int64_t sd = spatialInput(in, info[2], 3);
    int64_t conn = sd;
    if (!info[1].IsUndefined() && !info[1].IsNull()) {
      double c = info[1].As<Napi::Number>().DoubleValue();
      if (!(c >= 1 && c <= static_cast<double>(sd)) || c != std::trunc(c))
        throw std::invalid_argument("connectivity must be an integer from 1 to " + std::to_string(sd) +
                                    " (the number of spatial dimensions), found " + info[1].ToString().Utf8Value());
      conn = static_cast<int64_t>(c);
    }
    double bg = info[3].IsNumber() ? info[3].As<Napi::Number>().DoubleValue() : 0.0;
    at::Device dev = in.device();
    at::Tensor x = in.to(at::kCPU);
    if (x.is_floating_point()) x = x.to(at::kDouble);
    else if (x.scalar_type() != at::kByte && x.scalar_type() != at::kBool) x = x.to(at::kLong);
    x = x.contiguous();
    Layout l = layoutOf(x, sd);
    int64_t sz[3];
    paddedSizes(l, sd, sz);
    at::Tensor lab = at::empty(x.sizes(), x.options().dtype(at::kLong));
    std::vector<int64_t> counts(l.slices, 0);
    int64_t* lp = lab.data_ptr<int64_t>();
    // every slice labelled in parallel; bool compares with bg != 0, the other types with bg cast
    auto labelAll = [&](auto tag) {
      using T = decltype(tag);
      const T* xp = x.data_ptr<T>();
      T b = std::is_same<T, bool>::value ? static_cast<T>(bg != 0) : static_cast<T>(bg);
      at::parallel_for(0, l.slices, 1, [&](int64_t s0, int64_t s1) {
        for (int64_t s = s0; s < s1; s++) counts[s] = labelSlice<T>(xp + s * l.slice, lp + s * l.slice, sz, conn, b);
      });
    };
    switch (x.scalar_type()) {
      case at::kBool: labelAll(bool{}); break;
      case at::kByte: labelAll(uint8_t{}); break;
      case at::kLong: labelAll(int64_t{}); break;
      default: labelAll(double{}); break;  // converted to double above
    }
    Napi::Array out = Napi::Array::New(e, 2);
    out.Set(0u, Napi::Number::New(e, putTensor(e, dev.is_cpu() ? lab : lab.to(dev))));
    Napi::Array c = Napi::Array::New(e, counts.size());
    for (size_t i = 0; i < counts.size(); i++) c.Set(static_cast<uint32_t>(i), Napi::Number::New(e, static_cast<double>(counts[i])));
    out.Set(1u, c);
    return out;
  });
}

// ---- chamfer distance transform ----

// Two raster sweeps (forward over the neighbours before a voxel, backward over those after it) of
// unit-step chamfer distances, as scipy.ndimage.distance_transform_cdt: exact for the taxicab
// (connectivity 1) and chessboard (full connectivity) metrics. -1 where no zero voxel exists.
void chamferSlice(const bool* m, int32_t* d, const int64_t* sz, int connectivity) {
  int64_t Z = sz[0], Y = sz[1], X = sz[2], n = Z * Y * X;
  const std::vector<Off> before = precedingOffsets(Y, X, connectivity);
  const int32_t kFar = std::numeric_limits<int32_t>::max();
  for (int64_t i = 0; i < n; i++) d[i] = m[i] ? kFar : 0;
  auto sweep = [&](int sign) {
    for (int64_t k = 0; k < n; k++) {
      int64_t i = sign > 0 ? k : n - 1 - k;
      if (d[i] == 0) continue;
      int64_t z = i / (Y * X), y = (i / X) % Y, xx = i % X;
      int32_t best = d[i];
      for (const Off& o : before) {
        int64_t nz = z + sign * o.dz, ny = y + sign * o.dy, nx = xx + sign * o.dx;
        if (nz < 0 || nz >= Z || ny < 0 || ny >= Y || nx < 0 || nx >= X) continue;
        int32_t v = d[i + sign * o.lin];
        if (v != kFar && v + 1 < best) best = v + 1;
      }
      d[i] = best;
    }
  };
  sweep(1);
  sweep(-1);
  for (int64_t i = 0; i < n; i++)
    if (d[i] == kFar) d[i] = -1;
}

// distanceTransformCdt(h, connectivity | null, spatialDims | null) -> int32 handle
Napi::Value DistanceTransformCdt(const Napi::CallbackInfo& info) {
  return guarded(info, "distanceTransformCdt", [&]() -> Napi::Value {
    Napi::Env e = info.Env();
    at::Tensor in = getTensor(e, info[0], "distanceTransformCdt");
    int64_t sd = spatialInput(in, info[2], 3);
    int64_t conn = sd;
    if (!info[1].IsUndefined() && !info[1].IsNull()) conn = info[1].As<Napi::Number>().Int64Value() == 1 ? 1 : sd;
    at::Device dev = in.device();
    at::Tensor mask = in.to(at::kCPU).ne(0).contiguous();
    Layout l = layoutOf(mask, sd);
    int64_t sz[3];
    paddedSizes(l, sd, sz);
    at::Tensor d = at::empty(mask.sizes(), mask.options().dtype(at::kInt));
    const bool* mp = mask.data_ptr<bool>();
    int32_t* dp = d.data_ptr<int32_t>();
    at::parallel_for(0, l.slices, 1, [&](int64_t s0, int64_t s1) {
      for (int64_t s = s0; s < s1; s++) chamferSlice(mp + s * l.slice, dp + s * l.slice, sz, static_cast<int>(conn));
    });
    return Napi::Number::New(e, putTensor(e, dev.is_cpu() ? d : d.to(dev)));
  });
}

}  // namespace

void initImgproc(Napi::Env e, Napi::Object x) {
  x.Set("distanceTransformEdt", Napi::Function::New(e, DistanceTransformEdt));
  x.Set("connectedComponents", Napi::Function::New(e, ConnectedComponents));
  x.Set("distanceTransformCdt", Napi::Function::New(e, DistanceTransformCdt));
}

}  // namespace mts
