// The API does not say whether the demo is loaded (loading twice is harmless: it runs once),
// so this browser remembers that it asked, at setup or here.
const DEMO_KEY = 'onehour.demoLoaded';
export function demoRemembered(): boolean {
  try {
    return localStorage.getItem(DEMO_KEY) === '1';
  } catch {
    return false;
  }
}
export function rememberDemo(): void {
  try {
    localStorage.setItem(DEMO_KEY, '1');
  } catch {
    // private mode: the checklist just offers the button again
  }
}
