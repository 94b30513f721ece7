/**
 * `<hitl-review-queue>` and `<hitl-model-panel>` are for the people overseeing a model, and `<hitl-compare>` for
 * rankers, not for every page that shows tags: their code (about 8 KB gzip, and the ranker's) loads the first time one
 * of them is in the document, so a page with only `<hitl-classifier>` tags keeps within the main-thread budget. Elements inside another component's shadow root are
 * not seen: such apps call `defineHitlTools()` (or import the element modules) themselves.
 */
const TOOLS = {
  'hitl-review-queue': () => import('./hitl-review-queue/hitl-review-queue.js'),
  'hitl-model-panel': () => import('./hitl-model-panel/hitl-model-panel.js'),
  'hitl-compare': () => import('./hitl-compare/hitl-compare.js'),
} as const;

type Tag = keyof typeof TOOLS;
const SELECTOR = Object.keys(TOOLS).join(', ');
const loading = new Map<Tag, Promise<unknown>>();
let observer: MutationObserver | null = null;

function load(tag: Tag): Promise<unknown> {
  let pending = loading.get(tag);
  if (!pending) {
    pending = TOOLS[tag]();
    loading.set(tag, pending);
    // A failed load (a network hiccup serving the chunk) may be retried by the next use.
    pending.catch(() => loading.delete(tag));
    if (loading.size === Object.keys(TOOLS).length) {
      observer?.disconnect();
      observer = null;
    }
  }
  return pending;
}

function scan(root: ParentNode & Node): void {
  if (root instanceof Element && root.matches(SELECTOR)) void load(root.localName as Tag);
  for (const element of root.querySelectorAll(SELECTOR)) void load(element.localName as Tag);
}

type Queue = typeof import('./hitl-review-queue/hitl-review-queue.js');
type Panel = typeof import('./hitl-model-panel/hitl-model-panel.js');
type Compare = typeof import('./hitl-compare/hitl-compare.js');

/**
 * Defines the tool elements now; resolves with their classes once defined, and their default strings (the values
 * `strings` overrides), which stay out of the entry with the elements.
 */
export async function defineHitlTools(): Promise<{
  HitlReviewQueue: Queue['HitlReviewQueue'];
  HitlModelPanel: Panel['HitlModelPanel'];
  HitlCompare: Compare['HitlCompare'];
  HITL_REVIEW_QUEUE_STRINGS: Queue['HITL_REVIEW_QUEUE_STRINGS'];
  HITL_MODEL_PANEL_STRINGS: Panel['HITL_MODEL_PANEL_STRINGS'];
  HITL_COMPARE_STRINGS: Compare['HITL_COMPARE_STRINGS'];
}> {
  const [queue, panel, compare] = (await Promise.all([load('hitl-review-queue'), load('hitl-model-panel'), load('hitl-compare')])) as [
    Queue,
    Panel,
    Compare,
  ];
  return {
    HitlReviewQueue: queue.HitlReviewQueue,
    HitlModelPanel: panel.HitlModelPanel,
    HitlCompare: compare.HitlCompare,
    HITL_REVIEW_QUEUE_STRINGS: queue.HITL_REVIEW_QUEUE_STRINGS,
    HITL_MODEL_PANEL_STRINGS: panel.HITL_MODEL_PANEL_STRINGS,
    HITL_COMPARE_STRINGS: compare.HITL_COMPARE_STRINGS,
  };
}

/** Loads each tool element when it first appears in the document. Idempotent. */
export function defineToolsOnDemand(): void {
  if (typeof document === 'undefined' || observer) return;
  scan(document);
  if (loading.size === Object.keys(TOOLS).length) return;
  observer = new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) if (node instanceof Element) scan(node);
    }
  });
  observer.observe(document, { childList: true, subtree: true });
}
