import { expect, test } from 'vitest';
import { createClassifier } from '../src/classifier.js';

test('smoke', async () => {
  const clf = await createClassifier({ name: `smoke-${crypto.randomUUID()}`, labels: ['a', 'b'], storage: 'memory', autoTrain: false });
  console.log('backend', clf.backend);
  const p0 = await clf.predict('hello world');
  expect(p0.label).toBeNull();
  await clf.label('my invoice is wrong', 'a');
  await clf.label('the app crashes', 'b');
  expect((await clf.predict('my invoice is wrong')).label).toBe('a');
  const t = await clf.train();
  console.log('train', t);
  console.log(await clf.predict('invoice'), await clf.predict('crash'));
  await clf.close();
});
