// Drives passkey ceremonies for the forms and buttons marked data-passkey
// (served as a file: the portal's CSP allows no inline script). It asks the
// portal for the options, lets the browser talk to the authenticator through
// @simplewebauthn/browser (webauthn.js, loaded before this file), puts the
// answer into a hidden field and submits the form as usual.
(() => {
  const webauthn = globalThis.SimpleWebAuthnBrowser;
  if (!webauthn?.browserSupportsWebAuthn()) return;

  async function ceremony(kind, optionsUrl, form) {
    const body = new URLSearchParams({ _csrf: form.elements._csrf.value });
    const response = await fetch(optionsUrl, { method: 'POST', body, credentials: 'same-origin' });
    if (!response.ok) throw new Error(`options: ${response.status}`);
    const optionsJSON = await response.json();
    return kind === 'register'
      ? webauthn.startRegistration({ optionsJSON })
      : webauthn.startAuthentication({ optionsJSON });
  }

  for (const element of document.querySelectorAll('[data-passkey]')) {
    const isForm = element.tagName === 'FORM';
    const form = isForm ? element : element.form;
    if (!form) continue;
    element.hidden = false;
    const field = element.dataset.passkeyField || 'response';
    element.addEventListener(isForm ? 'submit' : 'click', async (event) => {
      event.preventDefault();
      const error = form.querySelector('[data-passkey-error]');
      if (error) error.hidden = true;
      try {
        const answer = await ceremony(element.dataset.passkey, element.dataset.options, form);
        form.elements[field].value = JSON.stringify(answer);
        // submit() skips validation: the password field may rightly be empty when a passkey confirms.
        form.submit();
      } catch (failure) {
        console.warn('passkey ceremony failed', failure);
        if (error) error.hidden = false;
      }
    });
  }
})();
