// The rule of a passphrase being chosen (a backup's, a vault's new one), checked as it is typed:
// at least 8 characters, as the vault requires of its own (a restore makes a backup's passphrase
// the vault's), and the same twice.

export const MIN_PASSPHRASE = 8;

export const PASSPHRASE_RULE = `At least ${MIN_PASSPHRASE} characters.`;

/** What is wrong with a new passphrase, or ''. */
export function lengthProblem(passphrase: string): string {
  if (passphrase === '') return 'Enter a passphrase.';
  const n = [...passphrase].length;
  if (n < MIN_PASSPHRASE) {
    const more = MIN_PASSPHRASE - n;
    return `Too short: ${more} more ${more === 1 ? 'character' : 'characters'}, at least ${MIN_PASSPHRASE} in all.`;
  }
  return '';
}

/** What is wrong with the confirmation, or ''. */
export function confirmProblem(passphrase: string, confirm: string): string {
  if (confirm === '') return 'Type the passphrase again.';
  return confirm === passphrase ? '' : 'The two passphrases do not match.';
}

/**
 * What to show beside a new passphrase and its confirmation as the user types: the length once
 * the first field was left (or a submit was tried), a mismatch once the confirmation is as long
 * as the passphrase or was left.
 */
export function shownProblems(
  passphrase: string,
  confirm: string,
  seen: { passphrase: boolean; confirm: boolean; submitted: boolean },
): { passphrase: string; confirm: string } {
  const p = lengthProblem(passphrase);
  const showP = seen.submitted || (seen.passphrase && passphrase !== '');
  const c = confirmProblem(passphrase, confirm);
  const showC =
    seen.submitted ||
    (confirm !== '' && (seen.confirm || [...confirm].length >= [...passphrase].length));
  return { passphrase: showP ? p : '', confirm: showC && p === '' ? c : '' };
}
