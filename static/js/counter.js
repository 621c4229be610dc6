/* Live character counters: a field with data-counter and a maxlength shows "n of N" in its
   slot (<p class="counter" data-counter-for="ID" hidden>, from templates/includes/field.html or
   the comment form), or in one made after it. Near the limit the count turns to a warning and
   becomes a polite live region; further from it, screen readers are left alone (the help text
   already says the limit). Fields swapped in by htmx are counted too. */
(function () {
  "use strict";

  function nearFrom(max) {
    // The last tenth, and at least the last 10 characters.
    return max - Math.max(Math.ceil(max / 10), 10);
  }

  function slotFor(field) {
    var slot = field.id ? document.querySelector('[data-counter-for="' + field.id + '"]') : null;
    if (!slot) {
      slot = document.createElement("p");
      slot.className = "counter";
      if (field.id) slot.setAttribute("data-counter-for", field.id);
      field.insertAdjacentElement("afterend", slot);
    }
    return slot;
  }

  function update(field) {
    var max = parseInt(field.getAttribute("maxlength"), 10);
    if (!max) return;
    var slot = slotFor(field);
    // As maxlength counts: UTF-16 code units, a line end as one.
    var used = field.value.length;
    var near = used >= nearFrom(max);
    var text = used.toLocaleString() + " of " + max.toLocaleString();
    if (near) text += " (" + (max - used).toLocaleString() + " left)";
    if (slot.textContent !== text) slot.textContent = text;
    slot.hidden = false;
    slot.classList.toggle("counter-near", near && used < max);
    slot.classList.toggle("counter-full", used >= max);
    if (near) {
      slot.setAttribute("aria-live", "polite");
    } else {
      slot.removeAttribute("aria-live");
    }
  }

  function start(root) {
    var fields = (root || document).querySelectorAll("[data-counter][maxlength]");
    for (var i = 0; i < fields.length; i++) update(fields[i]);
  }

  document.addEventListener("input", function (event) {
    var field = event.target;
    if (field.matches && field.matches("[data-counter][maxlength]")) update(field);
  });
  document.addEventListener("htmx:load", function (event) { start(event.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { start(document); });
  } else {
    start(document);
  }
})();
