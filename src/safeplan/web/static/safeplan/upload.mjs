// Sends the upload form with a progress bar (the form works without this script too).
// A module file, not inline script: the Content-Security-Policy allows no inline script.
const form = document.querySelector('form[data-sp-upload]')
if (form) {
  // Files dropped anywhere on the form go to the file input (the native input, so screen
  // readers and keyboards meet a control they know).
  const input = form.querySelector('input[type=file]')
  form.addEventListener('dragover', (event) => {
    event.preventDefault()
    form.classList.add('sp-drop-target')
  })
  form.addEventListener('dragleave', () => form.classList.remove('sp-drop-target'))
  form.addEventListener('drop', (event) => {
    event.preventDefault()
    form.classList.remove('sp-drop-target')
    if (event.dataTransfer && event.dataTransfer.files.length) {
      input.files = event.dataTransfer.files
      input.dispatchEvent(new Event('change', { bubbles: true }))
    }
  })

  form.addEventListener('submit', (event) => {
    if (!window.FormData || !window.XMLHttpRequest) return // the plain form post does it
    event.preventDefault()
    const box = form.querySelector('.sp-upload-progress')
    const bar = box.querySelector('progress')
    const status = box.querySelector('[data-sp-upload-status]')
    box.hidden = false
    const request = new XMLHttpRequest()
    request.open('POST', form.action || window.location.href)
    request.upload.addEventListener('progress', (e) => {
      if (!e.lengthComputable) return
      bar.value = Math.round((100 * e.loaded) / e.total)
      status.textContent = bar.value < 100
        ? `Sent ${bar.value}%`
        : 'Sent. Checking and loading the files: this can take a minute.'
    })
    request.addEventListener('load', () => {
      // the server answers a good upload with a redirect to its results, which XHR follows
      if (request.responseURL && request.responseURL !== window.location.href && request.status === 200) {
        window.location.assign(request.responseURL)
      } else {
        document.open()
        document.write(request.responseText)
        document.close()
      }
    })
    request.addEventListener('error', () => {
      status.textContent = 'The files could not be sent. Check your connection and try again.'
    })
    request.send(new FormData(form))
  })
}
