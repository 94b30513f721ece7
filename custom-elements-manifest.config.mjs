// Custom Elements Manifest (custom-elements.json) from the elements' JSDoc: `npm run manifest`, part of `npm run build`.
// Editors, Storybook and framework wrappers read it; test/e2e/manifest.e2e.test.ts fails when something public is undocumented.
export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/components/**/*.test.ts', 'src/components/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  // The "customElements" field of package.json is written by hand: a build must not edit package.json.
  packagejson: false,
  plugins: [
    {
      // The analyzer also guesses events from `dispatchEvent(new HitlLabelEvent(label, …))` and names them after the
      // first argument ("label"): only the `@fires` tags are the API. (The manifest test checks every dispatched
      // event class against them.)
      name: 'hitl-documented-events-only',
      packageLinkPhase({ customElementsManifest }) {
        for (const module of customElementsManifest.modules) {
          for (const declaration of module.declarations ?? []) {
            if (declaration.events) declaration.events = declaration.events.filter((event) => event.name?.startsWith('hitl-') && event.description);
          }
        }
      },
    },
  ],
};
