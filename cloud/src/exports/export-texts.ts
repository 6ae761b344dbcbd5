import { defineTexts } from '../portal/i18n/language.js';

/** Column headers and words of the export files (CSV headers, PDF labels), in both languages. */
export const exportTexts = defineTexts({
  en: {
    id: 'No.',
    timeUtc: 'Time (UTC, ISO 8601)',
    timeLocal: 'Depot time (ISO 8601)',
    receivedUtc: 'Received (UTC)',
    depotId: 'Depot no.',
    depot: 'Depot',
    compartment: 'Compartment',
    compartmentLabel: 'Compartment label',
    kindCode: 'Event code',
    kind: 'Event',
    subject: 'Subject',
  },
  de: {
    id: 'Nr.',
    timeUtc: 'Zeit (UTC, ISO 8601)',
    timeLocal: 'Ortszeit Depot (ISO 8601)',
    receivedUtc: 'Empfangen (UTC)',
    depotId: 'Depot-Nr.',
    depot: 'Depot',
    compartment: 'Fach',
    compartmentLabel: 'Fachbezeichnung',
    kindCode: 'Ereigniscode',
    kind: 'Ereignis',
    subject: 'Betreff',
  },
});
