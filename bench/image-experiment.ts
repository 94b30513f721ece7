// Temporary: workers/featurizers/image.test.ts still imports the MNIST loader from this path. The lead points
// that import at ./mnist.js and deletes this file (issue 16 removes the image experiment).
export { digitPixels, loadMnist, splitMnist, type Mnist } from './mnist.js';
