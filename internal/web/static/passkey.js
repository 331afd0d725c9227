// Passkeys and security keys: progressive enhancement only. A form marked
// data-passkey-begin stays hidden unless the browser supports WebAuthn; its
// submit first asks the server for options (POST to data-passkey-begin, JSON),
// then the key, and then submits the form with the key's answer as JSON in
// the hidden "credential" field, so the server answers as for any form.
// Without this script, or without WebAuthn, the page works with codes alone.
"use strict";
(function () {
  function supported() {
    return !!(window.PublicKeyCredential && navigator.credentials && window.fetch && window.JSON);
  }

  function fromB64url(s) {
    var b64 = s.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) { b64 += "="; }
    var raw = atob(b64);
    var out = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { out[i] = raw.charCodeAt(i); }
    return out.buffer;
  }

  function toB64url(buf) {
    var bytes = new Uint8Array(buf);
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += String.fromCharCode(bytes[i]); }
    return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // decodeOptions turns the base64url strings of the server's options into
  // the ArrayBuffers the WebAuthn API takes.
  function decodeOptions(pk) {
    pk.challenge = fromB64url(pk.challenge);
    if (pk.user && typeof pk.user.id === "string") { pk.user.id = fromB64url(pk.user.id); }
    ["excludeCredentials", "allowCredentials"].forEach(function (k) {
      (pk[k] || []).forEach(function (c) { c.id = fromB64url(c.id); });
    });
    return pk;
  }

  // encodeCredential is the PublicKeyCredential as the JSON the server parses.
  function encodeCredential(cred) {
    var r = cred.response;
    var out = {
      id: cred.id,
      rawId: toB64url(cred.rawId),
      type: cred.type,
      authenticatorAttachment: cred.authenticatorAttachment || undefined,
      clientExtensionResults: cred.getClientExtensionResults ? cred.getClientExtensionResults() : {},
      response: { clientDataJSON: toB64url(r.clientDataJSON) }
    };
    if (r.attestationObject) {
      out.response.attestationObject = toB64url(r.attestationObject);
      if (r.getTransports) { out.response.transports = r.getTransports(); }
    } else {
      out.response.authenticatorData = toB64url(r.authenticatorData);
      out.response.signature = toB64url(r.signature);
      if (r.userHandle && r.userHandle.byteLength) { out.response.userHandle = toB64url(r.userHandle); }
    }
    return JSON.stringify(out);
  }

  function enhance(form) {
    var status = form.querySelector(".passkey-status");
    var field = form.querySelector("input[name=credential]");
    var button = form.querySelector("button[type=submit]");
    function say(msg) { if (status) { status.textContent = msg || ""; } }
    form.hidden = false;
    form.addEventListener("submit", function (ev) {
      if (field.value) { return; }
      ev.preventDefault();
      button.disabled = true;
      say("");
      fetch(form.getAttribute("data-passkey-begin"), {
        method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (res) {
        if (res.redirected) { window.location.assign(res.url); return null; }
        return res.json().then(function (body) {
          if (!res.ok) {
            var e = (body && body.error) || {};
            if (e.code === "step_up") { window.location.assign("/stepup?next=" + encodeURIComponent(window.location.pathname)); return null; }
            if (e.code === "unauthorized") { window.location.assign("/login"); return null; }
            throw new Error(e.message || form.getAttribute("data-passkey-error"));
          }
          var pk = decodeOptions(body.publicKey);
          if (form.getAttribute("data-passkey-mode") === "create") {
            return navigator.credentials.create({ publicKey: pk });
          }
          return navigator.credentials.get({ publicKey: pk });
        });
      }).then(function (cred) {
        if (!cred) { button.disabled = false; return; }
        field.value = encodeCredential(cred);
        form.submit();
      }).catch(function (err) {
        button.disabled = false;
        // The browser's own errors (cancelled, timed out, not allowed) are
        // not translated; show ours instead.
        say(err && err.name === "Error" && err.message ? err.message : form.getAttribute("data-passkey-error"));
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!supported()) { return; }
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (el) { el.hidden = true; });
    document.querySelectorAll("form[data-passkey-begin]").forEach(enhance);
  });
})();
