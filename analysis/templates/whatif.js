/* The what-if panel's glue (analysis/views/whatif.py): it moves control values into the Vega view
   and copies the view's results into the page. It computes nothing: every number, the validity
   check and the --set command are Vega parameters generated from the library's formulas. */
function tengwWhatif(root, spec) {
  if (!window.vegaEmbed || !root) return;
  var chart = root.querySelector(".whatif-chart");
  var controls = [].slice.call(root.querySelectorAll(".whatif-control"));
  var reset = root.querySelector(".whatif-reset");
  var pending = 0;
  vegaEmbed(chart, spec, {actions: false, renderer: "svg"}).then(function (res) {
    var view = res.view;
    view.container().setAttribute("aria-label", chart.getAttribute("aria-label"));
    function refresh() {
      root.querySelectorAll("[data-signal]").forEach(function (el) {
        el.textContent = view.signal(el.getAttribute("data-signal"));
      });
      root.querySelectorAll(".whatif-card").forEach(function (card) {
        var was = card.querySelector(".whatif-was");
        was.hidden = was.textContent === "(edition: " + card.querySelector("output").textContent + ")";
        card.classList.toggle("changed", !was.hidden);
      });
      controls.forEach(function (c) {
        var range = c.querySelector("input[type=range]");
        c.classList.toggle("changed", Number(c.getAttribute("data-value")) !== Number(range.getAttribute("data-edition")));
      });
      root.classList.toggle("invalid", !view.signal(root.getAttribute("data-valid")));
    }
    function push(changes) {
      pending += 1;
      root.setAttribute("data-pending", pending);
      changes.forEach(function (ch) { view.signal(ch[0], ch[1]); });
      view.runAsync().then(function () {
        pending -= 1;
        refresh();
        root.setAttribute("data-pending", pending);
      });
    }
    function set(c, value, from) {
      var range = c.querySelector("input[type=range]"), box = c.querySelector("input[type=number]");
      if (from !== range) range.value = value;
      if (from !== box) box.value = Number(value).toFixed(Number(box.getAttribute("data-decimals")));
      box.removeAttribute("aria-invalid");
      c.setAttribute("data-value", value);
      return [range.getAttribute("data-signal"), value];
    }
    controls.forEach(function (c) {
      var range = c.querySelector("input[type=range]"), box = c.querySelector("input[type=number]");
      range.disabled = false;
      box.disabled = false;
      range.addEventListener("input", function () { push([set(c, Number(range.value), range)]); });
      box.addEventListener("input", function () {
        var x = box.valueAsNumber;
        if (isNaN(x) || x < Number(box.min) || x > Number(box.max)) {
          box.setAttribute("aria-invalid", "true");
          return;
        }
        push([set(c, x, box)]);
      });
    });
    reset.disabled = false;
    reset.addEventListener("click", function () {
      push(controls.map(function (c) {
        return set(c, Number(c.querySelector("input[type=range]").getAttribute("data-edition")), null);
      }));
    });
    refresh();
    root.setAttribute("data-pending", pending);
    root.setAttribute("data-state", "live");
  }).catch(function (e) { console.error(e); });
}
