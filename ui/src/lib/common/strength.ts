// Passphrase strength, from zxcvbn-ts with its common and English dictionaries (about a megabyte,
// so a chunk of its own): loaded once the first screen has painted, never before it, so the
// unlock and setup screens paint at once and the meter appears a moment later.

export interface Strength {
  /** 0 (guessable in seconds) to 4 (very strong). */
  score: 0 | 1 | 2 | 3 | 4;
  /** The estimator's advice, in English, or ''. */
  warning: string;
  suggestions: string[];
}

type Check = (passphrase: string) => Strength;

let loading: Promise<Check> | null = null;

async function load(): Promise<Check> {
  const [{ ZxcvbnFactory }, common, en] = await Promise.all([
    import('@zxcvbn-ts/core'),
    import('@zxcvbn-ts/language-common'),
    import('@zxcvbn-ts/language-en'),
  ]);
  const zxcvbn = new ZxcvbnFactory({
    translations: en.translations,
    graphs: common.adjacencyGraphs,
    dictionary: { ...common.dictionary, ...en.dictionary },
  });
  return (passphrase) => {
    // Long inputs cost the estimator quadratic time; 100 characters decide every score.
    const r = zxcvbn.check(passphrase.slice(0, 100));
    return {
      score: r.score,
      warning: r.feedback.warning ?? '',
      suggestions: r.feedback.suggestions ?? [],
    };
  };
}

function afterFirstPaint(): Promise<void> {
  return new Promise((resolve) => {
    const raf = globalThis.requestAnimationFrame ?? ((f: () => void) => setTimeout(f, 0));
    // Two frames: the first runs before the paint, the second after it.
    raf(() => raf(() => setTimeout(resolve, 0)));
  });
}

/** The estimator, loaded after the first paint (once; later calls share the load). */
export function strengthChecker(): Promise<Check> {
  loading ??= afterFirstPaint().then(load);
  return loading;
}

export const STRENGTH_WORDS = ['Very weak', 'Weak', 'Fair', 'Strong', 'Very strong'] as const;
