// Send the text to the JSON endpoint and show the answer, without
// reloading the page. The endpoint's URL comes from the form's
// data-endpoint attribute, which the template fills with url_for(), so the
// script keeps working if the app is mounted under a prefix.
"use strict";

const form = document.getElementById("stats-form");
const errorBox = document.getElementById("error");

function show(id, value) {
  document.getElementById(id).textContent = value;
}

async function count(event) {
  // Without this the browser would submit the form and load a new page.
  event.preventDefault();
  errorBox.hidden = true;

  const response = await fetch(form.dataset.endpoint, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ text: form.elements.text.value }),
  });
  const data = await response.json();

  if (!response.ok) {
    errorBox.textContent = data.error;
    errorBox.hidden = false;
    return;
  }

  show("words", data.words);
  show("characters", data.characters);
  show("sentences", data.sentences);
  show("top", data.top.map(([word, n]) => `${word} (${n})`).join(", "));
}

form.addEventListener("submit", count);
