import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { Ranker } from '../../ranker.js';
import type { RankerStats } from '../../protocol.js';
import { format, percent } from '../shared/strings.js';

/** What `<hitl-model-panel>` shows for a ranker (`.ranker`); `{…}` are placeholders. */
export interface RankerFigureStrings {
  panelLabel: string;
  loading: string;
  comparisons: string;
  ties: string;
  items: string;
  version: string;
  agreement: string;
  /** `{agreement}` held-out agreement, `{count}` the comparisons it was measured on. */
  agreementValue: string;
  calibration: string;
  intransitive: string;
  /** `{share}` of `{triples}` triples. */
  intransitiveValue: string;
  tieParameter: string;
  notYet: string;
}

export const RANKER_FIGURE_STRINGS: RankerFigureStrings = {
  panelLabel: 'Ranker {model}',
  loading: 'Loading the ranker…',
  comparisons: 'Comparisons',
  ties: 'Ties',
  items: 'Items compared',
  version: 'Model version',
  agreement: 'Held-out agreement',
  agreementValue: '{agreement} of {count}',
  calibration: 'Calibration error (ECE)',
  intransitive: 'Intransitive triples',
  intransitiveValue: '{share} of {triples}',
  tieParameter: 'Tie parameter ν',
  notYet: 'after a training with 10 comparisons',
};

type Host = ReactiveControllerHost & { ranker: Ranker | null };

/**
 * The panel's figures of a ranker (createRanker) instead of a classifier's: its stats, read again on each change of
 * the ranker. Holds no handle of its own: the page passes the ranker it opened.
 */
export class RankerFigures implements ReactiveController {
  private watched: Ranker | null = null;
  private stats: RankerStats | null = null;
  private asked = 0;

  constructor(private readonly host: Host) {
    host.addController(this);
  }

  private readonly onChange = (): void => void this.refresh();

  hostUpdate(): void {
    if (this.host.ranker === this.watched) return;
    this.watched?.removeEventListener('change', this.onChange);
    this.watched = this.host.ranker;
    this.stats = null;
    this.watched?.addEventListener('change', this.onChange);
    void this.refresh();
  }

  hostDisconnected(): void {
    this.watched?.removeEventListener('change', this.onChange);
    this.watched = null;
  }

  async refresh(): Promise<void> {
    const ranker = this.watched;
    if (!ranker || ranker.closed) return;
    const ticket = ++this.asked;
    try {
      const stats = await ranker.stats();
      if (ticket !== this.asked) return;
      this.stats = stats;
    } catch {
      // A closed or restarting ranker: the next change reads again.
      return;
    }
    this.host.requestUpdate();
  }

  render(t: RankerFigureStrings = RANKER_FIGURE_STRINGS): TemplateResult {
    const { stats, watched } = this;
    const label = format(t.panelLabel, { model: watched?.name ?? '' });
    if (!stats)
      return html`<section part="base" class="base" aria-label=${label}><p part="message" class="message" role="status">${t.loading}</p></section>`;
    const row = (term: string, value: string, key: string) => html`<div><dt>${term}</dt><dd data-stat=${key}>${value}</dd></div>`;
    return html`<section part="base" class="base" aria-label=${label}>
      <dl part="summary" class="summary">
        ${row(t.comparisons, String(stats.comparisons), 'comparisons')} ${row(t.ties, String(stats.ties), 'ties')}
        ${row(t.items, String(stats.items), 'items')} ${row(t.version, String(stats.modelVersion), 'version')}
        ${row(
          t.agreement,
          stats.heldOutAgreement === null
            ? t.notYet
            : format(t.agreementValue, { agreement: percent.format(stats.heldOutAgreement), count: stats.heldOut }),
          'agreement',
        )}
        ${row(t.calibration, stats.ece === null ? t.notYet : stats.ece.toFixed(3), 'ece')}
        ${
          stats.intransitiveShare === null
            ? nothing
            : row(
                t.intransitive,
                format(t.intransitiveValue, { share: percent.format(stats.intransitiveShare), triples: stats.triples }),
                'intransitive',
              )
        }
        ${row(t.tieParameter, stats.tieParameter.toFixed(3), 'tie')}
      </dl>
    </section>`;
  }
}
