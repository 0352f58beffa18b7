// Starts GOV.UK Frontend's components (data-module attributes) from a file, not an inline
// script, so the Content-Security-Policy can refuse all inline script. A browser that runs
// module scripts is one GOV.UK Frontend supports, hence the two classes set here.
import { initAll } from '../govuk/govuk-frontend.min.js'

document.body.classList.add('js-enabled', 'govuk-frontend-supported')
initAll()
