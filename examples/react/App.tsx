import { Suspense, useState } from 'react';
// In an application: import { HitlClassifier, HitlReviewQueue } from 'hitl-classifier/react';
import { HitlClassifier, HitlReviewQueue } from '../../src/react/index.js';

const LABELS = ['billing', 'bug', 'feature'];

export interface AppProps {
  /** The model every tag on the page shares. */
  model: string;
  tickets: string[];
  /** `memory` for previews and tests; `indexeddb` (the default) keeps what people teach it. */
  storage?: 'indexeddb' | 'memory';
}

/** A support inbox: each ticket gets a tag, and the app keeps the last decision a person made. */
export function App({ model, tickets, storage = 'indexeddb' }: AppProps) {
  const [last, setLast] = useState<string | null>(null);
  const [queueOpen, setQueueOpen] = useState(false);
  return (
    <main>
      <h1>Inbox</h1>
      <ul>
        {tickets.map((ticket) => (
          <li key={ticket}>
            <HitlClassifier
              model={model}
              labels={LABELS}
              storage={storage}
              annotator="react-user"
              strings={{ noModel: 'No model yet: teach it with a label' }}
              onLabel={(event) => setLast(`${event.label} (${event.action})`)}
            >
              {ticket}
            </HitlClassifier>
          </li>
        ))}
      </ul>
      <p role="status">{last === null ? 'No decision yet' : `Last decision: ${last}`}</p>
      <button type="button" onClick={() => setQueueOpen(true)}>
        Review the queue
      </button>
      {queueOpen && (
        <Suspense fallback={<p>Loading the review queue…</p>}>
          <HitlReviewQueue model={model} labels={LABELS} storage={storage} strings={{ skip: 'Later' }} />
        </Suspense>
      )}
    </main>
  );
}
