import { defineTexts } from '../i18n/language.js';

export const dashboardTexts = defineTexts({
  en: {
    title: 'Your depots',
    none: 'You have no depots yet. The depot owner or our service adds you to a depot.',
    depot: 'Depot',
    state: 'State',
    lastCheckIn: 'Last check-in',
    compartments: 'Compartments',
    role: 'Your role',
    roleOwner: 'owner',
    roleManager: 'manager',
    roleViewer: 'viewer',
  },
  de: {
    title: 'Ihre Depots',
    none: 'Sie haben noch keine Depots. Der Depot-Inhaber oder unser Service fügt Sie einem Depot hinzu.',
    depot: 'Depot',
    state: 'Zustand',
    lastCheckIn: 'Letzte Meldung',
    compartments: 'Fächer',
    role: 'Ihre Rolle',
    roleOwner: 'Inhaber',
    roleManager: 'Verwalter',
    roleViewer: 'Betrachter',
  },
});
