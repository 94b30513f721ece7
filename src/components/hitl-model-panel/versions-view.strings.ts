/** The texts of the panel's model versions section (part of `HitlModelPanelStrings`); `{…}` are placeholders. */
export interface VersionsStrings {
  versionsTitle: string;
  /** Caption of the versions table. */
  versionsCaption: string;
  versionHeader: string;
  trainedHeader: string;
  labelsSeenHeader: string;
  heldOutHeader: string;
  lossHeader: string;
  stateHeader: string;
  actionsHeader: string;
  /** A version in the table: `{version}`. */
  versionName: string;
  servingState: string;
  pinnedState: string;
  /** The held-out accuracy cell: `{accuracy}` of `{examples}` labels. */
  heldOutValue: string;
  rollBack: string;
  /** Accessible name of a rollback button: `{version}`. */
  rollBackLabel: string;
  /** The pin toggle (pressed while the version is pinned). */
  pin: string;
  /** Accessible name of a pin toggle: `{version}`. */
  pinLabel: string;
  rolledBack: string;
  pinned: string;
  unpinned: string;
  /** `{reason}`: why a rollback or pin failed; nothing was changed. */
  versionFailed: string;
  versionsNote: string;
}

export const VERSIONS_STRINGS: Readonly<VersionsStrings> = Object.freeze({
  versionsTitle: 'Model versions',
  versionsCaption: 'Kept versions of the trained model, newest first',
  versionHeader: 'Version',
  trainedHeader: 'Trained',
  labelsSeenHeader: 'Labels',
  heldOutHeader: 'Held-out accuracy',
  lossHeader: 'Loss',
  stateHeader: 'State',
  actionsHeader: 'Actions',
  versionName: 'v{version}',
  servingState: 'serving',
  pinnedState: 'serving, pinned',
  heldOutValue: '{accuracy} of {examples}',
  rollBack: 'Roll back',
  rollBackLabel: 'Roll back to version {version}',
  pin: 'Pin',
  pinLabel: 'Pin version {version}',
  rolledBack: 'Version {version} serves again.',
  pinned: 'Version {version} is pinned: background training leaves it serving.',
  unpinned: 'Unpinned: the next training serves its model.',
  versionFailed: 'Nothing was changed: {reason}',
  versionsNote: 'A pinned version keeps serving: Train now keeps the new model as a version, and background training waits.',
});
