// Drag a card to another column of the board: a shortcut for the card's own Move form.
// Without this script (or without a mouse) the stage select and Move button do the same.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board) { return; }
  var dragged = null;
  board.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".card[draggable='true']") : null;
    if (!card) { return; }
    dragged = card;
    card.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-deal"));
  });
  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("dragging"); }
    dragged = null;
    board.querySelectorAll(".drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  });
  board.addEventListener("dragover", function (event) {
    var column = event.target.closest ? event.target.closest(".board-column") : null;
    if (!column || !dragged) { return; }
    event.preventDefault();
    column.classList.add("drop-target");
  });
  board.addEventListener("dragleave", function (event) {
    var column = event.target.closest ? event.target.closest(".board-column") : null;
    if (column && !column.contains(event.relatedTarget)) { column.classList.remove("drop-target"); }
  });
  board.addEventListener("drop", function (event) {
    var column = event.target.closest ? event.target.closest(".board-column") : null;
    if (!column || !dragged) { return; }
    event.preventDefault();
    var form = dragged.querySelector("form.move-form");
    var select = form ? form.querySelector("select[name='stage']") : null;
    var stage = column.getAttribute("data-stage");
    if (!form || !select || select.value === stage) { return; }
    select.value = stage;
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
