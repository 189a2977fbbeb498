// The deep linking answer goes back to the platform at once (the button stays for browsers without script).
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.js-lti-autosubmit");
  if (form) { form.submit(); }
});
