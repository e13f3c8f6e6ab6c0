// Sorting and filtering of the tables a page shows (class "sortable": click a heading to sort; class
// "filterable", or any sortable table of more than ten rows: a box above it keeps the rows holding the text).
// Downloads (CSV, Excel) come from the server with the page's own filters.
(function () {
  "use strict";
  function cellValue(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ""; }
    var raw = cell.getAttribute("data-sort");
    var text = raw !== null ? raw : cell.textContent.trim();
    var number = parseFloat(text.replace(/[^0-9.\-]/g, ""));
    return /^[-\u2212]?[\d.,\s]+(%|\s%)?$/.test(text) || raw !== null ? (isNaN(number) ? -Infinity : number) : text.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) { return; }
    Array.prototype.forEach.call(table.tHead ? table.tHead.rows[0].cells : [], function (th, index) {
      th.classList.add("sortable-head");
      th.setAttribute("tabindex", "0");
      th.setAttribute("aria-sort", "none");
      function sort() {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = cellValue(a, index), y = cellValue(b, index);
          return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
        });
        rows.forEach(function (row) { body.appendChild(row); });
        Array.prototype.forEach.call(th.parentNode.cells, function (other) {
          other.setAttribute("aria-sort", "none");
          other.classList.remove("sorted-asc", "sorted-desc");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        th.classList.add(ascending ? "sorted-asc" : "sorted-desc");
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) { if (event.key === "Enter") { sort(); } });
    });
    if (table.classList.contains("filterable") || body.rows.length > 10) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "table-filter";
      box.placeholder = table.getAttribute("data-filter-label") || "Filter these rows";
      box.setAttribute("aria-label", box.placeholder);
      box.addEventListener("input", function () {
        var wanted = box.value.trim().toLowerCase();
        Array.prototype.forEach.call(body.rows, function (row) {
          row.hidden = wanted !== "" && row.textContent.toLowerCase().indexOf(wanted) < 0;
        });
      });
      table.parentNode.insertBefore(box, table);
    }
  });
})();
