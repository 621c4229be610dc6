/* The colour theme: Auto (the system's), Light or Dark. Loaded without defer in <head>, so the
   stored choice is on <html data-theme> before the page paints (no flash of the other theme).
   The choice lives in this browser only, so pages cached for everyone never depend on it. */
(function () {
  "use strict";
  var KEY = "ideastorm-theme";
  var root = document.documentElement;

  function stored() {
    try {
      return localStorage.getItem(KEY) || "auto";
    } catch (error) {
      return "auto"; // storage refused (private mode, blocked cookies): follow the system
    }
  }

  function apply(choice) {
    if (choice === "light" || choice === "dark") {
      root.setAttribute("data-theme", choice);
    } else {
      root.removeAttribute("data-theme");
    }
  }

  apply(stored());

  // The switch (#theme-switch in the footer) stays hidden without this script.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("theme-switch");
    if (!box) {
      return;
    }
    var current = stored();
    box.querySelectorAll('input[name="theme"]').forEach(function (input) {
      input.checked = input.value === current;
      input.addEventListener("change", function () {
        try {
          if (input.value === "auto") {
            localStorage.removeItem(KEY);
          } else {
            localStorage.setItem(KEY, input.value);
          }
        } catch (error) {
          // Not kept, but this page still changes.
        }
        apply(input.value);
      });
    });
    box.hidden = false;
  });
})();
