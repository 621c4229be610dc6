// "Select all" for a bulk form (the moderation queue): the box with data-select-all="<form id>"
// ticks or unticks every checkbox of that form (item boxes join it with form="<form id>"), and
// shows the mixed state when only some are ticked. It is rendered hidden, so a page without
// JavaScript shows no control that does nothing. Events are delegated to the document, so
// item boxes that htmx swaps in are counted too.
(function () {
  "use strict";

  function itemBoxes(selectAll) {
    const form = document.getElementById(selectAll.dataset.selectAll);
    if (!form) {
      return [];
    }
    return Array.from(form.elements).filter((element) => element.type === "checkbox");
  }

  function sync(selectAll) {
    const boxes = itemBoxes(selectAll);
    const ticked = boxes.filter((box) => box.checked).length;
    selectAll.checked = boxes.length > 0 && ticked === boxes.length;
    // The native mixed state: browsers expose it to assistive technology as aria-checked="mixed".
    selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
  }

  function syncAll() {
    document.querySelectorAll("input[data-select-all]").forEach(sync);
  }

  document.addEventListener("change", (event) => {
    const box = event.target;
    if (box.matches("input[data-select-all]")) {
      itemBoxes(box).forEach((item) => {
        item.checked = box.checked;
      });
    }
    if (box.type === "checkbox") {
      syncAll();
    }
  });
  // A swapped-in item comes back unticked; a page from the back/forward cache keeps its ticks.
  document.addEventListener("htmx:afterSwap", syncAll);
  window.addEventListener("pageshow", syncAll);

  // Loaded with defer, so the page is already parsed.
  document.querySelectorAll("input[data-select-all]").forEach((selectAll) => {
    selectAll.closest("[hidden]")?.removeAttribute("hidden");
    sync(selectAll);
  });
})();
