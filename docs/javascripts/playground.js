/* vgdocs: the training playground (docs/playground.md), trained live in the browser.
 *
 * The same arithmetic as the Python package, operation for operation:
 *   - random numbers: MT19937 (vgdocs.mersenne), 32-bit integer operations via Math.imul and
 *     >>> 0, doubles from 53 bits, normals by Marsaglia's polar method;
 *   - exp, expm1, log, sin, cos from + - * / only (vgdocs.portable_math), never Math.exp or
 *     Math.log, whose last bit differs between engines and libraries;
 *   - data, initialisation, forward and backward passes, SGD (vgdocs.playground), every sum
 *     taken in the order the package takes it.
 * IEEE 754 rounds + - * / and sqrt correctly, so both get the same bits. One liberty: a product
 * with an input that is exactly 0 is skipped, which can change only the sign of a zero.
 *
 * Nothing runs before the reader asks: loading the page only wires the controls; step 0 (one
 * mini-batch) is evaluated when the panel's layer chart scrolls into view or at the first
 * interaction. Run trains for about 12 ms per animation frame (at least one step), and redraws
 * the live views on canvases, which cost the browser no layout: the loss curve and the layer
 * chart take turns every 100 ms, the decision regions are recomputed a few rows per frame about
 * once a second, and the text of the readouts and of the table of values is rewritten every
 * quarter and every whole second (all of it at once whenever the panel stops). With
 * prefers-reduced-motion nothing moves by itself either, and a running panel is redrawn at most
 * twice a second. Nothing animates: no CSS transitions, no loop that runs without a reason.
 * Plain JavaScript, no dependencies, no network requests.
 */
(function () {
  "use strict";
  if (window.vgPlayground && window.vgPlayground.version === 1) {
    window.vgPlayground.init();  // loaded again by instant navigation: set up the new page
    return;
  }

  // ================================================================ portable math

  var INV_LN2 = 1.44269504088896338700e+00;
  var LN2_HI = 6.93147180369123816490e-01;
  var LN2_LO = 1.90821492927058770002e-10;
  var PIO2_HI = 1.57079632673412561417e+00;
  var PIO2_LO = 6.07710050650619224932e-11;
  var SQRT2 = Math.sqrt(2);
  var EXP_MAX = 709.79;
  var EXP_MIN = -745.2;

  function factorial(n) { var f = 1; for (var i = 2; i <= n; i++) f *= i; return f; }
  var EXP_C = [];  // 1/1!, ..., 1/13!
  for (var n1 = 1; n1 <= 13; n1++) EXP_C.push(1 / factorial(n1));
  var LOG_C = [];  // 1, 1/3, ..., 1/23
  for (var n2 = 0; n2 < 12; n2++) LOG_C.push(1 / (2 * n2 + 1));
  var SIN_C = [];  // 1/1!, 1/3!, ..., 1/17!
  for (var n3 = 1; n3 <= 17; n3 += 2) SIN_C.push(1 / factorial(n3));
  var COS_C = [];  // 1/0!, 1/2!, ..., 1/16!
  for (var n4 = 0; n4 <= 16; n4 += 2) COS_C.push(1 / factorial(n4));
  var POW2_OFFSET = 540;
  var POW2 = new Float64Array(2 * POW2_OFFSET + 1);  // 2^j, j = -540..540, by exact doublings
  POW2[POW2_OFFSET] = 1;
  for (var j1 = 1; j1 <= POW2_OFFSET; j1++) {
    POW2[POW2_OFFSET + j1] = POW2[POW2_OFFSET + j1 - 1] * 2;
    POW2[POW2_OFFSET - j1] = POW2[POW2_OFFSET - j1 + 1] * 0.5;
  }
  var C1 = EXP_C[0], C2 = EXP_C[1], C3 = EXP_C[2], C4 = EXP_C[3], C5 = EXP_C[4], C6 = EXP_C[5],
    C7 = EXP_C[6], C8 = EXP_C[7], C9 = EXP_C[8], C10 = EXP_C[9], C11 = EXP_C[10], C12 = EXP_C[11],
    C13 = EXP_C[12];

  // e^x and e^x - 1 (vgdocs.portable_math.exp_expm1); results in EXP_E and EXP_M.
  var EXP_E = 0, EXP_M = 0;
  function expParts(x) {
    if (!(x <= EXP_MAX)) {
      if (x !== x) { EXP_E = NaN; EXP_M = NaN; } else { EXP_E = Infinity; EXP_M = Infinity; }
      return;
    }
    if (x < EXP_MIN) { EXP_E = 0; EXP_M = -1; return; }
    var k = Math.floor(x * INV_LN2 + 0.5);
    var r = (x - k * LN2_HI) - k * LN2_LO;
    var q = C13;
    q = C12 + r * q; q = C11 + r * q; q = C10 + r * q; q = C9 + r * q; q = C8 + r * q;
    q = C7 + r * q; q = C6 + r * q; q = C5 + r * q; q = C4 + r * q; q = C3 + r * q;
    q = C2 + r * q; q = C1 + r * q;
    var p = r * q;
    var h = Math.floor(k * 0.5);
    EXP_E = ((1 + p) * POW2[h + POW2_OFFSET]) * POW2[k - h + POW2_OFFSET];
    EXP_M = k === 0 ? p : EXP_E - 1;
  }
  function exp(x) { expParts(x); return EXP_E; }
  function expm1(x) { expParts(x); return EXP_M; }

  // ln x (vgdocs.portable_math.log_scalar): x = m 2^k, m in [1/sqrt2, sqrt2), the artanh series.
  function log(x) {
    if (!(x > 0 && x < Infinity)) return x === 0 ? -Infinity : (x === Infinity ? Infinity : NaN);
    var m = x, k = 0;
    while (m >= 4294967296) { m *= 2.3283064365386963e-10; k += 32; }  // 2^-32, exact
    while (m < 2.3283064365386963e-10) { m *= 4294967296; k -= 32; }
    while (m >= 2) { m *= 0.5; k += 1; }
    while (m < 1) { m *= 2; k -= 1; }
    if (m > SQRT2) { m *= 0.5; k += 1; }
    var f = m - 1;
    var t = f / (2 + f);
    var w = t * t;
    var s = LOG_C[11];
    for (var i = 10; i >= 0; i--) s = LOG_C[i] + w * s;
    return k * LN2_HI + ((2 * t) * s + k * LN2_LO);
  }

  function sinCos(x) {
    var n = Math.floor(x * (2 / Math.PI) + 0.5);
    var r = (x - n * PIO2_HI) - n * PIO2_LO;
    var w = r * r;
    var s = SIN_C[8], c = COS_C[8], i;
    for (i = 7; i >= 0; i--) s = SIN_C[i] - w * s;
    for (i = 7; i >= 0; i--) c = COS_C[i] - w * c;
    s = r * s;
    switch (((n % 4) + 4) % 4) {
      case 0: return [s, c];
      case 1: return [c, -s];
      case 2: return [-s, -c];
      default: return [-c, s];
    }
  }
  function sin(x) { return sinCos(x)[0]; }
  function cos(x) { return sinCos(x)[1]; }

  // ================================================================ MT19937 (vgdocs.mersenne)

  var N_STATE = 624, M_STATE = 397;

  function MT19937(seed, key) {
    this.mt = new Uint32Array(N_STATE);
    this.mti = N_STATE + 1;
    this.spare = null;
    if (key) this.initByArray(key); else this.initGenrand(seed >>> 0);
  }
  MT19937.prototype.initGenrand = function (s) {
    var mt = this.mt;
    mt[0] = s >>> 0;
    for (var i = 1; i < N_STATE; i++) {
      var prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N_STATE;
  };
  MT19937.prototype.initByArray = function (key) {
    this.initGenrand(19650218);
    var mt = this.mt, i = 1, j = 0, k, prev;
    for (k = Math.max(N_STATE, key.length); k > 0; k--) {
      prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + (key[j] >>> 0) + j) >>> 0;
      i++; j++;
      if (i >= N_STATE) { mt[0] = mt[N_STATE - 1]; i = 1; }
      if (j >= key.length) j = 0;
    }
    for (k = N_STATE - 1; k > 0; k--) {
      prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= N_STATE) { mt[0] = mt[N_STATE - 1]; i = 1; }
    }
    mt[0] = 0x80000000;
    this.mti = N_STATE;
  };
  MT19937.prototype.twist = function () {
    var mt = this.mt;
    for (var k = 0; k < N_STATE; k++) {
      var y = (mt[k] & 0x80000000) | (mt[(k + 1) % N_STATE] & 0x7fffffff);
      mt[k] = mt[(k + M_STATE) % N_STATE] ^ (y >>> 1) ^ ((y & 1) ? 0x9908b0df : 0);
    }
    this.mti = 0;
  };
  MT19937.prototype.uint32 = function () {
    if (this.mti >= N_STATE) this.twist();
    var y = this.mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  MT19937.prototype.uniform = function () {
    var a = this.uint32() >>> 5, b = this.uint32() >>> 6;
    return (a * 67108864 + b) * (1 / 9007199254740992);
  };
  MT19937.prototype.normal = function () {
    if (this.spare !== null) { var out = this.spare; this.spare = null; return out; }
    var v1, v2, s;
    do {
      v1 = 2 * this.uniform() - 1;
      v2 = 2 * this.uniform() - 1;
      s = v1 * v1 + v2 * v2;
    } while (!(s > 0 && s < 1));
    var f = Math.sqrt((-2 * log(s)) / s);
    this.spare = v2 * f;
    return v1 * f;
  };

  // ================================================================ data and network (vgdocs.playground)

  var N_POINTS = 192, BATCH = 16, BATCHES = N_POINTS / BATCH;
  var CLASSES = { moons: 2, circles: 2, spiral: 3 };
  var DATASETS = ["moons", "circles", "spiral"];
  var ACTIVATIONS = ["sigmoid", "tanh", "relu"];
  var INITS = ["standard", "glorot", "he", "orthogonal"];
  var RANGES = { depth: [1, 20], width: [4, 32], lr: [1e-4, 10], seed: [0, 4294967295] };
  var DEFAULTS = {
    dataset: "moons", depth: 10, width: 16, activation: "sigmoid", init: "glorot",
    residual: false, lr: 0.3, seed: 1
  };

  function dataset(name, seed) {
    var g = new MT19937(0, [seed >>> 0, 1]);
    var x = new Float64Array(2 * N_POINTS), y = new Int32Array(N_POINTS);
    for (var i = 0; i < N_POINTS; i++) {
      var px, py, c;
      if (name === "moons") {
        c = i % 2;
        var t = Math.PI * g.uniform();
        var ct = cos(t), st = sin(t);
        if (c === 0) { px = ct - 0.5; py = st - 0.25; } else { px = 0.5 - ct; py = 0.25 - st; }
        px = px + 0.1 * g.normal();
        py = py + 0.1 * g.normal();
      } else if (name === "circles") {
        c = i % 2;
        var theta = 2 * Math.PI * g.uniform();
        var r = c === 0 ? 1 : 0.5;
        px = r * cos(theta) + 0.08 * g.normal();
        py = r * sin(theta) + 0.08 * g.normal();
      } else {
        c = i % 3;
        var s = g.uniform();
        var th = (2 * Math.PI * c) / 3 + 4 * s + 0.2 * g.normal();
        px = 1.5 * s * cos(th);
        py = 1.5 * s * sin(th);
      }
      x[2 * i] = px; x[2 * i + 1] = py; y[i] = c;
    }
    return { x: x, y: y, classes: CLASSES[name] };
  }

  function layerSizes(cfg) {
    var sizes = [2];
    for (var k = 0; k < cfg.depth; k++) sizes.push(cfg.width);
    sizes.push(CLASSES[cfg.dataset]);
    return sizes;
  }

  // Modified Gram-Schmidt on the columns of q (rows x cols, row-major), in place.
  function orthonormalColumns(q, rows, cols) {
    var v = new Float64Array(rows), i, j, k;
    for (j = 0; j < cols; j++) {
      for (i = 0; i < rows; i++) v[i] = q[i * cols + j];
      for (k = 0; k < j; k++) {
        var r = 0;
        for (i = 0; i < rows; i++) r += q[i * cols + k] * v[i];
        for (i = 0; i < rows; i++) v[i] = v[i] - r * q[i * cols + k];
      }
      var ss = 0;
      for (i = 0; i < rows; i++) ss += v[i] * v[i];
      var norm = Math.sqrt(ss);
      for (i = 0; i < rows; i++) q[i * cols + j] = v[i] / norm;
    }
  }

  function drawWeights(init, a, c, g) {
    var size = a * c, w = new Float64Array(size), i, limit;
    if (init === "standard" || init === "glorot") {
      limit = init === "standard" ? 1 / Math.sqrt(a) : Math.sqrt(6 / (a + c));
      for (i = 0; i < size; i++) w[i] = limit * (2 * g.uniform() - 1);
    } else if (init === "he") {
      var std = Math.sqrt(2 / a);
      for (i = 0; i < size; i++) w[i] = std * g.normal();
    } else {
      var tall = Math.max(a, c), short = Math.min(a, c), q = new Float64Array(size);
      for (i = 0; i < size; i++) q[i] = g.normal();
      orthonormalColumns(q, tall, short);
      if (a >= c) return q;
      for (var r = 0; r < a; r++) for (var s = 0; s < c; s++) w[r * c + s] = q[s * short + r];
    }
    return w;
  }

  function Net(cfg) {
    this.cfg = cfg;
    this.data = dataset(cfg.dataset, cfg.seed);
    var sizes = this.sizes = layerSizes(cfg);
    var L = this.L = sizes.length - 1;  // weight matrices: L = depth + 1
    var g = new MT19937(0, [cfg.seed >>> 0, 2]);
    this.W = []; this.WT = []; this.b = []; this.gW = []; this.gb = [];
    this.H = []; this.S = [];
    for (var k = 0; k < L; k++) {
      var a = sizes[k], c = sizes[k + 1];
      this.W.push(drawWeights(cfg.init, a, c, g));
      this.WT.push(new Float64Array(a * c));
      this.b.push(new Float64Array(c));
      this.gW.push(new Float64Array(a * c));
      this.gb.push(new Float64Array(c));
      this.H.push(new Float64Array(BATCH * a));   // the input of layer k
      this.S.push(new Float64Array(BATCH * c));   // phi'(z_k) (hidden layers)
    }
    var widest = Math.max.apply(null, sizes);
    this.scores = new Float64Array(BATCH * sizes[L]);
    this.E = new Float64Array(BATCH * sizes[L]);
    this.G = new Float64Array(BATCH * widest);
    this.D = new Float64Array(BATCH * widest);
    this.D2 = new Float64Array(BATCH * widest);
    this.Delta = new Float64Array(BATCH * widest);
    this.zrow = new Float64Array(widest);
    this.gradNorm = new Float64Array(L);
    this.weightNorm = new Float64Array(L);
    this.ratio = new Float64Array(L).fill(NaN);
    this.correct = [];
    this.t = 0;
    this.evaluate();
  }

  // z = h W + b for the batch; then phi (hidden) into the next layer's input, or the scores.
  Net.prototype.forward = function () {
    var cfg = this.cfg, L = this.L, sizes = this.sizes, B = BATCH, x = this.data.x;
    var start = (this.t % BATCHES) * B, n, i, j, k;
    var H0 = this.H[0];
    for (n = 0; n < B; n++) { H0[2 * n] = x[2 * (start + n)]; H0[2 * n + 1] = x[2 * (start + n) + 1]; }
    var act = cfg.activation, relu = act === "relu", sig = act === "sigmoid";
    var zrow = this.zrow;
    for (k = 0; k < L; k++) {
      var a = sizes[k], c = sizes[k + 1], h = this.H[k], W = this.W[k], bk = this.b[k];
      var last = k === L - 1;
      var out = last ? this.scores : this.H[k + 1], S = this.S[k];
      var res = cfg.residual && k >= 1 && !last;
      for (n = 0; n < B; n++) {
        for (j = 0; j < c; j++) zrow[j] = bk[j];
        var ho = n * a;
        for (i = 0; i < a; i++) {
          var v = h[ho + i];
          if (v === 0) continue;
          var wo = i * c;
          for (j = 0; j < c; j++) zrow[j] += v * W[wo + j];
        }
        var oo = n * c;
        if (last) { for (j = 0; j < c; j++) out[oo + j] = zrow[j]; continue; }
        for (j = 0; j < c; j++) {
          var z = zrow[j], y, slope;
          if (relu) {
            if (z > 0) { y = z; slope = 1; } else { y = 0; slope = 0; }
          } else if (sig) {
            var e = exp(-Math.abs(z)), d = 1 + e;
            y = z >= 0 ? 1 / d : e / d;
            slope = e / (d * d);
          } else {
            expParts(-2 * Math.abs(z));
            var t = -EXP_M / (2 + EXP_M), dd = 1 + EXP_E;
            y = z >= 0 ? t : -t;
            slope = (4 * EXP_E) / (dd * dd);
          }
          S[oo + j] = slope;
          out[oo + j] = res ? h[oo + j] + y : y;
        }
      }
    }
  };

  // Mean softmax cross-entropy of the batch, its gradient into G, the count of right answers.
  Net.prototype.loss = function () {
    var B = BATCH, C = this.sizes[this.L], s = this.scores, E = this.E, G = this.G;
    var y = this.data.y, start = (this.t % BATCHES) * B, total = 0, right = 0;
    for (var n = 0; n < B; n++) {
      var o = n * C, label = y[start + n], m = s[o], arg = 0, c;
      for (c = 1; c < C; c++) if (s[o + c] > m) { m = s[o + c]; arg = c; }
      var tot = 0;
      for (c = 0; c < C; c++) { var e = exp(s[o + c] - m); E[o + c] = e; tot += e; }
      total += log(tot) - (s[o + label] - m);
      if (arg === label) right++;
      for (c = 0; c < C; c++) G[o + c] = (E[o + c] / tot - (c === label ? 1 : 0)) / B;
    }
    this.lossValue = total / B;
    return right;
  };

  Net.prototype.backward = function () {
    var L = this.L, sizes = this.sizes, B = BATCH, res = this.cfg.residual;
    var g = this.G, n, i, j, k;  // g: dL/dh_k (at the top, dL/ds)
    for (k = L - 1; k >= 0; k--) {
      var a = sizes[k], c = sizes[k + 1], h = this.H[k], W = this.W[k], WT = this.WT[k];
      var gW = this.gW[k], gb = this.gb[k], delta = g;
      if (k < L - 1) {  // delta = g * phi'(z_k)
        var S = this.S[k];
        delta = this.Delta;
        for (i = 0; i < B * c; i++) delta[i] = g[i] * S[i];
      }
      gW.fill(0); gb.fill(0);
      for (n = 0; n < B; n++) {
        var ho = n * a, dof = n * c;
        for (i = 0; i < a; i++) {
          var v = h[ho + i];
          if (v === 0) continue;
          var wo = i * c;
          for (j = 0; j < c; j++) gW[wo + j] += v * delta[dof + j];
        }
        for (j = 0; j < c; j++) gb[j] += delta[dof + j];
      }
      if (k === 0) break;
      var down = g === this.D ? this.D2 : this.D;  // never the buffer that holds g
      for (i = 0; i < a; i++) for (j = 0; j < c; j++) WT[j * a + i] = W[i * c + j];
      down.fill(0, 0, B * a);
      for (n = 0; n < B; n++) {
        var d0 = n * c, o = n * a;
        for (j = 0; j < c; j++) {
          var dj = delta[d0 + j];
          if (dj === 0) continue;
          var to = j * a;
          for (i = 0; i < a; i++) down[o + i] += dj * WT[to + i];
        }
      }
      if (res && k < L - 1) {  // h_k = phi(z_k) + h_{k-1}: the gradient also passes straight down
        for (i = 0; i < B * a; i++) down[i] = down[i] + g[i];
      }
      g = down;
    }
  };

  function sumSquares(a) { var s = 0; for (var i = 0; i < a.length; i++) s += a[i] * a[i]; return s; }

  // The state of step t: forward and backward on batch t; finite tells whether it may be kept.
  Net.prototype.evaluate = function () {
    this.forward();
    var right = this.loss();
    this.backward();
    var finite = isFinite(this.lossValue);
    for (var k = 0; k < this.L; k++) {
      this.gradNorm[k] = Math.sqrt(sumSquares(this.gW[k]));
      this.weightNorm[k] = Math.sqrt(sumSquares(this.W[k]));
      if (!isFinite(this.gradNorm[k]) || !isFinite(this.weightNorm[k])) finite = false;
    }
    this.finite = finite;
    if (finite) {
      this.correct.push(right);
      if (this.correct.length > BATCHES) this.correct.shift();
      var sum = 0;
      for (var i = 0; i < this.correct.length; i++) sum += this.correct[i];
      this.accuracy = sum / (BATCH * this.correct.length);
    }
    return finite;
  };

  // One update with the gradient of the current state, then the state of the next step.
  Net.prototype.step = function () {
    var lr = this.cfg.lr;
    for (var k = 0; k < this.L; k++) {
      var W = this.W[k], gW = this.gW[k], b = this.b[k], gb = this.gb[k], i, ss = 0;
      for (i = 0; i < W.length; i++) { var u = lr * gW[i]; ss += u * u; W[i] = W[i] - u; }
      for (i = 0; i < b.length; i++) b[i] = b[i] - lr * gb[i];
      var wn = this.weightNorm[k];
      this.ratio[k] = wn > 0 ? Math.sqrt(ss) / wn : NaN;
    }
    this.t += 1;
    return this.evaluate();
  };

  // Class probabilities at one point (for the decision regions); writes into out.
  Net.prototype.predict = function (px, py, out, bufA, bufB) {
    var cfg = this.cfg, L = this.L, sizes = this.sizes, h = bufA, z = bufB;
    var kind = cfg.activation === "relu" ? 0 : cfg.activation === "sigmoid" ? 1 : 2;
    h[0] = px; h[1] = py;
    for (var k = 0; k < L; k++) {
      var a = sizes[k], c = sizes[k + 1], W = this.W[k], bk = this.b[k], i, j;
      for (j = 0; j < c; j++) z[j] = bk[j];
      for (i = 0; i < a; i++) {
        var v = h[i];
        if (v === 0) continue;
        var wo = i * c;
        for (j = 0; j < c; j++) z[j] += v * W[wo + j];
      }
      if (k === L - 1) break;
      var res = cfg.residual && k >= 1;
      for (j = 0; j < c; j++) {
        var zz = z[j], y;
        if (kind === 0) y = zz > 0 ? zz : 0;
        else if (kind === 1) { var e = exp(-Math.abs(zz)); y = zz >= 0 ? 1 / (1 + e) : e / (1 + e); }
        else { expParts(-2 * Math.abs(zz)); var t = -EXP_M / (2 + EXP_M); y = zz >= 0 ? t : -t; }
        z[j] = res ? h[j] + y : y;
      }
      var sw = h; h = z; z = sw;
    }
    var C = sizes[L], m = z[0], tot = 0, cc;
    for (cc = 1; cc < C; cc++) if (z[cc] > m) m = z[cc];
    for (cc = 0; cc < C; cc++) { out[cc] = exp(z[cc] - m); tot += out[cc]; }
    for (cc = 0; cc < C; cc++) out[cc] = out[cc] / tot;
  };

  // A headless run, as vgdocs.playground.train: records of steps 0..steps, or until divergence.
  function train(cfg, steps) {
    var net = new Net(cfg), rec = { loss: [], accuracy: [], gradNorm: [], updateRatio: [], divergedAt: null };
    for (var t = 0; t <= steps; t++) {
      if (t > 0 && !net.step()) { rec.divergedAt = t; break; }
      if (t === 0 && !net.finite) { rec.divergedAt = 0; break; }
      rec.loss.push(net.lossValue);
      rec.accuracy.push(net.accuracy);
      rec.gradNorm.push(Array.from(net.gradNorm));
      rec.updateRatio.push(Array.from(net.ratio));
    }
    return rec;
  }

  // ================================================================ formatting

  var MINUS = "\u2212";

  // m × 10^k with `digits` significant digits: [mantissa text, exponent text], or null for 0.
  function sciParts(v, digits) {
    if (v === 0) return null;
    var parts = Math.abs(v).toExponential(digits - 1).split("e"), k = parseInt(parts[1], 10);
    return [(v < 0 ? MINUS : "") + parts[0], (k < 0 ? MINUS : "") + Math.abs(k)];
  }

  // DOM writes only when the value shown changes: a running panel rewrites little.
  function setText(el, text) {
    if (el.__vgText !== text) { el.textContent = text; el.__vgText = text; }
  }
  function setAttr(el, name, value) {
    var key = "__vg_" + name;
    if (el[key] === value) return;
    el[key] = value;
    if (value === null) el.removeAttribute(name); else el.setAttribute(name, value);
  }
  function setScientific(el, v, digits) {
    var p = sciParts(v, digits), text = p ? p[0] + " \u00d7 10" + p[1] : "0";
    if (el.__vgText === text) return;
    el.__vgText = text;
    if (!p) { el.textContent = "0"; return; }
    var sup = document.createElement("sup");
    sup.textContent = p[1];
    el.replaceChildren(document.createTextNode(p[0] + " \u00d7 10"), sup);
  }
  function setNumber(el, v) {
    var a = Math.abs(v);
    if (a !== 0 && (a < 1e-3 || a >= 1e4)) setScientific(el, v, 3);
    else setText(el, (v < 0 ? MINUS : "") + a.toFixed(4));
  }

  // ================================================================ the panel

  var SELECTOR = '[data-vg-widget="playground"]';
  var STEP_BUDGET_MS = 12;     // training steps per frame: as many as fit in this (at least one)
  var FRAME_BUDGET_MS = 12;    // then decision-region rows, until this
  var REGION_GRID = 16;
  var REGION_INTERVAL_MS = 1000;  // while running, the regions are recomputed about once a second
  var HISTORY_LIMIT = 20000;
  var VIEW = 2;  // the decision regions cover [-2, 2] x [-2, 2]
  var reduceMotion = !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
  var RENDER_INTERVAL_MS = reduceMotion ? 500 : 100;    // a canvas, while running (they take turns)
  var READOUT_INTERVAL_MS = reduceMotion ? 500 : 250;   // step, loss and accuracy, while running
  var TABLE_INTERVAL_MS = 1000;                          // the table of values per layer, while running
  var TEXT_INTERVAL_MS = reduceMotion ? 1000 : 400;     // the values drawn in the layer chart, while running
  var panels = [];
  var STATS = { frames: 0, busyMs: 0, longestMs: 0 };  // the panel's own animation-frame work

  function readColours(root) {
    var st = getComputedStyle(root), v = function (n) { return st.getPropertyValue(n).trim(); };
    return {
      classes: [v("--vg-play-c0"), v("--vg-play-c1"), v("--vg-play-c2")],
      fg: v("--vg-play-fg"), muted: v("--vg-play-muted"), grid: v("--vg-play-grid"),
      line: v("--vg-play-line"), mean: v("--vg-play-mean"), bg: v("--vg-play-bg"),
      font: st.fontFamily || "sans-serif"
    };
  }

  function hexRgb(css) {
    var m = /^#([0-9a-f]{6})$/i.exec(css || "");
    if (!m) return [128, 128, 128];
    var n = parseInt(m[1], 16);
    return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
  }

  function Panel(root) {
    this.root = root;
    this.inputs = {};
    var self = this;
    root.querySelectorAll("[data-play-input]").forEach(function (el) {
      self.inputs[el.getAttribute("data-play-input")] = el;
    });
    this.out = {};
    root.querySelectorAll("[data-play-quantity]").forEach(function (el) {
      self.out[el.getAttribute("data-play-quantity")] = el;
    });
    this.status = root.querySelector("[data-play-status]");
    this.layers = root.querySelector("[data-play-layers]");
    this.table = root.querySelector("[data-play-table]");
    this.layerCanvas = root.querySelector('[data-play-canvas="layers"]');
    this.regionCanvas = root.querySelector('[data-play-canvas="regions"]');
    this.lossCanvas = root.querySelector('[data-play-canvas="loss"]');
    this.running = false;
    this.frame = 0;
    this.frameCount = 0;
    this.cfg = null;
    this.colours = readColours(root);
    this.fillDefaults();
    this.wire();
    this.say("Press Step for one training step, or Run to train continuously.");
    // Nothing is computed at load: step 0 is evaluated when the layer table comes into view or
    // at the first interaction, whichever is first.
    if (window.IntersectionObserver) {
      this.seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) { self.seen.disconnect(); self.start(); }
      });
      this.seen.observe(this.layers);
    }
  }

  Panel.prototype.start = function () {
    if (!this.net) this.reset("Press Step for one training step, or Run to train continuously.");
    return !!this.net;
  };

  Panel.prototype.fillDefaults = function () {
    var inp = this.inputs;
    Object.keys(DEFAULTS).forEach(function (name) {
      var el = inp[name];
      if (!el) return;
      if (el.type === "checkbox") el.checked = DEFAULTS[name]; else el.value = String(DEFAULTS[name]);
    });
  };

  // The configuration the inputs describe, or null after marking the invalid inputs.
  Panel.prototype.readConfig = function () {
    var inp = this.inputs, cfg = {}, ok = true, self = this;
    ["dataset", "activation", "init"].forEach(function (name) { cfg[name] = inp[name].value; });
    cfg.residual = !!inp.residual.checked;
    ["depth", "width", "lr", "seed"].forEach(function (name) {
      var el = inp[name], raw = el.value.trim(), v = Number(raw), lo = RANGES[name][0], hi = RANGES[name][1];
      var integer = name !== "lr", problem = "";
      if (raw === "" || !isFinite(v)) problem = "Enter a number";
      else if (integer && Math.floor(v) !== v) problem = "Enter a whole number";
      else if (v < lo || v > hi) problem = "Out of range";
      self.message(name, problem ? problem + " from " + String(lo).replace("-", MINUS) + " to " + hi + "." : "");
      if (problem) ok = false; else cfg[name] = v;
    });
    if (DATASETS.indexOf(cfg.dataset) < 0 || ACTIVATIONS.indexOf(cfg.activation) < 0 || INITS.indexOf(cfg.init) < 0) ok = false;
    return ok ? cfg : null;
  };

  Panel.prototype.message = function (name, text) {
    var el = this.inputs[name], msg = this.root.querySelector('[data-play-message="' + name + '"]');
    if (text) el.setAttribute("aria-invalid", "true"); else el.removeAttribute("aria-invalid");
    if (msg && msg.textContent !== text) msg.textContent = text;
  };

  Panel.prototype.say = function (text) {
    if (this.status.textContent !== text) this.status.textContent = text;
  };

  Panel.prototype.wire = function () {
    var self = this;
    Object.keys(this.inputs).forEach(function (name) {
      var el = self.inputs[name];
      el.disabled = false;
      var changed = function () {
        var cfg = self.readConfig();
        if (!cfg) { self.say("A setting is not valid; the panel still shows the last valid run."); return; }
        if (self.sameConfig(cfg)) return;
        self.pause(true);
        self.reset("New settings: back to step 0 with " + describe(cfg) + ".");
      };
      el.addEventListener(el.tagName === "SELECT" || el.type === "checkbox" ? "change" : "input", changed);
      if (el.tagName !== "SELECT" && el.type !== "checkbox") el.addEventListener("change", changed);
    });
    this.root.querySelectorAll("[data-play-action]").forEach(function (btn) {
      btn.disabled = false;
      btn.addEventListener("click", function () { self.act(btn.getAttribute("data-play-action")); });
    });
    this.scheme = new MutationObserver(function () {
      self.colours = readColours(self.root);
      self.regionsDirty = true;
      self.draw(true);
    });
    this.scheme.observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
    if (window.ResizeObserver) {
      this.resize = new ResizeObserver(function (entries) {
        entries.forEach(function (e) {
          e.target.__vgSize = { w: e.contentRect.width, h: e.contentRect.height };
        });
        if (self.shown) { self.drawLoss(); self.drawRegions(); self.drawLayers(); }
      });
      this.resize.observe(this.lossCanvas);
      this.resize.observe(this.regionCanvas);
      this.resize.observe(this.layerCanvas);
    }
  };

  Panel.prototype.sameConfig = function (cfg) {
    var a = this.cfg;
    return !!a && Object.keys(DEFAULTS).every(function (k) { return a[k] === cfg[k]; });
  };

  var NAMES = { sigmoid: "sigmoid", tanh: "tanh", relu: "ReLU", standard: "standard", glorot: "Glorot",
    he: "He", orthogonal: "orthogonal" };
  function describe(cfg) {
    return cfg.depth + " hidden layer" + (cfg.depth === 1 ? "" : "s") + " of " + cfg.width + " " +
      NAMES[cfg.activation] + " units, " + NAMES[cfg.init] + " initialisation" +
      (cfg.residual ? ", skip connections" : "") + ", learning rate " + cfg.lr;
  }

  Panel.prototype.act = function (action) {
    if (!this.net && action !== "reset" && !this.start()) return;
    if (action === "reset") {
      var cfg = this.readConfig();
      if (!cfg) { this.say("A setting is not valid: fix it, then press Reset."); return; }
      this.pause(true);
      this.cfg = null;
      this.reset("Reset: step 0, the same initial weights for the same settings and seed.");
    } else if (action === "pause") {
      this.pause(false);
    } else if (this.diverged) {
      this.say(this.divergedText + " Press Reset to start again.");
    } else if (action === "step") {
      this.pause(true);
      if (this.advance(1) && !this.diverged) this.say("Step " + this.net.t + ".");
      this.regionsDirty = true;
      this.draw(true);
      this.schedule();
    } else if (action === "run" && !this.running) {
      this.setRunning(true);
      this.runStart = performance.now();
      this.say("Running" + (reduceMotion ? " (redrawn twice a second: reduced motion)" : "") + ". Press Pause to stop.");
      this.schedule();
    }
  };

  // While it runs, the page's content after the panel is rendered only near the viewport
  // (content-visibility: auto, in playground.css): a frame then costs the browser much less.
  Panel.prototype.setRunning = function (on) {
    this.running = on;
    var parent = this.root.parentElement;
    if (parent) parent.classList.toggle("vg-play-running", on);
  };

  Panel.prototype.pause = function (quiet) {
    if (!this.running) return;
    this.setRunning(false);
    this.regionsDirty = true;
    this.draw(true);
    this.schedule();
    if (!quiet) this.say("Paused at step " + this.net.t + ".");
  };

  Panel.prototype.reset = function (text) {
    var cfg = this.readConfig();
    if (!cfg) return;
    this.cfg = cfg;
    this.net = new Net(cfg);
    this.diverged = false;
    this.hist = { loss: [], accuracy: [], gradNorm: [], updateRatio: [] };
    this.axis = { lo: -8, hi: 1, rlo: -8, rhi: 0 };
    this.buildLayers();
    this.regionImage = null;
    this.regionRow = 0;
    this.regionsDirty = true;
    if (!this.net.finite) {
      this.diverged = true;
      this.divergedText = "The network's very first step is not finite.";
    } else {
      this.record();
    }
    this.draw(true);
    this.say(text);
    this.schedule();
  };

  Panel.prototype.record = function () {
    var h = this.hist, net = this.net;
    h.loss.push(net.lossValue);
    h.accuracy.push(net.accuracy);
    if (h.gradNorm.length >= HISTORY_LIMIT) { h.gradNorm.shift(); h.updateRatio.shift(); }
    h.gradNorm.push(Array.from(net.gradNorm));
    h.updateRatio.push(Array.from(net.ratio));
    this.shown = {
      step: net.t, loss: net.lossValue, accuracy: net.accuracy,
      gradNorm: Array.from(net.gradNorm), updateRatio: Array.from(net.ratio)
    };
  };

  // Up to `count` steps (run: as many as fit the time budget); stops at the first non-finite one.
  Panel.prototype.advance = function (count, until) {
    var done = 0, last = performance.now();
    while (done < count && !this.diverged) {
      var finite = this.net.step();
      done++;
      if (!finite) {
        this.diverged = true;
        this.setRunning(false);
        var what = !isFinite(this.net.lossValue) ? "the loss" : "a gradient or a weight";
        this.divergedText = "Training diverged: at step " + this.net.t + " " + what +
          " stopped being a finite number. The panel shows step " + this.shown.step + ", the last finite state.";
        this.say(this.divergedText + " Lower the learning rate or change the initialisation, then press Reset.");
        break;
      }
      this.record();
      var now = performance.now();
      this.stepMs = this.stepMs ? 0.8 * this.stepMs + 0.2 * (now - last) : now - last;
      last = now;
      if (until && now + this.stepMs > until) break;  // the next step would end after the budget
    }
    return done;
  };

  Panel.prototype.schedule = function () {
    if (this.frame || !this.root.isConnected) return;
    var self = this;
    this.frame = requestAnimationFrame(function () { self.frame = 0; self.tick(); });
  };

  // One animation frame's work. While running: training steps for STEP_BUDGET_MS (at least one),
  // then either a redraw of the panel (every RENDER_INTERVAL_MS, never two frames in a row) or,
  // while the decision regions are being recomputed (every REGION_INTERVAL_MS), some of their
  // rows: one row every third frame, more when the frame has time left.
  Panel.prototype.tick = function () {
    if (!this.root.isConnected) {
      this.running = false;
      this.scheme.disconnect();
      if (this.resize) this.resize.disconnect();
      if (this.seen) this.seen.disconnect();
      return;
    }
    var start = performance.now(), regions = this.regionsDirty || this.regionRow > 0;
    this.sinceDraw = (this.sinceDraw || 0) + 1;
    this.sinceRows = (this.sinceRows || 0) + 1;
    if (!this.running) {
      if (regions) this.regionRows(start + FRAME_BUDGET_MS);
    } else {
      this.advance(Infinity, start + STEP_BUDGET_MS);
      if (!this.running) {
        this.draw(true);  // it diverged: show the last finite step
      } else if (this.sinceDraw >= 2 && start - (this.lastDraw || 0) >= RENDER_INTERVAL_MS) {
        this.draw(false);
        this.sinceDraw = 0;
      } else if (regions && (performance.now() < start + FRAME_BUDGET_MS || this.sinceRows >= 3)) {
        this.regionRows(start + FRAME_BUDGET_MS);
        this.sinceRows = 0;
      }
      if (this.regionRow === 0 && start - (this.regionTime || 0) > REGION_INTERVAL_MS) this.regionsDirty = true;
    }
    if (this.running || this.regionsDirty || this.regionRow > 0) this.schedule();
    var spent = performance.now() - start;
    STATS.frames++; STATS.busyMs += spent; STATS.longestMs = Math.max(STATS.longestMs, spent);
  };

  // ---------------------------------------------------------------- drawing

  // The table of values per layer (inside a <details>), and the canvas's height for L rows.
  Panel.prototype.buildLayers = function () {
    var L = this.net.L, doc = document, tbody = this.table.querySelector("tbody");
    tbody.replaceChildren();
    this.rows = [];
    for (var k = 1; k <= L; k++) {
      var tr = doc.createElement("tr"), th = doc.createElement("th");
      th.scope = "row";
      th.textContent = k === L ? "out" : String(k);
      tr.appendChild(th);
      var cells = [];
      ["grad", "ratio"].forEach(function (kind) {
        var td = doc.createElement("td");
        td.setAttribute("data-play-" + kind, String(k));
        tr.appendChild(td);
        cells.push(td);
      });
      tbody.appendChild(tr);
      this.rows.push(cells);
    }
    this.layerCanvas.style.height = (LAYER_HEADER + L * LAYER_ROW) + "px";
  };

  var LAYER_HEADER = 36, LAYER_ROW = 17;

  // Where v sits on the log axis 10^lo .. 10^hi, from 0 to 1 (a sliver for the smallest values).
  function logSpan(v, lo, hi) {
    if (!(v > 0) || !isFinite(v)) return 0;
    return Math.max(0.01, Math.min(1, (Math.log10(v) - lo) / (hi - lo)));
  }

  function superscript(text) {
    var digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    return text.replace(MINUS, "\u207b").replace(/[0-9]/g, function (d) { return digits[+d]; });
  }

  function sciText(v) {
    if (!isFinite(v)) return "\u2014";
    var p = sciParts(v, 2);
    return p ? p[0] + "\u00d710" + superscript(p[1]) : "0";
  }

  // While running the canvases are redrawn every RENDER_INTERVAL_MS; the readouts every
  // READOUT_INTERVAL_MS and the table of values every TABLE_INTERVAL_MS, since changing text
  // costs the browser a layout of the page. When the panel stops, everything is brought up to date.
  Panel.prototype.draw = function (full) {
    var s = this.shown;
    if (!s) return;
    var now = this.lastDraw = performance.now(), settled = full || !this.running;
    var ax = this.axis, i, o = this.out;
    if (settled || now - (this.lastReadout || 0) >= READOUT_INTERVAL_MS) {
      this.lastReadout = now;
      if (o.step) { setText(o.step, String(s.step)); setAttr(o.step, "data-play-value", String(s.step)); }
      if (o.loss) { setNumber(o.loss, s.loss); setAttr(o.loss, "data-play-value", String(s.loss)); }
      if (o.accuracy) {
        setText(o.accuracy, (100 * s.accuracy).toFixed(1) + "%");
        setAttr(o.accuracy, "data-play-value", String(s.accuracy));
      }
    }
    for (i = 0; i < s.gradNorm.length; i++) {
      var g = s.gradNorm[i], r = s.updateRatio[i];
      if (g > 0) { ax.lo = Math.min(ax.lo, Math.floor(Math.log10(g))); ax.hi = Math.max(ax.hi, Math.ceil(Math.log10(g))); }
      if (r > 0 && isFinite(r)) { ax.rlo = Math.min(ax.rlo, Math.floor(Math.log10(r))); ax.rhi = Math.max(ax.rhi, Math.ceil(Math.log10(r))); }
    }
    if (settled || now - (this.lastTable || 0) >= TABLE_INTERVAL_MS) {
      this.lastTable = now;
      for (i = 0; i < this.rows.length; i++) {
        var cells = this.rows[i], gv = s.gradNorm[i], rv = s.updateRatio[i];
        setScientific(cells[0], gv, 2);
        setAttr(cells[0], "data-play-value", String(gv));
        if (isFinite(rv)) { setScientific(cells[1], rv, 2); setAttr(cells[1], "data-play-value", String(rv)); }
        else { setText(cells[1], "\u2014"); setAttr(cells[1], "data-play-value", null); }
      }
      setAttr(this.table, "data-play-step", String(s.step));
    }
    // While running, the two canvases take turns: one of them per redraw.
    this.turn = !this.turn;
    if (settled || this.turn) this.drawLayers(!settled);
    if (settled || !this.turn) this.drawLoss();
    if (settled) this.describeCanvases();
  };

  // The layer chart. Text costs most to draw: while running, the values are redrawn every
  // TEXT_INTERVAL_MS and the bars alone in between (each bar's own rectangle cleared and filled).
  Panel.prototype.drawLayers = function (barsOnly) {
    var f = fitCanvas(this.layerCanvas), s = this.shown;
    if (!f || !s) return;
    var ctx = f.ctx, w = f.w, col = this.colours, ax = this.axis, L = s.gradNorm.length;
    var label = 30, value = w < 420 ? 58 : 66, gap = 8;
    var bar = Math.max(30, (w - label - 2 * value - 3 * gap) / 2);
    var x1 = label + gap, x2 = x1 + bar + value + gap;
    var key = [w, f.h, L, ax.lo, ax.hi, ax.rlo, ax.rhi, col.fg].join(" ");
    if (barsOnly && key === this.layerKey && performance.now() - (this.layerText || 0) < TEXT_INTERVAL_MS) {
      barsOnly = true;
    } else {
      barsOnly = false;
      this.layerKey = key;
      this.layerText = performance.now();
    }
    if (!barsOnly) {
      ctx.clearRect(0, 0, w, f.h);
      ctx.font = "12px " + col.font;
      ctx.textBaseline = "middle";
      ctx.fillStyle = col.fg;
      ctx.textAlign = "left";
      ctx.fillText("gradient norm", x1, 9);
      ctx.fillText("update ratio", x2, 9);
      ctx.font = "11px " + col.font;
      ctx.fillStyle = col.muted;
      ctx.fillText("10" + superscript(String(ax.lo).replace("-", MINUS)), x1, 25);
      ctx.fillText("10" + superscript(String(ax.rlo).replace("-", MINUS)), x2, 25);
      ctx.textAlign = "right";
      ctx.fillText("10" + superscript(String(ax.hi).replace("-", MINUS)), x1 + bar, 25);
      ctx.fillText("10" + superscript(String(ax.rhi).replace("-", MINUS)), x2 + bar, 25);
    }
    var hgt = LAYER_ROW - 6;
    for (var k = 0; k < L; k++) {
      var y = LAYER_HEADER + k * LAYER_ROW, mid = y + LAYER_ROW / 2;
      if (!barsOnly) {
        ctx.fillStyle = col.fg;
        ctx.textAlign = "right";
        ctx.fillText(k === L - 1 ? "out" : String(k + 1), label, mid);
      }
      var bars = [[x1, s.gradNorm[k], ax.lo, ax.hi, col.classes[0]], [x2, s.updateRatio[k], ax.rlo, ax.rhi, col.classes[1]]];
      for (var c = 0; c < 2; c++) {
        var b = bars[c];
        ctx.fillStyle = col.grid;
        ctx.fillRect(b[0], y + 3, bar, hgt);
        ctx.fillStyle = b[4];
        ctx.fillRect(b[0], y + 3, bar * logSpan(b[1], b[2], b[3]), hgt);
        if (barsOnly) continue;
        ctx.fillStyle = col.fg;
        ctx.textAlign = "left";
        ctx.fillText(sciText(b[1]), b[0] + bar + 4, mid);
      }
    }
  };

  // The canvas's CSS size, kept up to date by a ResizeObserver (reading it would force a layout).
  function fitCanvas(canvas) {
    if (!canvas.__vgSize) canvas.__vgSize = { w: canvas.clientWidth, h: canvas.clientHeight };
    var ratio = Math.min(2, window.devicePixelRatio || 1), w = canvas.__vgSize.w, h = canvas.__vgSize.h;
    if (!w || !h) return null;
    if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
      canvas.width = Math.round(w * ratio); canvas.height = Math.round(h * ratio);
    }
    var ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    return { ctx: ctx, w: w, h: h };
  }

  Panel.prototype.drawLoss = function () {
    var f = fitCanvas(this.lossCanvas);
    if (!f) return;
    var ctx = f.ctx, w = f.w, h = f.h, col = this.colours, loss = this.hist.loss, n = loss.length;
    ctx.clearRect(0, 0, w, h);
    var left = 40, right = 8, top = 8, bottom = 26, pw = w - left - right, ph = h - top - bottom;
    var lo = Infinity, hi = -Infinity, i;
    for (i = 0; i < n; i++) if (loss[i] > 0) { lo = Math.min(lo, loss[i]); hi = Math.max(hi, loss[i]); }
    if (!isFinite(lo)) { lo = 0.1; hi = 1; }
    var elo = Math.floor(Math.log10(lo)), ehi = Math.ceil(Math.log10(hi));
    if (ehi <= elo) ehi = elo + 1;
    var steps = Math.max(100, n - 1);
    ctx.font = "11px " + col.font;
    ctx.fillStyle = col.muted; ctx.strokeStyle = col.grid; ctx.lineWidth = 1;
    ctx.textAlign = "right"; ctx.textBaseline = "middle";
    var every = Math.max(1, Math.ceil((ehi - elo) / 4));
    for (var e = elo; e <= ehi; e += every) {
      var y = top + ph - (e - elo) / (ehi - elo) * ph;
      ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
      ctx.fillText("10" + toSuper(e), left - 4, y);
    }
    ctx.textAlign = "center"; ctx.textBaseline = "top";
    ctx.fillText("0", left, top + ph + 4);
    ctx.fillText(String(steps), left + pw, top + ph + 4);
    ctx.fillText("step", left + pw / 2, top + ph + 12);
    var X = function (t) { return left + t / steps * pw; };
    var Y = function (v) { return top + ph - (Math.log10(v) - elo) / (ehi - elo) * ph; };
    // One vertical span per pixel column: the batch losses (thin), then the mean over the last 12 steps.
    ctx.strokeStyle = col.line; ctx.lineWidth = 1;
    ctx.beginPath();
    var perPx = Math.max(1, Math.floor(n / pw));
    for (i = 0; i < n; i += perPx) {
      var mn = Infinity, mx = -Infinity;
      for (var jj = i; jj < Math.min(n, i + perPx); jj++) { mn = Math.min(mn, loss[jj]); mx = Math.max(mx, loss[jj]); }
      if (!(mn > 0)) continue;
      if (i === 0) ctx.moveTo(X(i), Y(mx)); else ctx.lineTo(X(i), Y(mx));
      if (mn !== mx) ctx.lineTo(X(i), Y(mn));
    }
    ctx.stroke();
    ctx.strokeStyle = col.mean; ctx.lineWidth = 2.5;
    ctx.beginPath();
    var run = 0, first = true;
    for (i = 0; i < n; i++) {
      run += loss[i];
      if (i >= BATCHES) run -= loss[i - BATCHES];
      if (i % perPx !== 0 && i !== n - 1) continue;
      var mean = run / Math.min(i + 1, BATCHES);
      if (!(mean > 0)) continue;
      if (first) { ctx.moveTo(X(i), Y(mean)); first = false; } else ctx.lineTo(X(i), Y(mean));
    }
    ctx.stroke();
  };

  function toSuper(e) {
    var digits = "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079";
    return (e < 0 ? "\u207b" : "") + String(Math.abs(e)).split("").map(function (d) { return digits[+d]; }).join("");
  }

  // A few rows of the decision-region grid per frame, then the picture.
  Panel.prototype.regionRows = function (until) {
    if (this.diverged && this.regionImage) { this.regionsDirty = false; this.regionRow = 0; return; }
    var G = REGION_GRID, C = this.net.sizes[this.net.L];
    if (this.regionRow === 0) {
      this.regionsDirty = false;
      this.regionProbs = new Float64Array(G * G * C);
      this.regionWidest = new Float64Array(Math.max.apply(null, this.net.sizes));
      this.regionScratch = new Float64Array(this.regionWidest.length);
      this.regionOut = new Float64Array(C);
    }
    while (this.regionRow < G) {
      var r = this.regionRow, py = VIEW - (r + 0.5) * 2 * VIEW / G;
      for (var c = 0; c < G; c++) {
        var px = -VIEW + (c + 0.5) * 2 * VIEW / G;
        this.net.predict(px, py, this.regionOut, this.regionWidest, this.regionScratch);
        for (var k = 0; k < C; k++) this.regionProbs[(r * G + c) * C + k] = this.regionOut[k];
      }
      this.regionRow++;
      if (performance.now() > until) return;
    }
    this.regionRow = 0;
    this.regionTime = performance.now();
    this.regionImage = this.regionProbs;
    this.drawRegions();
  };

  Panel.prototype.drawRegions = function () {
    var f = fitCanvas(this.regionCanvas);
    if (!f || !this.regionImage) return;
    var ctx = f.ctx, w = f.w, h = f.h, G = REGION_GRID, C = this.net.sizes[this.net.L], col = this.colours;
    var small = this.regionSmall || (this.regionSmall = document.createElement("canvas"));
    small.width = G; small.height = G;
    var sctx = small.getContext("2d"), img = sctx.createImageData(G, G), bg = hexRgb(col.bg);
    var rgb = col.classes.map(hexRgb);
    for (var i = 0; i < G * G; i++) {
      var best = 0, p = this.regionImage;
      for (var k = 1; k < C; k++) if (p[i * C + k] > p[i * C + best]) best = k;
      var conf = (p[i * C + best] - 1 / C) / (1 - 1 / C);  // 0: undecided, 1: certain
      var a = 0.15 + 0.45 * (isFinite(conf) ? conf : 0);
      for (var ch = 0; ch < 3; ch++) img.data[4 * i + ch] = Math.round(bg[ch] + a * (rgb[best][ch] - bg[ch]));
      img.data[4 * i + 3] = 255;
    }
    sctx.putImageData(img, 0, 0);
    ctx.clearRect(0, 0, w, h);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(small, 0, 0, w, h);
    var x = this.net.data.x, y = this.net.data.y;
    for (var n = 0; n < N_POINTS; n++) {
      var cx = (x[2 * n] + VIEW) / (2 * VIEW) * w, cy = (VIEW - x[2 * n + 1]) / (2 * VIEW) * h;
      ctx.beginPath();
      ctx.arc(cx, cy, 3, 0, 2 * Math.PI);
      ctx.fillStyle = col.classes[y[n]];
      ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = col.fg; ctx.stroke();
    }
  };

  Panel.prototype.describeCanvases = function () {
    var s = this.shown, text = this.out.loss ? this.out.loss.textContent : "";
    this.lossCanvas.setAttribute("aria-label", "Loss per training step on a log scale, steps 0 to " + s.step +
      "; the latest mini-batch loss is " + text + ".");
    this.layerCanvas.setAttribute("aria-label", "Bar chart of each layer's gradient norm and update ratio at step " +
      s.step + ", log scales: layer 1 " + sciText(s.gradNorm[0]) + ", the output layer " +
      sciText(s.gradNorm[s.gradNorm.length - 1]) + ". The table of values per layer follows.");
    this.regionCanvas.setAttribute("aria-label", "The " + this.cfg.dataset + " data and the network's decision " +
      "regions at step " + s.step + ": each class's points and the area the network assigns to it, shaded by confidence.");
  };

  // ================================================================ start-up and the test API

  function init() {
    // Instant navigation parses the next page with scripting off, so its <noscript> fallback
    // arrives as live elements: with the panel running, drop it (its figure is never fetched).
    document.querySelectorAll("[data-play-fallback]").forEach(function (n) {
      var box = n.closest("noscript");
      (box || n).remove();
    });
    document.querySelectorAll(SELECTOR).forEach(function (root) {
      if (root.getAttribute("data-play-ready") === "true") return;
      root.hidden = false;
      var panel = new Panel(root);
      panels = panels.filter(function (p) { return p.root.isConnected; });
      panels.push(panel);
      root.setAttribute("data-play-ready", "true");
    });
  }

  function current() {
    var live = panels.filter(function (p) { return p.root.isConnected; });
    return live.length ? live[live.length - 1] : null;
  }

  window.vgPlayground = {
    version: 1,
    init: init,
    defaults: DEFAULTS,
    ranges: RANGES,
    MT19937: MT19937,
    math: { exp: exp, expm1: expm1, log: log, sin: sin, cos: cos },
    dataset: function (name, seed) {
      var d = dataset(name, seed);
      return { x: Array.from(d.x), y: Array.from(d.y) };
    },
    initialWeights: function (cfg) { var net = new Net(cfg); return net.W.map(function (w) { return Array.from(w); }); },
    train: train,
    // The live panel's state at full precision (the page shows it rounded).
    state: function () {
      var p = current();
      if (!p || !p.shown) return null;
      return {
        config: p.cfg, running: p.running, diverged: p.diverged, step: p.shown.step, loss: p.shown.loss,
        accuracy: p.shown.accuracy, gradNorm: p.shown.gradNorm.slice(), updateRatio: p.shown.updateRatio.slice()
      };
    },
    stats: function (reset) {
      var out = { frames: STATS.frames, busyMs: STATS.busyMs, longestMs: STATS.longestMs };
      if (reset) { STATS.frames = 0; STATS.busyMs = 0; STATS.longestMs = 0; }
      return out;
    },
    history: function () {
      var p = current();
      return p ? { loss: p.hist.loss.slice(), gradNorm: p.hist.gradNorm.slice(), updateRatio: p.hist.updateRatio.slice() } : null;
    }
  };

  // Material's instant navigation swaps pages without reloading scripts; document$ emits for
  // every page it shows (this script is re-inserted with the page, and returns early above).
  if (window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { init(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
