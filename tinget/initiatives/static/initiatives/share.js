// The share link's copy button: shown only where the browser can copy; the field works without it.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("[data-copy-for]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy-for"));
    var status = button.closest(".initiative-share").querySelector(".initiative-share__status");
    if (!field) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) status.textContent = button.getAttribute("data-copied-text");
      }, function () {
        field.select();
      });
    });
  });
})();
