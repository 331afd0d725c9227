// Proof of work for the public forms (the report, and the receipt code of
// the follow-up: a solved challenge is the visitor's budget, so a flood
// from a shared address does not close the form): find a nonce such that
// SHA-256(challenge + nonce) starts with the number of zero bits the form
// asks for (data-difficulty), and put it into the hidden "nonce" field.
// It runs in small slices so the page stays responsive on a phone. If the
// person presses "send" before it is done, sending waits for it. Without
// this script the form still works: the report is then held for review.
(function () {
  "use strict";
  var form = document.querySelector("form[data-difficulty]");
  if (!form) return;
  var challenge = form.elements.challenge && form.elements.challenge.value;
  var nonceField = form.elements.nonce;
  var difficulty = parseInt(form.getAttribute("data-difficulty"), 10);
  var status = document.getElementById("pow-status");
  if (!challenge || !nonceField || !(difficulty > 0)) return;

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
  ]);
  var W = new Int32Array(64);
  var H = new Int32Array(8);

  // sha256First returns the first 32 bits of SHA-256 of an ASCII string
  // (enough to count up to 32 leading zero bits).
  function sha256First(msg) {
    var len = msg.length;
    var blocks = ((len + 8) >> 6) + 1;
    var words = new Int32Array(blocks * 16);
    for (var i = 0; i < len; i++) words[i >> 2] |= (msg.charCodeAt(i) & 0xff) << (24 - (i & 3) * 8);
    words[len >> 2] |= 0x80 << (24 - (len & 3) * 8);
    words[blocks * 16 - 1] = len * 8;
    H[0] = 0x6a09e667; H[1] = 0xbb67ae85; H[2] = 0x3c6ef372; H[3] = 0xa54ff53a;
    H[4] = 0x510e527f; H[5] = 0x9b05688c; H[6] = 0x1f83d9ab; H[7] = 0x5be0cd19;
    for (var b = 0; b < blocks; b++) {
      for (var t = 0; t < 16; t++) W[t] = words[b * 16 + t];
      for (t = 16; t < 64; t++) {
        var w15 = W[t - 15], w2 = W[t - 2];
        var s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
        var s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
        W[t] = (W[t - 16] + s0 + W[t - 7] + s1) | 0;
      }
      var a = H[0], c1 = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (t = 0; t < 64; t++) {
        var S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
        var ch = (e & f) ^ (~e & g);
        var t1 = (h + S1 + ch + K[t] + W[t]) | 0;
        var S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
        var maj = (a & c1) ^ (a & c) ^ (c1 & c);
        var t2 = (S0 + maj) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = c1; c1 = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + c1) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    return H[0];
  }

  // Only difficulties up to 32 bits are asked for; the first word is enough.
  var limit = difficulty >= 32 ? 0 : Math.pow(2, 32 - difficulty);
  function good(first) { return (first >>> 0) < limit || (difficulty >= 32 && first === 0); }

  var done = false, waiting = false, next = 0;
  function say(name) { if (status) status.textContent = status.getAttribute("data-" + name) || ""; }

  function finish(nonce) {
    nonceField.value = String(nonce);
    done = true;
    say("ready");
    if (waiting) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }

  function slice() {
    var end = next + 4000;
    for (; next < end; next++) {
      if (good(sha256First(challenge + next))) { finish(next); return; }
    }
    setTimeout(slice, 0);
  }

  form.addEventListener("submit", function (ev) {
    if (done) {
      // One press sends one report: the button rests while the page loads.
      var button = form.querySelector("button[type=submit]");
      if (button) setTimeout(function () { button.disabled = true; }, 0);
      return;
    }
    ev.preventDefault();
    waiting = true;
    say("waiting");
  });
  say("working");
  setTimeout(slice, 0);
})();
