/* Search box of the national kommun index (analysis.book.bookpages.national_index_md).
   Plain JavaScript, no libraries, works offline. As the reader types, the rows of the index
   table whose kommun, län or kommungrupp contain every typed word are shown and the others
   hidden; a live region says how many rows are shown. Without JavaScript the box stays hidden
   and the whole table is shown. Typing "orebro" finds "Örebro": letters are compared with and
   without their accents. */
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
      var t = tr.textContent.replace(/\s+/g, " ");
      return t.toLowerCase() + " " + fold(t);
    });
    var one = box.getAttribute("data-en") || "";
    var many = box.getAttribute("data-flera") || "";
    var none = box.getAttribute("data-ingen") || "";
    function update() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (tr, i) {
        var hit = words.every(function (w) { return keys[i].indexOf(w) !== -1; });
        tr.hidden = !hit;
        if (hit) { shown += 1; }
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
