import * as tf from '@tensorflow/tfjs-core';

// Loading a model's files from the site: one origin rule and one way to fetch, for every featurizer whose model the
// site hosts (the image feature extractor, the text encoder), so the rule cannot drift between them.

/** An HTTP or network failure, kept apart so loaders do not rephrase it as a model error. */
export class FetchError extends Error {}

/** A URL the origin rule refuses; a plain TypeError to the caller (and across Comlink, which keeps the name). */
export class OriginError extends TypeError {}

/** What a site model is called in messages: "the feature extractor …", "Feature extractors must be hosted …". */
export interface ModelNoun {
  one: string;
  many: string;
}

export const FEATURE_EXTRACTOR: ModelNoun = { one: 'feature extractor', many: 'Feature extractors' };

/** The files of a site model: model.json, its weight files, and whatever else it needs (a vocabulary, a metadata.json). */
export type SiteFile = 'model' | 'weights' | 'vocabulary' | 'metadata';

export interface OriginPolicy {
  /** Throws a TypeError unless `target` may be loaded; `asGiven` is the caller's spelling, for the message. */
  check(target: URL, what: SiteFile, asGiven: string): void;
}

/**
 * Same-origin files, plus the origins `allowed` lists. `'data:'` and `'blob:'` allow those URL schemes, which are
 * refused otherwise: their content is not something the site hosts. Throws a TypeError for an entry that is not an
 * origin.
 */
export function originPolicy(allowed: readonly string[], noun: ModelNoun = FEATURE_EXTRACTOR): OriginPolicy {
  const schemes = new Set<string>();
  const origins = new Set<string>();
  for (const entry of allowed) {
    if (entry === 'data:' || entry === 'blob:') {
      schemes.add(entry);
      continue;
    }
    let origin = 'null';
    try {
      origin = new URL(entry).origin;
    } catch {
      // Reported below with the accepted spellings.
    }
    if (origin === 'null') {
      throw new TypeError(
        `allowedOrigins entry ${JSON.stringify(entry)} is not an origin: write one like 'https://models.example.com', or 'data:' / 'blob:'.`,
      );
    }
    origins.add(origin);
  }
  const own = globalThis.location?.origin;
  return {
    check(target, what, asGiven) {
      const shown = short(target.href);
      const subject = what === 'model' ? `the ${noun.one} ${shown}` : `${what} ${shown} of the ${noun.one}`;
      if (target.protocol === 'data:' || target.protocol === 'blob:') {
        if (schemes.has(target.protocol)) return;
        throw new OriginError(
          `Refusing to load ${subject}: ${target.protocol} URLs are refused because their content is not hosted by this site. ` +
            `To allow them anyway, pass allowedOrigins: ['${target.protocol}'].`,
        );
      }
      if (target.protocol !== 'https:' && target.protocol !== 'http:') {
        throw new OriginError(`Refusing to load ${subject}: only http(s) URLs can be fetched (got ${short(asGiven)}).`);
      }
      if (target.origin === own || origins.has(target.origin)) return;
      throw new OriginError(
        `Refusing to load ${subject}: its origin ${target.origin} is not this site's (${own ?? 'unknown'}). ${noun.many} ` +
          `must be hosted on the same origin unless listed explicitly: allowedOrigins: ['${target.origin}'] (the server must also send CORS headers).`,
      );
    },
  };
}

/** `url` resolved against `baseUrl`, by default this worker's location; a TypeError naming it when it is no URL. */
export function resolveUrl(url: string, baseUrl: string | undefined, noun: ModelNoun = FEATURE_EXTRACTOR): URL {
  const base = baseUrl ?? globalThis.location?.href;
  try {
    return new URL(url, base);
  } catch (error) {
    throw new TypeError(`The ${noun.one} URL ${JSON.stringify(short(url))} is not a valid URL${base ? ` (relative to ${base})` : ''}.`, {
      cause: error,
    });
  }
}

/** `label` names the file in messages, e.g. "The feature extractor https://…/model.json". */
export async function fetchChecked(target: URL, what: SiteFile, label: string, policy: OriginPolicy): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(target.href, { credentials: 'same-origin' });
  } catch (error) {
    throw new FetchError(`${label} could not be fetched (network error, or CORS refused it): ${message(error)}`, { cause: error });
  }
  if (!response.ok) throw new FetchError(`${label} could not be loaded: HTTP ${`${response.status} ${response.statusText}`.trim()}.`);
  // A same-origin URL may redirect elsewhere; where the bytes finally come from is what the rule is about.
  if (response.url && response.url !== target.href) policy.check(new URL(response.url), what, response.url);
  return response;
}

/**
 * A JSON file of the site model, parsed; `label` names it and `expected` says what it should be ("a TensorFlow.js
 * model.json"). Rejects with a FetchError that says so when it is not JSON.
 */
export async function fetchJson(target: URL, what: SiteFile, label: string, expected: string, policy: OriginPolicy): Promise<unknown> {
  const response = await fetchChecked(target, what, label, policy);
  const text = await response.text();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Single-page-app servers answer unknown paths with index.html and status 200: say so, it is the usual cause.
    const html = /^\s*</.test(text) ? ' It is HTML, which servers often send for a path that does not exist.' : '';
    throw new FetchError(`${label} is not JSON, so not ${expected}.${html}`);
  }
}

export async function fetchModelJson(target: URL, policy: OriginPolicy, noun: ModelNoun = FEATURE_EXTRACTOR): Promise<tf.io.ModelJSON> {
  const label = `The ${noun.one} ${short(target.href)}`;
  return (await fetchJson(target, 'model', label, 'a TensorFlow.js model.json', policy)) as tf.io.ModelJSON;
}

/** Decides the loader from the file itself, never from the URL: both kinds are called model.json. */
export function modelKind(json: unknown, url: string, noun: ModelNoun = FEATURE_EXTRACTOR): 'layers' | 'graph' {
  const notModel = (why: string) =>
    new Error(
      `The ${noun.one} ${short(url)} is not a TensorFlow.js model (${why}). Expected the model.json that tfjs-converter or tfjs-layers' model.save() writes.`,
    );
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw notModel('model.json is not a JSON object');
  const { format, modelTopology, weightsManifest } = json as Record<string, unknown>;
  if (typeof modelTopology !== 'object' || modelTopology === null) throw notModel('it has no modelTopology');
  if (!Array.isArray(weightsManifest)) throw notModel('it has no weightsManifest');
  if (format === 'layers-model') return 'layers';
  if (format === 'graph-model') return 'graph';
  if (format !== undefined) throw notModel(`its format is ${JSON.stringify(format)}, neither "layers-model" nor "graph-model"`);
  // Files from older converters carry no format: a GraphDef lists nodes, a Keras topology names its class.
  const topology = modelTopology as Record<string, unknown>;
  if (Array.isArray(topology['node'])) return 'graph';
  if ('class_name' in topology || 'model_config' in topology) return 'layers';
  throw notModel('its modelTopology is neither a Keras model nor a GraphDef');
}

/** The weight files' URLs, by tf.io.http's rule: paths are relative to model.json's folder and keep its query string. */
export function weightUrls(manifest: tf.io.WeightsManifestConfig, modelUrl: URL): URL[] {
  const href = modelUrl.href;
  const lastSlash = href.lastIndexOf('/');
  const lastQuery = href.lastIndexOf('?');
  const prefix = href.slice(0, lastSlash + 1);
  const suffix = lastQuery > lastSlash ? href.slice(lastQuery) : '';
  return manifest.flatMap((group) => group.paths.map((path) => new URL(prefix + path + suffix)));
}

/** tfjs's own HTTP loader, plus the origin rule and an HTTP status check (tfjs reads a 404 page as weights). */
export async function fetchWeights(
  manifest: tf.io.WeightsManifestConfig,
  modelUrl: URL,
  policy: OriginPolicy,
  noun: ModelNoun = FEATURE_EXTRACTOR,
): Promise<[tf.io.WeightsManifestEntry[], ArrayBuffer[]]> {
  const urls = weightUrls(manifest, modelUrl);
  for (const target of urls) policy.check(target, 'weights', target.href);
  const buffers = await Promise.all(
    urls.map(async (target) => {
      const response = await fetchChecked(target, 'weights', `Weights file ${short(target.href)} of the ${noun.one} ${short(modelUrl.href)}`, policy);
      return response.arrayBuffer();
    }),
  );
  return [tf.io.getWeightSpecs(manifest), buffers];
}

export function short(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
