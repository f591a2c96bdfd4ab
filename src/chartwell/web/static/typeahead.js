// Typeahead for the code search page: as the coder types, fetch the results fragment
// (same origin, the page's session cookie) and put it in place. No library needed.
(function () {
  const form = document.getElementById("code-search");
  if (!form) return;
  const target = document.getElementById("hits");
  let timer = null;
  let latest = 0;
  function refresh() {
    const params = new URLSearchParams(new FormData(form));
    const asked = ++latest;
    fetch(form.dataset.suggest + "?" + params.toString(), {credentials: "same-origin"})
      .then((response) => (response.ok ? response.text() : null))
      .then((html) => {
        if (html !== null && asked === latest) {
          target.innerHTML = html;
          history.replaceState(null, "", "/codes?" + params.toString());
        }
      });
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  });
})();
