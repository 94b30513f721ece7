// The sites that test/e2e/pack.e2e.test.ts builds from the packed tarball, as their authors would write them.

/** A TypeScript app: the main entry's types (the public surface of issue 21) and the React components' props. */
export const TYPE_CHECK = `import {
  createClassifier,
  createRanker,
  defineHitlTools,
  EngineCrashedError,
  HitlLabelEvent,
  type ExportedModel,
  type FeatureExtractorSpec,
  type HitlClassifier,
  type HitlCompareEvent,
  type HitlReviewQueueStrings,
  type Prediction,
  type RankScore,
  type ReviewStrategy,
} from 'hitl-classifier';
import { HitlClassifier as Tag, HitlModelPanel } from 'hitl-classifier/react';

const tag: HitlClassifier = document.createElement('hitl-classifier');
tag.strings = { accept: 'Annehmen' };
tag.addEventListener('hitl-label', (event: HitlLabelEvent) => console.log(event.label));
document.createElement('hitl-compare').addEventListener('hitl-compare', (event: HitlCompareEvent) => console.log(event.outcome));
const strategy: ReviewStrategy = 'margin';
const extractor: FeatureExtractorSpec | undefined = undefined;
const queueStrings: Partial<HitlReviewQueueStrings> = { skip: 'Later' };
export async function go(): Promise<[Prediction, RankScore, ExportedModel, number[], string]> {
  const clf = await createClassifier({ name: 'x', labels: ['a', 'b'], featureExtractor: extractor });
  const ranker = await createRanker({ name: 'r', input: 'text' });
  const { HITL_MODEL_PANEL_STRINGS } = await defineHitlTools();
  const crashed = new EngineCrashedError('gone') instanceof Error;
  const picked = await clf.selectForReview(['a', 'b'], 1, { strategy });
  const words = HITL_MODEL_PANEL_STRINGS.waiting + String(crashed) + queueStrings.skip;
  return [await clf.predict('text'), await ranker.score('text'), await clf.exportModel(), picked, words];
}
// @ts-expect-error an unknown mode
tag.mode = 'loud';

export const app = (
  <>
    <Tag model="x" labels={['a', 'b']} strings={{ accept: 'Annehmen' }} onLabel={(event) => console.log(event.label.toUpperCase())} />
    <HitlModelPanel model="x" onDrift={(event) => console.log(event.detail)} />
    {/* @ts-expect-error labels is a list, not a string */}
    <Tag model="x" labels={42} />
  </>
);
`;

/** A Vite + Lit site: its own Lit element beside the package's. */
export const LIT_SITE = {
  'index.html': `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>a Lit site</title><link rel="icon" href="data:,"></head>
<body>
  <site-card></site-card>
  <hitl-classifier model="site-tag" labels="billing,bug" storage="memory">My invoice is wrong</hitl-classifier>
  <script type="module" src="./main.js"></script>
</body>
</html>`,
  'main.js': `import { LitElement, html } from 'lit';
import { HitlClassifier, createClassifier } from 'hitl-classifier';

class SiteCard extends LitElement {
  render() {
    return html\`<p>a card of the site</p>\`;
  }
}
customElements.define('site-card', SiteCard);

window.run = async () => {
  const clf = await createClassifier({ name: 'site-' + Date.now(), labels: ['billing', 'bug'], storage: 'memory', autoTrain: false });
  await clf.label('I was charged twice', 'billing');
  await clf.label('The app crashes when I save', 'bug');
  await clf.train();
  const prediction = await clf.predict('The app crashes when I save');
  await clf.close();
  await document.querySelector('site-card').updateComplete;
  return {
    defined: customElements.get('hitl-classifier') === HitlClassifier,
    sameLit: HitlClassifier.prototype instanceof LitElement,
    label: prediction.label,
    backend: clf.backend,
    siteCard: document.querySelector('site-card').shadowRoot.textContent.trim(),
  };
};
window.ready = true;
`,
};

/** A React site through hitl-classifier/react (createElement: no JSX transform to configure). */
export const REACT_SITE = {
  'react.html': `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>a React site</title><link rel="icon" href="data:,"></head>
<body>
  <div id="root"></div>
  <script type="module" src="./react-main.js"></script>
</body>
</html>`,
  'react-main.js': `import { Suspense, createElement as h, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { HitlClassifier, HitlModelPanel } from 'hitl-classifier/react';

function App() {
  const [last, setLast] = useState(null);
  return h(
    'main',
    null,
    h(HitlClassifier, { model: 'react-site', labels: ['billing', 'bug'], storage: 'memory', onLabel: (event) => setLast(event.label) }, 'The app crashes'),
    h('p', { id: 'last', role: 'status' }, last === null ? 'No decision yet' : 'Last decision: ' + last),
    h(Suspense, { fallback: null }, h(HitlModelPanel, { model: 'nobody', storage: 'memory', strings: { waiting: 'Modell {model} fehlt' } })),
  );
}
createRoot(document.getElementById('root')).render(h(App));
window.ready = true;
`,
};

/** A plain page: the standalone build straight from the package's dist/, no bundler, no import map. */
export const PLAIN_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>plain page</title><link rel="icon" href="data:,"></head>
<body>
  <hitl-classifier model="plain-tag" labels="billing,bug" storage="memory">My invoice is wrong</hitl-classifier>
  <script type="module">
    import { HitlClassifier, createClassifier } from '/vendor/hitl/hitl-classifier.standalone.js';
    window.run = async () => {
      const clf = await createClassifier({ name: 'plain-' + Date.now(), labels: ['billing', 'bug'], storage: 'memory', autoTrain: false });
      await clf.label('I was charged twice', 'billing');
      await clf.label('The app crashes when I save', 'bug');
      await clf.train();
      const prediction = await clf.predict('The app crashes when I save');
      await clf.close();
      return { defined: customElements.get('hitl-classifier') === HitlClassifier, label: prediction.label, backend: clf.backend };
    };
    window.ready = true;
  </script>
</body>
</html>`;
