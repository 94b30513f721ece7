// The paraphrase task of the learning benchmark: short requests to an assistant, one class per intent, where every
// test sentence says what training sentences say, in other words. Each intent has sentence frames with slots, and
// every frame list and slot list comes in two disjoint halves: training sentences are built from the first half
// only, test sentences from the second only. So a test sentence shares its meaning (the intent, and slot values of
// the same kind) with training ones, but its content words and its sentence shape are new; what it shares are
// function words (I, my, the, to, at …) and a few generic words that several intents use alike (today, tomorrow).
// Every sentence is one a person labels at a glance: the intents are far apart (weather, an alarm, music, a table
// at a restaurant, sending money, a lost card, directions, a translation) and every phrase means what its intent
// needs. Pure JavaScript and seeded, so the same seed gives the same sentences on every machine; no package data.

import { seededRandom } from '../../scripts/seeded-random.mjs';

/**
 * Per intent: `frames` [train, test] with `{slot}` placeholders, and `slots` { name: [train, test] }.
 * Openers and closers are shared by all intents, also split in two.
 */
export const INTENTS = {
  weather: {
    frames: [
      ['what is the {report} {when} {where}', 'tell me the {report} for {when} {where}', 'will it {sky} {when} {where}'],
      ["I'd like to know the {report} {where} {when}", 'how does the {report} look {where} {when}', 'should I expect {sky} {where} {when}'],
    ],
    slots: {
      report: [
        ['weather', 'forecast', 'weather report'],
        ['outlook', 'temperature', 'conditions outside'],
      ],
      sky: [
        ['rain', 'snow', 'be sunny'],
        ['showers', 'a storm', 'clear skies'],
      ],
      when: [
        ['today', 'tomorrow', 'this evening', 'tonight'],
        ['later on', 'over the weekend', 'on friday', 'next week'],
      ],
      where: [
        ['in paris', 'in london', 'here', 'in berlin'],
        ['around rome', 'near tokyo', 'where I live', 'around madrid'],
      ],
    },
  },
  alarm: {
    frames: [
      ['set an alarm for {time} {day}', 'wake me up at {time} {day}', 'I need an alarm at {time} {day}'],
      ["make sure I'm awake by {time} {day}", 'I must get out of bed at {time} {day}', "buzz me at {time} {day} so I don't oversleep"],
    ],
    slots: {
      time: [
        ['6 am', 'seven', '7:30', 'half past six'],
        ['five thirty', 'quarter to eight', "8 o'clock", 'dawn'],
      ],
      day: [
        ['tomorrow', 'on monday', 'every weekday', ''],
        ['on saturday', 'the day after', 'each morning', ''],
      ],
    },
  },
  music: {
    frames: [
      ['play some {genre}', 'put on {song} by {artist}', 'I want to listen to {genre}', 'play {song}'],
      ['could you blast some {genre}', 'start the track {song} from {artist}', 'queue up {genre} tunes', "I'm in the mood for {artist}"],
    ],
    slots: {
      genre: [
        ['jazz', 'rock music', 'classical music', 'hip hop'],
        ['blues', 'country', 'reggae', 'heavy metal'],
      ],
      song: [
        ['let it be', 'bohemian rhapsody', 'rolling in the deep'],
        ['like a prayer', 'yellow', 'hound dog'],
      ],
      artist: [
        ['adele', 'the beatles', 'queen', 'abba'],
        ['madonna', 'coldplay', 'elvis', 'nirvana'],
      ],
    },
  },
  restaurant: {
    frames: [
      [
        'book a table for {people} at {place} {time}',
        'reserve a table at {place} for {people} {time}',
        'I want a dinner reservation for {people} at {place}',
      ],
      [
        'can you get {people} of us seats at {place} {time}',
        'we are {people} and would like to eat at {place} {time}',
        'hold {people} seats at {place} {time}',
      ],
    ],
    slots: {
      people: [
        ['two', 'four', 'six'],
        ['three', 'five', 'eight'],
      ],
      place: [
        ["luigi's", 'the sushi bar', 'an italian restaurant'],
        ['a thai place', 'the steakhouse', 'chez marie'],
      ],
      time: [
        ['tonight', 'at 8 pm', 'for friday'],
        ['this saturday evening', 'at seven thirty', 'for lunch tomorrow'],
      ],
    },
  },
  money: {
    frames: [
      ['send {amount} to {who}', "transfer {amount} to {who}'s account", 'pay {who} {amount}'],
      ['wire {who} {amount}', 'move {amount} over to {who}', 'I owe {who} {amount}, settle it'],
    ],
    slots: {
      amount: [
        ['50 dollars', '$20', '100 euros', 'ten pounds'],
        ['thirty bucks', '€75', '200 francs', 'a fiver'],
      ],
      who: [
        ['john', 'my mom', 'sarah', 'my landlord'],
        ['mike', 'my brother', 'emma', 'the plumber'],
      ],
    },
  },
  card: {
    frames: [
      ['I lost my {card} {when}', 'my {card} was stolen {when}', 'block my {card}', 'my {card} is missing'],
      ["I can't find my {card} anywhere", 'someone took my {card} {when}', 'freeze my {card} right away', 'my {card} has disappeared {when}'],
    ],
    slots: {
      when: [
        ['', 'yesterday', 'this morning'],
        ['', 'last night', 'on the bus'],
      ],
      card: [
        ['credit card', 'debit card', 'bank card', 'visa'],
        ['mastercard', 'amex', 'american express', 'maestro'],
      ],
    },
  },
  directions: {
    frames: [
      ['how do I get to {place} {mode}', 'show me the way to {place} {mode}', 'directions to {place}'],
      ["what's the route to {place} {mode}", 'guide me to {place} {mode}', 'which road leads to {place}', 'navigate to {place}'],
    ],
    slots: {
      mode: [
        ['', 'by car', 'on foot'],
        ['', 'by bus', 'walking'],
      ],
      place: [
        ['the airport', 'the train station', 'the museum', 'main street', 'the library'],
        ['the harbour', 'city hall', 'the stadium', 'the bus depot', 'the cathedral'],
      ],
    },
  },
  translate: {
    frames: [
      ['translate {phrase} into {language}', 'how do you say {phrase} in {language}', 'what is {phrase} in {language}'],
      ["what's the {language} for {phrase}", 'convert {phrase} to {language}', 'render {phrase} in {language}'],
    ],
    slots: {
      phrase: [
        ['thank you', 'good night', 'I love you', 'goodbye'],
        ['excuse me', 'see you soon', 'nice to meet you', 'happy birthday'],
      ],
      language: [
        ['french', 'spanish', 'german'],
        ['italian', 'japanese', 'portuguese', 'dutch'],
      ],
    },
  },
};

/** Said before and after a request; '' leaves it bare. */
const OPENERS = [
  ['', 'hi,', 'hello,'],
  ['', 'hey there,', 'sorry to bother you,'],
];
const CLOSERS = [
  ['', 'please', 'thanks'],
  ['', 'if you can', 'cheers'],
];

/**
 * Every sentence one half (0 train, 1 test) of an intent can make: each frame with each combination of its slots.
 * @param {string} intent
 * @param {0 | 1} half
 * @returns {string[]}
 */
export function allSentences(intent, half) {
  const spec = INTENTS[intent];
  if (!spec) throw new Error(`Unknown intent ${intent}: use one of ${Object.keys(INTENTS).join(', ')}.`);
  const out = new Set();
  for (const frame of spec.frames[half]) {
    let partial = [frame];
    for (const slot of frame.match(/\{\w+\}/g) ?? []) {
      const values = spec.slots[slot.slice(1, -1)]?.[half];
      if (!values) throw new Error(`Intent ${intent}: frame "${frame}" names ${slot}, which has no values.`);
      partial = partial.flatMap((text) => values.map((value) => text.replace(slot, value)));
    }
    for (const core of partial) {
      for (const opener of OPENERS[half]) {
        for (const closer of CLOSERS[half]) out.add(tidy(`${opener} ${core} ${closer}`));
      }
    }
  }
  return [...out].sort();
}

/**
 * @typedef {{ text: string, label: string }} Sentence
 * @typedef {{ labels: string[], train: Sentence[], test: Sentence[] }} ParaphraseTask
 */

/** Collapses the spaces an empty slot, opener or closer leaves. */
function tidy(text) {
  return text.replace(/\s+/g, ' ').replace(/ ,/g, ',').trim();
}

function shuffle(items, random) {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Lower-case words, apostrophes kept inside them.
 * @param {string} text
 * @returns {string[]}
 */
export function words(text) {
  return text.toLowerCase().match(/[\p{L}\p{N}$€:']+/gu) ?? [];
}

/**
 * The task: `perClass.train` and `perClass.test` distinct sentences of each intent (fewer when a half cannot make
 * that many), drawn with `seed`, each split in its own random order across intents.
 * @param {{ seed: number, perClass: { train: number, test: number } }} options
 * @returns {ParaphraseTask}
 */
export function paraphraseTask({ seed, perClass }) {
  const random = seededRandom(seed);
  const labels = Object.keys(INTENTS);
  const train = [];
  const test = [];
  for (const label of labels) {
    for (const text of shuffle(allSentences(label, 0), random).slice(0, perClass.train)) train.push({ text, label });
    for (const text of shuffle(allSentences(label, 1), random).slice(0, perClass.test)) test.push({ text, label });
  }
  return { labels, train: shuffle(train, random), test: shuffle(test, random) };
}

/**
 * The share of test words (tokens) that some training sentence of the same intent also uses.
 * @param {ParaphraseTask} task
 */
export function sharedWordShare(task) {
  const seen = new Map(task.labels.map((label) => [label, new Set()]));
  for (const { text, label } of task.train) for (const word of words(text)) seen.get(label).add(word);
  let shared = 0;
  let total = 0;
  for (const { text, label } of task.test) {
    for (const word of words(text)) {
      total += 1;
      if (seen.get(label).has(word)) shared += 1;
    }
  }
  return total === 0 ? 0 : shared / total;
}
