// Progressive enhancement with NHS.UK frontend's own JavaScript. Pages work without it.
// Kept in a file (not inline) so the Content-Security-Policy needs no exception for it.
import { initAll } from '/nhsuk/nhsuk-frontend.min.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) {
  document.body.classList.add('nhsuk-frontend-supported');
}

// NHS.UK components may rearrange the header; wait until the wasm app has hydrated the page
// so the DOM it expects is the DOM the server rendered.
if (window.__ppHydrated) {
  initAll();
} else {
  window.addEventListener('pp:hydrated', () => initAll(), { once: true });
}
