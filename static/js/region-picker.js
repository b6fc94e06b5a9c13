// Domicile picker: fills the regency and district lists as the person picks, without reloading the page.
// Without JavaScript the "Pilih" buttons send the form back to the server, which refreshes the lists.
(function () {
  "use strict";
  var form = document.querySelector("[data-region-picker]");
  if (!form || !window.fetch) { return; }
  var urlFor = function (code) { return form.dataset.childrenUrl.replace("CODE", encodeURIComponent(code)); };
  var province = form.querySelector("[name=province]");
  var regency = form.querySelector("[name=regency]");
  var district = form.querySelector("[name=district]");
  form.querySelectorAll(".js-hide").forEach(function (button) { button.hidden = true; });

  function reset(select) {
    var placeholder = select.options[0];
    select.replaceChildren(placeholder);
    select.value = "";
  }

  function fill(select, code) {
    reset(select);
    if (!code) { return; }
    select.disabled = true;
    fetch(urlFor(code), { headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { children: [] }; })
      .then(function (data) {
        data.children.forEach(function (child) { select.add(new Option(child.name, child.code)); });
      })
      .finally(function () { select.disabled = false; });
  }

  province.addEventListener("change", function () { reset(district); fill(regency, province.value); });
  regency.addEventListener("change", function () { fill(district, regency.value); });
})();
