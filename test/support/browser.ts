/** Debian's chromium package; the tests never download a browser. */
const chromiumPath = '/usr/bin/chromium';

// Without the networking flags chromium keeps trying hosts this closed network refuses.
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Options for `chromium.launchPersistentContext(freshProfileDir, …)` in every browser test:
 * headless Debian chromium at the given viewport size in CSS pixels.
 */
export function chromiumOptions(viewport: { width: number; height: number }) {
  return { executablePath: chromiumPath, headless: true, args: chromiumArgs, viewport };
}
