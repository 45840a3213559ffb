// The copy buttons of the notification drafts page (issue 17): the portal's only script, served from
// /static and allowed by that page's CSP alone (script-src 'self'). Without it the drafts stay
// selectable text boxes.
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-copy]");
  if (!button) return;
  const box = document.getElementById(button.dataset.copy);
  const done = () => { button.textContent = button.dataset.done; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(box.value).then(done, () => box.select());
  } else {
    box.select();
  }
});
