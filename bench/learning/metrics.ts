/** How a set of test predictions is scored, alike for our model and every reference. */

const ECE_BINS = 10;

/** Accuracy, ECE over ECE_BINS equal-width confidence bins, and accuracy/coverage above the threshold. */
export function score(
  predictions: { label: string | null; confidence: number }[],
  truth: (i: number) => string,
  threshold: number,
): { accuracy: number; ece: number; confident: { coverage: number; accuracy: number | null } } {
  const n = predictions.length;
  const bins = Array.from({ length: ECE_BINS }, () => ({ count: 0, correct: 0, confidence: 0 }));
  let correct = 0;
  let confident = 0;
  let confidentCorrect = 0;
  predictions.forEach((prediction, i) => {
    const right = prediction.label !== null && prediction.label === truth(i);
    if (right) correct += 1;
    const bin = bins[Math.min(ECE_BINS - 1, Math.floor(prediction.confidence * ECE_BINS))]!;
    bin.count += 1;
    bin.confidence += prediction.confidence;
    if (right) bin.correct += 1;
    if (prediction.confidence >= threshold) {
      confident += 1;
      if (right) confidentCorrect += 1;
    }
  });
  const ece = bins.reduce(
    (sum, bin) => (bin.count === 0 ? sum : sum + (bin.count / n) * Math.abs(bin.correct / bin.count - bin.confidence / bin.count)),
    0,
  );
  return {
    accuracy: correct / n,
    ece,
    confident: { coverage: confident / n, accuracy: confident > 0 ? confidentCorrect / confident : null },
  };
}
