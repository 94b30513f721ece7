// Compile-only test of the public API (`npm run typecheck` compiles it; nothing runs): what a user of the package
// writes must type-check, and misuse must not (each `@ts-expect-error` fails the build when the line compiles).
import {
  EngineCrashedError,
  HITL_CLASSIFIER_STRINGS,
  HitlClassifier,
  HitlDriftEvent,
  HitlErrorEvent,
  HitlLabelEvent,
  HitlPredictionEvent,
  HitlUndoEvent,
  createClassifier,
  defineHitlTools,
  type Classifier,
  type DecisionAction,
  type HitlErrorPhase,
  type ClassifierChangeEvent,
  type Explanation,
  type HitlClassifierState,
  type HitlClassifierStrings,
  type HitlModelPanel,
  type HitlModelPanelStrings,
  type HitlReviewQueue,
  type HitlReviewQueueStrings,
  type Prediction,
  type QueueItem,
  type Stats,
  type SuspiciousLabel,
  type LabelResult,
  type AgreementConflict,
  type ImportResult,
} from '../../src/index.js';

type IsExact<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the test
function assert<T extends true>(): void {}

export async function api(): Promise<void> {
  const clf = await createClassifier({ name: 'tickets', labels: ['billing', 'bug'], threshold: 0.8, backend: 'auto', storage: 'memory' });
  assert<IsExact<typeof clf, Classifier>>();

  const prediction = await clf.predict('My invoice is wrong', { shown: true });
  assert<IsExact<typeof prediction, Prediction>>();
  assert<IsExact<typeof prediction.label, string | null>>();
  assert<IsExact<typeof prediction.scores, Record<string, number>>>();

  const result = await clf.label('My invoice is wrong', 'billing', { predictionId: prediction.id, annotator: 'ana', action: 'accept' });
  const id: string = result.decisionId;
  await clf.undo(id);
  const stats: Stats = await clf.stats();
  const examples: number = stats.examples;
  const items: QueueItem[] = await clf.queue({ limit: 5 });
  const trained = await clf.train({ fromZeros: true });
  const start: 'zeros' | 'warm' | 'shipped' = trained.start;
  void start;
  // @ts-expect-error fromZeros is a boolean
  await clf.train({ fromZeros: 'yes' });
  void [examples, items];
  const why = await clf.explain('My invoice is wrong', { label: 'billing', k: 3 });
  assert<IsExact<typeof why, Explanation>>();
  assert<IsExact<typeof why.method, 'linear' | 'occlusion'>>();
  const firstSpan: number | undefined = why.spans?.[0]?.contribution;
  void firstSpan;
  // @ts-expect-error k is a number
  await clf.explain('x', { k: '3' });
  const doubted = await clf.suspiciousLabels({ limit: 10 });
  assert<IsExact<typeof doubted, SuspiciousLabel[]>>();
  assert<IsExact<(typeof doubted)[number]['annotator'], string | null>>();
  const secondLook: LabelResult = await clf.reviewLabel(doubted[0]!.id, doubted[0]!.suggested, { annotator: 'bo' });
  void secondLook;
  const perLabelOutOfFold: number | null | undefined = stats.outOfFold?.perClass[0]?.f1;
  void perLabelOutOfFold;
  // @ts-expect-error a second look names who decided, not an action: the action follows from the label
  await clf.reviewLabel('id', 'billing', { action: 'accept' });
  const people = await clf.agreement();
  const open: AgreementConflict[] = people.conflicts;
  const settledBy: string | undefined = people.settled[0]?.adjudication.annotator;
  const adjudicated: LabelResult = await clf.adjudicate(open[0]!.inputHash, 'billing', { annotator: 'cy' });
  const adjudicate: DecisionAction = 'adjudicate';
  void [settledBy, adjudicated, adjudicate];
  // @ts-expect-error an adjudication's action is always 'adjudicate'
  await clf.adjudicate('id', 'billing', { action: 'correct' });
  const merged: ImportResult = await clf.import(new Blob([]));
  const overlapKappa: number | null | undefined = merged.agreement.pairs[0]?.kappa;
  const overlap: number = merged.overlap;
  void [overlapKappa, overlap];

  const plants = await createClassifier({ name: 'plants', input: 'image', teachableMachine: '/models/tm/' });
  const exported: string | undefined = plants.teachableMachine?.url;
  void exported;
  await createClassifier({ name: 'cut', labels: ['a', 'b'], input: 'image', featureExtractor: { url: '/m/model.json', layer: 'pool' } });
  // @ts-expect-error teachableMachine is a URL or { url, allowedOrigins }
  await createClassifier({ name: 'plants', input: 'image', teachableMachine: { folder: '/models/tm/' } });

  // @ts-expect-error labels are strings
  await createClassifier({ name: 'tickets', labels: [1, 2] });
  // @ts-expect-error there is no such backend
  await createClassifier({ name: 'tickets', labels: ['a', 'b'], backend: 'tpu' });
  // @ts-expect-error there is no such storage
  await createClassifier({ name: 'tickets', labels: ['a', 'b'], storage: 'localStorage' });
  // @ts-expect-error a decision is accept, correct or reject
  await clf.label('x', 'billing', { action: 'maybe' });
  // @ts-expect-error predict takes one input, not a list (predictBatch does)
  await clf.predictBatch('one text');
  const action: DecisionAction = 'reject';
  void action;
}

export function elements(): void {
  // Tag names map to the element classes, so querySelector and createElement are typed.
  const tag = document.createElement('hitl-classifier');
  assert<IsExact<typeof tag, HitlClassifier>>();
  const queue = document.querySelector('hitl-review-queue');
  assert<IsExact<typeof queue, HitlReviewQueue | null>>();
  const panel = document.createElement('hitl-model-panel');
  assert<IsExact<typeof panel, HitlModelPanel>>();

  tag.model = 'tickets';
  tag.labels = ['billing', 'bug'];
  tag.mode = 'review';
  tag.threshold = 0.9;
  const state: HitlClassifierState = tag.state;
  const value: string | null = tag.value;
  void [state, value];
  // @ts-expect-error labels is a list
  tag.labels = 'billing,bug';
  // @ts-expect-error no such mode
  tag.mode = 'loud';
  // @ts-expect-error prediction is read-only
  tag.prediction = null;
  // @ts-expect-error state is read-only
  tag.state = 'labelled';

  // Strings: any subset, typed by key; unknown keys and non-strings are errors.
  tag.strings = { accept: 'Annehmen', question: '{label}?' };
  queue!.strings = { skip: 'Überspringen', waiting: 'Warte auf {model}' };
  panel.strings = { trainNow: 'Jetzt trainieren' };
  // @ts-expect-error not a key of HitlClassifierStrings
  tag.strings = { acept: 'Annehmen' };
  // @ts-expect-error strings are strings
  panel.strings = { trainNow: 1 };
  const defaults: Readonly<HitlClassifierStrings> = HITL_CLASSIFIER_STRINGS;
  // @ts-expect-error the defaults are frozen
  HITL_CLASSIFIER_STRINGS.accept = 'x';
  const q: Partial<HitlReviewQueueStrings> = { empty: '' };
  const p: Partial<HitlModelPanelStrings> = { cancel: '' };
  void [defaults, q, p];
}

export function events(element: HTMLElement): void {
  // The element events are in HTMLElementEventMap: listeners get the event class without a cast.
  element.addEventListener('hitl-label', (event) => {
    assert<IsExact<typeof event, HitlLabelEvent>>();
    const label: string = event.label;
    const action: DecisionAction = event.action;
    void [label, action];
    // @ts-expect-error a label event has no confidence of its own (it is in event.prediction)
    void event.confidence;
  });
  element.addEventListener('hitl-prediction', (event) => {
    assert<IsExact<typeof event, HitlPredictionEvent>>();
    const confidence: number = event.prediction.confidence;
    void confidence;
  });
  element.addEventListener('hitl-undo', (event) => {
    assert<IsExact<typeof event, HitlUndoEvent>>();
    const restored: string | null = event.restoredLabel;
    void restored;
  });
  element.addEventListener('hitl-drift', (event) => {
    assert<IsExact<typeof event, HitlDriftEvent>>();
    const reasons: readonly string[] = event.detail.reasons;
    void reasons;
  });
  element.addEventListener('hitl-error', (event) => {
    assert<IsExact<typeof event, HitlErrorEvent>>();
    const phase: HitlErrorPhase = event.phase;
    const what: string = `${event.error.name}: ${event.error.message}`;
    void [phase, what];
    // @ts-expect-error the phase is one of six names
    const wrong: 'render' = event.phase;
    void wrong;
  });
}

export function classifierEvents(clf: Classifier): void {
  // A classifier's change listener gets the change without a cast, and can be removed the same way.
  const listener = (event: ClassifierChangeEvent) => void event.change.type;
  clf.addEventListener('change', (e) => {
    assert<IsExact<typeof e, ClassifierChangeEvent>>();
    const type: string = e.change.type;
    void type;
  });
  clf.addEventListener('change', listener);
  clf.removeEventListener('change', listener);
  // Any other type still takes a plain listener.
  clf.addEventListener('other', (e) => void e.type);
}

export async function tools(): Promise<void> {
  const { HitlReviewQueue: Queue, HitlModelPanel: Panel } = await defineHitlTools();
  const queue = new Queue();
  const panel = new Panel();
  queue.model = panel.model = 'tickets';
  assert<IsExact<typeof queue, HitlReviewQueue>>();
  assert<IsExact<typeof panel, HitlModelPanel>>();
}

export async function crashes(clf: Classifier): Promise<void> {
  // A dead or hung worker rejects pending calls with EngineCrashedError, which callers can test for.
  try {
    await clf.predict('My invoice is wrong');
  } catch (error) {
    if (error instanceof EngineCrashedError) {
      assert<IsExact<typeof error, EngineCrashedError>>();
      const reason: Error = error;
      void reason;
    }
  }
}
