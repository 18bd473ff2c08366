/* vgdocs: the article's worked example, recomputed live in the browser.
 *
 * Progressive enhancement: the page's Markdown carries the widget's markup with every value
 * already filled in at build time. This script reveals the inputs and recomputes the values
 * with the same formulas, in the same order of operations, as the Python package
 * (vgdocs.worked_example and vgdocs.activations). Plain JavaScript, no dependencies.
 *
 * Displayed precision: three decimals (four for the updated weights), rounded like Python's
 * format() (exact ties go to the even digit). A non-zero value that would print as zero at
 * that precision is shown to three significant figures as m × 10^k instead, the same notation
 * the build uses for ".2e" numbers; the depth view always uses that notation. An exact zero is
 * shown without a sign.
 */
(function () {
  "use strict";
  if (window.vgWorkedExample) {
    window.vgWorkedExample.init();  // loaded again by instant navigation: set up the new page
    return;
  }

  var MINUS = "\u2212";
  var SELECTOR = '[data-vg-widget="worked-example"]';
  // The slider's step; the number field takes any value in [min, max] (from the markup).
  var SLIDER_STEP = { x: "0.01", W1: "0.01", W2: "0.01", y: "0.01", lr: "0.01", depth: "1" };
  var INTEGER = { depth: true };
  var DECIMALS = {
    z1: 3, h: 3, z2: 3, y_hat: 3, loss: 3, dL_dy_hat: 3, sigma_prime_z2: 3, dy_hat_dh: 3,
    sigma_prime_z1: 3, dh_dW1: 3, dL_dW1: 3, dL_dW2: 3, W1_new: 4, W2_new: 4
  };
  // Below half a unit in the last displayed decimal a value would read 0.000: use m × 10^k.
  var TINY = { 3: 0.0005, 4: 0.00005 };

  // ------------------------------------------------------------------ the math (as in vgdocs)

  function sigmoid(z) {
    // exp of a non-positive number only, as vgdocs.activations.sigmoid.
    var e = Math.exp(-Math.abs(z));
    return z >= 0 ? 1 / (1 + e) : e / (1 + e);
  }

  function sigmoidPrime(z) {
    // e^{-|z|} / (1 + e^{-|z|})^2 == sigma(z) (1 - sigma(z)), as vgdocs.activations.sigmoid_prime.
    var e = Math.exp(-Math.abs(z));
    var d = 1 + e;
    return e / (d * d);
  }

  function twoLayer(v) {
    var z1 = v.W1 * v.x;
    var h = sigmoid(z1);
    var z2 = v.W2 * h;
    var yHat = sigmoid(z2);
    var r = yHat - v.y;
    var dLdy = 2 * (yHat - v.y);
    var sp2 = sigmoidPrime(z2);
    var sp1 = sigmoidPrime(z1);
    var dydh = sp2 * v.W2;
    var dhdW1 = sp1 * v.x;
    var g1 = dLdy * dydh * dhdW1;
    var g2 = dLdy * (sp2 * h);
    return {
      z1: z1, h: h, z2: z2, y_hat: yHat, loss: r * r, dL_dy_hat: dLdy,
      sigma_prime_z2: sp2, dy_hat_dh: dydh, sigma_prime_z1: sp1, dh_dW1: dhdW1,
      dL_dW1: g1, dL_dW2: g2, W1_new: v.W1 - v.lr * g1, W2_new: v.W2 - v.lr * g2
    };
  }

  // vgdocs.worked_example.chain_gradients: a_0 = x, a_k = sigma(W_k a_{k-1}), L = (a_n - y)^2.
  function chainGradients(x, w, y) {
    var acts = [x];
    var zs = [];
    var k;
    for (k = 0; k < w.length; k++) {
      zs.push(w[k] * acts[k]);
      acts.push(sigmoid(zs[k]));
    }
    var upstream = 2 * (acts[w.length] - y);
    var grads = new Array(w.length);
    for (k = w.length - 1; k >= 0; k--) {
      var local = sigmoidPrime(zs[k]);
      grads[k] = upstream * local * acts[k];
      upstream = upstream * local * w[k];
    }
    return grads;
  }

  // The depth view's rule: layer 1 has weight W1, every further layer has weight W2.
  function chainWeights(v) {
    var w = [v.W1];
    for (var k = 1; k < v.depth; k++) w.push(v.W2);
    return w;
  }

  // ------------------------------------------------------------------ formatting (as Python)

  function signOf(v) {
    return v < 0 ? MINUS : "";  // -0 is not < 0: an exact zero has no sign
  }

  // JavaScript rounds an exact tie away from zero, Python to the even digit. `exact` holds the
  // exact decimal expansion of the absolute value (toFixed/toExponential with 100 digits);
  // `at` is the index of the first digit that is dropped.
  function isTieToEven(exact, at) {
    if (exact.charAt(at) !== "5" || !/^0*$/.test(exact.slice(at + 1))) return false;
    var kept = exact.slice(0, at).replace(/\.$/, "");
    return Number(kept.charAt(kept.length - 1)) % 2 === 0;
  }

  function fixed(v, decimals) {
    var a = Math.abs(v);
    var text = a.toFixed(decimals);
    var exact = a.toFixed(100);
    var at = exact.indexOf(".") + decimals + 1;
    if (isTieToEven(exact, at)) text = exact.slice(0, at).replace(/\.$/, "");
    return signOf(v) + text;
  }

  // Python's format(v, ".2e") as the build prints it: m × 10<sup>k</sup>; returns [m, k].
  function scientific(v, digits) {
    var a = Math.abs(v);
    var text = a.toExponential(digits);
    var exact = a.toExponential(100);
    var at = digits + 2;  // "d.ddd…": the index of the first digit dropped
    if (isTieToEven(exact.split("e")[0], at)) {
      text = exact.split("e")[0].slice(0, at).replace(/\.$/, "") + "e" + exact.split("e")[1];
    }
    var parts = text.split("e");
    return [signOf(v) + parts[0], parseInt(parts[1], 10)];
  }

  function show(el, v, decimals) {
    if (decimals === null && v === 0) {
      el.textContent = "0";
      return;
    }
    if (decimals !== null && (v === 0 || Math.abs(v) >= TINY[decimals])) {
      el.textContent = fixed(v, decimals);
      return;
    }
    var mk = scientific(v, 2);
    el.textContent = mk[0] + " \u00d7 10";
    var sup = document.createElement("sup");
    sup.textContent = (mk[1] < 0 ? MINUS : "") + Math.abs(mk[1]);
    el.appendChild(sup);
  }

  function plain(v) {
    return String(v).replace("-", MINUS);
  }

  // ------------------------------------------------------------------ the depth chart

  function drawChart(root, grads) {
    var chart = root.querySelector("[data-chart]");
    if (!chart) return;
    var mags = grads.map(function (g) { return Math.abs(g); });
    var nonzero = mags.filter(function (m) { return m > 0; });
    var lo = 0;
    var hi = 1;
    if (nonzero.length) {
      var least = Math.log10(Math.min.apply(null, nonzero));
      lo = Math.floor(least);
      if (least - lo < 0.25) lo -= 1;  // the shortest bar stays visible
      hi = Math.ceil(Math.log10(Math.max.apply(null, nonzero)));
      if (hi <= lo) hi = lo + 1;
    }
    // At most about six labelled decades, counted down from the top one.
    var every = Math.max(1, Math.ceil((hi - lo) / 6));
    lo = hi - every * Math.ceil((hi - lo) / every);
    var span = hi - lo;
    var doc = root.ownerDocument;
    var plot = doc.createElement("div");
    plot.className = "vg-we__plot";
    plot.setAttribute("aria-hidden", "true");
    var grid = doc.createElement("div");
    grid.className = "vg-we__grid";
    for (var p = lo; p <= hi; p += every) {
      var line = doc.createElement("div");
      line.className = "vg-we__gridline";
      line.style.bottom = ((p - lo) / span * 100) + "%";
      var tick = doc.createElement("span");
      tick.textContent = "10";
      var sup = doc.createElement("sup");
      sup.textContent = (p < 0 ? MINUS : "") + Math.abs(p);
      tick.appendChild(sup);
      line.appendChild(tick);
      grid.appendChild(line);
    }
    plot.appendChild(grid);
    var bars = doc.createElement("ol");
    bars.className = "vg-we__bars";
    grads.forEach(function (g, i) {
      var li = doc.createElement("li");
      li.setAttribute("data-layer", String(i + 1));
      var text = doc.createElement("span");
      show(text, g, null);
      li.setAttribute("data-text", text.textContent);
      li.title = "layer " + (i + 1) + ": \u2202L/\u2202W" + (i + 1) + " = " + text.textContent;
      var bar = doc.createElement("span");
      bar.className = "vg-we__bar" + (i === 0 ? " vg-we__bar--first" : "");
      var m = mags[i];
      bar.style.height = m > 0 ? Math.max(0.5, (Math.log10(m) - lo) / span * 100) + "%" : "0";
      li.appendChild(bar);
      var label = doc.createElement("span");
      label.className = "vg-we__layer";
      label.textContent = String(i + 1);
      li.appendChild(label);
      bars.appendChild(li);
    });
    plot.appendChild(bars);
    chart.replaceChildren(plot);
    var summary = root.querySelector("[data-chart-summary]");
    if (summary) {
      var first = chart.querySelector('[data-layer="1"]').getAttribute("data-text");
      var last = chart.querySelector('[data-layer="' + grads.length + '"]').getAttribute("data-text");
      summary.textContent = "Bar chart, one bar per layer, log scale: the gradient of layer 1 is " +
        first + " and that of layer " + grads.length + " is " + last + ".";
    }
  }

  // ------------------------------------------------------------------ wiring

  function parseShown(text) {
    return Number(String(text).trim().replace(MINUS, "-"));
  }

  function setup(root) {
    if (root.getAttribute("data-vg-ready") === "true") return;
    var fields = {};
    var values = {};
    var ok = true;
    root.querySelectorAll("[data-input]").forEach(function (number) {
      var name = number.getAttribute("data-input");
      var field = number.closest("[data-field]") || root;
      var stat = field.querySelector("[data-static]");
      var start = stat ? parseShown(stat.textContent) : NaN;
      if (!isFinite(start)) ok = false;
      fields[name] = {
        number: number,
        range: field.querySelector('[data-input-range="' + name + '"]'),
        message: field.querySelector("[data-message]"),
        stat: stat,
        min: Number(number.getAttribute("min")),
        max: Number(number.getAttribute("max"))
      };
      values[name] = start;
    });
    if (!ok || !fields.x) return;  // keep the build-time values rather than guess
    root.setAttribute("data-vg-ready", "true");
    root.classList.add("vg-we--live");
    var invalid = {};
    var stale = root.querySelector("[data-stale]");

    Object.keys(fields).forEach(function (name) {
      var f = fields[name];
      f.number.value = String(values[name]);
      f.number.step = INTEGER[name] ? "1" : "any";
      f.number.disabled = false;
      f.number.hidden = false;
      if (f.range) {
        f.range.min = String(f.min);
        f.range.max = String(f.max);
        f.range.step = SLIDER_STEP[name] || "any";
        f.range.value = String(values[name]);
        f.range.disabled = false;
        f.range.hidden = false;
        f.range.addEventListener("input", function () {
          f.number.value = f.range.value;
          accept(name);
        });
      }
      if (f.stat) f.stat.hidden = true;
      f.number.addEventListener("input", function () { accept(name); });
      f.number.addEventListener("change", function () { accept(name); });
    });

    function rangeText(f) {
      return "from " + plain(f.min) + " to " + plain(f.max);
    }

    function complain(name, text) {
      var f = fields[name];
      invalid[name] = true;
      f.number.setAttribute("aria-invalid", "true");
      if (f.message) f.message.textContent = text;
      if (stale) stale.hidden = false;
      root.classList.add("vg-we--stale");
    }

    function accept(name) {
      var f = fields[name];
      var raw = f.number.value.trim();
      var v = Number(raw);
      var what = INTEGER[name] ? "a whole number " : "a number ";
      if (raw === "") {
        complain(name, f.number.validity && f.number.validity.badInput
          ? "Not a number: enter " + what + rangeText(f) + "."
          : "Empty: enter " + what + rangeText(f) + ".");
        return;
      }
      if (INTEGER[name] && isFinite(v) && Math.floor(v) !== v) {
        complain(name, "Not a whole number: enter " + what + rangeText(f) + ".");
        return;
      }
      if (!isFinite(v) || v < f.min || v > f.max) {
        complain(name, "Out of range: enter " + what + rangeText(f) + ".");
        return;
      }
      values[name] = v;
      delete invalid[name];
      f.number.removeAttribute("aria-invalid");
      if (f.message) f.message.textContent = "";
      if (f.range && document.activeElement !== f.range) f.range.value = String(v);
      if (Object.keys(invalid).length) return;  // another field is still wrong
      if (stale) stale.hidden = true;
      root.classList.remove("vg-we--stale");
      render();
    }

    var announceTimer = null;
    function render() {
      var r = twoLayer(values);
      root.querySelectorAll("[data-quantity]").forEach(function (el) {
        var q = el.getAttribute("data-quantity");
        if (Object.prototype.hasOwnProperty.call(DECIMALS, q)) show(el, r[q], DECIMALS[q]);
      });
      if (fields.depth) {
        var grads = chainGradients(values.x, chainWeights(values), values.y);
        root.querySelectorAll('[data-quantity="depth"]').forEach(function (el) {
          el.textContent = String(values.depth);
        });
        root.querySelectorAll('[data-quantity="depth_dL_dW1"]').forEach(function (el) {
          show(el, grads[0], null);
        });
        root.querySelectorAll('[data-quantity="depth_dL_dWn"]').forEach(function (el) {
          show(el, grads[grads.length - 1], null);
        });
        drawChart(root, grads);
      }
      var live = root.querySelector("[data-announce]");
      if (live) {
        clearTimeout(announceTimer);
        announceTimer = setTimeout(function () {
          var g1 = root.querySelector('[data-quantity="dL_dW1"]');
          var g2 = root.querySelector('[data-quantity="dL_dW2"]');
          if (g1 && g2) {
            live.textContent = "Gradient for W1: " + g1.textContent + "; for W2: " + g2.textContent + ".";
          }
        }, 600);
      }
    }

    render();
  }

  function init() {
    document.querySelectorAll(SELECTOR).forEach(setup);
  }

  window.vgWorkedExample = { init: init };

  // Material's instant navigation swaps the page without reloading scripts; document$ emits
  // for every page it shows, the first one included.
  if (typeof window.document$ !== "undefined" && window.document$ && window.document$.subscribe) {
    window.document$.subscribe(function () { init(); });
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
