/**
 * Natural logarithm rounded correctly to the nearest double.
 *
 * Why: numpy's legacy Gaussian (polar method) calls the C library's `log`, which glibc rounds correctly
 * in practice, while V8's `Math.log` (fdlibm) is off by one ulp for about 3% of inputs; that ulp shows in
 * every normal draw. Computing log in double-double arithmetic (about 100 bits) and rounding once gives
 * glibc's results, so `RandomState.normal` matches numpy bit for bit.
 *
 * Method: x = 2^k * m with m in [sqrt(1/2), sqrt(2)); m = c * (1 + u/c) with c = j/128 the nearest table
 * point; log(x) = k*ln2 + log(c) + 2*atanh(u / (2c + u)), each term a double-double.
 */

// ---- double-double helpers (Dekker / Knuth error-free transformations, no FMA needed)
const SPLIT = 134217729; // 2^27 + 1

function twoSum(a: number, b: number, out: Float64Array, i: number): void {
  const s = a + b;
  const bb = s - a;
  out[i] = s;
  out[i + 1] = a - (s - bb) + (b - bb);
}

function twoProd(a: number, b: number, out: Float64Array, i: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  out[i] = p;
  out[i + 1] = ah * bh - p + ah * bl + al * bh + al * bl;
}

const tmp = new Float64Array(8);

/** (ah, al) + (bh, bl) -> out[i], out[i+1] (normalized). */
function ddAdd(ah: number, al: number, bh: number, bl: number, out: Float64Array, i: number): void {
  twoSum(ah, bh, tmp, 0);
  twoSum(al, bl, tmp, 2);
  let s = tmp[0];
  let e = tmp[1] + tmp[2];
  let h = s + e;
  e = e - (h - s);
  s = h;
  e += tmp[3];
  h = s + e;
  out[i] = h;
  out[i + 1] = e - (h - s);
}

/** (ah, al) * (bh, bl) -> out[i], out[i+1]. */
function ddMul(ah: number, al: number, bh: number, bl: number, out: Float64Array, i: number): void {
  twoProd(ah, bh, tmp, 4);
  const e = tmp[5] + (ah * bl + al * bh);
  const h = tmp[4] + e;
  out[i] = h;
  out[i + 1] = e - (h - tmp[4]);
}

const dq = new Float64Array(4);

/** (ah, al) / (bh, bl) -> out[i], out[i+1] (three quotient digits). */
function ddDiv(ah: number, al: number, bh: number, bl: number, out: Float64Array, i: number): void {
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl, dq, 0);
  ddAdd(ah, al, -dq[0], -dq[1], dq, 2);
  const q2 = dq[2] / bh;
  ddMul(q2, 0, bh, bl, dq, 0);
  ddAdd(dq[2], dq[3], -dq[0], -dq[1], dq, 2);
  const q3 = dq[2] / bh;
  twoSum(q1, q2, out, i);
  ddAdd(out[i], out[i + 1], q3, 0, out, i);
}

const LN2_HI = 6.93147180559945286227e-1;
const LN2_LO = 2.31904681384629955842e-17;
const THIRD = new Float64Array(2);
const FIFTH = new Float64Array(2);
ddDiv(1, 0, 3, 0, THIRD, 0);
ddDiv(1, 0, 5, 0, FIFTH, 0);

/** 2*atanh(s) for a double-double s with |s| < 0.18, by its full series (table setup only). */
function atanh2Series(sh: number, sl: number, out: Float64Array, i: number): void {
  const z = new Float64Array(2);
  ddMul(sh, sl, sh, sl, z, 0);
  const acc = new Float64Array(2);
  const pw = new Float64Array([sh, sl]);
  const term = new Float64Array(2);
  for (let n = 0; n < 40; n++) {
    ddDiv(pw[0], pw[1], 2 * n + 1, 0, term, 0);
    ddAdd(acc[0], acc[1], term[0], term[1], acc, 0);
    ddMul(pw[0], pw[1], z[0], z[1], pw, 0);
  }
  out[i] = 2 * acc[0];
  out[i + 1] = 2 * acc[1];
}

// log(j/128) for j = 90..182 as double-doubles
const TABLE_LO = 90;
const TABLE = new Float64Array(2 * (182 - TABLE_LO + 1));
for (let j = TABLE_LO; j <= 182; j++) {
  const s = new Float64Array(2);
  ddDiv(j - 128, 0, j + 128, 0, s, 0);
  atanh2Series(s[0], s[1], TABLE, 2 * (j - TABLE_LO));
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // u32[1] is the high word on little-endian hosts
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;
const THIRD_HI = THIRD[0];
const THIRD_LO = THIRD[1];

/** log(x), correctly rounded (NaN, -Infinity, Infinity as Math.log for x <= 0 and non-finite x). */
export function correctlyRoundedLog(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  let k = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: make subnormals normal
    k = -54;
  }
  f64[0] = x;
  const hiWord = u32[HI];
  k += ((hiWord >>> 20) & 0x7ff) - 1023;
  u32[HI] = (hiWord & 0x000fffff) | 0x3ff00000; // mantissa in [1, 2)
  let m = f64[0];
  if (m > Math.SQRT2) {
    m /= 2;
    k += 1;
  }
  const j = Math.round(m * 128);
  const c = j / 128;
  const u = m - c; // exact: both multiples of 2^-53, |u| <= 2^-8
  if (u === 0 && k === 0) return TABLE[2 * (j - TABLE_LO)] + TABLE[2 * (j - TABLE_LO) + 1];
  // d = 2c + u as a double-double
  const c2 = 2 * c;
  const dh = c2 + u;
  const dbb = dh - c2;
  const dl = c2 - (dh - dbb) + (u - dbb);
  // s = u / d: quotient and one correction from the exact remainder
  const sh = u / dh;
  let t = SPLIT * sh;
  const shh = t - (t - sh);
  const shl = sh - shh;
  t = SPLIT * dh;
  const dhh = t - (t - dh);
  const dhl = dh - dhh;
  const p = sh * dh;
  const pe = shh * dhh - p + shh * dhl + shl * dhh + shl * dhl;
  const sl = (u - p - pe - sh * dl) / dh;
  // z = s^2
  const zh = sh * sh;
  const ze = shh * shh - zh + 2 * shh * shl + shl * shl;
  const zl = ze + 2 * sh * sl;
  // T = 1/3 + z/5 + z^2/7 + ... as (THIRD_HI, tl)
  const tail = 1 / 7 + zh * (1 / 9 + zh * (1 / 11 + zh * (1 / 13 + zh / 15)));
  const tl = THIRD_LO + zh * (0.2 + zh * tail);
  // w = z*T
  t = SPLIT * zh;
  const zhh = t - (t - zh);
  const zhl = zh - zhh;
  t = SPLIT * THIRD_HI;
  const thh = t - (t - THIRD_HI);
  const thl = THIRD_HI - thh;
  const wh0 = zh * THIRD_HI;
  const wl0 = zhh * thh - wh0 + zhh * thl + zhl * thh + zhl * thl + zh * tl + zl * THIRD_HI;
  const wh = wh0 + wl0;
  const wl = wl0 - (wh - wh0);
  // q = s*w
  t = SPLIT * wh;
  const whh = t - (t - wh);
  const whl = wh - whh;
  const qh0 = sh * wh;
  const ql0 = shh * whh - qh0 + shh * whl + shl * whh + shl * whl + sh * wl + sl * wh;
  // a = 2*(s + q) (error-free sum of the high parts, low parts added)
  let ah = sh + qh0;
  let bb = ah - sh;
  let al = sh - (ah - bb) + (qh0 - bb) + sl + ql0;
  let h = ah + al;
  al = al - (h - ah);
  ah = 2 * h;
  al *= 2;
  // + log(c)
  const ti = 2 * (j - TABLE_LO);
  h = ah + TABLE[ti];
  bb = h - ah;
  al = ah - (h - bb) + (TABLE[ti] - bb) + al + TABLE[ti + 1];
  ah = h;
  if (k !== 0) {
    // + k*ln2 (k*LN2_HI exact in double-double by splitting)
    const kh = k * LN2_HI;
    t = SPLIT * LN2_HI;
    const lh = t - (t - LN2_HI);
    const ll = LN2_HI - lh;
    const ke = k * lh - kh + k * ll + k * LN2_LO; // k has <= 11 bits: k*lh and k*ll are exact
    h = ah + kh;
    bb = h - ah;
    al = ah - (h - bb) + (kh - bb) + al + ke;
    ah = h;
  }
  return ah + al;
}
