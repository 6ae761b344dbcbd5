// keydepot portal: a copy button for a field (the set-password link). The
// page works without this file (the field shows the whole link to select);
// with it, the button appears and copies. External file: the CSP allows no
// inline script.
(() => {
  for (const button of document.querySelectorAll('button[data-copy]')) {
    const field = document.getElementById(button.dataset.copy ?? '');
    if (!field || !navigator.clipboard) continue;
    button.hidden = false;
    const label = button.textContent;
    button.addEventListener('click', async () => {
      await navigator.clipboard.writeText(field.value);
      button.textContent = button.dataset.copied ?? label;
      setTimeout(() => {
        button.textContent = label;
      }, 2000);
    });
  }
})();
