/** Only a path on this site: an open redirect would make our login page a phishing aid. */
export function localPath(value: string | undefined): string {
  if (!value?.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  return value.slice(0, 500);
}
