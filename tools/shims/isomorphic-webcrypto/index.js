// fhirclient (lib/security/browser.js) falls back to this only when globalThis.crypto is missing.
module.exports = { default: globalThis.crypto };
