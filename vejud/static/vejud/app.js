/* vejud: start DKFDS once on load; after an htmx swap, start only the components inside the
   new content (DKFDS.init() would start the navigation again and add another "more" menu),
   and keep the keyboard focus where the user was working (on swaps the user asked for). */
(function () {
  "use strict";
  // Component selectors as DKFDS.init (src/js/dkfds.js, v11) uses them, without Navigation.
  var COMPONENTS = [
    [".accordion, .accordion-bordered", "Accordion"],
    [".alert.has-close", "Alert"],
    [".form-limit", "CharacterLimit"],
    [".js-checkbox-toggle-content", "CheckboxToggleContent"],
    [".js-dropdown", "Dropdown"],
    [".overflow-menu--sort", "DropdownSort"],
    ['[data-module="error-summary"]', "ErrorSummary"],
    [".fds-modal", "Modal"],
    [".js-menudropdown", "MenuDropdown"],
    [".js-radio-toggle-group", "RadioToggleGroup"],
    ["table.table--selectable", "TableSelectableRows"],
    ["div.tab-container", "Tabs"],
    [".tooltip-wrapper", "Tooltip"]
  ];
  var TABLES = "table.table--responsive-headers, table.table-sm-responsive-headers, " +
    "table.table-md-responsive-headers, table.table-lg-responsive-headers";

  function within(scope, selector) {
    var found = Array.prototype.slice.call(scope.querySelectorAll(selector));
    if (scope.matches && scope.matches(selector)) found.unshift(scope);
    return found;
  }

  function startSwapped(scope) {
    var fds = window.DKFDS;
    if (!fds || !scope.querySelectorAll) return;
    COMPONENTS.forEach(function (entry) {
      var Component = fds[entry[1]];
      if (!Component) return;
      within(scope, entry[0]).forEach(function (el) { new Component(el).init(); });
    });
    within(scope, TABLES).forEach(function (el) { new fds.ResponsiveTable(el); });
    if (fds.datePicker) fds.datePicker.on(scope);
  }

  // Whether the user asked for the swap (a click, a key, a submit or a change of theirs), not
  // the page: content that loads itself ("load") or polls ("every 1s") must not move the
  // focus or scroll the page to itself while the user reads (WCAG 3.2.1, 2.4.3).
  function userAsked(event) {
    var config = event.detail && event.detail.requestConfig;
    var cause = config && config.triggeringEvent;
    return !!(cause && cause.isTrusted);
  }

  // Focus after a swap: the first field with an error, else the swapped content itself
  // (made focusable for that moment), unless the focus is still inside the page's content.
  function keepFocus(scope) {
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var target = scope.querySelector("[aria-invalid='true'], .form-error input, .form-error textarea, .form-error select")
      || scope.querySelector("[role='status'], [role='alert'], h2, h3") || scope;
    if (!target.hasAttribute("tabindex") && !target.matches("input, select, textarea, button, a[href]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: false });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (window.DKFDS && typeof window.DKFDS.init === "function") window.DKFDS.init();
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var scope = event.detail && event.detail.elt;
    if (!scope) return;
    startSwapped(scope);
    if (userAsked(event)) keepFocus(scope);
  });
})();
