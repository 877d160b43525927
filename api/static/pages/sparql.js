// The query editor of /sparql (YASGUI, bundled): this server's endpoint only, no state kept in the
// browser, one tab per saved query with its example parameters, and no completion that would call
// another host (the property and class completers ask Linked Open Vocabularies: left out).
(function () {
  "use strict";
  var examples = JSON.parse(document.getElementById("examples").textContent);
  var endpoint = location.origin + "/sparql";
  var yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true, persistenceId: null, populateFromUrl: false, autoAddOnInit: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { autocompleters: ["prefixes", "variables"], prefixCcApi: null }
  });
  // YASGUI's own markup, made accessible as it renders: names for its fields, its scroll area in
  // the keyboard order, and its "new tab" button out of the tab list (a tab list holds tabs only).
  var root = document.getElementById("yasgui");
  var names = JSON.parse(document.getElementById("editor-names").textContent);
  function name(selector, label) {
    root.querySelectorAll(selector).forEach(function (e) {
      if (e.getAttribute("aria-label") !== label) { e.setAttribute("aria-label", label); }
    });
  }
  function mend() {
    name(".autocompleteWrapper input", names.endpoint);
    name(".CodeMirror textarea", names.query);
    name("select.tableSizer", names.rows);
    root.querySelectorAll(".CodeMirror-scroll[tabindex='-1']").forEach(function (e) { e.setAttribute("tabindex", "0"); });
    root.querySelectorAll("[role=tablist]").forEach(function (list) {
      list.querySelectorAll("button").forEach(function (b) { list.after(b); });
    });
  }
  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  examples.forEach(function (e, i) {
    yasgui.addTab(i === 0, { name: e.name, yasqe: { value: e.query }, requestConfig: { endpoint: endpoint } });
  });
  mend();
})();
