// Compile-only test of the model versions API (`npm run typecheck` compiles it; nothing runs).
import { createClassifier, type ModelVersion, type TrainingMetrics, type TrainResult, type VersionChange } from '../../src/index.js';

type IsExact<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- the type argument is the test
function assert<T extends true>(): void {}

export async function versions(): Promise<void> {
  const clf = await createClassifier({ name: 'tickets', labels: ['billing', 'bug'], keepVersions: 10 });
  assert<IsExact<typeof clf.keepVersions, number>>();
  const kept = await clf.versions();
  assert<IsExact<typeof kept, ModelVersion[]>>();
  assert<IsExact<(typeof kept)[number]['metrics'], TrainingMetrics>>();
  assert<IsExact<TrainingMetrics['heldOut'], { examples: number; accuracy: number | null; ece: number } | null>>();
  const rolledBack = await clf.rollback(kept[1]!.version);
  assert<IsExact<typeof rolledBack, VersionChange>>();
  assert<IsExact<VersionChange['pinned'], number | null>>();
  await clf.pin(rolledBack.modelVersion);
  await clf.pin(null);
  const trained = await clf.train();
  assert<IsExact<TrainResult['pinned'], number | undefined>>();
  void trained.pinned;
  // @ts-expect-error a version is a number
  await clf.rollback('2');
  // @ts-expect-error rollback needs a version (pin(null) unpins)
  await clf.rollback(null);
  // @ts-expect-error keepVersions is a count
  await createClassifier({ name: 'x', labels: ['a', 'b'], keepVersions: '5' });
}
