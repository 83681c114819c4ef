/* Search box of the national kommun index (analysis.book.bookpages.national_index_md).
   Plain JavaScript, no libraries, works offline. As the reader types, the rows of the index
   table whose kommun, län or kommungrupp have a word starting with every typed word are shown
   ("gotland" finds Gotland, not Östergötland) and the others
   hidden, the other kommuner on the map are faded, and a live region says how many rows are
   shown. Without JavaScript the box stays hidden and the whole table is shown. Typing "orebro"
   finds "Örebro": letters are compared without their accents. */
(function () {
  "use strict";
  function fold(s) {
    return s.toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }
  function init(box) {
    var table = document.getElementById(box.getAttribute("data-tabell"));
    var input = box.querySelector("input");
    var status = box.querySelector("[role=status]");
    if (!table || !input) { return; }
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    var keys = rows.map(function (tr) {
      var text = Array.prototype.map.call(tr.cells, function (td) { return td.textContent; });
      return " " + fold(text.join(" ").replace(/[\s\-\/]+/g, " "));
    });
    var code = /area_(\d{4})/;
    var rowCodes = rows.map(function (tr) {
      var a = tr.querySelector("a");
      var m = a ? code.exec(a.getAttribute("href") || "") : null;
      return m ? m[1] : null;
    });
    var areas = Array.prototype.slice.call(document.querySelectorAll(".kommunkarta-riket a"));
    var one = box.getAttribute("data-en") || "";
    var many = box.getAttribute("data-flera") || "";
    var none = box.getAttribute("data-ingen") || "";
    function update() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      var hits = {};
      rows.forEach(function (tr, i) {
        var hit = words.every(function (w) { return keys[i].indexOf(" " + w) !== -1; });
        tr.hidden = !hit;
        if (hit) { shown += 1; hits[rowCodes[i]] = true; }
      });
      areas.forEach(function (a) {
        var m = code.exec(a.getAttribute("href") || "");
        a.style.opacity = (words.length === 0 || (m && hits[m[1]])) ? "" : "0.2";
      });
      if (status) {
        status.textContent = shown === 0 ? none
          : (shown === 1 ? one : many.replace("{n}", String(shown)));
      }
    }
    input.addEventListener("input", update);
    box.hidden = false;
    update();
  }
  function start() {
    Array.prototype.forEach.call(document.querySelectorAll(".kommunsok"), init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
