// Light / dark / follow-the-system theme. The palette lives in app.css as custom properties;
// this only sets `data-theme` on <html> (no inline styles: the CSP forbids them).

export type ThemeMode = 'system' | 'light' | 'dark';

export const THEME_STORAGE_KEY = 'keyward.theme';

const ORDER: readonly ThemeMode[] = ['system', 'light', 'dark'];

export const THEME_LABELS: Record<ThemeMode, string> = {
  system: 'System',
  light: 'Light',
  dark: 'Dark',
};

function isMode(v: unknown): v is ThemeMode {
  return v === 'system' || v === 'light' || v === 'dark';
}

export function loadTheme(): ThemeMode {
  try {
    const v = localStorage.getItem(THEME_STORAGE_KEY);
    return isMode(v) ? v : 'system';
  } catch {
    return 'system';
  }
}

function saveTheme(mode: ThemeMode): void {
  try {
    if (mode === 'system') localStorage.removeItem(THEME_STORAGE_KEY);
    else localStorage.setItem(THEME_STORAGE_KEY, mode);
  } catch {
    // Storage may be unavailable; the choice then lasts for this session only.
  }
}

export function applyTheme(mode: ThemeMode): void {
  const root = document.documentElement;
  if (mode === 'system') delete root.dataset.theme;
  else root.dataset.theme = mode;
}

export function nextTheme(mode: ThemeMode): ThemeMode {
  return ORDER[(ORDER.indexOf(mode) + 1) % ORDER.length];
}

/** The current choice; shared by every theme toggle. */
export const theme = $state<{ mode: ThemeMode }>({ mode: 'system' });

/** Reads the stored choice and applies it (call before mounting to avoid a flash). */
export function initTheme(): ThemeMode {
  theme.mode = loadTheme();
  applyTheme(theme.mode);
  return theme.mode;
}

export function setTheme(mode: ThemeMode): void {
  theme.mode = mode;
  applyTheme(mode);
  saveTheme(mode);
}

export function cycleTheme(): ThemeMode {
  setTheme(nextTheme(theme.mode));
  return theme.mode;
}
